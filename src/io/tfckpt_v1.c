/*
 * tfckpt_v1.c — TF1 *V1* checkpoints (docs/cnn-weights.md §1.1): an SSTable
 * whose "" entry is SavedTensorSlices{meta} and whose other entries are
 * SavedTensorSlices{data: SavedSlice{name, slice, TensorProto{float_val}}}
 * under OrderedCode keys (saved_tensor_slice.proto, saved_tensor_slice_util.cc,
 * ordered_code.cc). Reading streams each slice's packed floats from the file
 * into the tensor's own buffer; partitioned tensors are reassembled; every
 * key, name, dtype, shape and slice is checked and the slices must tile each
 * tensor exactly. Writing produces what tf.train.Saver(write_version=1)
 * writes for unpartitioned float variables: tensors in name order, one full
 * slice each, no compression.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/tfckpt.h"
#include "core/error_int.h"
#include "io/pb_int.h"
#include "io/weights_int.h"

#define MAX_RANK 8
#define MAX_META (64u << 20)   /* the "" entry: a few KB for real checkpoints */
#define MAX_SMALL (1u << 20)   /* a name or a slice proto */
#define DT_FLOAT 1
#define CHECKPOINT_VERSION 1   /* TF_CHECKPOINT_VERSION */

typedef struct v1slice {
    int64_t start[MAX_RANK], len[MAX_RANK]; /* len -1 = the whole dimension */
    int seen;
} v1slice;

typedef struct v1 {
    const sst_src *src;
    avmit_wset *out;
    v1slice **sl;       /* per tensor of out */
    size_t *n_sl;
    int have_meta;
} v1;

#define VFAIL(s, code, off, field, ...) \
    avmit_error_set((s)->src->err, (code), (s)->src->path, -1, -1, (long long)(off), (field), __VA_ARGS__)

/* ---- OrderedCode keys ------------------------------------------------------------ */

static size_t oc_num(uint8_t *o, uint64_t v) {
    uint8_t b[8];
    size_t n = 0;
    while (v) {
        b[n++] = (uint8_t)v;
        v >>= 8;
    }
    o[0] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) o[1 + i] = b[n - 1 - i];
    return n + 1;
}

/* WriteSignedNumIncreasing: sign bit, then as many more header bits as extra
 * bytes, then the value in two's complement, big-endian (at most 10 bytes). */
static size_t oc_signed(uint8_t *o, int64_t v) {
    uint64_t x = v < 0 ? ~(uint64_t)v : (uint64_t)v;
    size_t sig = 0; /* significant bits of x */
    while (sig < 64 && (x >> sig)) sig++;
    size_t n = sig / 7 + 1; /* n bytes hold 7n - 1 value bits */
    uint8_t buf[10];
    for (size_t i = 0; i < 10; i++) {
        size_t sh = 8 * (9 - i);
        buf[i] = sh >= 64 ? (v < 0 ? 0xff : 0) : (uint8_t)((uint64_t)v >> sh);
    }
    uint8_t *b = buf + 10 - n;
    static const uint8_t h0[11] = {0, 0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe, 0xff, 0xff, 0xff};
    static const uint8_t h1[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0xc0};
    b[0] ^= h0[n];
    if (n > 1) b[1] ^= h1[n];
    memcpy(o, b, n);
    return n;
}

/* EncodeTensorNameSlice into a malloc'd buffer. */
static uint8_t *slice_key(const char *name, int rank, const v1slice *s, size_t *n) {
    size_t nl = strlen(name);
    uint8_t *k = malloc(2 * nl + 16 + 20 * (size_t)rank), *o = k;
    if (!k) return NULL;
    *o++ = 0;
    for (size_t i = 0; i < nl; i++) {
        uint8_t c = (uint8_t)name[i];
        *o++ = c;
        if (c == 0) *o++ = 0xff;
        if (c == 0xff) *o++ = 0;
    }
    *o++ = 0;
    *o++ = 1;
    o += oc_num(o, (uint64_t)rank);
    for (int d = 0; d < rank; d++) {
        o += oc_signed(o, s->len[d] < 0 ? 0 : s->start[d]);
        o += oc_signed(o, s->len[d]);
    }
    *n = (size_t)(o - k);
    return k;
}

/* ---- protobuf pieces --------------------------------------------------------------- */

