/*
 * tfckpt_index.c — the `.index` file of a TF2 checkpoint: a leveldb-format
 * table (FORMATS.md §6.2; tensorflow/core/lib/io/format.cc, block.cc) whose
 * values are a BundleHeaderProto (key "") and BundleEntryProtos (§6.3;
 * tensorflow/core/protobuf/tensor_bundle.proto). See avmit/tfckpt.h.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/tfckpt.h"
#include "avmit/tfrecord.h"
#include "io/pb_int.h"
#include "core/error_int.h"

#define FOOTER_BYTES 48u                        /* leveldb Footer::kEncodedLength */
#define TRAILER_BYTES 5u                        /* type byte + masked crc32c */
#define TABLE_MAGIC 0xdb4775248b80fb57ull       /* kTableMagicNumber (table/format.h) */
#define BUNDLE_VERSION 1                        /* kTensorBundleVersion (tensor_bundle.h) */

/* Parser state: the image, its name for errors, the last key seen (keys are
 * strictly increasing across all data blocks). */
typedef struct ix {
    const uint8_t *buf;
    size_t n;
    const char *name;
    avmit_error *err;
    avmit_tfckpt *ck;
    char *key;          /* current key (grows) */
    size_t key_len, key_cap;
    char *prev;         /* previous key */
    size_t prev_len;
    int have_prev;
    int seen_header;
} ix;

#define IXFAIL(code, off, field, ...) \
    avmit_error_set(s->err, (code), s->name, -1, -1, (long long)(off), (field), __VA_ARGS__)

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

const char *avmit_tf_dtype_name(int dtype) {
    switch (dtype) {
    case AVMIT_TF_FLOAT: return "float32";
    case AVMIT_TF_DOUBLE: return "float64";
    case AVMIT_TF_INT32: return "int32";
    case AVMIT_TF_UINT8: return "uint8";
    case AVMIT_TF_INT16: return "int16";
    case AVMIT_TF_INT8: return "int8";
    case AVMIT_TF_STRING: return "string";
    case AVMIT_TF_INT64: return "int64";
    case AVMIT_TF_BOOL: return "bool";
    case AVMIT_TF_BFLOAT16: return "bfloat16";
    case AVMIT_TF_HALF: return "float16";
    default: return "?";
    }
}

size_t avmit_tf_dtype_size(int dtype) {
    switch (dtype) {
    case AVMIT_TF_UINT8: case AVMIT_TF_INT8: case AVMIT_TF_BOOL: return 1;
    case AVMIT_TF_INT16: case AVMIT_TF_BFLOAT16: case AVMIT_TF_HALF: return 2;
    case AVMIT_TF_FLOAT: case AVMIT_TF_INT32: return 4;
    case AVMIT_TF_DOUBLE: case AVMIT_TF_INT64: return 8;
    default: return 0;
    }
}

/* ---- protobuf values ----------------------------------------------------------- */

static int pb_fail(ix *s, int pbrc, size_t off, const char *key, const char *what) {
    return IXFAIL(AVMIT_E_FORMAT, off, key, "%s: %s", what, pb_strerror(pbrc));
}

static int wire_fail(ix *s, const pb_field *f, size_t base, const char *key, const char *msg) {
    return IXFAIL(AVMIT_E_FORMAT, base + f->offset, key, "%s field %u has wire type %d", msg,
                  f->number, f->wire_type);
}

