/*
 * tfrecord.c — TFRecord reader and writer (FORMATS.md §1).
 *
 * Reader: the whole input is in memory (a file is read at once), so an
 * uncompressed stream is parsed in place without copies. A gzip stream is
 * inflated on demand into one growing buffer (sized from the gzip ISIZE
 * trailer when there is one) that holds at least the record being returned;
 * concatenated gzip members are followed with inflateReset (as
 * tsl/lib/io/zlib_inputstream.cc does), anything after the last member that
 * is not a gzip member is an error, and zlib verifies each member's CRC-32
 * and ISIZE when it reaches the member's end. Offsets in messages are byte
 * positions in the uncompressed stream, as in TensorFlow's record_reader.cc.
 *
 * Writer: deflate level 6, windowBits 31 (gzip), memLevel 9, default
 * strategy, one member (zlib_compression_options.h), through an atomic file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "avmit/fileio.h"
#include "avmit/tfrecord.h"
#include "core/error_int.h"

#define HEADER_BYTES 12u        /* uint64 length + masked CRC of it */
#define FOOTER_BYTES 4u         /* masked CRC of the data */
#define GZ_MIN_BUF (64u << 10)  /* smallest inflate buffer */
#define GZ_MAX_HINT (64u << 20) /* never preallocate more than this from ISIZE */
#define GZ_IN_CHUNK (1u << 30)  /* z_stream.avail_in is 32-bit: feed big inputs in chunks */

struct avmit_tfrecord_reader {
    char *name;             /* path or name used in messages */
    uint8_t *owned;         /* file contents when we read the file */
    const uint8_t *src;     /* the (possibly compressed) input */
    size_t src_len;
    int gzip;
    uint64_t max_record;
    long long index;        /* last record returned, -1 before the first */
    unsigned long long rec_off; /* uncompressed offset of the next record */
    int failed;             /* sticky error code after a failure */
    avmit_error saved;      /* that error, re-reported on later calls */
    /* uncompressed input: position of the next record in src */
    size_t pos;
    /* gzip input */
    z_stream zs;
    int zs_live;
    int z_done;             /* every member inflated and verified */
    int n_members;          /* gzip members completed so far */
    size_t in_pos;          /* bytes of src handed to zlib so far */
    uint8_t *buf;           /* inflated bytes; [start, end) not yet consumed */
    size_t cap, start, end;
};

static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static inline uint32_t load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline void store_le64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- reader ------------------------------------------------------------------------ */

static int looks_gzip(const uint8_t *b, size_t n) {
    if (n < 2 || b[0] != 0x1f || b[1] != 0x8b) return 0;
    /* An uncompressed record could start 1f 8b (a huge length); its header CRC decides. */
    if (n >= HEADER_BYTES && load_le32(b + 8) == avmit_crc32c_mask(avmit_crc32c(0, b, 8)))
        return 0;
    return 1;
}

static int reader_fail(avmit_tfrecord_reader *r, avmit_error *err, int code, long long record,
                       unsigned long long offset, const char *fmt, const char *detail) {
    avmit_error_set(&r->saved, code, r->name, record, -1, (long long)offset, NULL, fmt, detail);
    r->failed = code;
    if (err) *err = r->saved;
    return code;
}

/* Fail the record being read (index r->index + 1) at uncompressed offset `off`. */
#define RFAIL(code, off, ...)                                                         \
    do {                                                                              \
        char d_[512];                                                                 \
        snprintf(d_, sizeof d_, __VA_ARGS__);                                         \
        return reader_fail(r, err, (code), r->index + 1, (off), "%s", d_);            \
    } while (0)

/* Fail on a gzip-level problem: located at the uncompressed bytes produced so far
   (inflate runs ahead of the records, so no record index is given). */
#define GZFAIL(code, ...)                                                             \
    do {                                                                              \
        char d_[512];                                                                 \
        snprintf(d_, sizeof d_, __VA_ARGS__);                                         \
        return reader_fail(r, err, (code), -1, r->rec_off + (r->end - r->start), "%s", d_); \
    } while (0)