/* TensorSliceProto → s (rank extents; a missing length = full, start 0). */
static int parse_slice(v1 *c, const uint8_t *p, size_t n, int rank, const int64_t *shape,
                       v1slice *s, const char *name, long long off) {
    pb_cursor cur = pb_cursor_make(p, n, NULL);
    pb_field f;
    size_t eo;
    int d = 0, r;
    for (int i = 0; i < MAX_RANK; i++) s->start[i] = 0, s->len[i] = -1;
    s->seen = 0;
    while ((r = pb_next(&cur, &f, &eo)) == 1) {
        if (f.number != 1) continue;
        if (f.wire_type != PB_WT_LEN || d >= rank)
            return VFAIL(c, AVMIT_E_FORMAT, off, name, "slice has more extents than the rank %d", rank);
        pb_cursor e = pb_sub(&cur, &f);
        pb_field g;
        int has_len = 0;
        s->start[d] = 0;
        s->len[d] = -1;
        while ((r = pb_next(&e, &g, &eo)) == 1) {
            if (g.wire_type != PB_WT_VARINT) continue;
            if (g.number == 1) s->start[d] = (int64_t)g.value;
            if (g.number == 2) s->len[d] = (int64_t)g.value, has_len = 1;
        }
        if (r < 0) break;
        if (!has_len && s->start[d] != 0)
            return VFAIL(c, AVMIT_E_FORMAT, off, name, "slice dimension %d: start %lld without a length", d,
                         (long long)s->start[d]);
        if (has_len && (s->start[d] < 0 || s->len[d] < 0 || s->start[d] > shape[d] ||
                        s->len[d] > shape[d] - s->start[d]))
            return VFAIL(c, AVMIT_E_FORMAT, off, name,
                         "slice dimension %d: [%lld, +%lld) outside the dimension of %lld", d,
                         (long long)s->start[d], (long long)s->len[d], (long long)shape[d]);
        d++;
    }
    if (r < 0) return VFAIL(c, AVMIT_E_FORMAT, off, name, "slice: %s", pb_strerror(r));
    if (d != rank)
        return VFAIL(c, AVMIT_E_FORMAT, off, name, "slice has %d extents for a tensor of rank %d", d, rank);
    return 0;
}

static int64_t slice_count(const v1slice *s, int rank, const int64_t *shape) {
    int64_t n = 1;
    for (int d = 0; d < rank; d++) n *= s->len[d] < 0 ? shape[d] : s->len[d];
    return n;
}

