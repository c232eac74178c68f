/*
 * safetensors.c — strict safetensors reader and reference-layout writer
 * (include/avmit/safetensors.h, FORMATS.md §8 and §10).
 */
#include "avmit/safetensors.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "core/error_int.h"

typedef struct {
    const char *name;
    size_t size;
    int avmit; /* avmit_dtype, or -1 */
} st_dtype;

/* FORMATS.md §8: the dtypes of the revision read. */
static const st_dtype k_dtypes[] = {
    {"BOOL", 1, AVMIT_DTYPE_BOOL}, {"U8", 1, AVMIT_DTYPE_U8},   {"I8", 1, AVMIT_DTYPE_I8},
    {"F8_E5M2", 1, -1},            {"F8_E4M3", 1, -1},          {"I16", 2, AVMIT_DTYPE_I16},
    {"U16", 2, AVMIT_DTYPE_U16},   {"F16", 2, -1},              {"BF16", 2, -1},
    {"I32", 4, AVMIT_DTYPE_I32},   {"U32", 4, AVMIT_DTYPE_U32}, {"F32", 4, AVMIT_DTYPE_F32},
    {"F64", 8, AVMIT_DTYPE_F64},   {"I64", 8, AVMIT_DTYPE_I64}, {"U64", 8, AVMIT_DTYPE_U64},
};
#define N_DTYPES (sizeof k_dtypes / sizeof k_dtypes[0])

static const st_dtype *dtype_by_name(const char *s) {
    for (size_t i = 0; i < N_DTYPES; i++)
        if (!strcmp(k_dtypes[i].name, s)) return &k_dtypes[i];
    return NULL;
}

static const st_dtype *dtype_by_avmit(avmit_dtype t) {
    for (size_t i = 0; i < N_DTYPES; i++)
        if (k_dtypes[i].avmit == (int)t) return &k_dtypes[i];
    return NULL;
}

void avmit_safetensors_free(avmit_safetensors *st) {
    if (!st) return;
    for (size_t i = 0; i < st->n; i++) free(st->t[i].name);
    for (size_t i = 0; i < st->n_meta; i++) {
        free(st->meta_keys[i]);
        free(st->meta_values[i]);
    }
    free(st->t);
    free(st->meta_keys);
    free(st->meta_values);
    free(st->buf);
    memset(st, 0, sizeof *st);
}

/* A JSON integer >= 0 as size_t. */
static int json_size(const json_t *v, unsigned long long *out) {
    if (!json_is_integer(v) || json_integer_value(v) < 0) return -1;
    *out = (unsigned long long)json_integer_value(v);
    return 0;
}

static int cmp_begin(const void *a, const void *b) {
    const avmit_st_tensor *x = *(const avmit_st_tensor *const *)a, *y = *(const avmit_st_tensor *const *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int parse_tensor(avmit_st_tensor *t, const char *key, json_t *v, const char *name,
                        avmit_error *err) {
    if (!json_is_object(v))
        return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key, "tensor '%s': expected an object", key);
    json_t *dt = json_object_get(v, "dtype"), *sh = json_object_get(v, "shape"),
           *of = json_object_get(v, "data_offsets");
    if (!json_is_string(dt) || !json_is_array(sh) || !json_is_array(of) || json_array_size(of) != 2 ||
        json_object_size(v) != 3)
        return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key,
                         "tensor '%s': expected exactly {\"dtype\": string, \"shape\": [ints], "
                         "\"data_offsets\": [begin, end]}", key);
    const st_dtype *d = dtype_by_name(json_string_value(dt));
    if (!d)
        return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key, "tensor '%s': unknown dtype '%s'", key,
                         json_string_value(dt));
    snprintf(t->dtype, sizeof t->dtype, "%s", d->name);
    t->itemsize = d->size;
    if (json_array_size(sh) > AVMIT_ST_MAX_DIMS)
        return AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, name, key,
                         "tensor '%s': %zu dimensions (at most %d supported)", key,
                         json_array_size(sh), AVMIT_ST_MAX_DIMS);
    t->ndim = (int)json_array_size(sh);
    unsigned long long count = 1, b, e;
    for (int i = 0; i < t->ndim; i++) {
        unsigned long long s;
        if (json_size(json_array_get(sh, (size_t)i), &s) || s > (1ull << 40))
            return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key,
                             "tensor '%s': shape[%d] is not a non-negative integer", key, i);
        t->shape[i] = (int64_t)s;
        if (s && count > (~0ull / 16) / s)
            return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key,
                             "tensor '%s': shape overflows (ValidationOverflow)", key);
        count *= s;
    }
    if (json_size(json_array_get(of, 0), &b) || json_size(json_array_get(of, 1), &e))
        return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key,
                         "tensor '%s': data_offsets are not non-negative integers", key);
    if (e < b)
        return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key,
                         "tensor '%s': data_offsets end %llu < begin %llu (InvalidOffset)", key,
                         e, b);
    if (e - b != count * d->size)
        return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key,
                         "tensor '%s': %llu data bytes but shape x %s needs %llu (TensorInvalidInfo)",
                         key, e - b, d->name, count * d->size);
    t->begin = (size_t)b;
    t->end = (size_t)e;
    return 0;
}

