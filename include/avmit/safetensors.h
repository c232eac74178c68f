/*
 * avmit/safetensors.h — safetensors files (FORMATS.md §8): an 8-byte LE header
 * length N, an N-byte JSON header {name: {dtype, shape, data_offsets}, optional
 * "__metadata__": {string: string}}, then the byte buffer.
 *
 * The reader is strict like the reference (safetensors/src/tensor.rs) plus the
 * FORMATS.md §10 rules: file < 8 bytes, N > 100,000,000, 8 + N > file size,
 * header not UTF-8 / not JSON / not an object, duplicate names, unknown dtype,
 * non-string metadata values, shapes or offsets that are not non-negative
 * integers, end < begin, end - begin != product(shape) * dtype size, holes or
 * overlaps between tensors (sorted by offset), and a buffer longer or shorter
 * than the last tensor's end are each an error naming the file and tensor.
 * The writer produces the reference layout: "__metadata__" first, tensors
 * ordered by descending dtype alignment then name, packed without gaps, JSON
 * without spaces padded with spaces to a multiple of 8 bytes.
 *
 * Thread-safety: reentrant; a read file is immutable and may be shared.
 */
#ifndef AVMIT_SAFETENSORS_H
#define AVMIT_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_ST_MAX_DIMS 8
#define AVMIT_ST_HEADER_MAX 100000000ull /* reference HeaderTooLarge limit */

typedef struct avmit_st_tensor {
    char *name;
    char dtype[8];          /* "F32", "F16", "I64", ... as in the file */
    size_t itemsize;        /* bytes per element */
    int ndim;
    int64_t shape[AVMIT_ST_MAX_DIMS];
    size_t begin, end;      /* data_offsets, relative to the byte buffer */
} avmit_st_tensor;

typedef struct avmit_safetensors {
    uint8_t *buf;           /* the whole file */
    size_t size;
    size_t data_start;      /* 8 + N */
    avmit_st_tensor *t;     /* tensors in file-header order */
    size_t n;
    char **meta_keys, **meta_values; /* __metadata__ pairs */
    size_t n_meta;
} avmit_safetensors;

/* Parse an image in memory (copied; `name` used in errors) or read a file. */
int avmit_safetensors_parse(avmit_safetensors *out, const uint8_t *buf, size_t n,
                            const char *name, avmit_error *err);
int avmit_safetensors_read(avmit_safetensors *out, const char *path, avmit_error *err);
void avmit_safetensors_free(avmit_safetensors *st);

/* Tensor by name, or NULL; a metadata value by key, or NULL. */
const avmit_st_tensor *avmit_safetensors_find(const avmit_safetensors *st, const char *name);
const char *avmit_safetensors_meta(const avmit_safetensors *st, const char *key);
/* The tensor's bytes (little-endian, C order). */
const void *avmit_safetensors_data(const avmit_safetensors *st, const avmit_st_tensor *t);
/* Copy an F32 tensor of exactly the expected shape into dst; errors name the
 * tensor and both shapes (AVMIT_E_NOTFOUND when absent, AVMIT_E_FORMAT on a
 * mismatch or another dtype). `path` is used in errors. */
int avmit_safetensors_get_f32(const avmit_safetensors *st, const char *path, const char *name,
                              int ndim, const int64_t *shape, float *dst, avmit_error *err);

/* One tensor to write. */
typedef struct avmit_st_entry {
    const char *name;
    avmit_dtype dtype;      /* any numeric avmit_dtype (F32, F64, I64, U8, ...) */
    int ndim;
    const int64_t *shape;
    const void *data;       /* product(shape) * itemsize bytes, native LE */
} avmit_st_entry;

/* Serialise to a malloc'd image; meta is n_meta key/value string pairs
 * (meta[2i], meta[2i+1]), may be NULL. Duplicate names are AVMIT_E_ARG. */
int avmit_safetensors_encode(uint8_t **out, size_t *n, const avmit_st_entry *e, size_t n_e,
                             const char *const *meta, size_t n_meta, avmit_error *err);
/* Write atomically. */
int avmit_safetensors_write(const char *path, const avmit_st_entry *e, size_t n_e,
                            const char *const *meta, size_t n_meta, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SAFETENSORS_H */