/* One SavedSliceMeta. */
static int meta_tensor(v1 *c, const uint8_t *p, size_t n, long long off) {
    pb_cursor cur = pb_cursor_make(p, n, NULL);
    pb_field f;
    size_t eo;
    int r;
    char *name = NULL;
    int64_t shape[MAX_RANK];
    int rank = 0, have_shape = 0;
    uint64_t dtype = 0;
    const uint8_t *slp[64];
    size_t sln[64], nsl = 0;
    int rc = 0;
    while (!rc && (r = pb_next(&cur, &f, &eo)) == 1) {
        if (f.number == 1 && f.wire_type == PB_WT_LEN) {
            free(name);
            name = malloc(f.len + 1);
            if (!name) return AVMIT_NOMEM(c->src->err, "tensor name");
            memcpy(name, f.data, f.len);
            name[f.len] = 0;
            if (strlen(name) != f.len || !f.len)
                rc = VFAIL(c, AVMIT_E_FORMAT, off, "", "meta: empty tensor name or one with a NUL byte");
        } else if (f.number == 2 && f.wire_type == PB_WT_LEN) {
            pb_cursor sc = pb_sub(&cur, &f);
            pb_field g;
            have_shape = 1;
            while (!rc && (r = pb_next(&sc, &g, &eo)) == 1) {
                if (g.number == 3 && g.value)
                    rc = VFAIL(c, AVMIT_E_FORMAT, off, name ? name : "", "meta: shape of unknown rank");
                if (g.number != 2 || g.wire_type != PB_WT_LEN) continue;
                if (rank == MAX_RANK) {
                    rc = VFAIL(c, AVMIT_E_UNSUPPORTED, off, name ? name : "", "more than %d dimensions", MAX_RANK);
                    break;
                }
                pb_cursor dc = pb_sub(&sc, &g);
                pb_field h;
                int64_t size = 0;
                while ((r = pb_next(&dc, &h, &eo)) == 1)
                    if (h.number == 1 && h.wire_type == PB_WT_VARINT) size = (int64_t)h.value;
                if (size < 0)
                    rc = VFAIL(c, AVMIT_E_FORMAT, off, name ? name : "", "meta: dimension %d is %lld", rank,
                               (long long)size);
                shape[rank++] = size;
            }
        } else if (f.number == 3 && f.wire_type == PB_WT_VARINT) {
            dtype = f.value;
        } else if (f.number == 4 && f.wire_type == PB_WT_LEN) {
            if (nsl == 64) rc = VFAIL(c, AVMIT_E_UNSUPPORTED, off, name ? name : "", "more than 64 slices");
            else slp[nsl] = f.data, sln[nsl++] = f.len;
        }
    }
    if (!rc && r < 0) rc = VFAIL(c, AVMIT_E_FORMAT, off, name ? name : "", "meta: %s", pb_strerror(r));
    if (!rc && !name) rc = VFAIL(c, AVMIT_E_FORMAT, off, "", "meta: a tensor without a name");
    if (!rc && !have_shape) rc = VFAIL(c, AVMIT_E_FORMAT, off, name, "meta: no shape");
    if (!rc && dtype != DT_FLOAT)
        rc = VFAIL(c, AVMIT_E_UNSUPPORTED, off, name, "dtype %s (%llu): only float32 weights are read",
                   avmit_tf_dtype_name((int)dtype), (unsigned long long)dtype);
    if (!rc && !nsl) rc = VFAIL(c, AVMIT_E_FORMAT, off, name, "meta lists no slice of this tensor");
    if (!rc && avmit_wset_find(c->out, name) >= 0)
        rc = VFAIL(c, AVMIT_E_FORMAT, off, name, "meta lists the tensor twice");
    if (!rc && wshape_count(rank, shape) < 0)
        rc = VFAIL(c, AVMIT_E_RANGE, off, name, "tensor too large");
    /* its values must come from this file (Snappy expands at most ~32x): no
     * allocation a corrupt shape could blow up */
    if (!rc && (uint64_t)wshape_count(rank, shape) * 4 > c->src->size * 33 + 64)
        rc = VFAIL(c, AVMIT_E_FORMAT, off, name, "%lld values cannot come from a file of %llu bytes",
                   (long long)wshape_count(rank, shape), (unsigned long long)c->src->size);
    v1slice *sl = rc ? NULL : calloc(nsl, sizeof *sl);
    if (!rc && !sl) rc = AVMIT_NOMEM(c->src->err, "slices");
    for (size_t i = 0; !rc && i < nsl; i++) rc = parse_slice(c, slp[i], sln[i], rank, shape, &sl[i], name, off);
    if (!rc) {
        size_t k = c->out->n;
        v1slice **a = realloc(c->sl, (k + 1) * sizeof *a);
        if (a) c->sl = a;
        size_t *b = a ? realloc(c->n_sl, (k + 1) * sizeof *b) : NULL;
        if (b) c->n_sl = b;
        const char *slash = strrchr(name, '/');
        char *layer = NULL;
        if (b && (layer = malloc(slash ? (size_t)(slash - name) + 1 : 1))) {
            size_t ln = slash ? (size_t)(slash - name) : 0;
            memcpy(layer, name, ln);
            layer[ln] = 0;
        }
        if (!layer) rc = AVMIT_NOMEM(c->src->err, "tensor");
        avmit_wtensor *t;
        if (!rc) rc = wset_push(c->out, layer, name, 0, rank, shape, "float32", NULL, &t, c->src->path,
                                c->src->err);
        free(layer);
        if (!rc) {
            c->sl[k] = sl;
            c->n_sl[k] = nsl;
            sl = NULL;
        }
    }
    free(sl);
    free(name);
    return rc;
}

