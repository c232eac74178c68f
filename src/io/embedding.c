/*
 * embedding.c — AVMIT embedding records: tf.train.SequenceExample decode and
 * encode (FORMATS.md §2.2, §3, strictness per §10).
 *
 * Decoding walks the message with the pb_int.h cursor and never copies
 * until the final float arrays: pass 1 checks the structure, finds the four
 * context values and counts/measures the timestep rows; pass 2 copies the
 * rows. Protobuf semantics honoured: any field order, unknown fields
 * skipped, a message field seen twice merged (so list values accumulate and
 * a later oneof member replaces an earlier one), packed and unpacked int64
 * and float lists. Duplicate map keys are rejected (protobuf would keep the
 * last one).
 *
 * Encoding writes exactly what protobuf's deterministic serialisation gives
 * (FORMATS.md §3.5): map keys sorted bytewise, fields in number order,
 * int64 lists packed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"
#include "avmit/labels.h"
#include "avmit/registry.h"
#include "avmit/tfrecord.h"
#include "io/pb_int.h"
#include "core/error_int.h"

/* Feature.kind oneof members (feature.proto) */
enum { KIND_NONE = 0, KIND_BYTES = 1, KIND_FLOAT = 2, KIND_INT64 = 3 };
static const char *const k_kind_name[] = {"no value", "bytes_list", "float_list", "int64_list"};

/* Context keys in bytewise order (the order the encoder writes them). */
enum { CTX_AUDIO_T = 0, CTX_FILENAME = 1, CTX_LABEL = 2, CTX_VISUAL_T = 3, N_CTX = 4 };
static const char *const k_ctx_key[N_CTX] = {"audio_timesteps", "filename", "label",
                                             "visual_timesteps"};
static const int k_ctx_kind[N_CTX] = {KIND_INT64, KIND_BYTES, KIND_BYTES, KIND_INT64};

enum { LIST_AUDIO = 0, LIST_VISUAL = 1, N_LIST = 2 };
static const char *const k_list_key[N_LIST] = {"audio", "visual_object"};

/* What one Feature holds, after merging every occurrence. */
typedef struct feature_acc {
    int kind;
    uint64_t n_values;
    const uint8_t *bytes; /* last bytes value */
    size_t n_bytes;
    uint64_t i64;         /* last int64 value (two's complement) */
} feature_acc;

/* A feature-list map entry found in pass 1, and its rows' shape. */
typedef struct list_info {
    const uint8_t *entry; /* the map entry's payload */
    size_t entry_len;
    int64_t n_rows;
    size_t row_bytes;
} list_info;

typedef struct dctx {
    const char *path;
    long long record;
    avmit_error *err;
    const uint8_t *base;
    avmit_embedding_extras *ex; /* NULL: extra keys not reported */
    int reject_extra;
} dctx;

