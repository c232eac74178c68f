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
 * Every write is atomic (temporary file, fsync, rename).
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
    char dtype[16];    /* stored dtype, e.g. "float32" (only float32 is accepted for data) */
    float *data;       /* product(shape) floats, C order; NULL after avmit_wset_take */
} avmit_wtensor;

typedef struct avmit_wset {
    avmit_wformat format;
    char *path;
    size_t n;
    avmit_wtensor *t;  /* file order (H5: layer_names order, then position) */
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

/* Write s->t[0..n) in `fmt` to path, atomically. For Keras H5 the tensors are
 * grouped by layer in order of first appearance. */
int avmit_wset_write(const avmit_wset *s, avmit_wformat fmt, const char *path, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_WEIGHTS_H */