static int read_meta(v1 *c, const uint8_t *p, size_t n, long long off) {
    pb_cursor cur = pb_cursor_make(p, n, NULL);
    pb_field f;
    size_t eo;
    int r, rc = 0, got = 0;
    while (!rc && (r = pb_next(&cur, &f, &eo)) == 1) {
        if (f.number == 2 && f.wire_type == PB_WT_LEN)
            return VFAIL(c, AVMIT_E_FORMAT, off, "", "the \"\" entry holds slice data, not the metadata");
        if (f.number != 1 || f.wire_type != PB_WT_LEN) continue;
        got = 1;
        pb_cursor m = pb_sub(&cur, &f);
        pb_field g;
        while (!rc && (r = pb_next(&m, &g, &eo)) == 1) {
            if (g.number == 1 && g.wire_type == PB_WT_LEN) {
                rc = meta_tensor(c, g.data, g.len, off);
            } else if (g.number == 2 && g.wire_type == PB_WT_LEN) { /* VersionDef */
                pb_cursor vc = pb_sub(&m, &g);
                pb_field h;
                while (!rc && (r = pb_next(&vc, &h, &eo)) == 1) {
                    if (h.wire_type != PB_WT_VARINT) continue;
                    if (h.number == 2 && h.value > CHECKPOINT_VERSION)
                        rc = VFAIL(c, AVMIT_E_UNSUPPORTED, off, "versions",
                                   "checkpoint needs a reader of version >= %llu (this one is %d)",
                                   (unsigned long long)h.value, CHECKPOINT_VERSION);
                    if (h.number == 3 && h.value == CHECKPOINT_VERSION)
                        rc = VFAIL(c, AVMIT_E_UNSUPPORTED, off, "versions",
                                   "checkpoint disallows readers of version %d", CHECKPOINT_VERSION);
                }
            }
        }
    }
    if (!rc && r < 0) return VFAIL(c, AVMIT_E_FORMAT, off, "", "metadata: %s", pb_strerror(r));
    if (!rc && !got) return VFAIL(c, AVMIT_E_FORMAT, off, "", "the \"\" entry has no metadata");
    c->have_meta = 1;
    return rc;
}

/* ---- data entries (streamed) -------------------------------------------------------- */

static int bs_tag(sst_bs *bs, uint32_t *num, int *wt) {
    uint64_t t;
    int rc = sst_bs_varint(bs, &t);
    if (rc) return rc;
    *num = (uint32_t)(t >> 3);
    *wt = (int)(t & 7);
    if (*num == 0 || *wt == 3 || *wt == 4 || *wt > 5)
        return avmit_error_set(bs->src->err, AVMIT_E_FORMAT, bs->src->path, -1, -1, sst_bs_offset(bs), "",
                               "protobuf field %u with wire type %d", *num, *wt);
    return 0;
}

static int bs_skip(sst_bs *bs, int wt) {
    uint64_t v;
    if (wt == PB_WT_VARINT) return sst_bs_varint(bs, &v);
    if (wt == PB_WT_I64) return sst_bs_read(bs, NULL, 8);
    if (wt == PB_WT_I32) return sst_bs_read(bs, NULL, 4);
    int rc = sst_bs_varint(bs, &v);
    return rc ? rc : sst_bs_read(bs, NULL, v > sst_bs_left(bs) ? (size_t)-1 : (size_t)v);
}

/* Read a length-delimited field of at most `max` bytes into a new buffer. */
static int bs_small(sst_bs *bs, size_t max, uint8_t **out, size_t *n) {
    uint64_t len;
    int rc = sst_bs_varint(bs, &len);
    if (rc) return rc;
    if (len > max || len > sst_bs_left(bs))
        return avmit_error_set(bs->src->err, AVMIT_E_FORMAT, bs->src->path, -1, -1, sst_bs_offset(bs), "",
                               "field of %llu bytes (at most %zu here, %llu left)", (unsigned long long)len,
                               max, (unsigned long long)sst_bs_left(bs));
    free(*out);
    *out = malloc((size_t)len + 1);
    if (!*out) return AVMIT_NOMEM(bs->src->err, "field");
    (*out)[len] = 0;
    *n = (size_t)len;
    return sst_bs_read(bs, *out, (size_t)len);
}

typedef struct slice_read {
    char *name;
    uint8_t *sp;          /* slice proto */
    size_t sp_n;
    long t;               /* tensor index */
    v1slice *s;           /* the meta slice it matches */
    float *dst;           /* where the values go */
    int64_t want, got;
    float *scratch;       /* partitioned slice values */
} slice_read;