static int derr(const dctx *d, int code, const char *field, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Set the error: the message is "<path>: record <r>: <detail>"; err->field = field. */
static int derr(const dctx *d, int code, const char *field, const char *fmt, ...) {
    if (!d->err) return code;
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    avmit_error_set(d->err, code, d->path, d->record, -1, -1, NULL, "%s", detail);
    if (field) snprintf(d->err->field, sizeof d->err->field, "%s", field);
    return code;
}

static int pb_fail(const dctx *d, int rc, size_t off, const char *where) {
    return derr(d, AVMIT_E_FORMAT, where, "protobuf error in %s at byte %zu of the record: %s",
                where, off, pb_strerror(rc));
}

static int wrong_wire(const dctx *d, const pb_field *f, const char *msg, int expected) {
    return derr(d, AVMIT_E_FORMAT, msg,
                "protobuf error in %s at byte %zu of the record: field %u has wire type %d, "
                "expected %d",
                msg, f->offset, (unsigned)f->number, f->wire_type, expected);
}

/* Add the values of one BytesList/FloatList/Int64List payload to acc. */
static int parse_list(const dctx *d, pb_cursor c, int kind, feature_acc *acc, const char *where) {
    pb_field f;
    size_t off;
    int rc;
    while ((rc = pb_next(&c, &f, &off)) == 1) {
        if (f.number != 1) continue; /* unknown field */
        if (kind == KIND_BYTES) {
            if (f.wire_type != PB_WT_LEN) return wrong_wire(d, &f, where, PB_WT_LEN);
            acc->n_values++;
            acc->bytes = f.data;
            acc->n_bytes = f.len;
        } else if (kind == KIND_FLOAT) {
            if (f.wire_type == PB_WT_I32) {
                acc->n_values++;
            } else if (f.wire_type == PB_WT_LEN) {
                if (f.len % 4)
                    return derr(d, AVMIT_E_FORMAT, where,
                                "protobuf error in %s at byte %zu of the record: packed floats "
                                "of %zu bytes, not a multiple of 4",
                                where, f.offset, f.len);
                acc->n_values += f.len / 4;
            } else {
                return wrong_wire(d, &f, where, PB_WT_LEN);
            }
        } else {
            if (f.wire_type == PB_WT_VARINT) {
                acc->n_values++;
                acc->i64 = f.value;
            } else if (f.wire_type == PB_WT_LEN) {
                const uint8_t *p = f.data, *end = f.data + f.len;
                while (p < end) {
                    rc = pb_read_varint(&p, end, &acc->i64);
                    if (rc) return pb_fail(d, rc, (size_t)(p - d->base), where);
                    acc->n_values++;
                }
            } else {
                return wrong_wire(d, &f, where, PB_WT_LEN);
            }
        }
    }
    return rc < 0 ? pb_fail(d, rc, off, where) : 0;
}

/* Merge one Feature message into acc (a later oneof member replaces the kind). */
static int parse_feature(const dctx *d, pb_cursor c, feature_acc *acc, const char *where) {
    pb_field f;
    size_t off;
    int rc;
    while ((rc = pb_next(&c, &f, &off)) == 1) {
        if (f.number < KIND_BYTES || f.number > KIND_INT64) continue;
        if (f.wire_type != PB_WT_LEN) return wrong_wire(d, &f, where, PB_WT_LEN);
        if (acc->kind != (int)f.number) {
            memset(acc, 0, sizeof *acc);
            acc->kind = (int)f.number;
        }
        rc = parse_list(d, pb_sub(&c, &f), acc->kind, acc, where);
        if (rc) return rc;
    }
    return rc < 0 ? pb_fail(d, rc, off, where) : 0;
}

/* Find the key of a map entry (field 1, last occurrence wins; absent = ""). */
static int entry_key(const dctx *d, pb_cursor c, const uint8_t **key, size_t *key_len,
                     const char *where) {
    pb_field f;
    size_t off;
    int rc;
    *key = (const uint8_t *)"";
    *key_len = 0;
    while ((rc = pb_next(&c, &f, &off)) == 1) {
        if (f.number == 1) {
            if (f.wire_type != PB_WT_LEN) return wrong_wire(d, &f, where, PB_WT_LEN);
            *key = f.data;
            *key_len = f.len;
        } else if (f.number == 2 && f.wire_type != PB_WT_LEN) {
            return wrong_wire(d, &f, where, PB_WT_LEN);
        }
    }
    return rc < 0 ? pb_fail(d, rc, off, where) : 0;
}

static int key_index(const uint8_t *key, size_t len, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], key, len)) return i;
    return -1;
}

/* Look up a map entry's key among `names`: *k = its index or -1 (a key avmit does
 * not use; `shown` then holds it printable, '?' for other bytes, cut to fit); a known
 * key seen before is a duplicate-key error. */
static int map_lookup(const dctx *d, pb_cursor entry, const char *const *names, int n_names,
                      int *seen, const char *what, int *k, char *shown, size_t shown_size) {
    const uint8_t *key;
    size_t key_len;
    int rc = entry_key(d, entry, &key, &key_len, what);
    if (rc) return rc;
    *k = key_index(key, key_len, names, n_names);
    if (*k < 0) {
        size_t m = key_len < shown_size - 1 ? key_len : shown_size - 1;
        for (size_t i = 0; i < m; i++)
            shown[i] = key[i] >= 0x20 && key[i] < 0x7F ? (char)key[i] : '?';
        shown[m] = '\0';
        return 0;
    }
    if (seen[*k])
        return derr(d, AVMIT_E_FORMAT, names[*k], "%s key '%s' appears twice (duplicate map key)",
                    what, names[*k]);
    seen[*k] = 1;
    return 0;
}