int avmit_safetensors_parse(avmit_safetensors *out, const uint8_t *buf, size_t n, const char *name,
                            avmit_error *err) {
    memset(out, 0, sizeof *out);
    if (n < 8)
        return avmit_error_set(err, AVMIT_E_TRUNCATED, name, -1, -1, 0, NULL,
                               "%zu bytes: shorter than the 8-byte header length (HeaderTooSmall)", n);
    unsigned long long hn = 0;
    for (int i = 7; i >= 0; i--) hn = (hn << 8) | buf[i];
    if (hn > AVMIT_ST_HEADER_MAX)
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, 0, NULL,
                               "header length %llu > 100000000 (HeaderTooLarge)", hn);
    if (8 + hn > n)
        return avmit_error_set(err, AVMIT_E_TRUNCATED, name, -1, -1, 0, NULL,
                               "header length %llu but the file has %zu bytes (InvalidHeaderLength)", hn, n);
    const char *hdr = (const char *)buf + 8;
    if (hn == 0 || hdr[0] != '{')
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, 8, NULL,
                               "header does not start with '{'");
    json_error_t je;
    json_t *root = json_loadb(hdr, (size_t)hn, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, 8 + (long long)je.position, NULL,
                               "header is not valid UTF-8 JSON (InvalidHeaderDeserialization): %s", je.text);
    int rc = 0;
    if (!json_is_object(root)) {
        rc = avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, 8, NULL, "header is not a JSON object");
        goto done;
    }
    size_t cap = json_object_size(root);
    out->t = calloc(cap ? cap : 1, sizeof *out->t);
    if (!out->t) goto nomem;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!strcmp(key, "__metadata__")) {
            if (!json_is_object(v)) {
                rc = AVMIT_ERR(err, AVMIT_E_FORMAT, name, "__metadata__",
                               "__metadata__ is not an object");
                goto done;
            }
            size_t nm = json_object_size(v);
            out->meta_keys = calloc(nm ? nm : 1, sizeof(char *));
            out->meta_values = calloc(nm ? nm : 1, sizeof(char *));
            if (!out->meta_keys || !out->meta_values) goto nomem;
            const char *mk;
            json_t *mv;
            json_object_foreach(v, mk, mv) {
                if (!json_is_string(mv)) {
                    rc = AVMIT_ERR(err, AVMIT_E_FORMAT, name, "__metadata__",
                                   "metadata value of '%s' is not a string", mk);
                    goto done;
                }
                out->meta_keys[out->n_meta] = strdup(mk);
                out->meta_values[out->n_meta] = strdup(json_string_value(mv));
                out->n_meta++;
                if (!out->meta_keys[out->n_meta - 1] || !out->meta_values[out->n_meta - 1]) goto nomem;
            }
            continue;
        }
        avmit_st_tensor *t = &out->t[out->n];
        if ((rc = parse_tensor(t, key, v, name, err))) goto done;
        if (!(t->name = strdup(key))) goto nomem;
        out->n++;
    }
    /* Contiguity: sorted by offsets, each begin == previous end, last end == buffer size. */
    size_t buf_size = n - 8 - (size_t)hn;
    {
        avmit_st_tensor **order = malloc(sizeof *order * (out->n ? out->n : 1));
        if (!order) goto nomem;
        for (size_t i = 0; i < out->n; i++) order[i] = &out->t[i];
        qsort(order, out->n, sizeof *order, cmp_begin);
        size_t at = 0;
        for (size_t i = 0; i < out->n && !rc; i++) {
            if (order[i]->begin != at)
                rc = AVMIT_ERR(err, AVMIT_E_FORMAT, name, order[i]->name,
                               "tensor '%s' begins at %zu but the previous tensor ends at %zu "
                               "(InvalidOffset: hole or overlap)", order[i]->name,
                               order[i]->begin, at);
            at = order[i]->end;
        }
        free(order);
        if (rc) goto done;
        if (at != buf_size) {
            rc = AVMIT_ERR(err, AVMIT_E_FORMAT, name, NULL,
                           "tensors end at byte %zu of the buffer but it has %zu bytes "
                           "(MetadataIncompleteBuffer)", at, buf_size);
            goto done;
        }
    }
    if (!(out->buf = malloc(n ? n : 1))) goto nomem;
    memcpy(out->buf, buf, n);
    out->size = n;
    out->data_start = 8 + (size_t)hn;
    goto done;