static int reader_setup(avmit_tfrecord_reader *r, avmit_compression compression,
                        avmit_error *err) {
    if (compression == AVMIT_COMPRESSION_AUTO)
        r->gzip = looks_gzip(r->src, r->src_len);
    else
        r->gzip = compression == AVMIT_COMPRESSION_GZIP;
    if (!r->gzip) return 0;
    memset(&r->zs, 0, sizeof r->zs);
    if (inflateInit2(&r->zs, 15 + 16) != Z_OK) /* 31: gzip wrapper only */
        return avmit_error_path(err, AVMIT_E_NOMEM, r->name, "cannot start zlib inflate");
    r->zs_live = 1;
    /* A single-member file's ISIZE (last 4 bytes) is the uncompressed size mod 2^32. */
    size_t hint = 0;
    if (r->src_len >= 18) hint = load_le32(r->src + r->src_len - 4);
    if (hint > GZ_MAX_HINT) hint = GZ_MAX_HINT;
    /* deflate expands at most ~1032:1, so a larger ISIZE is not this file's (or lies) */
    if (hint / 1032 > r->src_len) hint = r->src_len * 1032;
    r->cap = hint + 64 > GZ_MIN_BUF ? hint + 64 : GZ_MIN_BUF;
    r->buf = malloc(r->cap);
    if (!r->buf) return AVMIT_NOMEM_AT(err, r->name, "reader_setup");
    return 0;
}

static avmit_tfrecord_reader *reader_alloc(const char *name) {
    avmit_tfrecord_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->name = strdup(name ? name : "");
    if (!r->name) {
        free(r);
        return NULL;
    }
    r->max_record = AVMIT_TFRECORD_MAX_RECORD;
    r->index = -1;
    avmit_error_clear(&r->saved);
    return r;
}

int avmit_tfrecord_reader_open_memory(avmit_tfrecord_reader **out, const void *buf, size_t n,
                                      const char *name, avmit_compression compression,
                                      avmit_error *err) {
    *out = NULL;
    avmit_tfrecord_reader *r = reader_alloc(name);
    if (!r) return AVMIT_NOMEM_AT(err, name, "tfrecord_reader_open_memory");
    r->src = (const uint8_t *)buf;
    r->src_len = n;
    int rc = reader_setup(r, compression, err);
    if (rc) {
        avmit_tfrecord_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* Read a whole regular file with one read() per chunk into an exact-size buffer. */
static int slurp(const char *path, uint8_t **buf, size_t *len, avmit_error *err) {
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        close(fd);
        if (S_ISDIR(st.st_mode))
            return avmit_error_path(err, AVMIT_E_IO, path, "is a directory, expected a file");
        return avmit_error_path(err, AVMIT_E_IO, path, "not a regular file%s%s",
                                e ? ": " : "", e ? strerror(e) : "");
    }
    size_t size = (size_t)st.st_size, n = 0;
    uint8_t *b = malloc(size ? size : 1);
    if (!b) {
        close(fd);
        return avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory reading %zu bytes",
                                size);
    }
    while (n < size) {
        ssize_t got = read(fd, b + n, size - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(b);
            close(fd);
            return avmit_error_path(err, AVMIT_E_IO, path, "read failed: %s", strerror(e));
        }
        if (got == 0) break; /* shrank while reading: use what is there */
        n += (size_t)got;
    }
    close(fd);
    *buf = b;
    *len = n;
    return 0;
}