/* An extra (non-AVMIT) key: an error under reject_extra, else remembered in d->ex. */
static int note_extra(const dctx *d, int is_list, const char *key) {
    if (d->reject_extra)
        return derr(d, AVMIT_E_FORMAT, key,
                    "%s '%s' is not an AVMIT field (extra fields are refused by --strict)",
                    is_list ? "feature list" : "context key", key);
    if (!d->ex) return 0;
    char ***v = is_list ? &d->ex->lists : &d->ex->context;
    size_t *n = is_list ? &d->ex->n_lists : &d->ex->n_context;
    char **grown = realloc(*v, (*n + 1) * sizeof *grown);
    if (!grown) return derr(d, AVMIT_E_NOMEM, NULL, "out of memory");
    *v = grown;
    if (!(grown[*n] = strdup(key))) return derr(d, AVMIT_E_NOMEM, NULL, "out of memory");
    (*n)++;
    return 0;
}

void avmit_embedding_extras_free(avmit_embedding_extras *x) {
    if (!x) return;
    for (size_t i = 0; i < x->n_context; i++) free(x->context[i]);
    for (size_t i = 0; i < x->n_lists; i++) free(x->lists[i]);
    free(x->context);
    free(x->lists);
    memset(x, 0, sizeof *x);
}

/* Context Features: collect the four keys into ctx[]. */
static int parse_context(const dctx *d, pb_cursor c, feature_acc *ctx, int *seen) {
    pb_field f;
    size_t off;
    int rc;
    while ((rc = pb_next(&c, &f, &off)) == 1) {
        if (f.number != 1) continue;
        if (f.wire_type != PB_WT_LEN) return wrong_wire(d, &f, "context", PB_WT_LEN);
        pb_cursor ec = pb_sub(&c, &f);
        int k;
        char shown[128];
        if ((rc = map_lookup(d, ec, k_ctx_key, N_CTX, seen, "context", &k, shown, sizeof shown)))
            return rc;
        if (k < 0 && (rc = note_extra(d, 0, shown))) return rc;
        feature_acc scratch, *acc = k >= 0 ? &ctx[k] : &scratch;
        memset(&scratch, 0, sizeof scratch);
        const char *where = k >= 0 ? k_ctx_key[k] : shown;
        pb_field g;
        size_t goff;
        while ((rc = pb_next(&ec, &g, &goff)) == 1)
            if (g.number == 2 && (rc = parse_feature(d, pb_sub(&ec, &g), acc, where))) return rc;
        if (rc < 0) return pb_fail(d, rc, goff, where);
    }
    return rc < 0 ? pb_fail(d, rc, off, "context") : 0;
}

/*
 * Walk the timesteps of one feature-list entry. Pass 1 (dst NULL): check
 * every timestep is a bytes_list with one value of equal, non-zero length
 * that is a multiple of 4; fill li->n_rows and li->row_bytes. Pass 2: copy
 * the rows into dst (float32 LE on disk).
 */
static int walk_rows(const dctx *d, list_info *li, const char *name, float *dst) {
    pb_cursor ec = pb_cursor_make(li->entry, li->entry_len, d->base);
    pb_field f, g;
    size_t off;
    int rc;
    int64_t t = 0;
    while ((rc = pb_next(&ec, &f, &off)) == 1) {
        if (f.number != 2) continue;
        pb_cursor lc = pb_sub(&ec, &f);
        while ((rc = pb_next(&lc, &g, &off)) == 1) {
            if (g.number != 1) continue;
            if (g.wire_type != PB_WT_LEN) return wrong_wire(d, &g, name, PB_WT_LEN);
            feature_acc acc;
            memset(&acc, 0, sizeof acc);
            rc = parse_feature(d, pb_sub(&lc, &g), &acc, name);
            if (rc) return rc;
            if (!dst) {
                if (acc.kind != KIND_BYTES || acc.n_values != 1)
                    return derr(d, AVMIT_E_FORMAT, name,
                                "feature list '%s' timestep %lld: expected a bytes_list with "
                                "exactly 1 value, found %s with %llu values",
                                name, (long long)t, k_kind_name[acc.kind],
                                (unsigned long long)acc.n_values);
                if (acc.n_bytes == 0 || acc.n_bytes % 4)
                    return derr(d, AVMIT_E_FORMAT, name,
                                "feature list '%s' timestep %lld: row has %zu bytes, expected a "
                                "positive multiple of 4 (float32)",
                                name, (long long)t, acc.n_bytes);
                if (t > 0 && acc.n_bytes != li->row_bytes)
                    return derr(d, AVMIT_E_FORMAT, name,
                                "feature list '%s' timestep %lld: row has %zu bytes but "
                                "timestep 0 has %zu (unequal rows)",
                                name, (long long)t, acc.n_bytes, li->row_bytes);
                li->row_bytes = acc.n_bytes;
            } else {
                uint8_t *row = (uint8_t *)(dst + (size_t)t * (li->row_bytes / 4));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
                for (size_t i = 0; i < li->row_bytes; i += 4)
                    for (int b = 0; b < 4; b++) row[i + b] = acc.bytes[i + 3 - b];
#else
                memcpy(row, acc.bytes, li->row_bytes);
#endif
            }
            t++;
        }
        if (rc < 0) return pb_fail(d, rc, off, name);
    }
    if (rc < 0) return pb_fail(d, rc, off, name);
    li->n_rows = t;
    return 0;
}

