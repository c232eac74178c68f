/*
 * npz.c — .npz archives as numpy 1.24's np.savez writes them (avmit/npz.h,
 * FORMATS.md §9): Python zipfile's byte layout with force_zip64=True.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "avmit/fileio.h"
#include "avmit/npz.h"
#include "core/error_int.h"

#define ZIP64_LIMIT 0x7fffffffULL /* Python zipfile's ZIP64_LIMIT, (1 << 31) - 1 */
#define ZIP_VERSION 20            /* Python zipfile's DEFAULT_VERSION */
#define ZIP64_VERSION 45
#define DOS_DATE_1980 0x21        /* 1980-01-01 */
#define UNIX_MODE_600 (0600u << 16)

typedef struct zbuf {
    uint8_t *p;
    size_t n, cap;
    int failed;
} zbuf;

static void put(zbuf *b, const void *src, size_t n) {
    if (b->failed) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put16(zbuf *b, unsigned v) {
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void put32(zbuf *b, uint32_t v) {
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

static void put64(zbuf *b, uint64_t v) {
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

typedef struct member {
    uint32_t crc;
    uint64_t size, offset;
    size_t name_len;
    unsigned flags;
} member;

static uint32_t crc_of(const uint8_t *p, size_t n) {
    uLong c = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt chunk = n > 0x40000000u ? 0x40000000u : (uInt)n;
        c = crc32(c, p, chunk);
        p += chunk, n -= chunk;
    }
    return (uint32_t)c;
}

static int non_ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 1;
    return 0;
}

static void central_entry(zbuf *b, const avmit_npz_entry *e, const member *m) {
    uint64_t extra[3];
    int nx = 0;
    int big = m->size > ZIP64_LIMIT, far = m->offset > ZIP64_LIMIT;
    if (big) extra[nx++] = m->size, extra[nx++] = m->size;
    if (far) extra[nx++] = m->offset;
    uint8_t ver = nx ? ZIP64_VERSION : ZIP_VERSION;
    put32(b, 0x02014b50);
    put(b, (const uint8_t[]){ver, 3 /* Unix */, ver, 0}, 4);
    put16(b, m->flags);
    put16(b, 0);               /* stored */
    put16(b, 0);               /* time 00:00 */
    put16(b, DOS_DATE_1980);
    put32(b, m->crc);
    put32(b, big ? 0xffffffffu : (uint32_t)m->size);
    put32(b, big ? 0xffffffffu : (uint32_t)m->size);
    put16(b, (unsigned)m->name_len);
    put16(b, nx ? 4u + 8u * (unsigned)nx : 0u);
    put16(b, 0);               /* comment */
    put16(b, 0);               /* disk */
    put16(b, 0);               /* internal attributes */
    put32(b, UNIX_MODE_600);
    put32(b, far ? 0xffffffffu : (uint32_t)m->offset);
    put(b, e->name, strlen(e->name));
    put(b, ".npy", 4);
    if (nx) {
        put16(b, 1);
        put16(b, 8u * (unsigned)nx);
        for (int i = 0; i < nx; i++) put64(b, extra[i]);
    }
}

static void end_records(zbuf *b, size_t count, uint64_t cd_offset, uint64_t cd_size) {
    if (count > 0xffff || cd_offset > ZIP64_LIMIT || cd_size > ZIP64_LIMIT) {
        uint64_t pos = b->n;
        put32(b, 0x06064b50);
        put64(b, 44);
        put16(b, ZIP64_VERSION);
        put16(b, ZIP64_VERSION);
        put32(b, 0);
        put32(b, 0);
        put64(b, count);
        put64(b, count);
        put64(b, cd_size);
        put64(b, cd_offset);
        put32(b, 0x07064b50);
        put32(b, 0);
        put64(b, pos);
        put32(b, 1);
    }
    put32(b, 0x06054b50);
    put32(b, 0); /* disk numbers */
    put16(b, count > 0xffff ? 0xffff : (unsigned)count);
    put16(b, count > 0xffff ? 0xffff : (unsigned)count);
    put32(b, cd_size > 0xffffffffu ? 0xffffffffu : (uint32_t)cd_size);
    put32(b, cd_offset > 0xffffffffu ? 0xffffffffu : (uint32_t)cd_offset);
    put16(b, 0);
}

static int check_names(const avmit_npz_entry *e, size_t n, avmit_error *err) {
    for (size_t i = 0; i < n; i++) {
        size_t len = e[i].name ? strlen(e[i].name) : 0;
        if (!len || len > 65000)
            return AVMIT_ERR(err, AVMIT_E_ARG, NULL, e[i].name ? e[i].name : "",
                             "npz member %zu: name must be 1 to 65000 bytes, found %zu", i, len);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(e[i].name, e[j].name))
                return AVMIT_ERR(err, AVMIT_E_ARG, NULL, e[i].name,
                                 "npz member name '%s' appears twice", e[i].name);
    }
    return 0;
}

int avmit_npz_encode(uint8_t **out, size_t *n_out, const avmit_npz_entry *e, size_t n,
                     avmit_error *err) {
    *out = NULL;
    *n_out = 0;
    int rc = check_names(e, n, err);
    if (rc) return rc;
    member *m = calloc(n ? n : 1, sizeof *m);
    zbuf b = {0};
    if (!m) return AVMIT_NOMEM(err, "npz_encode");
    for (size_t i = 0; i < n && !rc && !b.failed; i++) {
        uint8_t *npy;
        size_t len;
        if ((rc = avmit_npy_encode(&npy, &len, e[i].dtype, e[i].ndim, e[i].shape, e[i].data, err))) break;
        m[i] = (member){crc_of(npy, len), len, b.n, strlen(e[i].name) + 4, non_ascii(e[i].name) ? 0x800u : 0u};
        int big = len > ZIP64_LIMIT;
        uint32_t len32 = big ? 0xffffffffu : (uint32_t)len; /* then only in the ZIP64 extra */
        put32(&b, 0x04034b50);
        put16(&b, big ? ZIP64_VERSION : ZIP_VERSION);
        put16(&b, m[i].flags);
        put16(&b, 0);
        put16(&b, 0);
        put16(&b, DOS_DATE_1980);
        put32(&b, m[i].crc);
        put32(&b, len32);
        put32(&b, len32);
        put16(&b, (unsigned)m[i].name_len);
        put16(&b, 20);
        put(&b, e[i].name, m[i].name_len - 4);
        put(&b, ".npy", 4);
        put16(&b, 1);
        put16(&b, 16);
        put64(&b, len);
        put64(&b, len);
        put(&b, npy, len);
        free(npy);
    }
    uint64_t cd_offset = b.n;
    for (size_t i = 0; i < n && !rc; i++) central_entry(&b, &e[i], &m[i]);
    if (!rc) end_records(&b, n, cd_offset, b.n - cd_offset);
    free(m);
    if (!rc && b.failed) rc = AVMIT_NOMEM(err, "npz_encode");
    if (rc) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    *n_out = b.n;
    return 0;
}

int avmit_npz_write(const char *path, const avmit_npz_entry *e, size_t n, avmit_error *err) {
    uint8_t *buf;
    size_t len;
    int rc = avmit_npz_encode(&buf, &len, e, n, err);
    if (rc) return rc;
    rc = avmit_write_file_atomic(path, buf, len, 1, err);
    free(buf);
    return rc;
}
