/*
 * avmit/weights.h — published CNN weight files as one list of named float32
 * tensors (issue 13, FORMATS.md: TF V1 checkpoint, TF2 bundle, Keras HDF5).
 *
 *   TF1 V1 checkpoint (vggish_model.ckpt): one SSTable file whose values are
 *     SavedTensorSlices protos; variables "vggish/conv1/weights" ...
 *   TF2 bundle (<prefix>.index + <prefix>.data-*): the same names.
 *   Keras HDF5 (yamnet.h5, vgg16_..._notop.h5, efficientnetb0_notop.h5):
 *     tensors keyed by layer name and position within the layer (weight names
 *     differ between file vintages), the stored weight name kept for messages.
 *
 * The format is detected from the file's first bytes (HDF5 signature,
 * SSTable footer magic) or the presence of <path>.index. Data are read once
 * into buffers the set owns; a consumer may take ownership of a tensor's data
 * (avmit_wset_take) so that the weights are never held twice.
 *
 * Writers produce the same layouts (for `avmit cnn init`, demos and tests).
 * Every write is atomic (temporary file, fsync, rename). The exact tensor
 * lists of the four published files are in docs/cnn-weights.md.
 *
 * Memory: reading holds each tensor once. The V1 reader streams every data
 * block from the file straight into the tensors' buffers (a block is never
 * held whole unless it is Snappy-compressed); the TF2 reader reads each
 * tensor's byte range into its buffer; the H5 reader hands libhdf5's buffers
 * over. Peak memory ~ the sum of the tensors (bench/RESULTS.md).
 *
 * Thread-safety: a set is owned by one caller; libhdf5 is not thread-safe
 * (see avmit/keras_h5.h).
 */
#ifndef AVMIT_WEIGHTS_H
#define AVMIT_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum avmit_wformat {
    AVMIT_WF_UNKNOWN = 0,
    AVMIT_WF_TF_V1 = 1,    /* TF1 V1 checkpoint: SSTable of SavedTensorSlices */
    AVMIT_WF_TF_V2 = 2,    /* TF2 bundle: .index + .data-00000-of-00001 */
    AVMIT_WF_KERAS_H5 = 3  /* Keras save_weights HDF5 */
} avmit_wformat;

typedef struct avmit_wtensor {
    char *layer;       /* Keras layer name; for TF checkpoints the variable's scope ("vggish/conv1") */
    char *name;        /* full stored name ("vggish/conv1/weights", "conv1/kernel:0") */
    int index;         /* position within the layer (Keras weight order; 0 for checkpoints) */
    int ndim;
    int64_t shape[8];
    char dtype[16];    /* stored dtype: "float32"; Keras H5 also "int64"/"int32" (the
                          EfficientNet normalization count), converted exactly to float */
    float *data;       /* product(shape) floats, C order; NULL after avmit_wset_take */
} avmit_wtensor;

typedef struct avmit_wset {
    avmit_wformat format;
    char *path;
    size_t n;
    avmit_wtensor *t;  /* file order (checkpoints: key order; H5: layer_names order, then position) */
    /* Keras H5 only (NULL / 0 otherwise). Read: what the file holds. Write:
     * layer_names lists every layer, including those without weights (NULL:
     * the layers of t[] in order of first appearance); backend/keras_version
     * NULL = "tensorflow"/"2.4.0", "" = attribute absent (Keras 1 files). */
    char **layer_names;
    size_t n_layer_names;
    char *backend;
    char *keras_version;
} avmit_wset;

const char *avmit_wformat_name(avmit_wformat f); /* "tf-v1-checkpoint", "tf2-checkpoint", "keras-h5" */
/* Detect the format of path (reads a few bytes). */
int avmit_wset_detect(const char *path, avmit_wformat *fmt, avmit_error *err);
/* Read every tensor. Errors name the file and tensor: truncated file, bad CRC,
 * unsupported dtype, a slice layout that does not cover the full tensor. */
int avmit_wset_read(avmit_wset *out, const char *path, avmit_error *err);
void avmit_wset_free(avmit_wset *s);
/* Index of the tensor by full name, or by (layer, index); -1 when absent. */
long avmit_wset_find(const avmit_wset *s, const char *name);
long avmit_wset_find_layer(const avmit_wset *s, const char *layer, int index);
/* Hand tensor i's data to the caller (who frees it with free()). */
float *avmit_wset_take(avmit_wset *s, size_t i);

/* Elements of one tensor (product of its shape; 1 for a scalar) and of all. */
int64_t avmit_wtensor_count(const avmit_wtensor *t);
int64_t avmit_wset_param_count(const avmit_wset *s);

/* Append a tensor (for building a set to write). layer NULL = the name up to
 * its last '/'. data: count floats the set takes ownership of, or NULL for a
 * zero-filled buffer. dtype NULL = "float32". */
int avmit_wset_add(avmit_wset *s, const char *layer, const char *name, int index, int ndim,
                   const int64_t *shape, const char *dtype, float *data, avmit_error *err);
/* Set the H5 layer_names / backend / keras_version (copies; NULL keeps the default). */
int avmit_wset_set_keras(avmit_wset *s, const char *const *layer_names, size_t n,
                         const char *backend, const char *keras_version, avmit_error *err);

/* Write s->t[0..n) in `fmt` to path, atomically. For Keras H5 the tensors are
 * grouped by layer in order of first appearance (position = index order);
 * for TF V1 / TF2 they are written in name order, as TensorFlow's savers do
 * (V1: one full slice per tensor; TF2: path is the prefix, P.index and
 * P.data-00000-of-00001 are written). Only float32 (and, for H5, int32/int64)
 * tensors are written. */
int avmit_wset_write(const avmit_wset *s, avmit_wformat fmt, const char *path, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_WEIGHTS_H */