/* TensorShapeProto into e->ndim / e->shape. */
static int parse_shape(ix *s, const uint8_t *p, size_t n, size_t base, const char *key,
                       avmit_tfckpt_entry *e) {
    pb_cursor c = pb_cursor_make(p, n, p);
    pb_field f;
    size_t bad;
    int r;
    while ((r = pb_next(&c, &f, &bad)) > 0) {
        if (f.number == 3) {
            if (f.wire_type != PB_WT_VARINT) return wire_fail(s, &f, base, key, "TensorShapeProto");
            if (f.value)
                return IXFAIL(AVMIT_E_UNSUPPORTED, base + f.offset, key,
                              "shape has unknown_rank set: a checkpoint stores concrete shapes");
        } else if (f.number == 2) {
            if (f.wire_type != PB_WT_LEN) return wire_fail(s, &f, base, key, "TensorShapeProto");
            if (e->ndim == AVMIT_TFCKPT_MAX_DIMS)
                return IXFAIL(AVMIT_E_UNSUPPORTED, base + f.offset, key,
                              "shape has more than %d dimensions", AVMIT_TFCKPT_MAX_DIMS);
            int64_t size = 0;
            pb_cursor d = pb_sub(&c, &f);
            pb_field g;
            while ((r = pb_next(&d, &g, &bad)) > 0)
                if (g.number == 1) {
                    if (g.wire_type != PB_WT_VARINT) return wire_fail(s, &g, base, key, "Dim");
                    size = (int64_t)g.value;
                }
            if (r < 0) return pb_fail(s, r, base + bad, key, "shape dim");
            if (size < 0)
                return IXFAIL(AVMIT_E_FORMAT, base + f.offset, key,
                              "shape dimension %d is %lld (unknown): expected >= 0", e->ndim,
                              (long long)size);
            e->shape[e->ndim++] = size;
        }
    }
    return r < 0 ? pb_fail(s, r, base + bad, key, "shape") : 0;
}

/* BundleHeaderProto (the value of key ""). */
static int parse_header(ix *s, const uint8_t *p, size_t n, size_t base) {
    pb_cursor c = pb_cursor_make(p, n, p);
    pb_field f;
    size_t bad;
    int r;
    uint64_t num_shards = 0, endianness = 0, producer = 0, min_consumer = 0;
    while ((r = pb_next(&c, &f, &bad)) > 0) {
        if (f.number == 1 || f.number == 2) {
            if (f.wire_type != PB_WT_VARINT) return wire_fail(s, &f, base, "header", "BundleHeaderProto");
            *(f.number == 1 ? &num_shards : &endianness) = f.value;
        } else if (f.number == 3) {
            if (f.wire_type != PB_WT_LEN) return wire_fail(s, &f, base, "header", "BundleHeaderProto");
            pb_cursor v = pb_sub(&c, &f);
            pb_field g;
            while ((r = pb_next(&v, &g, &bad)) > 0) {
                if (g.number > 3) continue;
                if (g.wire_type != PB_WT_VARINT && !(g.number == 3 && g.wire_type == PB_WT_LEN))
                    return wire_fail(s, &g, base, "header", "VersionDef");
                if (g.number == 1) producer = g.value;
                if (g.number == 2) min_consumer = g.value;
                if (g.number == 3) { /* bad_consumers: packed or not */
                    pb_cursor b = pb_sub(&v, &g);
                    uint64_t bc = g.value;
                    do {
                        if (g.wire_type == PB_WT_LEN) {
                            if (b.p >= b.end) break;
                            int vr = pb_read_varint(&b.p, b.end, &bc);
                            if (vr) return pb_fail(s, vr, base + g.offset, "header", "bad_consumers");
                        }
                        if (bc == BUNDLE_VERSION)
                            return IXFAIL(AVMIT_E_UNSUPPORTED, base + g.offset, "header",
                                          "version %d is listed in bad_consumers",
                                          BUNDLE_VERSION);
                    } while (g.wire_type == PB_WT_LEN);
                }
            }
            if (r < 0) return pb_fail(s, r, base + bad, "header", "VersionDef");
        }
    }
    if (r < 0) return pb_fail(s, r, base + bad, "header", "BundleHeaderProto");
    if (num_shards != 1)
        return IXFAIL(AVMIT_E_UNSUPPORTED, base, "num_shards",
                      "num_shards = %llu: only single-shard checkpoints are read", (unsigned long long)num_shards);
    if (endianness != 0)
        return IXFAIL(AVMIT_E_UNSUPPORTED, base, "endianness",
                      "endianness = %llu (BIG): only little-endian checkpoints are read",
                      (unsigned long long)endianness);
    if (producer < min_consumer)
        return IXFAIL(AVMIT_E_FORMAT, base, "version", "producer %llu < min_consumer %llu",
                      (unsigned long long)producer, (unsigned long long)min_consumer);
    if (min_consumer > BUNDLE_VERSION)
        return IXFAIL(AVMIT_E_UNSUPPORTED, base, "version",
                      "min_consumer %llu: this reader implements bundle version %d",
                      (unsigned long long)min_consumer, BUNDLE_VERSION);
    s->ck->producer = (int)(producer > 0x7fffffff ? 0x7fffffff : producer);
    s->ck->min_consumer = (int)min_consumer;
    return 0;
}

