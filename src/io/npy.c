/*
 * npy.c — NumPy .npy reader and writer (include/avmit/npy.h, FORMATS.md §9).
 *
 * The header is a Python dict literal; only the subset numpy writes (and
 * hand-edited variants of it) is accepted: string values in '' or "",
 * True/False, and tuples of non-negative decimal integers. Anything else
 * (lists = structured dtypes, nested dicts, expressions) is rejected rather
 * than evaluated. The writer reproduces numpy 1.24's `_write_array_header`
 * byte for byte: keys sorted, repr() spacing, GROWTH_AXIS_MAX_DIGITS (21)
 * spare spaces minus the digits of shape[0], then spaces and '\n' so that the
 * data starts at a multiple of ARRAY_ALIGN (64).
 */
#include "avmit/npy.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "core/error_int.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ARRAY_ALIGN 64        /* numpy/lib/format.py ARRAY_ALIGN (1.24) */
#define NPY_GROWTH_AXIS_DIGITS 21 /* numpy/lib/format.py GROWTH_AXIS_MAX_DIGITS */

typedef struct {
    avmit_dtype dtype;
    char kind;    /* 'f', 'i', 'u', 'b' */
    size_t size;  /* bytes per item */
} dtype_info;

static const dtype_info k_dtypes[] = {
    {AVMIT_DTYPE_F32, 'f', 4}, {AVMIT_DTYPE_F64, 'f', 8}, {AVMIT_DTYPE_U8, 'u', 1},
    {AVMIT_DTYPE_I8, 'i', 1},  {AVMIT_DTYPE_I16, 'i', 2}, {AVMIT_DTYPE_U16, 'u', 2},
    {AVMIT_DTYPE_I32, 'i', 4}, {AVMIT_DTYPE_U32, 'u', 4}, {AVMIT_DTYPE_I64, 'i', 8},
    {AVMIT_DTYPE_U64, 'u', 8}, {AVMIT_DTYPE_BOOL, 'b', 1},
};
#define N_DTYPES (sizeof k_dtypes / sizeof k_dtypes[0])

static const dtype_info *dtype_lookup(avmit_dtype t) {
    for (size_t i = 0; i < N_DTYPES; i++)
        if (k_dtypes[i].dtype == t) return &k_dtypes[i];
    return NULL;
}

size_t avmit_dtype_size(avmit_dtype t) {
    const dtype_info *d = dtype_lookup(t);
    return d ? d->size : 0;
}

const char *avmit_dtype_descr(avmit_dtype t) {
    switch (t) {
    case AVMIT_DTYPE_F32: return "<f4";
    case AVMIT_DTYPE_F64: return "<f8";
    case AVMIT_DTYPE_U8: return "|u1";
    case AVMIT_DTYPE_I8: return "|i1";
    case AVMIT_DTYPE_I16: return "<i2";
    case AVMIT_DTYPE_U16: return "<u2";
    case AVMIT_DTYPE_I32: return "<i4";
    case AVMIT_DTYPE_U32: return "<u4";
    case AVMIT_DTYPE_I64: return "<i8";
    case AVMIT_DTYPE_U64: return "<u8";
    case AVMIT_DTYPE_BOOL: return "|b1";
    }
    return NULL;
}

int64_t avmit_array_count(const avmit_array *a) {
    int64_t n = 1;
    for (int i = 0; i < a->ndim; i++) n *= a->shape[i];
    return n;
}

void avmit_array_free(avmit_array *a) {
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* Element count and byte size of a shape; -1 on a negative dim or overflow. */
static int shape_bytes(int ndim, const int64_t *shape, size_t itemsize, int64_t *count,
                       size_t *n_bytes) {
    uint64_t c = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return -1;
        uint64_t d = (uint64_t)shape[i];
        if (d != 0 && c > (uint64_t)INT64_MAX / d) return -1;
        c *= d;
    }
    if (itemsize && c > (uint64_t)SIZE_MAX / itemsize) return -1;
    if (c > (uint64_t)INT64_MAX / (itemsize ? itemsize : 1)) return -1;
    *count = (int64_t)c;
    *n_bytes = (size_t)c * itemsize;
    return 0;
}

/* ---- header parsing ---------------------------------------------------------------- */

typedef struct {
    const char *p, *end;
    const char *name;
    size_t base;  /* byte offset of the header text in the file */
    const char *start;
    avmit_error *err;
} hparser;

static int hfail(hparser *h, const char *fmt, const char *what) {
    return avmit_error_set(h->err, AVMIT_E_FORMAT, h->name, -1, -1,
                           (long long)(h->base + (size_t)(h->p - h->start)), "header", fmt,
                           what);
}

