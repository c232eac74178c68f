/*
 * avmit/keras_h5.h — Keras `save_weights` HDF5 files (FORMATS.md §5): the
 * paper's random_seed.ckpt / random_seed.h5 initial weights and the files
 * `avmit model export --format keras-h5` writes.
 *
 * A file is read into an avmit_keras_h5: the root attributes layer_names,
 * backend and keras_version, then, for every layer in layer_names order, its
 * weight_names and each dataset /<layer>/<weight_name> as float32 in C order.
 * Both string forms Keras has written are accepted: fixed-length NULLPAD
 * arrays (Keras 2.4, action_recognition) and variable-length strings (Keras
 * 2.13, savc), as are layer_names split into layer_names0, layer_names1, ...
 * An empty weight_names may be an empty array of any type (Keras writes an
 * empty float64 array). Datasets must be float32 little-endian; anything else
 * is rejected, naming the dataset.
 *
 * Writing produces the same tree: root attributes, one group per layer
 * (created in name-sorted order, as Keras does), weight_names, contiguous
 * float32 LE datasets; strings either fixed-length NULLPAD ASCII arrays (the
 * action_recognition files) or variable-length ASCII strings plus the empty
 * `top_level_model_weights` group (the Keras 2.13 savc files). The file is
 * built under a temporary name and renamed into place.
 *
 * Built only with libhdf5 (AVMIT_HAVE_HDF5); without it every function
 * returns AVMIT_E_UNSUPPORTED.
 *
 * Layer names may contain '/' (YAMNet's "layer1/conv/bn"): the layer group
 * is then nested (/layer1/conv/bn inside /layer1/conv), as h5py makes it.
 *
 * Thread-safety: libhdf5 (serial build) is not thread-safe; call these from
 * one thread at a time. The first call turns off libhdf5's automatic error
 * printing for the default error stack (H5Eset_auto2(H5E_DEFAULT, NULL,
 * NULL)): that is process-wide state inside libhdf5, so a program that also
 * uses libhdf5 directly and wants its error stacks printed must re-enable them.
 */
#ifndef AVMIT_KERAS_H5_H
#define AVMIT_KERAS_H5_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_KERAS_MAX_DIMS 8

/* One dataset /<layer>/<name>. */
typedef struct avmit_keras_weight {
    char *name;                               /* weight_names entry, e.g. "gru/gru_cell/kernel:0" */
    int ndim;                                 /* 0 = scalar */
    int64_t shape[AVMIT_KERAS_MAX_DIMS];
    float *data;                              /* product(shape) floats, C order */
    int dtype;                                /* stored type: AVMIT_KERAS_F32 (0), or with
                                                 AVMIT_KERAS_READ_INTS I64 / I32 (data converted
                                                 to float; written back as that type) */
} avmit_keras_weight;

enum { AVMIT_KERAS_F32 = 0, AVMIT_KERAS_I64 = 1, AVMIT_KERAS_I32 = 2 };

/* One entry of layer_names with its weights (n_weights may be 0). */
typedef struct avmit_keras_layer {
    char *name;
    size_t n_weights;
    avmit_keras_weight *weights;
} avmit_keras_layer;

/* How the writer stores layer_names / weight_names. */
typedef enum avmit_keras_strings {
    AVMIT_KERAS_STR_FIXED = 0, /* fixed-length NULLPAD arrays (Keras 2.4, action_recognition) */
    AVMIT_KERAS_STR_VLEN = 1   /* variable-length strings + top_level_model_weights (Keras 2.13) */
} avmit_keras_strings;

typedef struct avmit_keras_h5 {
    char *backend;            /* root attribute, e.g. "tensorflow" ("" if absent) */
    char *keras_version;      /* root attribute, e.g. "2.4.0" ("" if absent) */
    avmit_keras_strings strings; /* the form layer_names was stored in (read) */
    size_t n_layers;
    avmit_keras_layer *layers; /* layer_names order */
    int no_root_attrs;        /* read: neither backend nor keras_version present; write: omit both
                                 (Keras 1 files, e.g. the 2016 VGG16 weights) */
} avmit_keras_h5;

/* Read a Keras weights file. Errors name the file and the attribute or
 * dataset: not an HDF5 file, missing layer_names / weight_names, a missing
 * dataset, a dtype other than float32 LE, more than 8 dimensions. */
int avmit_keras_h5_read(avmit_keras_h5 *out, const char *path, avmit_error *err);

/* As avmit_keras_h5_read; flags AVMIT_KERAS_READ_INTS also accepts signed
 * 32/64-bit little-endian integer datasets (converted to float, dtype set) —
 * the EfficientNet normalization layer's `count`. */
#define AVMIT_KERAS_READ_INTS 1u
int avmit_keras_h5_read_flags(avmit_keras_h5 *out, const char *path, unsigned flags,
                              avmit_error *err);

/* Write w to path atomically (parent directories are created when make_dirs).
 * backend / keras_version NULL or "" are written as "tensorflow" / "2.4.0". */
int avmit_keras_h5_write(const char *path, const avmit_keras_h5 *w, avmit_keras_strings form,
                         int make_dirs, avmit_error *err);

/* Number of floats in a weight. */
int64_t avmit_keras_weight_count(const avmit_keras_weight *wt);

/* Total number of weights over all layers. */
size_t avmit_keras_h5_n_weights(const avmit_keras_h5 *w);

/* Free everything (NULL and zeroed structs are allowed). */
void avmit_keras_h5_free(avmit_keras_h5 *w);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_KERAS_H5_H */
