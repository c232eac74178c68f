/*
 * avmit/tb_events.h — TensorBoard event files (SPEC §10: "keep using the tools they
 * already know"). One file `events.out.tfevents.<seconds>.<host>.<pid>.avmit` per
 * writer: uncompressed TFRecord framing (FORMATS.md §1) of tensorflow.Event protobuf
 * messages, hand-encoded from the published .proto field numbers
 * (tensorflow/core/util/event.proto, core/framework/summary.proto, tensor.proto):
 *
 *   Event   { double wall_time = 1; int64 step = 2;
 *             oneof { string file_version = 3; Summary summary = 5; } }
 *   Summary { repeated Value value = 1; }
 *   Value   { string tag = 1; float simple_value = 2; TensorProto tensor = 8;
 *             SummaryMetadata metadata = 9; }
 *   SummaryMetadata { PluginData plugin_data = 1; }   PluginData { string plugin_name = 1; }
 *   TensorProto { DataType dtype = 1 (DT_STRING = 7); TensorShapeProto tensor_shape = 2;
 *                 repeated bytes string_val = 8; }
 *
 * The first record is the file_version event "brain.Event:2" (as tf.summary writers
 * emit). Scalars use simple_value (TensorBoard's scalars dashboard reads them); text
 * uses the "text" plugin with a scalar DT_STRING tensor (tf.summary.text's layout).
 *
 * An event file is an append-only log, as TensorFlow writes it: every event is written
 * and flushed whole, so a killed run leaves at most one torn final record, which
 * TensorBoard's reader stops at. Thread-safety: a writer belongs to one thread.
 */
#ifndef AVMIT_TB_EVENTS_H
#define AVMIT_TB_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_tb_writer avmit_tb_writer;

/* Create dir (and parents) and a new event file in it, then write the file_version
 * event. wall_time <= 0 means "now" (CLOCK_REALTIME) here and below. */
int avmit_tb_open(avmit_tb_writer **out, const char *dir, double wall_time, avmit_error *err);
/* The path of the event file (valid until avmit_tb_close). */
const char *avmit_tb_path(const avmit_tb_writer *w);
/* One scalar (stored as float32, as TensorBoard does) at step. */
int avmit_tb_scalar(avmit_tb_writer *w, const char *tag, int64_t step, double value,
                    double wall_time, avmit_error *err);
/* One text summary (markdown, shown by TensorBoard's text dashboard) at step. */
int avmit_tb_text(avmit_tb_writer *w, const char *tag, int64_t step, const char *text,
                  double wall_time, avmit_error *err);
/* Close the file. NULL is allowed. */
void avmit_tb_close(avmit_tb_writer *w);

/* The serialized Event message for a scalar / a text summary (the bytes inside one
 * TFRecord frame), in a malloc'd buffer; for tests and other sinks. */
int avmit_tb_encode_scalar(uint8_t **out, size_t *n, const char *tag, int64_t step,
                           double value, double wall_time, avmit_error *err);
int avmit_tb_encode_text(uint8_t **out, size_t *n, const char *tag, int64_t step,
                         const char *text, double wall_time, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_TB_EVENTS_H */
