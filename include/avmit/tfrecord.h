/*
 * avmit/tfrecord.h — TFRecord framing (FORMATS.md §1): CRC32C with
 * TensorFlow's mask, a streaming reader (GZIP, ZLIB-free GZIP members,
 * uncompressed; auto-detected) that verifies both CRCs of every record,
 * and an atomic writer that produces what TensorFlow's RecordWriter writes.
 *
 * Errors name the file, record index and byte offset in the uncompressed
 * stream, e.g. "x.tfrecord: record 3 at byte 4096: data CRC mismatch
 * (stored 0x..., computed 0x...)". A file that ends inside a header, data or
 * footer is AVMIT_E_TRUNCATED (TensorFlow would treat a partial header as a
 * clean end; avmit does not).
 *
 * Thread-safety: readers and writers belong to one thread each.
 */
#ifndef AVMIT_TFRECORD_H
#define AVMIT_TFRECORD_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CRC-32C (Castagnoli) of data, continuing from `crc` (pass 0 to start). */
uint32_t avmit_crc32c(uint32_t crc, const void *data, size_t n);
/* TensorFlow's mask: rotate right 15, add 0xA282EAD8; and its inverse. */
uint32_t avmit_crc32c_mask(uint32_t crc);
uint32_t avmit_crc32c_unmask(uint32_t masked);

typedef enum avmit_compression {
    AVMIT_COMPRESSION_AUTO = 0, /* reader only: gzip if the file starts 1f 8b and
                                   bytes 8..11 are not the masked CRC of bytes 0..7 */
    AVMIT_COMPRESSION_NONE = 1,
    AVMIT_COMPRESSION_GZIP = 2
} avmit_compression;

/* Default cap on one record's length (bytes); larger lengths are an error. */
#define AVMIT_TFRECORD_MAX_RECORD ((uint64_t)1 << 31)

typedef struct avmit_tfrecord_reader avmit_tfrecord_reader;

/* Open a file. */
int avmit_tfrecord_reader_open(avmit_tfrecord_reader **out, const char *path,
                               avmit_compression compression, avmit_error *err);
/* Read from memory (buf must outlive the reader); `name` is used in errors. */
int avmit_tfrecord_reader_open_memory(avmit_tfrecord_reader **out, const void *buf, size_t n,
                                      const char *name, avmit_compression compression,
                                      avmit_error *err);
/* Next record: returns 1 and sets *data and *len (valid until the next call or
 * close), 0 at a clean end of data, or a negative AVMIT_E_* code. */
int avmit_tfrecord_reader_next(avmit_tfrecord_reader *r, const uint8_t **data, size_t *len,
                               avmit_error *err);
/* Change the cap on one record's length (default AVMIT_TFRECORD_MAX_RECORD);
 * a header announcing more is an AVMIT_E_FORMAT error. */
void avmit_tfrecord_reader_set_max_record(avmit_tfrecord_reader *r, uint64_t max_bytes);
/* Index of the record returned last (0-based), -1 before the first. */
long long avmit_tfrecord_reader_index(const avmit_tfrecord_reader *r);
/* Whether the input was gzip-compressed (known after open). */
int avmit_tfrecord_reader_is_gzip(const avmit_tfrecord_reader *r);
void avmit_tfrecord_reader_close(avmit_tfrecord_reader *r);

typedef struct avmit_tfrecord_writer avmit_tfrecord_writer;

/* Start writing `path` atomically (temp file + rename on commit). GZIP uses
 * deflate level 6, window 15+16, memLevel 9, one member (as TensorFlow). */
int avmit_tfrecord_writer_open(avmit_tfrecord_writer **out, const char *path,
                               avmit_compression compression, int make_dirs, avmit_error *err);
int avmit_tfrecord_writer_write(avmit_tfrecord_writer *w, const void *data, size_t n,
                                avmit_error *err);
/* Finish the stream, fsync, rename into place; frees w in every case. */
int avmit_tfrecord_writer_commit(avmit_tfrecord_writer *w, avmit_error *err);
/* Remove the temporary file and free w. NULL is allowed. */
void avmit_tfrecord_writer_abort(avmit_tfrecord_writer *w);

/* Frame one record (uncompressed) into out[n + 16]. */
void avmit_tfrecord_frame(uint8_t *out, const void *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_TFRECORD_H */
