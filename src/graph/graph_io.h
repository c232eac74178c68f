/*
 * graph/graph_io.h — what every network built on graph/graph.h gets from its
 * tables alone (no BLAS): the Keras summary rows, the safetensors checkpoint
 * (every tensor under its Keras weight name), and the import / export mapping
 * of Keras HDF5 weights, TF2 checkpoints (avmit/keras_vars.h) and .npz
 * (avmit/model_io.h, FORMATS.md §5, §6.4, §9). Internal to libavmit.
 *
 * Parameter data lives in two blocks laid out by the graph: `w` (trainable,
 * g->n_weights floats) and `s` (state, g->n_state floats; may be NULL when
 * n_state is 0). A layer with weights is an op with n_param > 0; its tensors
 * are its parameter slice, in the order of the published files' weight_names.
 *
 * Thread-safety: reentrant (only the arguments are touched).
 */
#ifndef AVMIT_GRAPH_GRAPH_IO_H
#define AVMIT_GRAPH_GRAPH_IO_H

#include <stddef.h>

#include "avmit/keras_h5.h"
#include "avmit/keras_vars.h"
#include "avmit/layer_row.h"
#include "avmit/safetensors.h"
#include "graph/graph.h"

/* Pointer to tensor t's data in (w, s). */
float *avmit_graph_data(const avmit_graph *g, int t, float *w, float *s);

/* One summary row per op, op order (= Keras model.layers order): name, Keras
 * class, output shape "(None, d0, ...)", parameter counts. Returns the number
 * of rows written (at most max). */
int avmit_graph_layers(const avmit_graph *g, avmit_layer_row *rows, int max);

/* Safetensors entries for every tensor (trainable ones first, then state,
 * each in table order), data in (w, s). e holds g->n_tensors entries.
 * Returns the count. */
size_t avmit_graph_st_entries(const avmit_graph *g, float *w, float *s, avmit_st_entry *e);
/* Write (w, s) as safetensors with meta (n_meta key/value pairs), atomically. */
int avmit_graph_st_write(const avmit_graph *g, const float *w, const float *s, const char *path,
                         const char *const *meta, size_t n_meta, avmit_error *err);
/* Read every tensor of g from an open file into (w, s): exact names, shapes
 * and F32 dtype (errors name the tensor and both shapes). With strict, a
 * tensor of the file that g lacks is an error ("unexpected tensor '<name>'
 * for a <arch> model"). */
int avmit_graph_st_read(const avmit_graph *g, const avmit_safetensors *st, const char *path,
                        float *w, float *s, int strict, const char *arch, avmit_error *err);

/* Keras-load-order import: pair v's layers with weights with g's by order,
 * their variables by attribute; check counts, shapes and finiteness; copy
 * into (w, s) all or nothing. arch names the model in messages. */
int avmit_graph_import(const avmit_graph *g, float *w, float *s, const char *arch,
                       const avmit_keras_vars *v, avmit_error *err);
/* The Keras weights tree: one layer per op, weight_names = the tensor names. */
int avmit_graph_to_keras_h5(const avmit_graph *g, const float *w, const float *s,
                            const char *keras_version, avmit_keras_h5 *out, avmit_error *err);
/* Every tensor as "<weight name>.npy" of an .npz (table order), atomically. */
int avmit_graph_export_npz(const avmit_graph *g, const float *w, const float *s, const char *path,
                           avmit_error *err);

#endif /* AVMIT_GRAPH_GRAPH_IO_H */
