/*
 * avmit/keras_vars.h — the model variables of a Keras weights file or a TF2
 * checkpoint, grouped into "layers with weights" in Keras load order
 * (FORMATS.md §5.1, §6.4): what `avmit model import` maps onto a model.
 *
 * Keras loads HDF5 weights by order: the file's layers that have weights are
 * paired with the model's, in order. A TF2 checkpoint numbers the same
 * layers `layer_with_weights-N` (N from 0, in model.layers order; wrappers
 * add `layer/` or `cell/`). Both become an avmit_keras_vars: layer k holds
 * the k-th layer with weights, each variable named by its attribute
 * ("kernel", "bias", "gamma", "moving_mean", "recurrent_kernel", ...), the
 * last component of the Keras variable name without ":0". Optimizer slots
 * and other non-model keys of a checkpoint are left out.
 *
 * Layer names: the HDF5 group name, or for a checkpoint the first component
 * of the object graph's full_name (e.g. "audio_bn"), else "layer_with_weights-N".
 *
 * Thread-safety: as avmit/keras_h5.h (libhdf5 is not thread-safe).
 */
#ifndef AVMIT_KERAS_VARS_H
#define AVMIT_KERAS_VARS_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_KERAS_VARS_MAX_DIMS 8

typedef struct avmit_keras_var {
    char *attr;      /* "kernel", "bias", "gamma", ... */
    char *origin;    /* where it came from: HDF5 dataset path or checkpoint key */
    int ndim;
    int64_t shape[AVMIT_KERAS_VARS_MAX_DIMS];
    float *data;     /* product(shape) floats, C order */
} avmit_keras_var;

typedef struct avmit_keras_var_layer {
    char *name;
    size_t n_vars;
    avmit_keras_var *vars;
} avmit_keras_var_layer;

typedef enum avmit_weights_format {
    AVMIT_WEIGHTS_KERAS_H5 = 1,
    AVMIT_WEIGHTS_TF2 = 2
} avmit_weights_format;

typedef struct avmit_keras_vars {
    avmit_weights_format format;
    char *source;    /* the HDF5 path or the checkpoint's .index path (for messages) */
    size_t n_layers;
    avmit_keras_var_layer *layers;
} avmit_keras_vars;

/* Read a Keras HDF5 weights file or a TF2 checkpoint (anything
 * avmit_tfckpt_resolve accepts; every tensor CRC is checked). */
int avmit_keras_vars_read(avmit_keras_vars *out, const char *path, avmit_error *err);

/* Layer k's variable with this attribute, or NULL. */
const avmit_keras_var *avmit_keras_vars_find(const avmit_keras_vars *v, size_t layer,
                                             const char *attr);

/* Number of floats of one variable. */
int64_t avmit_keras_var_count(const avmit_keras_var *var);

void avmit_keras_vars_free(avmit_keras_vars *v);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_KERAS_VARS_H */
