/*
 * weights_int.h — the per-format halves of avmit/weights.h (src/io/weights.c
 * dispatches): TF1 V1 checkpoints (tfckpt_v1.c), TF2 bundles
 * (weights_tf2.c), Keras HDF5 (weights.c over keras_h5.c).
 */
#ifndef AVMIT_WEIGHTS_INT_H
#define AVMIT_WEIGHTS_INT_H

#include "avmit/weights.h"
#include "io/sstable_int.h"

/* Append a tensor whose name/layer are copied and whose data (count floats,
 * or NULL to allocate uninitialised) the set owns; *t receives it. */
int wset_push(avmit_wset *s, const char *layer, const char *name, int index, int ndim,
              const int64_t *shape, const char *dtype, float *data, avmit_wtensor **t,
              const char *path, avmit_error *err);

/* Elements of a shape, or -1 beyond 2^40 (weights are never that large). */
int64_t wshape_count(int ndim, const int64_t *shape);

/* TF1 V1 checkpoint: read every tensor of the table in src into out. */
int tfv1_read(avmit_wset *out, const sst_src *src);
/* Write s as a V1 checkpoint at path (atomic). */
int tfv1_write(const avmit_wset *s, const char *path, avmit_error *err);

/* TF2 bundle (path as avmit_tfckpt_resolve takes it) read / write (prefix). */
int tf2w_read(avmit_wset *out, const char *path, avmit_error *err);
int tf2w_write(const avmit_wset *s, const char *prefix, avmit_error *err);

/* Tensor order for the checkpoint writers: indices of s->t sorted by name;
 * fails (AVMIT_E_ARG) on a duplicate name or a non-float32 tensor. */
int wset_sorted_floats(const avmit_wset *s, size_t **order, const char *path, avmit_error *err);

#endif