static void hskip(hparser *h) {
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r'))
        h->p++;
}

/* A quoted string (no escapes: none occur in the keys/typestrings we accept). */
static int hstring(hparser *h, char *out, size_t cap) {
    hskip(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
        return hfail(h, "expected a quoted string, found %s",
                     h->p >= h->end ? "end of header" : "another token");
    char q = *h->p++;
    size_t n = 0;
    while (h->p < h->end && *h->p != q) {
        if (*h->p == '\\' || *h->p == '\n') return hfail(h, "%s in a string", "escape or newline");
        if (n + 1 >= cap) return hfail(h, "%s", "string too long");
        out[n++] = *h->p++;
    }
    if (h->p >= h->end) return hfail(h, "%s", "unterminated string");
    h->p++;
    out[n] = '\0';
    return 0;
}

static int hchar(hparser *h, char c) {
    hskip(h);
    if (h->p < h->end && *h->p == c) {
        h->p++;
        return 1;
    }
    return 0;
}

static int hbool(hparser *h, int *out) {
    hskip(h);
    size_t left = (size_t)(h->end - h->p);
    if (left >= 4 && !memcmp(h->p, "True", 4)) {
        h->p += 4;
        *out = 1;
    } else if (left >= 5 && !memcmp(h->p, "False", 5)) {
        h->p += 5;
        *out = 0;
    } else {
        return hfail(h, "'fortran_order': expected True or False, found %s", "another token");
    }
    return 0;
}

static int hshape(hparser *h, int *ndim, int64_t *shape) {
    if (!hchar(h, '('))
        return hfail(h, "'shape': expected a tuple, found %s",
                     (h->p < h->end && *h->p == '[') ? "a list" : "another token");
    int n = 0, need_comma_for_one = 1;
    for (;;) {
        if (hchar(h, ')')) break;
        hskip(h);
        if (h->p >= h->end || *h->p < '0' || *h->p > '9')
            return hfail(h, "'shape': expected a non-negative integer, found %s",
                         h->p < h->end && *h->p == '-' ? "a negative number" : "another token");
        uint64_t v = 0;
        while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
            v = v * 10 + (uint64_t)(*h->p - '0');
            if (v > (uint64_t)INT64_MAX) return hfail(h, "'shape': %s", "dimension too large");
            h->p++;
        }
        if (n >= AVMIT_NPY_MAX_DIMS) return hfail(h, "'shape': %s", "more than 8 dimensions");
        shape[n++] = (int64_t)v;
        if (hchar(h, ',')) {
            need_comma_for_one = 0;
            continue;
        }
        if (hchar(h, ')')) break;
        return hfail(h, "'shape': expected ',' or ')', found %s", "another token");
    }
    /* "(3)" is the integer 3 in Python, not a tuple. */
    if (n == 1 && need_comma_for_one) return hfail(h, "'shape': %s", "(n) is not a tuple, write (n,)");
    *ndim = n;
    return 0;
}

/* Decode a typestring like "<f4" into dtype + whether bytes must be swapped. */
static int parse_descr(hparser *h, const char *d, avmit_dtype *dtype, int *swap) {
    char order = d[0];
    if (order != '<' && order != '>' && order != '|' && order != '=')
        return AVMIT_ERR(h->err, AVMIT_E_UNSUPPORTED, h->name, "descr",
                         "unsupported dtype '%s' (expected a typestring such as '<f4')", d);
    char kind = d[1];
    char *endp = NULL;
    long size = (kind && d[2] >= '0' && d[2] <= '9') ? strtol(d + 2, &endp, 10) : -1;
    if (size > 0 && endp && *endp == '\0') {
        for (size_t i = 0; i < N_DTYPES; i++) {
            if (k_dtypes[i].kind == kind && k_dtypes[i].size == (size_t)size) {
                *dtype = k_dtypes[i].dtype;
                /* Stored order differs from ours: '>' on a little-endian host, '<' on a
                 * big-endian one ('|' and '=' are native). */
                const uint16_t probe = 1;
                int host_big = *(const uint8_t *)&probe == 0;
                *swap = size > 1 && ((order == '>' && !host_big) || (order == '<' && host_big));
                return 0;
            }
        }
    }
    const char *why = "unknown dtype";
    switch (kind) {
    case 'O': why = "object arrays (pickles) are not read"; break;
    case 'c': why = "complex dtypes are not supported"; break;
    case 'U': case 'S': case 'a': why = "string dtypes are not supported"; break;
    case 'V': why = "void/structured dtypes are not supported"; break;
    case 'M': case 'm': why = "datetime dtypes are not supported"; break;
    case 'f': why = "only float32 and float64 are supported"; break;
    default: break;
    }
    return AVMIT_ERR(h->err, AVMIT_E_UNSUPPORTED, h->name, "descr",
                     "unsupported dtype '%s': %s (supported: f4 f8 i1 i2 i4 i8 u1 u2 u4 "
                     "u8 b1)", d, why);
}