/* Match name + slice proto to a meta slice and choose the destination. */
static int resolve(v1 *c, slice_read *r, long long off) {
    if (!r->name) return VFAIL(c, AVMIT_E_UNSUPPORTED, off, "", "slice data before its name");
    r->t = avmit_wset_find(c->out, r->name);
    if (r->t < 0) return VFAIL(c, AVMIT_E_FORMAT, off, r->name, "data for a tensor the metadata does not list");
    avmit_wtensor *t = &c->out->t[r->t];
    v1slice s;
    int rc = parse_slice(c, r->sp ? r->sp : (const uint8_t *)"", r->sp_n, t->ndim, t->shape, &s, r->name, off);
    if (rc) return rc;
    for (size_t i = 0; i < c->n_sl[r->t]; i++) {
        v1slice *m = &c->sl[r->t][i];
        if (!memcmp(m->start, s.start, sizeof s.start) && !memcmp(m->len, s.len, sizeof s.len)) r->s = m;
    }
    if (!r->s) return VFAIL(c, AVMIT_E_FORMAT, off, r->name, "a slice the metadata does not list");
    if (r->s->seen) return VFAIL(c, AVMIT_E_FORMAT, off, r->name, "the same slice twice");
    r->want = slice_count(r->s, t->ndim, t->shape);
    int full = 1;
    for (int d = 0; d < t->ndim; d++)
        if (!(r->s->len[d] < 0 || (r->s->start[d] == 0 && r->s->len[d] == t->shape[d]))) full = 0;
    if (full) {
        r->dst = t->data;
    } else {
        r->scratch = malloc(r->want ? (size_t)r->want * sizeof(float) : 1);
        if (!r->scratch) return AVMIT_NOMEM(c->src->err, "slice");
        r->dst = r->scratch;
    }
    return 0;
}

static int tensor_proto(v1 *c, sst_bs *bs, slice_read *r, uint64_t len) {
    uint64_t end = bs->pos + len;
    long long off = sst_bs_offset(bs);
    int rc = r->dst ? 0 : resolve(c, r, off);
    while (!rc && bs->pos < end) {
        uint32_t num;
        int wt;
        if ((rc = bs_tag(bs, &num, &wt))) break;
        if (num == 5 && wt == PB_WT_LEN) {
            uint64_t n;
            if ((rc = sst_bs_varint(bs, &n))) break;
            if (n % 4 || n / 4 > (uint64_t)(r->want - r->got) || n > end - bs->pos) {
                rc = VFAIL(c, AVMIT_E_FORMAT, sst_bs_offset(bs), r->name,
                           "float_val of %llu bytes for a slice of %lld values (%lld read)",
                           (unsigned long long)n, (long long)r->want, (long long)r->got);
                break;
            }
            rc = sst_bs_read(bs, r->dst + r->got, (size_t)n);
            r->got += (int64_t)(n / 4);
        } else if (num == 5 || num == 4) {
            rc = VFAIL(c, AVMIT_E_UNSUPPORTED, sst_bs_offset(bs), r->name,
                       "values stored as %s (TensorFlow writes packed float_val)",
                       num == 4 ? "tensor_content" : "unpacked float_val");
        } else if (num == 1 && wt == PB_WT_VARINT) {
            uint64_t dt;
            if (!(rc = sst_bs_varint(bs, &dt)) && dt != DT_FLOAT)
                rc = VFAIL(c, AVMIT_E_FORMAT, sst_bs_offset(bs), r->name, "data dtype %llu, metadata says float32",
                           (unsigned long long)dt);
        } else if (num >= 6 && num <= 17 && wt == PB_WT_LEN) {
            rc = VFAIL(c, AVMIT_E_FORMAT, sst_bs_offset(bs), r->name,
                       "values in TensorProto field %u, not float_val: not float32 data", num);
        } else {
            rc = bs_skip(bs, wt);
        }
    }
    if (!rc && bs->pos != end) rc = VFAIL(c, AVMIT_E_FORMAT, sst_bs_offset(bs), r->name, "TensorProto overruns");
    return rc;
}

