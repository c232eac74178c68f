/*
 * weights_tf2.c — CNN weights in a TF2 tensor bundle (docs/cnn-weights.md
 * §1.2; FORMATS.md §6). Reading parses the .index with tfckpt_index.c and
 * then reads each tensor's byte range of the data shard straight into the
 * tensor's buffer (one copy of the weights in memory, never the whole
 * shard), checking its masked crc32c. Writing produces what TensorFlow's
 * BundleWriter writes for a name-keyed saver (tf.compat.v1.train.Saver, V2
 * format): tensors in key order, contiguous, the header entry first.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avmit/fileio.h"
#include "avmit/tfckpt.h"
#include "avmit/tfrecord.h" /* avmit_crc32c */
#include "core/error_int.h"
#include "io/pb_int.h"
#include "io/weights_int.h"

#define DATA_SUFFIX ".data-00000-of-00001"

static int pread_all(int fd, void *dst, size_t n, uint64_t off) {
    uint8_t *d = dst;
    while (n) {
        ssize_t r = pread(fd, d, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return r < 0 ? -errno : -1;
        d += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    return 0;
}

/* Read entry e's range into a new float buffer (converting integers). */
static int read_entry(int fd, uint64_t file_size, const avmit_tfckpt_entry *e, const char *dp, float **out,
                      avmit_error *err) {
    int64_t count = avmit_tfckpt_entry_count(e);
    size_t es = avmit_tf_dtype_size(e->dtype);
    if (e->offset < 0 || e->size < 0 || (uint64_t)e->offset > file_size ||
        (uint64_t)e->size > file_size - (uint64_t)e->offset)
        return avmit_error_set(err, AVMIT_E_TRUNCATED, dp, -1, -1, e->offset, e->key,
                               "bytes [%lld, +%lld) past the end of the data file (%llu bytes)",
                               (long long)e->offset, (long long)e->size, (unsigned long long)file_size);
    if (count < 0 || (uint64_t)e->size != (uint64_t)count * es)
        return avmit_error_set(err, AVMIT_E_FORMAT, dp, -1, -1, e->offset, e->key,
                               "%lld bytes for %lld values of %s", (long long)e->size, (long long)count,
                               avmit_tf_dtype_name(e->dtype));
    uint8_t *raw = malloc(e->size ? (size_t)e->size : 1);
    if (!raw) return AVMIT_NOMEM(err, e->key);
    int r = pread_all(fd, raw, (size_t)e->size, (uint64_t)e->offset);
    if (r) {
        free(raw);
        return avmit_error_set(err, r == -1 ? AVMIT_E_TRUNCATED : AVMIT_E_IO, dp, -1, -1, e->offset, e->key,
                               "read failed: %s", r == -1 ? "file shorter than its size" : strerror(-r));
    }
    uint32_t crc = avmit_crc32c(0, raw, (size_t)e->size);
    if (crc != e->crc32c) {
        free(raw);
        return avmit_error_set(err, AVMIT_E_CRC, dp, -1, -1, e->offset, e->key,
                               "tensor checksum mismatch (stored 0x%08x, computed 0x%08x)", e->crc32c, crc);
    }
    if (e->dtype == AVMIT_TF_FLOAT) { /* the bytes are the floats (little-endian host) */
        *out = (float *)(void *)raw;
        return 0;
    }
    float *f = malloc(count ? (size_t)count * sizeof *f : 1);
    if (!f) {
        free(raw);
        return AVMIT_NOMEM(err, e->key);
    }
    for (int64_t i = 0; i < count; i++) {
        if (e->dtype == AVMIT_TF_INT64) {
            int64_t v;
            memcpy(&v, raw + 8 * i, 8);
            f[i] = (float)v;
        } else {
            int32_t v;
            memcpy(&v, raw + 4 * i, 4);
            f[i] = (float)v;
        }
    }
    free(raw);
    *out = f;
    return 0;
}

int tf2w_read(avmit_wset *out, const char *path, avmit_error *err) {
    avmit_tfckpt ck;
    int rc = avmit_tfckpt_open(&ck, path, err);
    if (rc) return rc;
    int fd = open(ck.data_path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        rc = avmit_error_path(err, AVMIT_E_IO, ck.data_path, "cannot open: %s", strerror(errno));
    for (size_t i = 0; !rc && i < ck.n_entries; i++) {
        const avmit_tfckpt_entry *e = &ck.entries[i];
        if (e->dtype == AVMIT_TF_STRING) continue; /* the object graph: metadata, not weights */
        if (e->dtype != AVMIT_TF_FLOAT && e->dtype != AVMIT_TF_INT64 && e->dtype != AVMIT_TF_INT32) {
            rc = avmit_error_set(err, AVMIT_E_UNSUPPORTED, ck.index_path, -1, -1, -1, e->key,
                                 "dtype %s: weights are read as float32 (int32/int64 converted)",
                                 avmit_tf_dtype_name(e->dtype));
            break;
        }
        float *data = NULL;
        rc = read_entry(fd, (uint64_t)st.st_size, e, ck.data_path, &data, err);
        if (rc) break;
        const char *slash = strrchr(e->key, '/');
        size_t ln = slash ? (size_t)(slash - e->key) : 0;
        char *layer = malloc(ln + 1);
        if (!layer) {
            free(data);
            rc = AVMIT_NOMEM(err, "layer");
            break;
        }
        memcpy(layer, e->key, ln);
        layer[ln] = 0;
        rc = wset_push(out, layer, e->key, 0, e->ndim, e->shape, avmit_tf_dtype_name(e->dtype), data, NULL,
                       ck.index_path, err);
        if (rc) free(data);
        free(layer);
    }
    if (fd >= 0) close(fd);
    avmit_tfckpt_free(&ck);
    return rc;
}

/* ---- writer --------------------------------------------------------------------------- */

static char *join(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    char *s = malloc(n + m + 1);
    if (s) {
        memcpy(s, a, n);
        memcpy(s + n, b, m + 1);
    }
    return s;
}

/* BundleEntryProto for a float32 tensor (fields as TF writes them). */
static size_t entry_proto(uint8_t *o, const avmit_wtensor *t, uint64_t off, uint64_t size, uint32_t crc) {
    uint8_t sh[8 * 14];
    size_t sn = 0, n = 0;
    for (int d = 0; d < t->ndim; d++) {
        uint8_t dim[12];
        dim[0] = 0x08;
        size_t dn = 1 + pb_put_varint(dim + 1, (uint64_t)t->shape[d]);
        sh[sn++] = 0x12;
        sh[sn++] = (uint8_t)dn;
        memcpy(sh + sn, dim, dn);
        sn += dn;
    }
    o[n++] = 0x08;
    o[n++] = 0x01;
    o[n++] = 0x12;
    n += pb_put_varint(o + n, sn);
    memcpy(o + n, sh, sn);
    n += sn;
    if (off) {
        o[n++] = 0x20;
        n += pb_put_varint(o + n, off);
    }
    o[n++] = 0x28;
    n += pb_put_varint(o + n, size);
    o[n++] = 0x35;
    uint32_t m = avmit_crc32c_mask(crc);
    for (int i = 0; i < 4; i++) o[n++] = (uint8_t)(m >> (8 * i));
    return n;
}

int tf2w_write(const avmit_wset *s, const char *prefix, avmit_error *err) {
    size_t *order = NULL;
    int rc = wset_sorted_floats(s, &order, prefix, err);
    if (rc) return rc;
    char *ip = join(prefix, ".index"), *dp = join(prefix, DATA_SUFFIX);
    uint64_t *offs = calloc(s->n + 1, sizeof *offs);
    uint32_t *crcs = calloc(s->n + 1, sizeof *crcs);
    if (!ip || !dp || !offs || !crcs) rc = AVMIT_NOMEM(err, "checkpoint");
    avmit_atomic_file *df = NULL, *xf = NULL;
    if (!rc) rc = avmit_atomic_open(&df, dp, 0, err);
    uint64_t off = 0;
    for (size_t i = 0; !rc && i < s->n; i++) {
        const avmit_wtensor *t = &s->t[order[i]];
        size_t nb = (size_t)avmit_wtensor_count(t) * sizeof(float);
        offs[i] = off;
        crcs[i] = avmit_crc32c(0, t->data, nb);
        if (nb && fwrite(t->data, 1, nb, avmit_atomic_stream(df)) != nb)
            rc = avmit_error_path(err, AVMIT_E_IO, dp, "write failed: %s", strerror(errno));
        off += nb;
    }
    if (!rc) rc = avmit_atomic_open(&xf, ip, 0, err);
    sstb b;
    sstb_init(&b, xf ? avmit_atomic_stream(xf) : NULL, ip, err);
    if (!rc) {
        static const uint8_t header[6] = {0x08, 0x01, 0x1a, 0x02, 0x08, 0x01}; /* 1 shard, version 1 */
        sst_piece p = {header, sizeof header};
        rc = sstb_add(&b, (const uint8_t *)"", 0, &p, 1);
    }
    for (size_t i = 0; !rc && i < s->n; i++) {
        const avmit_wtensor *t = &s->t[order[i]];
        uint8_t e[200];
        sst_piece p = {e, entry_proto(e, t, offs[i], (uint64_t)avmit_wtensor_count(t) * 4, crcs[i])};
        rc = sstb_add(&b, (const uint8_t *)t->name, strlen(t->name), &p, 1);
    }
    if (!rc) rc = sstb_finish(&b);
    sstb_free(&b);
    /* data first, then the index that points into it */
    if (df) rc = rc ? (avmit_atomic_abort(df), rc) : avmit_atomic_commit(df, err);
    if (xf) rc = rc ? (avmit_atomic_abort(xf), rc) : avmit_atomic_commit(xf, err);
    free(ip);
    free(dp);
    free(offs);
    free(crcs);
    free(order);
    return rc;
}