int avmit_tfrecord_reader_open(avmit_tfrecord_reader **out, const char *path,
                               avmit_compression compression, avmit_error *err) {
    *out = NULL;
    uint8_t *data;
    size_t n;
    int rc = slurp(path, &data, &n, err);
    if (rc) return rc;
    avmit_tfrecord_reader *r = reader_alloc(path);
    if (!r) {
        free(data);
        return AVMIT_NOMEM_AT(err, path, "tfrecord_reader_open");
    }
    r->owned = data;
    r->src = data;
    r->src_len = n;
    rc = reader_setup(r, compression, err);
    if (rc) {
        avmit_tfrecord_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

void avmit_tfrecord_reader_set_max_record(avmit_tfrecord_reader *r, uint64_t max_bytes) {
    if (r) r->max_record = max_bytes;
}

/* Make room after r->end: reuse consumed space first, else double the buffer. */
static int gz_make_room(avmit_tfrecord_reader *r) {
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
        if (r->end < r->cap) return 0;
    }
    size_t ncap = r->cap * 2;
    uint8_t *nb = ncap > r->cap ? realloc(r->buf, ncap) : NULL;
    if (!nb) return AVMIT_E_NOMEM;
    r->buf = nb;
    r->cap = ncap;
    return 0;
}

/* Inflate until `need` bytes are buffered or every member has ended. Errors
 * are reported against the record that starts at r->rec_off. */
/* Inflate until `need` bytes are buffered or every member has ended. */
static int gz_fill(avmit_tfrecord_reader *r, size_t need, avmit_error *err) {
    while (r->end - r->start < need && !r->z_done) {
        if (r->end == r->cap && gz_make_room(r))
            GZFAIL(AVMIT_E_NOMEM, "out of memory inflating (buffer of %zu bytes)",
                  r->cap);
        if (r->zs.avail_in == 0 && r->in_pos < r->src_len) {
            size_t chunk = r->src_len - r->in_pos;
            if (chunk > GZ_IN_CHUNK) chunk = GZ_IN_CHUNK;
            r->zs.next_in = (Bytef *)(uintptr_t)(r->src + r->in_pos);
            r->zs.avail_in = (uInt)chunk;
            r->in_pos += chunk;
        }
        size_t room = r->cap - r->end;
        if (room > UINT_MAX) room = UINT_MAX;
        r->zs.next_out = r->buf + r->end;
        r->zs.avail_out = (uInt)room;
        int zr = inflate(&r->zs, Z_NO_FLUSH);
        r->end += room - r->zs.avail_out;
        unsigned long long cpos = (unsigned long long)(r->in_pos - r->zs.avail_in);
        if (zr == Z_STREAM_END) {
            r->n_members++;
            if (cpos == r->src_len) {
                r->z_done = 1;
            } else if (r->src_len - cpos < 2 || r->src[cpos] != 0x1f ||
                       r->src[cpos + 1] != 0x8b) {
                GZFAIL(AVMIT_E_FORMAT,
                       "trailing data after gzip member %d: compressed byte %llu does not start "
                       "a gzip member (%llu bytes left)",
                       r->n_members, cpos, (unsigned long long)(r->src_len - cpos));
            } else if (inflateReset(&r->zs) != Z_OK) {
                GZFAIL(AVMIT_E_FORMAT, "gzip: cannot restart inflate at byte %llu", cpos);
            }
            continue;
        }
        if (zr == Z_OK) continue;
        if (zr == Z_BUF_ERROR && r->zs.avail_in == 0 && r->in_pos == r->src_len)
            GZFAIL(AVMIT_E_TRUNCATED,
                  "gzip stream truncated: input ends at compressed byte %llu before the end of "
                  "the gzip member",
                  cpos);
        const char *zmsg = r->zs.msg ? r->zs.msg : "unknown error";
        /* zlib's messages for a bad member trailer (inflate.c) */
        if (zr == Z_DATA_ERROR && !strcmp(zmsg, "incorrect data check"))
            GZFAIL(AVMIT_E_CRC,
                  "gzip member CRC-32 mismatch at compressed byte %llu (%s)", cpos, zmsg);
        if (zr == Z_DATA_ERROR && !strcmp(zmsg, "incorrect length check"))
            GZFAIL(AVMIT_E_CRC,
                  "gzip member ISIZE mismatch at compressed byte %llu (%s)", cpos, zmsg);
        GZFAIL(zr == Z_MEM_ERROR ? AVMIT_E_NOMEM : AVMIT_E_FORMAT,
              "corrupt gzip data: inflate() failed with error %d at compressed byte %llu: %s",
              zr, cpos, zmsg);
    }
    return 0;
}

int avmit_tfrecord_reader_next(avmit_tfrecord_reader *r, const uint8_t **data, size_t *len,
                               avmit_error *err) {
    *data = NULL;
    *len = 0;
    if (r->failed) {
        if (err) *err = r->saved;
        return r->failed;
    }
    const uint8_t *p;
    size_t have;
    if (r->gzip) {
        int rc = gz_fill(r, HEADER_BYTES, err);
        if (rc) return rc;
        p = r->buf + r->start;
        have = r->end - r->start;
    } else {
        p = r->src + r->pos;
        have = r->src_len - r->pos;
    }
    if (have == 0) return 0; /* clean end at a record boundary */
    if (have < HEADER_BYTES)
        RFAIL(AVMIT_E_TRUNCATED, r->rec_off,
              "truncated record: input ends inside the 12-byte header (%zu bytes left)", have);
    uint64_t n = load_le64(p);
    uint32_t stored = load_le32(p + 8), computed = avmit_crc32c_mask(avmit_crc32c(0, p, 8));
    if (stored != computed)
        RFAIL(AVMIT_E_CRC, r->rec_off,
              "length CRC mismatch (stored 0x%08x, computed 0x%08x; length field %llu)",
              (unsigned)stored, (unsigned)computed, (unsigned long long)n);
    if (n > r->max_record)
        RFAIL(AVMIT_E_FORMAT, r->rec_off, "record length %llu exceeds the limit of %llu bytes",
              (unsigned long long)n, (unsigned long long)r->max_record);
    size_t total = (size_t)n + HEADER_BYTES + FOOTER_BYTES;
    if (r->gzip) {
        int rc = gz_fill(r, total, err);
        if (rc) return rc;
        p = r->buf + r->start;
        have = r->end - r->start;
    }
    if (have < HEADER_BYTES + (size_t)n)
        RFAIL(AVMIT_E_TRUNCATED, r->rec_off,
              "truncated record: input ends inside the data (%zu of %llu bytes present)",
              have - HEADER_BYTES, (unsigned long long)n);
    if (have < total)
        RFAIL(AVMIT_E_TRUNCATED, r->rec_off,
              "truncated record: input ends inside the 4-byte data CRC footer (%zu bytes "
              "present)",
              have - HEADER_BYTES - (size_t)n);
    const uint8_t *d = p + HEADER_BYTES;
    stored = load_le32(d + n);
    computed = avmit_crc32c_mask(avmit_crc32c(0, d, (size_t)n));
    if (stored != computed)
        RFAIL(AVMIT_E_CRC, r->rec_off + HEADER_BYTES,
              "data CRC mismatch (stored 0x%08x, computed 0x%08x; %llu data bytes)",
              (unsigned)stored, (unsigned)computed, (unsigned long long)n);
    if (r->gzip)
        r->start += total;
    else
        r->pos += total;
    r->rec_off += total;
    r->index++;
    *data = d;
    *len = (size_t)n;
    return 1;
}

long long avmit_tfrecord_reader_index(const avmit_tfrecord_reader *r) {
    return r ? r->index : -1;
}

int avmit_tfrecord_reader_is_gzip(const avmit_tfrecord_reader *r) {
    return r ? r->gzip : 0;
}

void avmit_tfrecord_reader_close(avmit_tfrecord_reader *r) {
    if (!r) return;
    if (r->zs_live) inflateEnd(&r->zs);
    free(r->buf);
    free(r->owned);
    free(r->name);
    free(r);
}

/* ---- writer ------------------------------------------------------------------------ */

struct avmit_tfrecord_writer {
    avmit_atomic_file *file;
    FILE *fp;
    char *path;
    int gzip;
    z_stream zs;
    int zs_live;
    uint8_t out[1u << 16];
};

void avmit_tfrecord_frame(uint8_t *out, const void *data, size_t n) {
    store_le64(out, (uint64_t)n);
    store_le32(out + 8, avmit_crc32c_mask(avmit_crc32c(0, out, 8)));
    if (n) memcpy(out + HEADER_BYTES, data, n);
    store_le32(out + HEADER_BYTES + n, avmit_crc32c_mask(avmit_crc32c(0, data, n)));
}

int avmit_tfrecord_writer_open(avmit_tfrecord_writer **out, const char *path,
                               avmit_compression compression, int make_dirs, avmit_error *err) {
    *out = NULL;
    if (compression != AVMIT_COMPRESSION_NONE && compression != AVMIT_COMPRESSION_GZIP)
        return avmit_error_path(err, AVMIT_E_ARG, path,
                                "writer compression must be NONE or GZIP (got %d)",
                                (int)compression);
    avmit_tfrecord_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return AVMIT_NOMEM_AT(err, path, "tfrecord_writer_open");
    }
    w->gzip = compression == AVMIT_COMPRESSION_GZIP;
    if (w->gzip) {
        /* TF's ZlibCompressionOptions: level -1 (6), deflate, window 15 + 16, memLevel 9. */
        if (deflateInit2(&w->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 9,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            free(w->path);
            free(w);
            return avmit_error_path(err, AVMIT_E_NOMEM, path, "cannot start zlib deflate");
        }
        w->zs_live = 1;
    }
    int rc = avmit_atomic_open(&w->file, path, make_dirs, err);
    if (rc) {
        avmit_tfrecord_writer_abort(w);
        return rc;
    }
    w->fp = avmit_atomic_stream(w->file);
    *out = w;
    return 0;
}

static int writer_put(avmit_tfrecord_writer *w, const void *p, size_t n, avmit_error *err) {
    if (n && fwrite(p, 1, n, w->fp) != n)
        return avmit_error_path(err, AVMIT_E_IO, w->path, "write failed: %s", strerror(errno));
    return 0;
}

/* Feed bytes through deflate (flush = Z_NO_FLUSH or Z_FINISH) or straight to the file. */
static int writer_feed(avmit_tfrecord_writer *w, const void *data, size_t n, int flush,
                       avmit_error *err) {
    if (!w->gzip) return writer_put(w, data, n, err);
    const uint8_t *p = (const uint8_t *)data;
    do {
        size_t chunk = n > GZ_IN_CHUNK ? GZ_IN_CHUNK : n;
        int last = chunk == n;
        w->zs.next_in = (Bytef *)(uintptr_t)p;
        w->zs.avail_in = (uInt)chunk;
        int mode = last ? flush : Z_NO_FLUSH, zr;
        do {
            w->zs.next_out = w->out;
            w->zs.avail_out = sizeof w->out;
            zr = deflate(&w->zs, mode);
            if (zr == Z_STREAM_ERROR)
                return avmit_error_path(err, AVMIT_E_IO, w->path, "deflate failed");
            int rc = writer_put(w, w->out, sizeof w->out - w->zs.avail_out, err);
            if (rc) return rc;
        } while (w->zs.avail_out == 0 || (mode == Z_FINISH && zr != Z_STREAM_END));
        p += chunk;
        n -= chunk;
    } while (n);
    return 0;
}

int avmit_tfrecord_writer_write(avmit_tfrecord_writer *w, const void *data, size_t n,
                                avmit_error *err) {
    uint8_t head[HEADER_BYTES], foot[FOOTER_BYTES];
    store_le64(head, (uint64_t)n);
    store_le32(head + 8, avmit_crc32c_mask(avmit_crc32c(0, head, 8)));
    store_le32(foot, avmit_crc32c_mask(avmit_crc32c(0, data, n)));
    int rc = writer_feed(w, head, sizeof head, Z_NO_FLUSH, err);
    if (!rc) rc = writer_feed(w, data, n, Z_NO_FLUSH, err);
    if (!rc) rc = writer_feed(w, foot, sizeof foot, Z_NO_FLUSH, err);
    return rc;
}

int avmit_tfrecord_writer_commit(avmit_tfrecord_writer *w, avmit_error *err) {
    int rc = 0;
    if (w->gzip) rc = writer_feed(w, NULL, 0, Z_FINISH, err);
    if (rc) {
        avmit_tfrecord_writer_abort(w);
        return rc;
    }
    rc = avmit_atomic_commit(w->file, err);
    w->file = NULL;
    if (w->zs_live) deflateEnd(&w->zs);
    free(w->path);
    free(w);
    return rc;
}

void avmit_tfrecord_writer_abort(avmit_tfrecord_writer *w) {
    if (!w) return;
    avmit_atomic_abort(w->file);
    if (w->zs_live) deflateEnd(&w->zs);
    free(w->path);
    free(w);
}