/* BundleEntryProto for key s->key. */
static int parse_entry(ix *s, const uint8_t *p, size_t n, size_t base, avmit_tfckpt_entry *e) {
    const char *key = s->key;
    pb_cursor c = pb_cursor_make(p, n, p);
    pb_field f;
    size_t bad;
    int r, has_crc = 0;
    memset(e, 0, sizeof *e);
    while ((r = pb_next(&c, &f, &bad)) > 0) {
        int want = f.number == 2 || f.number == 7 ? PB_WT_LEN : f.number == 6 ? PB_WT_I32
                                                                               : PB_WT_VARINT;
        if (f.number > 7) continue;
        if (f.wire_type != want) return wire_fail(s, &f, base, key, "BundleEntryProto");
        switch (f.number) {
        case 1: e->dtype = f.value > 0x7fffffff ? -1 : (int)f.value; break;
        case 2:
            e->ndim = 0;
            r = parse_shape(s, f.data, f.len, base + (size_t)(f.data - p), key, e);
            if (r) return r;
            break;
        case 3:
            if (f.value != 0)
                return IXFAIL(AVMIT_E_FORMAT, base + f.offset, key,
                              "shard_id = %llu but the header says 1 shard",
                              (unsigned long long)f.value);
            break;
        case 4: e->offset = (int64_t)f.value; break;
        case 5: e->size = (int64_t)f.value; break;
        case 6: e->crc32c = avmit_crc32c_unmask((uint32_t)f.value); has_crc = 1; break;
        case 7:
            return IXFAIL(AVMIT_E_UNSUPPORTED, base + f.offset, key,
                          "slices present: partitioned variables are not supported");
        default: break;
        }
    }
    if (r < 0) return pb_fail(s, r, base + bad, key, "BundleEntryProto");
    size_t esz = avmit_tf_dtype_size(e->dtype);
    if (!esz && e->dtype != AVMIT_TF_STRING)
        return IXFAIL(AVMIT_E_UNSUPPORTED, base, key, "dtype %d is not a supported DataType",
                      e->dtype);
    if (e->offset < 0 || e->size < 0)
        return IXFAIL(AVMIT_E_FORMAT, base, key, "offset %lld / size %lld: expected >= 0",
                      (long long)e->offset, (long long)e->size);
    if (!has_crc && e->size > 0)
        return IXFAIL(AVMIT_E_FORMAT, base, key, "no crc32c for a tensor of %lld bytes",
                      (long long)e->size);
    /* product(shape) * dtype size, with overflow guarded (2^62 bytes is absurd) */
    uint64_t count = 1;
    for (int i = 0; i < e->ndim; i++) {
        uint64_t d = (uint64_t)e->shape[i];
        if (d && count > ((uint64_t)1 << 62) / d)
            return IXFAIL(AVMIT_E_RANGE, base, key, "shape has more than 2^62 elements");
        count *= d;
    }
    if (esz && (count > ((uint64_t)1 << 62) / esz || (uint64_t)e->size != count * esz))
        return IXFAIL(AVMIT_E_FORMAT, base, key,
                      "size %lld bytes but shape and dtype %s give %llu elements x %zu bytes",
                      (long long)e->size, avmit_tf_dtype_name(e->dtype),
                      (unsigned long long)count, esz);
    return 0;
}