static int parse_header(hparser *h, avmit_dtype *dtype, int *swap, int *fortran, int *ndim,
                        int64_t *shape) {
    if (h->end == h->start || h->end[-1] != '\n')
        return AVMIT_ERR(h->err, AVMIT_E_FORMAT, h->name, "header",
                         "header does not end with '\\n'");
    h->end--; /* the '\n' */
    if (!hchar(h, '{')) return hfail(h, "expected a dict '{', found %s", "another token");
    int have_descr = 0, have_fortran = 0, have_shape = 0;
    char descr[64];
    for (;;) {
        if (hchar(h, '}')) break;
        char key[32];
        int r = hstring(h, key, sizeof key);
        if (r) return r;
        if (!hchar(h, ':')) return hfail(h, "expected ':' after a key, found %s", "another token");
        if (!strcmp(key, "descr")) {
            if (have_descr) return hfail(h, "duplicate key '%s'", key);
            have_descr = 1;
            hskip(h);
            if (h->p < h->end && *h->p == '[')
                return AVMIT_ERR(h->err, AVMIT_E_UNSUPPORTED, h->name, "descr",
                                 "structured dtypes (a list of fields) are not supported");
            r = hstring(h, descr, sizeof descr);
        } else if (!strcmp(key, "fortran_order")) {
            if (have_fortran) return hfail(h, "duplicate key '%s'", key);
            have_fortran = 1;
            r = hbool(h, fortran);
        } else if (!strcmp(key, "shape")) {
            if (have_shape) return hfail(h, "duplicate key '%s'", key);
            have_shape = 1;
            r = hshape(h, ndim, shape);
        } else {
            return hfail(h, "unexpected key '%s' (expected exactly 'descr', 'fortran_order', "
                            "'shape')",
                         key);
        }
        if (r) return r;
        if (hchar(h, ',')) continue;
        if (hchar(h, '}')) break;
        return hfail(h, "expected ',' or '}' after a value, found %s", "another token");
    }
    hskip(h);
    if (h->p != h->end) return hfail(h, "unexpected %s after the dict", "text");
    const char *missing = !have_descr ? "descr" : !have_fortran ? "fortran_order"
                                                : !have_shape   ? "shape"
                                                                : NULL;
    if (missing)
        return AVMIT_ERR(h->err, AVMIT_E_FORMAT, h->name, "header",
                         "key '%s' is missing (expected exactly 'descr', "
                         "'fortran_order', 'shape')", missing);
    return parse_descr(h, descr, dtype, swap);
}

/* ---- data conversion ---------------------------------------------------------------- */