nomem:
    rc = AVMIT_NOMEM_AT(err, name, "safetensors_parse");
done:
    json_decref(root);
    if (rc) avmit_safetensors_free(out);
    return rc;
}

int avmit_safetensors_read(avmit_safetensors *out, const char *path, avmit_error *err) {
    unsigned char *buf;
    size_t n;
    memset(out, 0, sizeof *out);
    int rc = avmit_read_file(path, &buf, &n, err);
    if (rc) return rc;
    rc = avmit_safetensors_parse(out, buf, n, path, err);
    free(buf);
    return rc;
}

const avmit_st_tensor *avmit_safetensors_find(const avmit_safetensors *st, const char *name) {
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->t[i].name, name)) return &st->t[i];
    return NULL;
}

const char *avmit_safetensors_meta(const avmit_safetensors *st, const char *key) {
    for (size_t i = 0; i < st->n_meta; i++)
        if (!strcmp(st->meta_keys[i], key)) return st->meta_values[i];
    return NULL;
}

const void *avmit_safetensors_data(const avmit_safetensors *st, const avmit_st_tensor *t) {
    return st->buf + st->data_start + t->begin;
}

static void shape_str(char *s, size_t cap, int ndim, const int64_t *shape) {
    size_t at = (size_t)snprintf(s, cap, "(");
    for (int i = 0; i < ndim && at < cap; i++)
        at += (size_t)snprintf(s + at, cap - at, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (at < cap) snprintf(s + at, cap - at, "%s)", ndim == 1 ? "," : "");
}

int avmit_safetensors_get_f32(const avmit_safetensors *st, const char *path, const char *name,
                              int ndim, const int64_t *shape, float *dst, avmit_error *err) {
    const avmit_st_tensor *t = avmit_safetensors_find(st, name);
    if (!t)
        return AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, name, "tensor '%s' is missing", name);
    char want[128], got[128];
    shape_str(want, sizeof want, ndim, shape);
    shape_str(got, sizeof got, t->ndim, t->shape);
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = t->shape[i] == shape[i];
    if (!same || strcmp(t->dtype, "F32"))
        return AVMIT_ERR(err, AVMIT_E_FORMAT, path, name, "tensor '%s' is %s %s, expected F32 %s",
                         name, t->dtype, got, want);
    memcpy(dst, avmit_safetensors_data(st, t), t->end - t->begin);
    return 0;
}