/* ---- the table ---------------------------------------------------------------------- */

static int push_entry(ix *s, const avmit_tfckpt_entry *e) {
    avmit_tfckpt *ck = s->ck;
    if ((ck->n_entries & (ck->n_entries - 1)) == 0) { /* grow at powers of two */
        size_t cap = ck->n_entries ? ck->n_entries * 2 : 16;
        avmit_tfckpt_entry *g = realloc(ck->entries, cap * sizeof *g);
        if (!g) return AVMIT_NOMEM_AT(s->err, s->name, "push_entry");
        ck->entries = g;
    }
    avmit_tfckpt_entry *d = &ck->entries[ck->n_entries];
    *d = *e;
    d->key = malloc(s->key_len + 1);
    if (!d->key) return AVMIT_NOMEM_AT(s->err, s->name, "push_entry");
    memcpy(d->key, s->key, s->key_len + 1);
    ck->n_entries++;
    return 0;
}

/* A key/value of a data block. */
static int on_data_entry(ix *s, const uint8_t *v, size_t vn, size_t voff) {
    if (memchr(s->key, '\0', s->key_len))
        return IXFAIL(AVMIT_E_FORMAT, voff, "", "key contains a NUL byte");
    if (!s->seen_header) {
        if (s->key_len != 0)
            return IXFAIL(AVMIT_E_FORMAT, voff, s->key,
                          "the first key must be \"\" (the BundleHeaderProto); "
                          "not a tensor bundle index");
        s->seen_header = 1;
        return parse_header(s, v, vn, voff);
    }
    avmit_tfckpt_entry e;
    int rc = parse_entry(s, v, vn, voff, &e);
    return rc ? rc : push_entry(s, &e);
}

/* Read the block at a handle, check its trailer; [*p, *p + *len) = contents. */
static int read_block(ix *s, uint64_t off, uint64_t size, const char *what, const uint8_t **p,
                      size_t *len) {
    size_t limit = s->n - FOOTER_BYTES;
    if (off > limit || size > limit - off || TRAILER_BYTES > limit - off - size)
        return IXFAIL(AVMIT_E_FORMAT, s->n - FOOTER_BYTES, "",
                      "%s block handle (offset %llu, size %llu) runs past the table "
                      "(%zu bytes before the footer)",
                      what, (unsigned long long)off, (unsigned long long)size, limit);
    const uint8_t *b = s->buf + off;
    uint8_t type = b[size];
    uint32_t stored = avmit_crc32c_unmask(le32(b + size + 1));
    uint32_t actual = avmit_crc32c(avmit_crc32c(0, b, (size_t)size), &type, 1);
    if (stored != actual)
        return IXFAIL(AVMIT_E_CRC, off, "",
                      "%s block checksum mismatch (stored 0x%08x, computed 0x%08x)", what,
                      stored, actual);
    if (type != 0)
        return IXFAIL(AVMIT_E_UNSUPPORTED, off, "",
                      "%s block has compression type %u (%s); only uncompressed blocks "
                      "(type 0, what TensorFlow's BundleWriter writes) are read",
                      what, type, type == 1 ? "Snappy" : "unknown");
    *p = b;
    *len = (size_t)size;
    return 0;
}

typedef int (*entry_fn)(ix *s, const uint8_t *v, size_t vn, size_t voff, void *ctx);

/* Walk one block's entries (leveldb block.cc): rebuild each key into s->key,
 * check restart points and, when `ordered`, that keys strictly increase
 * (across blocks via s->prev). */