/* An extra feature list: only its protobuf structure is checked (each timestep a
 * well-formed Feature of any kind and length), errors naming the list by its key. */
static int walk_extra(const dctx *d, const list_info *li, const char *name) {
    pb_cursor ec = pb_cursor_make(li->entry, li->entry_len, d->base);
    pb_field f, g;
    size_t off;
    int rc;
    while ((rc = pb_next(&ec, &f, &off)) == 1) {
        if (f.number != 2) continue;
        pb_cursor lc = pb_sub(&ec, &f);
        while ((rc = pb_next(&lc, &g, &off)) == 1) {
            if (g.number != 1) continue;
            if (g.wire_type != PB_WT_LEN) return wrong_wire(d, &g, name, PB_WT_LEN);
            feature_acc acc;
            memset(&acc, 0, sizeof acc);
            if ((rc = parse_feature(d, pb_sub(&lc, &g), &acc, name))) return rc;
        }
        if (rc < 0) return pb_fail(d, rc, off, name);
    }
    return rc < 0 ? pb_fail(d, rc, off, name) : 0;
}

/* FeatureLists: remember the entries of 'audio' and 'visual_object'. */
static int parse_feature_lists(const dctx *d, pb_cursor c, list_info *lists, int *seen) {
    pb_field f;
    size_t off;
    int rc;
    while ((rc = pb_next(&c, &f, &off)) == 1) {
        if (f.number != 1) continue;
        if (f.wire_type != PB_WT_LEN) return wrong_wire(d, &f, "feature_lists", PB_WT_LEN);
        int k;
        char shown[128];
        if ((rc = map_lookup(d, pb_sub(&c, &f), k_list_key, N_LIST, seen, "feature list", &k,
                             shown, sizeof shown)))
            return rc;
        list_info scratch, *li = k >= 0 ? &lists[k] : &scratch;
        memset(&scratch, 0, sizeof scratch);
        li->entry = f.data;
        li->entry_len = f.len;
        if (k >= 0)
            rc = walk_rows(d, li, k_list_key[k], NULL);
        else if (!(rc = note_extra(d, 1, shown)))
            rc = walk_extra(d, li, shown);
        if (rc) return rc;
    }
    return rc < 0 ? pb_fail(d, rc, off, "feature_lists") : 0;
}

avmit_embedding_opts avmit_embedding_default_opts(void) {
    avmit_embedding_opts o;
    o.allow_nonfinite = 0;
    o.check_label = 1;
    o.check_dims = 1;
    o.max_timesteps = 0;
    o.reject_extra = 0;
    o.extras = NULL;
    return o;
}

static char *dup_string(const dctx *d, const feature_acc *a, int key, int *rc) {
    if (memchr(a->bytes, 0, a->n_bytes)) {
        *rc = derr(d, AVMIT_E_FORMAT, k_ctx_key[key], "context '%s' contains a NUL byte",
                   k_ctx_key[key]);
        return NULL;
    }
    char *s = malloc(a->n_bytes + 1);
    if (!s) {
        *rc = derr(d, AVMIT_E_NOMEM, NULL, "out of memory");
        return NULL;
    }
    if (a->n_bytes) memcpy(s, a->bytes, a->n_bytes);
    s[a->n_bytes] = '\0';
    return s;
}