static int data_entry(v1 *c, const uint8_t *key, size_t klen, sst_bs *bs) {
    long long off = sst_bs_offset(bs);
    slice_read r;
    memset(&r, 0, sizeof r);
    int rc = 0, got = 0;
    while (!rc && sst_bs_left(bs)) {
        uint32_t num;
        int wt;
        if ((rc = bs_tag(bs, &num, &wt))) break;
        if (num == 1) {
            rc = VFAIL(c, AVMIT_E_FORMAT, off, "", "metadata in a data entry");
        } else if (num == 2 && wt == PB_WT_LEN) {
            uint64_t len;
            if ((rc = sst_bs_varint(bs, &len))) break;
            if (len > sst_bs_left(bs)) {
                rc = VFAIL(c, AVMIT_E_FORMAT, off, "", "SavedSlice of %llu bytes overruns its entry",
                           (unsigned long long)len);
                break;
            }
            uint64_t end = bs->pos + len;
            got = 1;
            while (!rc && bs->pos < end) {
                uint32_t n2;
                int w2;
                if ((rc = bs_tag(bs, &n2, &w2))) break;
                if (n2 == 1 && w2 == PB_WT_LEN) {
                    size_t nl;
                    rc = bs_small(bs, MAX_SMALL, (uint8_t **)&r.name, &nl);
                    if (!rc && strlen(r.name) != nl) rc = VFAIL(c, AVMIT_E_FORMAT, off, "", "name with a NUL byte");
                } else if (n2 == 2 && w2 == PB_WT_LEN) {
                    rc = bs_small(bs, MAX_SMALL, &r.sp, &r.sp_n);
                } else if (n2 == 3 && w2 == PB_WT_LEN) {
                    uint64_t tl;
                    if (!(rc = sst_bs_varint(bs, &tl))) {
                        if (tl > end - bs->pos)
                            rc = VFAIL(c, AVMIT_E_FORMAT, off, r.name ? r.name : "", "TensorProto overruns its slice");
                        else
                            rc = tensor_proto(c, bs, &r, tl);
                    }
                } else {
                    rc = bs_skip(bs, w2);
                }
            }
            if (!rc && bs->pos != end) rc = VFAIL(c, AVMIT_E_FORMAT, off, "", "SavedSlice overruns");
        } else {
            rc = bs_skip(bs, wt);
        }
    }
    if (!rc && !got) rc = VFAIL(c, AVMIT_E_FORMAT, off, "", "an entry without slice data");
    if (!rc && !r.dst) rc = resolve(c, &r, off); /* a slice with no TensorProto: zero values */
    if (!rc && r.got != r.want)
        rc = VFAIL(c, AVMIT_E_FORMAT, off, r.name, "%lld values for a slice of %lld", (long long)r.got,
                   (long long)r.want);
    avmit_wtensor *t = rc ? NULL : &c->out->t[r.t];
    if (t) { /* the key must be this slice's OrderedCode, as TF looks it up */
        size_t kn;
        uint8_t *k = slice_key(r.name, t->ndim, r.s, &kn);
        if (!k) rc = AVMIT_NOMEM(c->src->err, "key");
        else if (kn != klen || memcmp(k, key, kn))
            rc = VFAIL(c, AVMIT_E_FORMAT, off, r.name, "entry key is not the encoding of its name and slice");
        free(k);
    }
    if (!rc && r.scratch) { /* scatter the slice into the tensor (C order) */
        int nd = t->ndim;
        int64_t idx[MAX_RANK] = {0}, ext[MAX_RANK], st[MAX_RANK];
        for (int d = 0; d < nd; d++) {
            st[d] = r.s->len[d] < 0 ? 0 : r.s->start[d];
            ext[d] = r.s->len[d] < 0 ? t->shape[d] : r.s->len[d];
        }
        for (int64_t i = 0; i < r.want; i++) {
            int64_t o = 0;
            for (int d = 0; d < nd; d++) o = o * t->shape[d] + st[d] + idx[d];
            t->data[o] = r.scratch[i];
            for (int d = nd - 1; d >= 0; d--) {
                if (++idx[d] < ext[d]) break;
                idx[d] = 0;
            }
        }
    }
    if (!rc) r.s->seen = 1;
    free(r.name);
    free(r.sp);
    free(r.scratch);
    return rc;
}