static int walk_block(ix *s, const uint8_t *b, size_t n, size_t boff, const char *what,
                      int ordered, entry_fn fn, void *ctx) {
    if (n < 4) return IXFAIL(AVMIT_E_FORMAT, boff, "", "%s block of %zu bytes: too short", what, n);
    uint32_t n_restarts = le32(b + n - 4);
    if (n_restarts == 0 || n_restarts > (n - 4) / 4)
        return IXFAIL(AVMIT_E_FORMAT, boff + n - 4, "", "%s block: %u restart points do not fit "
                      "in %zu bytes", what, n_restarts, n);
    size_t data_end = n - 4 - 4 * (size_t)n_restarts;
    const uint8_t *restarts = b + data_end;
    size_t next_restart = 0; /* index into restarts of the next expected restart offset */
    const uint8_t *p = b, *end = b + data_end;
    s->key_len = 0;
    while (p < end) {
        size_t eoff = (size_t)(p - b);
        uint64_t shared, non_shared, vlen;
        if (pb_read_varint(&p, end, &shared) || pb_read_varint(&p, end, &non_shared) ||
            pb_read_varint(&p, end, &vlen) || non_shared > (uint64_t)(end - p) ||
            vlen > (uint64_t)(end - p) - non_shared || shared > s->key_len)
            return IXFAIL(AVMIT_E_FORMAT, boff + eoff, "",
                          "%s block: corrupt entry header (shared/non_shared/value lengths "
                          "run past the block or the previous key)", what);
        int is_restart = next_restart < n_restarts && le32(restarts + 4 * next_restart) == eoff;
        if (is_restart) {
            if (shared != 0)
                return IXFAIL(AVMIT_E_FORMAT, boff + eoff, "",
                              "%s block: restart point with a shared key prefix", what);
            next_restart++;
        }
        size_t klen = (size_t)(shared + non_shared);
        if (klen + 1 > s->key_cap) {
            size_t cap = klen + 64;
            char *g = realloc(s->key, cap);
            if (!g) return AVMIT_NOMEM_AT(s->err, s->name, "walk_block");
            s->key = g;
            s->key_cap = cap;
        }
        memcpy(s->key + shared, p, (size_t)non_shared);
        s->key[klen] = '\0';
        s->key_len = klen;
        p += non_shared;
        if (ordered) {
            if (s->have_prev) {
                size_t m = s->prev_len < klen ? s->prev_len : klen;
                int c = memcmp(s->prev, s->key, m);
                if (c > 0 || (c == 0 && s->prev_len >= klen))
                    return IXFAIL(AVMIT_E_FORMAT, boff + eoff, s->key,
                                  "keys not strictly increasing (previous key '%s')", s->prev);
            }
            char *g = realloc(s->prev, klen + 1);
            if (!g) return AVMIT_NOMEM_AT(s->err, s->name, "walk_block");
            s->prev = g;
            memcpy(s->prev, s->key, klen + 1);
            s->prev_len = klen;
            s->have_prev = 1;
        }
        int rc = fn(s, p, (size_t)vlen, boff + (size_t)(p - b), ctx);
        if (rc) return rc;
        p += vlen;
    }
    /* an empty block (the metaindex of a TF table) has the single restart 0 */
    if (next_restart != n_restarts && !(data_end == 0 && n_restarts == 1 && le32(restarts) == 0))
        return IXFAIL(AVMIT_E_FORMAT, boff + data_end, "",
                      "%s block: restart point %zu (offset %u) is not the start of an entry",
                      what, next_restart, le32(restarts + 4 * next_restart));
    return 0;
}

static int data_entry_cb(ix *s, const uint8_t *v, size_t vn, size_t voff, void *ctx) {
    (void)ctx;
    return on_data_entry(s, v, vn, voff);
}

static int ignore_cb(ix *s, const uint8_t *v, size_t vn, size_t voff, void *ctx) {
    (void)s, (void)v, (void)vn, (void)voff, (void)ctx;
    return 0;
}