/* Reject NaN/Inf in a [T, D] block, naming list, timestep and column. */
static int check_finite(const dctx *d, const float *x, int64_t n_rows, int64_t dim,
                        const char *name) {
    size_t n = (size_t)n_rows * (size_t)dim;
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &x[i], 4);
        if ((bits & 0x7F800000u) == 0x7F800000u)
            return derr(d, AVMIT_E_NONFINITE, name,
                        "feature list '%s' timestep %lld column %lld: value %g is not finite",
                        name, (long long)(i / (size_t)dim), (long long)(i % (size_t)dim),
                        (double)x[i]);
    }
    return 0;
}

/* The network of modality m whose embedding is dim wide; NULL when none. */
static const avmit_network_info *dim_network(avmit_modality m, int64_t dim) {
    return dim > 0 && dim <= 1 << 20 ? avmit_network_by_dim(m, (int)dim) : NULL;
}

static const char *dim_model(avmit_modality m, int64_t dim) {
    const avmit_network_info *n = dim_network(m, dim);
    return n ? n->display_name : "unknown";
}

/* The semantic checks of FORMATS.md §10 on a structurally valid record. */
static int check_semantics(const dctx *d, const feature_acc *ctx, const int *ctx_seen,
                           const list_info *lists, const int *list_seen,
                           const avmit_embedding_opts *o) {
    for (int k = 0; k < N_CTX; k++) {
        if (!ctx_seen[k])
            return derr(d, AVMIT_E_NOTFOUND, k_ctx_key[k], "context key '%s' is missing",
                        k_ctx_key[k]);
        if (ctx[k].kind != k_ctx_kind[k])
            return derr(d, AVMIT_E_FORMAT, k_ctx_key[k], "context '%s' must be a %s, found %s",
                        k_ctx_key[k], k_kind_name[k_ctx_kind[k]], k_kind_name[ctx[k].kind]);
        if (ctx[k].n_values != 1)
            return derr(d, AVMIT_E_FORMAT, k_ctx_key[k],
                        "context '%s' must have exactly 1 value, found %llu", k_ctx_key[k],
                        (unsigned long long)ctx[k].n_values);
    }
    for (int k = 0; k < N_LIST; k++)
        if (!list_seen[k])
            return derr(d, AVMIT_E_NOTFOUND, k_list_key[k], "feature list '%s' is missing",
                        k_list_key[k]);
    for (int k = 0; k < N_LIST; k++) {
        const char *tkey = k_ctx_key[k == LIST_AUDIO ? CTX_AUDIO_T : CTX_VISUAL_T];
        int64_t t = (int64_t)ctx[k == LIST_AUDIO ? CTX_AUDIO_T : CTX_VISUAL_T].i64;
        if (t <= 0)
            return derr(d, AVMIT_E_RANGE, tkey, "context '%s' = %lld, expected > 0", tkey,
                        (long long)t);
        if (t != lists[k].n_rows)
            return derr(d, AVMIT_E_FORMAT, tkey,
                        "context '%s' = %lld but feature list '%s' has %lld entries", tkey,
                        (long long)t, k_list_key[k], (long long)lists[k].n_rows);
        if (o->max_timesteps > 0 && t > o->max_timesteps)
            return derr(d, AVMIT_E_RANGE, tkey,
                        "context '%s' = %lld exceeds the maximum of %lld timesteps", tkey,
                        (long long)t, (long long)o->max_timesteps);
    }
    if (o->check_dims) {
        int64_t da = (int64_t)(lists[LIST_AUDIO].row_bytes / 4);
        int64_t dv = (int64_t)(lists[LIST_VISUAL].row_bytes / 4);
        const avmit_embedding_set_info *s = avmit_embedding_set_get(AVMIT_SET_VGGISH_VGG16);
        const avmit_embedding_set_info *y = avmit_embedding_set_get(AVMIT_SET_YAMNET_EFFNET);
        const avmit_network_info *an = dim_network(AVMIT_MODALITY_AUDIO, da);
        const avmit_embedding_set_info *set = an ? avmit_embedding_set_by_audio_dim(an->dim) : NULL;
        if (!set)
            return derr(d, AVMIT_E_RANGE, "audio",
                        "feature list 'audio' rows have %lld floats, expected %d (VGGish) or "
                        "%d (YAMNet)",
                        (long long)da, s->audio_dim, y->audio_dim);
        if (!dim_network(AVMIT_MODALITY_VISUAL, dv))
            return derr(d, AVMIT_E_RANGE, "visual_object",
                        "feature list 'visual_object' rows have %lld floats, expected %d "
                        "(VGG16) or %d (EfficientNetB0)",
                        (long long)dv, s->visual_dim, y->visual_dim);
        int64_t want = set->visual_dim;
        if (dv != want)
            return derr(d, AVMIT_E_RANGE, "visual_object",
                        "audio dimension %lld (%s) pairs with visual dimension %lld (%s), found "
                        "%lld (%s)",
                        (long long)da, dim_model(AVMIT_MODALITY_AUDIO, da), (long long)want,
                        dim_model(AVMIT_MODALITY_VISUAL, want), (long long)dv,
                        dim_model(AVMIT_MODALITY_VISUAL, dv));
    }
    return 0;
}