/* ---- writer ---------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256) + n;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p, b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}
static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
static void sb_json(sbuf *b, const char *s) {
    sb_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\', esc[1] = (char)*p;
            sb_put(b, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            sb_put(b, esc, 6);
        } else {
            sb_put(b, (const char *)p, 1);
        }
    }
    sb_put(b, "\"", 1);
}

typedef struct {
    const avmit_st_entry *e;
    const st_dtype *d;
    size_t bytes;
} wentry;

static int cmp_write(const void *a, const void *b) {
    const wentry *x = a, *y = b;
    if (x->d->size != y->d->size) return x->d->size > y->d->size ? -1 : 1;
    return strcmp(x->e->name, y->e->name);
}

int avmit_safetensors_encode(uint8_t **out, size_t *n_out, const avmit_st_entry *e, size_t n_e,
                             const char *const *meta, size_t n_meta, avmit_error *err) {
    *out = NULL;
    *n_out = 0;
    wentry *w = calloc(n_e ? n_e : 1, sizeof *w);
    sbuf h = {0};
    int rc = 0;
    if (!w) return AVMIT_NOMEM(err, "safetensors_encode");
    for (size_t i = 0; i < n_e; i++) {
        w[i].e = &e[i];
        w[i].d = dtype_by_avmit(e[i].dtype);
        if (!w[i].d) {
            rc = AVMIT_ERR(err, AVMIT_E_ARG, NULL, e[i].name, "unsupported dtype");
            goto done;
        }
        size_t count = 1;
        for (int k = 0; k < e[i].ndim; k++) count *= (size_t)e[i].shape[k];
        w[i].bytes = count * w[i].d->size;
    }
    qsort(w, n_e, sizeof *w, cmp_write);
    for (size_t i = 1; i < n_e; i++)
        if (!strcmp(w[i].e->name, w[i - 1].e->name)) {
            rc = AVMIT_ERR(err, AVMIT_E_ARG, NULL, w[i].e->name, "duplicate tensor name '%s'",
                           w[i].e->name);
            goto done;
        }
    sb_str(&h, "{");
    int first = 1;
    if (n_meta) {
        sb_str(&h, "\"__metadata__\":{");
        for (size_t i = 0; i < n_meta; i++) {
            if (i) sb_str(&h, ",");
            sb_json(&h, meta[2 * i]);
            sb_str(&h, ":");
            sb_json(&h, meta[2 * i + 1]);
        }
        sb_str(&h, "}");
        first = 0;
    }
    size_t at = 0;
    for (size_t i = 0; i < n_e; i++) {
        char num[64];
        if (!first) sb_str(&h, ",");
        first = 0;
        sb_json(&h, w[i].e->name);
        sb_str(&h, ":{\"dtype\":");
        sb_json(&h, w[i].d->name);
        sb_str(&h, ",\"shape\":[");
        for (int k = 0; k < w[i].e->ndim; k++) {
            snprintf(num, sizeof num, "%s%lld", k ? "," : "", (long long)w[i].e->shape[k]);
            sb_str(&h, num);
        }
        snprintf(num, sizeof num, "],\"data_offsets\":[%zu,%zu]}", at, at + w[i].bytes);
        sb_str(&h, num);
        at += w[i].bytes;
    }
    sb_str(&h, "}");
    while (!h.oom && h.n % 8) sb_str(&h, " ");
    if (h.oom) goto nomem;
    size_t total = 8 + h.n + at;
    uint8_t *img = malloc(total ? total : 1);
    if (!img) goto nomem;
    for (int i = 0; i < 8; i++) img[i] = (uint8_t)((unsigned long long)h.n >> (8 * i));
    memcpy(img + 8, h.s, h.n);
    size_t pos = 8 + h.n;
    for (size_t i = 0; i < n_e; i++) {
        if (w[i].bytes) memcpy(img + pos, w[i].e->data, w[i].bytes);
        pos += w[i].bytes;
    }
    *out = img;
    *n_out = total;
    goto done;
nomem:
    rc = AVMIT_NOMEM(err, "safetensors_encode");
done:
    free(h.s);
    free(w);
    return rc;
}

int avmit_safetensors_write(const char *path, const avmit_st_entry *e, size_t n_e,
                            const char *const *meta, size_t n_meta, avmit_error *err) {
    uint8_t *img;
    size_t n;
    int rc = avmit_safetensors_encode(&img, &n, e, n_e, meta, n_meta, err);
    if (rc) return rc;
    rc = avmit_write_file_atomic(path, img, n, 0, err);
    free(img);
    return rc;
}