static int on_entry(void *ctx, const uint8_t *key, size_t klen, uint64_t vlen, sst_bs *bs) {
    v1 *c = ctx;
    if (klen == 0) {
        if (vlen > MAX_META) return VFAIL(c, AVMIT_E_RANGE, sst_bs_offset(bs), "", "metadata of %llu bytes",
                                          (unsigned long long)vlen);
        long long off = sst_bs_offset(bs);
        uint8_t *m = malloc(vlen ? (size_t)vlen : 1);
        if (!m) return AVMIT_NOMEM(c->src->err, "metadata");
        int rc = sst_bs_read(bs, m, (size_t)vlen);
        if (!rc) rc = read_meta(c, m, (size_t)vlen, off);
        free(m);
        return rc;
    }
    if (!c->have_meta)
        return VFAIL(c, AVMIT_E_FORMAT, sst_bs_offset(bs), "",
                     "the first entry is not the \"\" metadata entry: not a V1 checkpoint");
    return data_entry(c, key, klen, bs);
}

/* Every tensor's slices all present, inside it, disjoint, covering it. */
static int check_cover(v1 *c) {
    for (size_t i = 0; i < c->out->n; i++) {
        avmit_wtensor *t = &c->out->t[i];
        int64_t sum = 0;
        for (size_t a = 0; a < c->n_sl[i]; a++) {
            v1slice *s = &c->sl[i][a];
            if (!s->seen) return VFAIL(c, AVMIT_E_FORMAT, -1, t->name, "slice %zu listed in the metadata is missing", a);
            sum += slice_count(s, t->ndim, t->shape);
            for (size_t b = 0; b < a; b++) {
                v1slice *u = &c->sl[i][b];
                int overlap = 1;
                for (int d = 0; d < t->ndim && overlap; d++) {
                    int64_t s0 = s->len[d] < 0 ? 0 : s->start[d], s1 = s->len[d] < 0 ? t->shape[d] : s0 + s->len[d];
                    int64_t u0 = u->len[d] < 0 ? 0 : u->start[d], u1 = u->len[d] < 0 ? t->shape[d] : u0 + u->len[d];
                    overlap = s0 < u1 && u0 < s1;
                }
                if (overlap) return VFAIL(c, AVMIT_E_FORMAT, -1, t->name, "slices %zu and %zu overlap", b, a);
            }
        }
        if (sum != avmit_wtensor_count(t))
            return VFAIL(c, AVMIT_E_FORMAT, -1, t->name, "slices cover %lld of %lld values", (long long)sum,
                         (long long)avmit_wtensor_count(t));
    }
    return 0;
}

int tfv1_read(avmit_wset *out, const sst_src *src) {
    v1 c;
    memset(&c, 0, sizeof c);
    c.src = src;
    c.out = out;
    int rc = sst_walk_table(src, on_entry, &c);
    if (!rc && !c.have_meta)
        rc = VFAIL(&c, AVMIT_E_FORMAT, -1, "", "no \"\" metadata entry: not a V1 checkpoint");
    if (!rc) rc = check_cover(&c);
    for (size_t i = 0; i < out->n && c.sl; i++) free(c.sl[i]);
    free(c.sl);
    free(c.n_sl);
    return rc;
}

/* ---- writer --------------------------------------------------------------------------- */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static int bput(buf *b, const void *p, size_t n) {
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + n) c *= 2;
        uint8_t *q = realloc(b->p, c);
        if (!q) return -1;
        b->p = q;
        b->cap = c;
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

/* tag + length prefix of a LEN field (returns bytes in h). */
static size_t ld_head(uint8_t *h, unsigned field, uint64_t len) {
    h[0] = (uint8_t)(field << 3 | PB_WT_LEN);
    return 1 + pb_put_varint(h + 1, len);
}

static int bput_ld(buf *b, unsigned field, const void *p, size_t n) {
    uint8_t h[12];
    size_t hn = ld_head(h, field, n);
    return bput(b, h, hn) || bput(b, p, n);
}

typedef struct korder {
    uint8_t *key;
    size_t kn;
    size_t t;
} korder;

static int cmp_korder(const void *a, const void *b) {
    const korder *x = a, *y = b;
    int c = memcmp(x->key, y->key, x->kn < y->kn ? x->kn : y->kn);
    return c ? c : (x->kn > y->kn) - (x->kn < y->kn);
}