int avmit_embedding_decode(avmit_embedding *out, const uint8_t *buf, size_t n,
                           const avmit_embedding_opts *opts, const char *path, long long record,
                           avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_embedding_opts o = opts ? *opts : avmit_embedding_default_opts();
    dctx d = {path, record, err, buf, o.extras, o.reject_extra};
    avmit_embedding_extras_free(o.extras);
    feature_acc ctx[N_CTX];
    list_info lists[N_LIST];
    int ctx_seen[N_CTX] = {0}, list_seen[N_LIST] = {0};
    memset(ctx, 0, sizeof ctx);
    memset(lists, 0, sizeof lists);

    pb_cursor c = pb_cursor_make(buf, n, buf);
    pb_field f;
    size_t off;
    int rc;
    while ((rc = pb_next(&c, &f, &off)) == 1) {
        if (f.number != 1 && f.number != 2) continue; /* unknown field */
        if (f.wire_type != PB_WT_LEN) return wrong_wire(&d, &f, "SequenceExample", PB_WT_LEN);
        rc = f.number == 1 ? parse_context(&d, pb_sub(&c, &f), ctx, ctx_seen)
                           : parse_feature_lists(&d, pb_sub(&c, &f), lists, list_seen);
        if (rc) return rc;
    }
    if (rc < 0) return pb_fail(&d, rc, off, "SequenceExample");
    rc = check_semantics(&d, ctx, ctx_seen, lists, list_seen, &o);
    if (rc) return rc;

    avmit_embedding e;
    memset(&e, 0, sizeof e);
    e.n_audio_steps = lists[LIST_AUDIO].n_rows;
    e.n_visual_steps = lists[LIST_VISUAL].n_rows;
    e.audio_dim = (int64_t)(lists[LIST_AUDIO].row_bytes / 4);
    e.visual_dim = (int64_t)(lists[LIST_VISUAL].row_bytes / 4);
    if (!(e.filename = dup_string(&d, &ctx[CTX_FILENAME], CTX_FILENAME, &rc))) goto fail;
    if (!(e.label = dup_string(&d, &ctx[CTX_LABEL], CTX_LABEL, &rc))) goto fail;
    if (o.check_label && avmit_label_id(e.label) < 0) {
        rc = derr(&d, AVMIT_E_RANGE, "label",
                  "context 'label' = '%s' is not one of the 16 AVMIT classes", e.label);
        goto fail;
    }
    /* The rows lie inside buf, so T * D * 4 <= n: no overflow here. */
    e.audio = malloc(lists[LIST_AUDIO].row_bytes * (size_t)e.n_audio_steps);
    e.visual = malloc(lists[LIST_VISUAL].row_bytes * (size_t)e.n_visual_steps);
    if (!e.audio || !e.visual) {
        rc = derr(&d, AVMIT_E_NOMEM, NULL, "out of memory");
        goto fail;
    }
    if ((rc = walk_rows(&d, &lists[LIST_AUDIO], "audio", e.audio))) goto fail;
    if ((rc = walk_rows(&d, &lists[LIST_VISUAL], "visual_object", e.visual))) goto fail;
    if (!o.allow_nonfinite &&
        ((rc = check_finite(&d, e.audio, e.n_audio_steps, e.audio_dim, "audio")) ||
         (rc = check_finite(&d, e.visual, e.n_visual_steps, e.visual_dim, "visual_object"))))
        goto fail;
    *out = e;
    return 0;
fail:
    avmit_embedding_free(&e);
    return rc;
}

void avmit_embedding_free(avmit_embedding *e) {
    if (!e) return;
    free(e->filename);
    free(e->label);
    free(e->audio);
    free(e->visual);
    memset(e, 0, sizeof *e);
}