/* An index-block entry: value = BlockHandle of one data block, key >= its last key. */
static int index_entry_cb(ix *s, const uint8_t *v, size_t vn, size_t voff, void *ctx) {
    (void)ctx;
    const uint8_t *p = v, *end = v + vn;
    uint64_t off, size;
    if (pb_read_varint(&p, end, &off) || pb_read_varint(&p, end, &size))
        return IXFAIL(AVMIT_E_FORMAT, voff, "", "index block: corrupt block handle");
    size_t sep_len = s->key_len;
    char *sep = malloc(sep_len + 1);
    if (!sep) return AVMIT_NOMEM_AT(s->err, s->name, "index_entry_cb");
    memcpy(sep, s->key, sep_len + 1);
    const uint8_t *b;
    size_t bn;
    int rc = read_block(s, off, size, "data", &b, &bn);
    if (!rc) rc = walk_block(s, b, bn, (size_t)off, "data", 1, data_entry_cb, NULL);
    if (!rc && s->have_prev) {
        size_t m = s->prev_len < sep_len ? s->prev_len : sep_len;
        int c = memcmp(s->prev, sep, m);
        if (c > 0 || (c == 0 && s->prev_len > sep_len))
            rc = IXFAIL(AVMIT_E_FORMAT, voff, s->prev,
                        "index key sorts before the last key of its data block");
    }
    /* restore the index block's key for the index walk's prefix decoding */
    if (!rc) {
        memcpy(s->key, sep, sep_len + 1);
        s->key_len = sep_len;
    }
    free(sep);
    return rc;
}

int avmit_tfckpt_parse_index(avmit_tfckpt *out, const uint8_t *buf, size_t n, const char *name,
                             avmit_error *err) {
    memset(out, 0, sizeof *out);
    ix st = {.buf = buf, .n = n, .name = name, .err = err, .ck = out};
    ix *s = &st;
    int rc;
    if (n < FOOTER_BYTES) {
        rc = IXFAIL(AVMIT_E_FORMAT, 0, "", "not an sstable (%zu bytes, shorter than the %u-byte "
                    "footer): expected a TensorFlow checkpoint .index file", n, FOOTER_BYTES);
        goto done;
    }
    const uint8_t *foot = buf + n - FOOTER_BYTES;
    if (le64(foot + 40) != TABLE_MAGIC) {
        rc = IXFAIL(AVMIT_E_FORMAT, n - 8, "", "not an sstable (bad magic number 0x%016llx, "
                    "expected 0x%016llx): expected a TensorFlow checkpoint .index file",
                    (unsigned long long)le64(foot + 40), TABLE_MAGIC);
        goto done;
    }
    uint64_t h[4];
    const uint8_t *p = foot;
    for (int i = 0; i < 4; i++)
        if (pb_read_varint(&p, foot + 40, &h[i])) {
            rc = IXFAIL(AVMIT_E_FORMAT, n - FOOTER_BYTES, "", "corrupt footer block handles");
            goto done;
        }
    const uint8_t *b;
    size_t bn;
    rc = read_block(s, h[0], h[1], "metaindex", &b, &bn);
    if (!rc) rc = walk_block(s, b, bn, (size_t)h[0], "metaindex", 0, ignore_cb, NULL);
    if (!rc) rc = read_block(s, h[2], h[3], "index", &b, &bn);
    if (!rc) rc = walk_block(s, b, bn, (size_t)h[2], "index", 0, index_entry_cb, NULL);
    if (!rc && !s->seen_header)
        rc = IXFAIL(AVMIT_E_FORMAT, -1, "header",
                    "no BundleHeaderProto (key \"\"): not a tensor bundle index");
done:
    free(s->key);
    free(s->prev);
    if (rc) avmit_tfckpt_free(out);
    return rc;
}
