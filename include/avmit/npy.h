/*
 * avmit/npy.h — NumPy .npy arrays (FORMATS.md §9): versions 1.0/2.0/3.0,
 * C order. Reading accepts little/big-endian f4, f8, u1, i1, i2, i4, i8, u2,
 * u4, u8, b1 and Fortran order, and converts to float32 in C order on request;
 * object/structured/complex/string dtypes are rejected. Writing produces
 * byte-for-byte what numpy 1.24 writes (64-byte aligned header, version 1.0).
 *
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_NPY_H
#define AVMIT_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_NPY_MAX_DIMS 8

typedef enum avmit_dtype {
    AVMIT_DTYPE_F32 = 0,
    AVMIT_DTYPE_F64,
    AVMIT_DTYPE_U8,
    AVMIT_DTYPE_I8,
    AVMIT_DTYPE_I16,
    AVMIT_DTYPE_U16,
    AVMIT_DTYPE_I32,
    AVMIT_DTYPE_U32,
    AVMIT_DTYPE_I64,
    AVMIT_DTYPE_U64,
    AVMIT_DTYPE_BOOL
} avmit_dtype;

/* An n-dimensional array in C order, native byte order. */
typedef struct avmit_array {
    avmit_dtype dtype;
    int ndim;                          /* 0 = scalar */
    int64_t shape[AVMIT_NPY_MAX_DIMS];
    void *data;                        /* malloc'd, product(shape) * itemsize bytes */
} avmit_array;

size_t avmit_dtype_size(avmit_dtype t);
int64_t avmit_array_count(const avmit_array *a);

/* Parse an .npy image in memory (`name` is used in errors). Converts to
 * native byte order and C order; keeps the dtype. */
int avmit_npy_parse(avmit_array *out, const uint8_t *buf, size_t n, const char *name,
                    avmit_error *err);
int avmit_npy_read(avmit_array *out, const char *path, avmit_error *err);

/* Read and convert to float32 (any numeric dtype). */
int avmit_npy_read_f32(avmit_array *out, const char *path, avmit_error *err);

/* Convert a in place to float32 (every numeric dtype; bool gives 0/1). */
int avmit_array_to_f32(avmit_array *a, avmit_error *err);

/* numpy's typestring for t, e.g. "<f4", "|u1" (NULL for an unknown t). */
const char *avmit_dtype_descr(avmit_dtype t);

/* Serialise to a malloc'd .npy image (*out, *n), the bytes avmit_npy_write writes. */
int avmit_npy_encode(uint8_t **out, size_t *n, avmit_dtype dtype, int ndim,
                     const int64_t *shape, const void *data, avmit_error *err);

/* Write atomically. data is in C order, native (little-endian) byte order. */
int avmit_npy_write(const char *path, avmit_dtype dtype, int ndim, const int64_t *shape,
                    const void *data, avmit_error *err);

void avmit_array_free(avmit_array *a);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_NPY_H */