/* ---- encoding ----------------------------------------------------------------------- */

/* Bytes of a length-delimited field with a 1-byte tag and a payload of n bytes. */
static size_t len_field(size_t n) {
    return 1 + pb_varint_size(n) + n;
}

static uint8_t *put_len(uint8_t *p, unsigned field, size_t n) {
    *p++ = (uint8_t)(field << 3 | PB_WT_LEN);
    return p + pb_put_varint(p, n);
}

/* Feature payload sizes: bytes_list { value: n bytes } / int64_list { packed [v] }. */
static size_t feature_bytes_size(size_t n) {
    return len_field(len_field(n));
}

static size_t feature_int64_size(int64_t v) {
    return len_field(len_field(pb_varint_size((uint64_t)v)));
}

static uint8_t *put_feature_bytes(uint8_t *p, const void *data, size_t n) {
    p = put_len(p, KIND_BYTES, len_field(n));
    p = put_len(p, 1, n);
    if (n) memcpy(p, data, n);
    return p + n;
}

static uint8_t *put_feature_int64(uint8_t *p, int64_t v) {
    size_t vs = pb_varint_size((uint64_t)v);
    p = put_len(p, KIND_INT64, len_field(vs));
    p = put_len(p, 1, vs);
    return p + pb_put_varint(p, (uint64_t)v);
}

/* Map entry { key = 1; value = 2 } with a value payload of `value_size` bytes. */
static size_t entry_size(const char *key, size_t value_size) {
    return len_field(strlen(key)) + len_field(value_size);
}

static uint8_t *put_entry_head(uint8_t *p, const char *key, size_t value_size) {
    size_t k = strlen(key);
    p = put_len(p, 1, entry_size(key, value_size));
    p = put_len(p, 1, k);
    memcpy(p, key, k);
    return put_len(p + k, 2, value_size);
}

/* Write T rows of D floats as float32 LE, one bytes_list Feature per row. */
static uint8_t *put_rows(uint8_t *p, const float *x, int64_t n_rows, int64_t dim) {
    size_t row_bytes = (size_t)dim * 4;
    for (int64_t t = 0; t < n_rows; t++) {
        p = put_len(p, 1, feature_bytes_size(row_bytes));
        p = put_len(p, KIND_BYTES, len_field(row_bytes));
        p = put_len(p, 1, row_bytes);
        const float *row = x + (size_t)t * (size_t)dim;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        for (int64_t j = 0; j < dim; j++)
            for (int b = 0; b < 4; b++) p[4 * j + b] = ((const uint8_t *)&row[j])[3 - b];
#else
        memcpy(p, row, row_bytes);
#endif
        p += row_bytes;
    }
    return p;
}