static void swap_bytes(uint8_t *p, size_t count, size_t itemsize) {
    for (size_t i = 0; i < count; i++, p += itemsize)
        for (size_t a = 0, b = itemsize - 1; a < b; a++, b--) {
            uint8_t t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

/* Copy column-major `src` into row-major `dst`. */
static void fortran_to_c(uint8_t *dst, const uint8_t *src, int ndim, const int64_t *shape,
                         size_t itemsize, int64_t count) {
    int64_t fstride[AVMIT_NPY_MAX_DIMS], idx[AVMIT_NPY_MAX_DIMS] = {0};
    int64_t s = 1;
    for (int k = 0; k < ndim; k++) {
        fstride[k] = s;
        s *= shape[k];
    }
    int64_t off = 0; /* Fortran element offset of idx */
    for (int64_t i = 0; i < count; i++) {
        memcpy(dst + (size_t)i * itemsize, src + (size_t)off * itemsize, itemsize);
        /* Advance idx in C order (last axis fastest). */
        for (int k = ndim - 1; k >= 0; k--) {
            if (++idx[k] < shape[k]) {
                off += fstride[k];
                break;
            }
            off -= fstride[k] * (idx[k] - 1);
            idx[k] = 0;
        }
    }
}

int avmit_npy_parse(avmit_array *out, const uint8_t *buf, size_t n, const char *name,
                    avmit_error *err) {
    memset(out, 0, sizeof *out);
    if (!name) name = "<npy>";
    if (n < NPY_MAGIC_LEN || memcmp(buf, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, 0, "magic",
                               "not a .npy file (expected the magic \\x93NUMPY)");
    if (n < 8)
        return avmit_error_set(err, AVMIT_E_TRUNCATED, name, -1, -1, 6, "version",
                               "file ends inside the version bytes");
    int major = buf[6], minor = buf[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        return avmit_error_set(err, AVMIT_E_UNSUPPORTED, name, -1, -1, 6, "version",
                               "unsupported format version %d.%d (expected 1.0, 2.0 or 3.0)",
                               major, minor);
    size_t len_size = major == 1 ? 2 : 4;
    size_t hstart = 8 + len_size;
    if (n < hstart)
        return avmit_error_set(err, AVMIT_E_TRUNCATED, name, -1, -1, 8, "header_len",
                               "file ends inside the header length");
    uint64_t hlen = (uint64_t)buf[8] | ((uint64_t)buf[9] << 8);
    if (len_size == 4) hlen |= ((uint64_t)buf[10] << 16) | ((uint64_t)buf[11] << 24);
    if (hlen > n - hstart)
        return avmit_error_set(err, AVMIT_E_TRUNCATED, name, -1, -1, (long long)hstart, "header",
                               "header length %llu runs past the end of the file (%zu bytes "
                               "left)",
                               (unsigned long long)hlen, n - hstart);
    hparser h = {(const char *)buf + hstart, (const char *)buf + hstart + hlen, name, hstart,
                 (const char *)buf + hstart, err};
    avmit_dtype dtype = AVMIT_DTYPE_F32;
    int swap = 0, fortran = 0, ndim = 0;
    int64_t shape[AVMIT_NPY_MAX_DIMS] = {0};
    int r = parse_header(&h, &dtype, &swap, &fortran, &ndim, shape);
    if (r) return r;

    size_t itemsize = avmit_dtype_size(dtype);
    int64_t count;
    size_t want;
    if (shape_bytes(ndim, shape, itemsize, &count, &want))
        return AVMIT_ERR(err, AVMIT_E_RANGE, name, "shape", "the product of the shape overflows");
    size_t dstart = hstart + (size_t)hlen, have = n - dstart;
    if (have != want)
        return avmit_error_set(err, have < want ? AVMIT_E_TRUNCATED : AVMIT_E_FORMAT, name, -1,
                               -1, (long long)dstart, "data",
                               "expected %zu data bytes (%lld items x %zu bytes), found %zu",
                               want, (long long)count, itemsize, have);
    uint8_t *data = malloc(want ? want : 1);
    if (!data) return avmit_error_path(err, AVMIT_E_NOMEM, name, "out of memory (%zu bytes)", want);
    if (fortran && ndim > 1)
        fortran_to_c(data, buf + dstart, ndim, shape, itemsize, count);
    else
        memcpy(data, buf + dstart, want);
    if (swap) swap_bytes(data, (size_t)count, itemsize);
    if (dtype == AVMIT_DTYPE_BOOL)
        for (int64_t i = 0; i < count; i++)
            if (data[i] > 1) {
                unsigned v = data[i];
                free(data);
                return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1,
                                       (long long)(dstart + (size_t)i), "data",
                                       "bool item %lld is %u (expected 0 or 1)", (long long)i, v);
            }
    out->dtype = dtype;
    out->ndim = ndim;
    memcpy(out->shape, shape, sizeof shape);
    out->data = data;
    return 0;
}

int avmit_npy_read(avmit_array *out, const char *path, avmit_error *err) {
    memset(out, 0, sizeof *out);
    unsigned char *buf;
    size_t n;
    int r = avmit_read_file(path, &buf, &n, err);
    if (r) return r;
    r = avmit_npy_parse(out, buf, n, path, err);
    free(buf);
    return r;
}

int avmit_array_to_f32(avmit_array *a, avmit_error *err) {
    if (a->dtype == AVMIT_DTYPE_F32) return 0;
    int64_t count = avmit_array_count(a);
    float *f = malloc(count ? (size_t)count * sizeof *f : 1);
    if (!f) return AVMIT_NOMEM(err, "array_to_f32");
    const void *d = a->data;
    for (int64_t i = 0; i < count; i++) {
        float v = 0;
        switch (a->dtype) {
        case AVMIT_DTYPE_F32: v = ((const float *)d)[i]; break;
        case AVMIT_DTYPE_F64: v = (float)((const double *)d)[i]; break;
        case AVMIT_DTYPE_U8: v = (float)((const uint8_t *)d)[i]; break;
        case AVMIT_DTYPE_I8: v = (float)((const int8_t *)d)[i]; break;
        case AVMIT_DTYPE_I16: v = (float)((const int16_t *)d)[i]; break;
        case AVMIT_DTYPE_U16: v = (float)((const uint16_t *)d)[i]; break;
        case AVMIT_DTYPE_I32: v = (float)((const int32_t *)d)[i]; break;
        case AVMIT_DTYPE_U32: v = (float)((const uint32_t *)d)[i]; break;
        case AVMIT_DTYPE_I64: v = (float)((const int64_t *)d)[i]; break;
        case AVMIT_DTYPE_U64: v = (float)((const uint64_t *)d)[i]; break;
        case AVMIT_DTYPE_BOOL: v = ((const uint8_t *)d)[i] ? 1.0f : 0.0f; break;
        }
        f[i] = v;
    }
    free(a->data);
    a->data = f;
    a->dtype = AVMIT_DTYPE_F32;
    return 0;
}

int avmit_npy_read_f32(avmit_array *out, const char *path, avmit_error *err) {
    int r = avmit_npy_read(out, path, err);
    if (r) return r;
    r = avmit_array_to_f32(out, err);
    if (r) {
        avmit_error_path(err, r, path, "out of memory converting to float32");
        avmit_array_free(out);
    }
    return r;
}

/* ---- writing ------------------------------------------------------------------------ */

int avmit_npy_encode(uint8_t **out, size_t *n_out, avmit_dtype dtype, int ndim,
                     const int64_t *shape, const void *data, avmit_error *err) {
    *out = NULL;
    *n_out = 0;
    const char *descr = avmit_dtype_descr(dtype);
    if (!descr) return avmit_error_path(err, AVMIT_E_ARG, "", "unknown dtype %d", (int)dtype);
    if (ndim < 0 || ndim > AVMIT_NPY_MAX_DIMS)
        return avmit_error_path(err, AVMIT_E_ARG, "", "ndim %d outside [0, 8]", ndim);
    int64_t count;
    size_t n_data;
    if (shape_bytes(ndim, shape, avmit_dtype_size(dtype), &count, &n_data))
        return avmit_error_path(err, AVMIT_E_ARG, "", "negative or overflowing shape");

    /* repr() of the dict numpy builds, e.g. {'descr': '<f4', 'fortran_order': False,
     * 'shape': (2, 2), } — a tuple of one is "(3,)", of none "()". */
    char hdr[512];
    int k = snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     descr);
    for (int i = 0; i < ndim; i++)
        k += snprintf(hdr + k, sizeof hdr - (size_t)k, i ? ", %lld" : "%lld",
                      (long long)shape[i]);
    k += snprintf(hdr + k, sizeof hdr - (size_t)k, ndim == 1 ? ",), }" : "), }");
    size_t hl = (size_t)k;
    if (ndim > 0) { /* spare room so the growth axis can be rewritten in place */
        char digits[32];
        int nd = snprintf(digits, sizeof digits, "%lld", (long long)shape[0]);
        for (int i = nd; i < NPY_GROWTH_AXIS_DIGITS; i++) hdr[hl++] = ' ';
    }
    size_t hlen = hl + 1; /* + '\n' */
    size_t pad = NPY_ARRAY_ALIGN - ((NPY_MAGIC_LEN + 2 + 2 + hlen) % NPY_ARRAY_ALIGN);
    size_t total_hdr = hl + pad + 1;
    size_t total = 10 + total_hdr + n_data;
    uint8_t *b = malloc(total);
    if (!b) return avmit_error_path(err, AVMIT_E_NOMEM, "", "out of memory (%zu bytes)", total);
    memcpy(b, NPY_MAGIC, NPY_MAGIC_LEN);
    b[6] = 1;
    b[7] = 0;
    b[8] = (uint8_t)(total_hdr & 0xff);
    b[9] = (uint8_t)(total_hdr >> 8);
    memcpy(b + 10, hdr, hl);
    memset(b + 10 + hl, ' ', pad);
    b[10 + hl + pad] = '\n';
    if (n_data) memcpy(b + 10 + total_hdr, data, n_data);
    *out = b;
    *n_out = total;
    return 0;
}

int avmit_npy_write(const char *path, avmit_dtype dtype, int ndim, const int64_t *shape,
                    const void *data, avmit_error *err) {
    uint8_t *buf;
    size_t n;
    int r = avmit_npy_encode(&buf, &n, dtype, ndim, shape, data, err);
    if (r) {
        if (err) {
            char why[AVMIT_ERROR_MSG_MAX];
            memcpy(why, err->msg, sizeof why);
            avmit_error_path(err, r, path, "%s", why);
        }
        return r;
    }
    r = avmit_write_file_atomic(path, buf, n, 0, err);
    free(buf);
    return r;
}