int tfv1_write(const avmit_wset *s, const char *path, avmit_error *err) {
    size_t *order = NULL;
    int rc = wset_sorted_floats(s, &order, path, err);
    if (rc) return rc;
    buf meta = {0}, one = {0}, sh = {0};
    korder *ko = calloc(s->n + 1, sizeof *ko);
    int oom = !ko;
    for (size_t i = 0; !oom && i < s->n; i++) { /* SavedSliceMeta per tensor, name order */
        const avmit_wtensor *t = &s->t[order[i]];
        v1slice full;
        for (int d = 0; d < MAX_RANK; d++) full.start[d] = 0, full.len[d] = -1;
        one.n = sh.n = 0;
        for (int d = 0; d < t->ndim && !oom; d++) {
            uint8_t dim[12];
            dim[0] = 0x08;
            size_t dn = 1 + pb_put_varint(dim + 1, (uint64_t)t->shape[d]);
            oom = bput_ld(&sh, 2, dim, dn);
        }
        uint8_t dt[2] = {0x18, DT_FLOAT}, empty[2] = {0x0a, 0x00};
        oom = oom || bput_ld(&one, 1, t->name, strlen(t->name)) || bput_ld(&one, 2, sh.p, sh.n) ||
              bput(&one, dt, 2);
        sh.n = 0;
        for (int d = 0; d < t->ndim && !oom; d++) oom = bput(&sh, empty, 2);
        oom = oom || bput_ld(&one, 4, sh.p, sh.n) || bput_ld(&meta, 1, one.p, one.n);
        if (!oom) {
            ko[i].key = slice_key(t->name, t->ndim, &full, &ko[i].kn);
            ko[i].t = order[i];
            oom = !ko[i].key;
        }
    }
    uint8_t ver[4] = {0x12, 0x02, 0x08, CHECKPOINT_VERSION};
    oom = oom || bput(&meta, ver, 4);
    one.n = 0;
    oom = oom || bput_ld(&one, 1, meta.p, meta.n);
    if (oom) rc = AVMIT_NOMEM(err, "checkpoint metadata");
    if (!rc) qsort(ko, s->n, sizeof *ko, cmp_korder);
    avmit_atomic_file *af = NULL;
    if (!rc) rc = avmit_atomic_open(&af, path, 0, err);
    sstb b;
    sstb_init(&b, af ? avmit_atomic_stream(af) : NULL, path, err);
    if (!rc) {
        sst_piece p = {one.p, one.n};
        rc = sstb_add(&b, (const uint8_t *)"", 0, &p, 1);
    }
    for (size_t i = 0; !rc && i < s->n; i++) {
        const avmit_wtensor *t = &s->t[ko[i].t];
        size_t nl = strlen(t->name);
        uint64_t fb = (uint64_t)avmit_wtensor_count(t) * 4;
        uint64_t tp = fb ? 1 + pb_varint_size(fb) + fb : 0;             /* TensorProto */
        uint64_t sl = 2 * (uint64_t)t->ndim;                             /* slice: empty extents */
        uint64_t ss = 1 + pb_varint_size(nl) + nl + 1 + pb_varint_size(sl) + sl + 1 + pb_varint_size(tp) + tp;
        uint8_t h[64];
        size_t hn = ld_head(h, 2, ss);
        hn += ld_head(h + hn, 1, nl);
        sst_piece pc[5];
        pc[0].p = h, pc[0].n = hn;
        pc[1].p = t->name, pc[1].n = nl;
        uint8_t *h2 = h + hn;
        size_t h2n = ld_head(h2, 2, sl);
        for (int d = 0; d < t->ndim; d++) h2[h2n++] = 0x0a, h2[h2n++] = 0x00;
        h2n += ld_head(h2 + h2n, 3, tp);
        if (fb) h2n += ld_head(h2 + h2n, 5, fb);
        pc[2].p = h2, pc[2].n = h2n;
        pc[3].p = t->data, pc[3].n = (size_t)fb; /* little-endian floats, as stored in memory */
        rc = sstb_add(&b, ko[i].key, ko[i].kn, pc, 4);
    }
    if (!rc) rc = sstb_finish(&b);
    sstb_free(&b);
    if (af) rc = rc ? (avmit_atomic_abort(af), rc) : avmit_atomic_commit(af, err);
    for (size_t i = 0; ko && i < s->n; i++) free(ko[i].key);
    free(ko);
    free(meta.p);
    free(one.p);
    free(sh.p);
    free(order);
    return rc;
}
