/*
 * model_io_int.h — the architecture-independent core of avmit/model_io.h:
 * a model described as its Keras layers (avmit_layer_row, model.layers
 * order) and its tensors (Keras weight names "<layer>/.../<attr>:0"), so the
 * experiment-1 model (model_import.c) and the SAVC model (savc_import.c)
 * share the import checks, the Keras weights tree and the .npz export.
 */
#ifndef AVMIT_MODEL_IO_INT_H
#define AVMIT_MODEL_IO_INT_H

#include <stddef.h>

#include "avmit/keras_h5.h"
#include "avmit/keras_vars.h"
#include "avmit/model.h"

/* One tensor of a model: its Keras weight name, shape and storage. */
typedef struct avmit_io_tensor {
    const avmit_param_info *info;
    float *data;
} avmit_io_tensor;

/* A model as the import / export code sees it. */
typedef struct avmit_io_model {
    const char *arch;            /* for messages, e.g. "GRU" or "SAVC GRU" */
    const avmit_layer_row *rows; /* every Keras layer, model.layers order */
    int n_rows;
    const avmit_io_tensor *t;    /* every tensor, weight_names order per layer */
    size_t nt;
} avmit_io_model;

/* Pair v's layers with weights with the model's by order and its variables
 * by attribute; check counts, shapes and finiteness; copy (all or nothing). */
int avmit_io_import(const avmit_io_model *m, const avmit_keras_vars *v, avmit_error *err);

/* The Keras weights tree: one layer per row, weight_names as the tensor names. */
int avmit_io_to_keras_h5(const avmit_io_model *m, const char *keras_version, avmit_keras_h5 *out,
                         avmit_error *err);

/* Every tensor as "<weight name>.npy" of an .npz, atomically. */
int avmit_io_export_npz(const avmit_io_model *m, const char *path, avmit_error *err);

#endif /* AVMIT_MODEL_IO_INT_H */