int avmit_embedding_encode(const avmit_embedding *e, uint8_t **out, size_t *n, avmit_error *err) {
    *out = NULL;
    *n = 0;
    if (!e->filename || !e->label || !e->audio || !e->visual || e->n_audio_steps <= 0 ||
        e->n_visual_steps <= 0 || e->audio_dim <= 0 || e->visual_dim <= 0)
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, NULL,
                         "embedding to encode needs filename, label, audio and visual "
                         "with T > 0 and D > 0 (T_a %lld, D_a %lld, T_v %lld, D_v %lld)",
                         (long long)e->n_audio_steps, (long long)e->audio_dim,
                         (long long)e->n_visual_steps, (long long)e->visual_dim);
    /* Keep every size far from SIZE_MAX: the record must fit the TFRecord cap anyway. */
    const int64_t lim = (int64_t)(AVMIT_TFRECORD_MAX_RECORD / 8);
    if (e->audio_dim > lim / 4 || e->visual_dim > lim / 4 ||
        e->n_audio_steps > lim / (4 * e->audio_dim) ||
        e->n_visual_steps > lim / (4 * e->visual_dim))
        return AVMIT_ERR(err, AVMIT_E_RANGE, NULL, NULL,
                         "embedding too large to encode (T_a %lld x %lld, T_v %lld x %lld)",
                         (long long)e->n_audio_steps, (long long)e->audio_dim,
                         (long long)e->n_visual_steps, (long long)e->visual_dim);
    size_t fn_len = strlen(e->filename), lb_len = strlen(e->label);
    /* context entries in bytewise key order: audio_timesteps, filename, label, visual_timesteps */
    size_t ctx = len_field(entry_size("audio_timesteps", feature_int64_size(e->n_audio_steps))) +
                 len_field(entry_size("filename", feature_bytes_size(fn_len))) +
                 len_field(entry_size("label", feature_bytes_size(lb_len))) +
                 len_field(entry_size("visual_timesteps", feature_int64_size(e->n_visual_steps)));
    size_t arow = len_field(feature_bytes_size((size_t)e->audio_dim * 4));
    size_t vrow = len_field(feature_bytes_size((size_t)e->visual_dim * 4));
    size_t alist = arow * (size_t)e->n_audio_steps, vlist = vrow * (size_t)e->n_visual_steps;
    size_t fls = len_field(entry_size("audio", alist)) +
                 len_field(entry_size("visual_object", vlist));
    size_t total = len_field(ctx) + len_field(fls);

    uint8_t *buf = malloc(total), *p = buf;
    if (!buf)
        return AVMIT_ERR(err, AVMIT_E_NOMEM, NULL, NULL, "out of memory encoding %zu bytes",
                         total);
    p = put_len(p, 1, ctx);
    p = put_entry_head(p, "audio_timesteps", feature_int64_size(e->n_audio_steps));
    p = put_feature_int64(p, e->n_audio_steps);
    p = put_entry_head(p, "filename", feature_bytes_size(fn_len));
    p = put_feature_bytes(p, e->filename, fn_len);
    p = put_entry_head(p, "label", feature_bytes_size(lb_len));
    p = put_feature_bytes(p, e->label, lb_len);
    p = put_entry_head(p, "visual_timesteps", feature_int64_size(e->n_visual_steps));
    p = put_feature_int64(p, e->n_visual_steps);
    p = put_len(p, 2, fls);
    p = put_entry_head(p, "audio", alist);
    p = put_rows(p, e->audio, e->n_audio_steps, e->audio_dim);
    p = put_entry_head(p, "visual_object", vlist);
    p = put_rows(p, e->visual, e->n_visual_steps, e->visual_dim);
    size_t written = (size_t)(p - buf);
    if (written != total) { /* our own size arithmetic disagrees: a bug */
        free(buf);
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, NULL,
                         "internal error: encoded %zu bytes, computed %zu", written, total);
    }
    *out = buf;
    *n = total;
    return 0;
}

/* ---- files -------------------------------------------------------------------------- */

int avmit_embedding_read_file(avmit_embedding *out, const char *path,
                              const avmit_embedding_opts *opts, avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_tfrecord_reader *r;
    int rc = avmit_tfrecord_reader_open(&r, path, AVMIT_COMPRESSION_AUTO, err);
    if (rc) return rc;
    const uint8_t *data;
    size_t len;
    rc = avmit_tfrecord_reader_next(r, &data, &len, err);
    if (rc == 0)
        rc = avmit_error_path(err, AVMIT_E_FORMAT, path,
                              "contains 0 records, expected exactly 1 embedding record");
    if (rc < 0) goto done;
    rc = avmit_embedding_decode(out, data, len, opts, path, 0, err);
    if (rc) goto done;
    long long n_records = 1;
    while ((rc = avmit_tfrecord_reader_next(r, &data, &len, err)) == 1) n_records++;
    if (rc == 0 && n_records != 1)
        rc = avmit_error_path(err, AVMIT_E_FORMAT, path,
                              "contains %lld records, expected exactly 1 embedding record",
                              n_records);
    if (rc) avmit_embedding_free(out);
done:
    avmit_tfrecord_reader_close(r);
    return rc;
}

int avmit_embedding_write_file(const avmit_embedding *e, const char *path, avmit_error *err) {
    uint8_t *buf;
    size_t n;
    int rc = avmit_embedding_encode(e, &buf, &n, err);
    if (rc) {
        if (err) {
            char msg[AVMIT_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            avmit_error_path(err, rc, path, "%s", msg);
        }
        return rc;
    }
    avmit_tfrecord_writer *w;
    rc = avmit_tfrecord_writer_open(&w, path, AVMIT_COMPRESSION_GZIP, 1, err);
    if (!rc) {
        rc = avmit_tfrecord_writer_write(w, buf, n, err);
        if (rc)
            avmit_tfrecord_writer_abort(w);
        else
            rc = avmit_tfrecord_writer_commit(w, err);
    }
    free(buf);
    return rc;
}
