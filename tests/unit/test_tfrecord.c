/* test_tfrecord.c — TFRecord framing (FORMATS.md §1): the worked records,
 * round trips (NONE, GZIP, several gzip members, memory and file), and every
 * corrupt case with its code and a message naming record index and offset. */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "avmit/fileio.h"
#include "avmit/tfrecord.h"
#include "testutil.h"

/* A growable byte buffer. */
typedef struct bytes {
    uint8_t *b;
    size_t n;
} bytes;

static void put(bytes *o, const void *d, size_t n) {
    o->b = realloc(o->b, o->n + n + 1);
    if (n) memcpy(o->b + o->n, d, n);
    o->n += n;
}

static size_t rec_len(int i) { /* varied sizes; record 5 spans several inflate buffers */
    return i == 5 ? 300000 : (size_t)(i * 37 % 1500);
}

static void rec_data(int i, uint8_t *d, size_t n) {
    for (size_t k = 0; k < n; k++) d[k] = (uint8_t)(k * 7 + (size_t)i * 31 + (k >> 9));
}

/* The uncompressed stream of n records; offs[i] = offset of record i. */
static bytes make_stream(int n, size_t *offs) {
    bytes s = {NULL, 0};
    for (int i = 0; i < n; i++) {
        size_t len = rec_len(i);
        uint8_t *d = malloc(len + 16), *f = malloc(len + 16);
        rec_data(i, d, len);
        avmit_tfrecord_frame(f, d, len);
        if (offs) offs[i] = s.n;
        put(&s, f, len + 16);
        free(d);
        free(f);
    }
    return s;
}

static bytes gzip_bytes(const uint8_t *d, size_t n) {
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
    bytes o = {malloc(deflateBound(&z, n) + 64), 0};
    z.next_in = (Bytef *)(uintptr_t)d;
    z.avail_in = (uInt)n;
    z.next_out = o.b;
    z.avail_out = (uInt)(deflateBound(&z, n) + 64);
    deflate(&z, Z_FINISH);
    o.n = z.total_out;
    deflateEnd(&z);
    return o;
}

/* Read everything; returns the number of records read (n_ok) and the final rc. */
static int read_all(const void *buf, size_t n, avmit_compression c, int *n_ok, avmit_error *err,
                    int check_content) {
    avmit_tfrecord_reader *r;
    *n_ok = 0;
    int rc = avmit_tfrecord_reader_open_memory(&r, buf, n, "mem.tfrecord", c, err);
    if (rc) return rc;
    const uint8_t *d;
    size_t len;
    int bad_content = 0;
    while ((rc = avmit_tfrecord_reader_next(r, &d, &len, err)) == 1) {
        if (check_content) {
            uint8_t *want = malloc(rec_len(*n_ok) + 1);
            rec_data(*n_ok, want, rec_len(*n_ok));
            if (len != rec_len(*n_ok) || (len && memcmp(want, d, len))) bad_content = 1;
            free(want);
        }
        if (avmit_tfrecord_reader_index(r) != *n_ok) bad_content = 1;
        (*n_ok)++;
    }
    CHECK(!bad_content, "record contents/indexes read back wrong");
    avmit_tfrecord_reader_close(r);
    return rc;
}

static void expect_fail(const char *what, const void *buf, size_t n, avmit_compression c,
                        int code, const char *frag1, const char *frag2) {
    avmit_error err;
    avmit_error_clear(&err);
    int n_ok;
    int rc = read_all(buf, n, c, &n_ok, &err, 0);
    CHECK(rc == code, "%s: rc %d (%s), expected %d", what, rc, err.msg, code);
    CHECK(test_contains(err.msg, frag1), "%s: \"%s\" lacks \"%s\"", what, err.msg, frag1);
    if (frag2)
        CHECK(test_contains(err.msg, frag2), "%s: \"%s\" lacks \"%s\"", what, err.msg, frag2);
}

static void test_worked_records(void) {
    uint8_t out[19];
    const uint8_t abc[19] = {3,    0,    0,    0,    0,    0, 0, 0, 0xb0, 0x99,
                             0x49, 0x0e, 0x61, 0x62, 0x63, 0x6e, 0x57, 0xf1, 0x21};
    avmit_tfrecord_frame(out, "abc", 3);
    CHECK(!memcmp(out, abc, 19), "frame(\"abc\") = FORMATS.md §1.3 bytes");
    const uint8_t empty[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0x29, 0x03, 0x98, 0x07, 0xd8, 0xea, 0x82, 0xa2};
    avmit_tfrecord_frame(out, NULL, 0);
    CHECK(!memcmp(out, empty, 16), "frame(empty) = FORMATS.md §1.3 bytes");
    /* and they read back */
    bytes s = {NULL, 0};
    put(&s, abc, 19);
    put(&s, empty, 16);
    avmit_tfrecord_reader *r;
    CHECK_INT(avmit_tfrecord_reader_open_memory(&r, s.b, s.n, "w", AVMIT_COMPRESSION_AUTO, NULL), 0);
    const uint8_t *d;
    size_t len;
    CHECK(avmit_tfrecord_reader_next(r, &d, &len, NULL) == 1 && len == 3 && !memcmp(d, "abc", 3),
          "read \"abc\"");
    CHECK(avmit_tfrecord_reader_next(r, &d, &len, NULL) == 1 && len == 0, "read empty record");
    CHECK_INT(avmit_tfrecord_reader_next(r, &d, &len, NULL), 0);
    CHECK_INT(avmit_tfrecord_reader_is_gzip(r), 0);
    avmit_tfrecord_reader_close(r);
    free(s.b);
}

static int count_dir(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.')) n++;
    if (d) closedir(d);
    return n;
}

static void test_roundtrip(void) {
    enum { N = 200 };
    bytes s = make_stream(N, NULL);
    int n_ok;
    avmit_error err;
    CHECK_INT(read_all(s.b, s.n, AVMIT_COMPRESSION_AUTO, &n_ok, &err, 1), 0);
    CHECK_INT(n_ok, N);
    bytes g = gzip_bytes(s.b, s.n);
    CHECK_INT(read_all(g.b, g.n, AVMIT_COMPRESSION_AUTO, &n_ok, &err, 1), 0);
    CHECK_INT(n_ok, N);
    CHECK_INT(read_all(g.b, g.n, AVMIT_COMPRESSION_GZIP, &n_ok, &err, 1), 0);

    /* the writer, both modes, through files */
    for (int gz = 0; gz < 2; gz++) {
        const char *path = test_path(gz ? "rt/many.tfrecord.gz" : "rt/many.tfrecord");
        avmit_tfrecord_writer *w;
        CHECK_INT(avmit_tfrecord_writer_open(&w, path, gz ? AVMIT_COMPRESSION_GZIP
                                                          : AVMIT_COMPRESSION_NONE, 1, &err), 0);
        for (int i = 0; i < N; i++) {
            size_t len = rec_len(i);
            uint8_t *d = malloc(len + 1);
            rec_data(i, d, len);
            CHECK_INT(avmit_tfrecord_writer_write(w, d, len, &err), 0);
            free(d);
        }
        CHECK_INT(avmit_tfrecord_writer_commit(w, &err), 0);
        unsigned char *f;
        size_t fn;
        CHECK_INT(avmit_read_file(path, &f, &fn, NULL), 0);
        if (gz) {
            const uint8_t head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
            CHECK(!memcmp(f, head, 10), "writer's gzip header is zlib's 1f 8b 08 00 0 0 03");
            /* one member: zlib's decompression of it alone gives the whole stream */
            uLongf un = (uLongf)s.n;
            uint8_t *plain = malloc(s.n);
            z_stream z;
            memset(&z, 0, sizeof z);
            inflateInit2(&z, 31);
            z.next_in = f;
            z.avail_in = (uInt)fn;
            z.next_out = plain;
            z.avail_out = (uInt)un;
            int zr = inflate(&z, Z_FINISH);
            CHECK(zr == Z_STREAM_END && z.total_out == s.n && z.avail_in == 0 &&
                      !memcmp(plain, s.b, s.n),
                  "gzip output is one member holding exactly the framed records");
            inflateEnd(&z);
            free(plain);
        } else {
            CHECK(fn == s.n && !memcmp(f, s.b, fn), "NONE output = the framed records");
        }
        free(f);
        avmit_tfrecord_reader *r;
        CHECK_INT(avmit_tfrecord_reader_open(&r, path, AVMIT_COMPRESSION_AUTO, &err), 0);
        CHECK_INT(avmit_tfrecord_reader_is_gzip(r), gz);
        const uint8_t *d;
        size_t len;
        int n = 0;
        while (avmit_tfrecord_reader_next(r, &d, &len, &err) == 1) n++;
        CHECK_INT(n, N);
        avmit_tfrecord_reader_close(r);
    }
    CHECK_INT(count_dir(test_path("rt")), 2); /* no temporary files left behind */
    avmit_tfrecord_writer *w;
    CHECK_INT(avmit_tfrecord_writer_open(&w, test_path("rt/aborted"), AVMIT_COMPRESSION_GZIP, 1,
                                         &err), 0);
    avmit_tfrecord_writer_write(w, "x", 1, &err);
    avmit_tfrecord_writer_abort(w);
    CHECK_INT(count_dir(test_path("rt")), 2);

    /* concatenated gzip members: records continue across the member boundary, even when a
       record is split between members */
    size_t cut = s.n / 2 + 3;
    bytes g1 = gzip_bytes(s.b, cut), g2 = gzip_bytes(s.b + cut, s.n - cut), cat = {NULL, 0};
    put(&cat, g1.b, g1.n);
    put(&cat, g2.b, g2.n);
    CHECK_INT(read_all(cat.b, cat.n, AVMIT_COMPRESSION_AUTO, &n_ok, &err, 1), 0);
    CHECK_INT(n_ok, N);
    /* an empty member in between is fine too */
    bytes e = gzip_bytes((const uint8_t *)"", 0), cat3 = {NULL, 0};
    put(&cat3, g1.b, g1.n);
    put(&cat3, e.b, e.n);
    put(&cat3, g2.b, g2.n);
    CHECK_INT(read_all(cat3.b, cat3.n, AVMIT_COMPRESSION_AUTO, &n_ok, &err, 1), 0);
    CHECK_INT(n_ok, N);
    /* empty input = zero records */
    CHECK_INT(read_all("", 0, AVMIT_COMPRESSION_AUTO, &n_ok, &err, 1), 0);
    CHECK_INT(read_all(e.b, e.n, AVMIT_COMPRESSION_AUTO, &n_ok, &err, 1), 0);
    CHECK_INT(n_ok, 0);
    free(s.b);
    free(g.b);
    free(g1.b);
    free(g2.b);
    free(e.b);
    free(cat.b);
    free(cat3.b);
}

static void test_corrupt(void) {
    enum { N = 6 };
    size_t off[N];
    bytes s = make_stream(N, off);
    bytes c = {malloc(s.n + 64), s.n};
    char at[64], at12[64];
    snprintf(at, sizeof at, "record 2 at byte %zu: ", off[2]);
    snprintf(at12, sizeof at12, "record 2 at byte %zu: ", off[2] + 12);

    memcpy(c.b, s.b, s.n);
    c.b[off[2] + 9] ^= 0x40;
    expect_fail("bad length CRC", c.b, c.n, AVMIT_COMPRESSION_NONE, AVMIT_E_CRC, at,
                "length CRC mismatch (stored 0x");
    bytes g = gzip_bytes(c.b, c.n); /* the same inside gzip: same offsets (uncompressed) */
    expect_fail("bad length CRC (gzip)", g.b, g.n, AVMIT_COMPRESSION_AUTO, AVMIT_E_CRC, at,
                "computed 0x");
    free(g.b);

    memcpy(c.b, s.b, s.n);
    c.b[off[2] + 20] ^= 0x01;
    expect_fail("bad data CRC", c.b, c.n, AVMIT_COMPRESSION_NONE, AVMIT_E_CRC, at12,
                "data CRC mismatch (stored 0x");
    memcpy(c.b, s.b, s.n);
    expect_fail("truncated in header", c.b, off[2] + 5, AVMIT_COMPRESSION_NONE,
                AVMIT_E_TRUNCATED, at, "inside the 12-byte header (5 bytes left)");
    expect_fail("truncated in data", c.b, off[2] + 14, AVMIT_COMPRESSION_NONE, AVMIT_E_TRUNCATED,
                at, "inside the data (2 of");
    expect_fail("truncated in footer", c.b, off[3] - 1, AVMIT_COMPRESSION_NONE,
                AVMIT_E_TRUNCATED, at, "inside the 4-byte data CRC footer (3 bytes present)");
    g = gzip_bytes(c.b, off[3] - 1);
    expect_fail("truncated in footer (gzip)", g.b, g.n, AVMIT_COMPRESSION_AUTO,
                AVMIT_E_TRUNCATED, at, "footer");
    free(g.b);

    /* gzip damage */
    g = gzip_bytes(s.b, s.n);
    char last[64];
    snprintf(last, sizeof last, "mem.tfrecord: byte %zu: ", s.n); /* where inflate stopped */
    expect_fail("truncated gzip (in trailer)", g.b, g.n - 3, AVMIT_COMPRESSION_AUTO,
                AVMIT_E_TRUNCATED, last, "gzip stream truncated");
    expect_fail("truncated gzip (in deflate data)", g.b, g.n / 2, AVMIT_COMPRESSION_AUTO,
                AVMIT_E_TRUNCATED, "mem.tfrecord: byte ", "gzip stream truncated");
    bytes d = {malloc(g.n + 16), g.n};
    memcpy(d.b, g.b, g.n);
    d.b[g.n - 8] ^= 0xff; /* CRC-32 of the member */
    expect_fail("bad gzip CRC", d.b, d.n, AVMIT_COMPRESSION_AUTO, AVMIT_E_CRC, last,
                "gzip member CRC-32 mismatch");
    memcpy(d.b, g.b, g.n);
    d.b[g.n - 1] ^= 0x01; /* ISIZE */
    expect_fail("bad gzip ISIZE", d.b, d.n, AVMIT_COMPRESSION_AUTO, AVMIT_E_CRC, last,
                "gzip member ISIZE mismatch");
    memcpy(d.b, g.b, g.n);
    d.b[3] = 0xe0; /* reserved FLG bits */
    expect_fail("corrupt gzip header", d.b, d.n, AVMIT_COMPRESSION_AUTO, AVMIT_E_FORMAT,
                "mem.tfrecord: byte 0: ", "corrupt gzip data: inflate() failed");
    memcpy(d.b, g.b, g.n);
    memcpy(d.b + g.n, "garbage!", 8);
    d.n = g.n + 8;
    expect_fail("trailing garbage after gzip", d.b, d.n, AVMIT_COMPRESSION_AUTO, AVMIT_E_FORMAT,
                last, "trailing data after gzip member 1");
    memset(d.b + g.n, 0, 8);
    expect_fail("trailing zeros after gzip", d.b, d.n, AVMIT_COMPRESSION_AUTO, AVMIT_E_FORMAT,
                last, "does not start a gzip member");
    expect_fail("forced GZIP on plain records", s.b, s.n, AVMIT_COMPRESSION_GZIP, AVMIT_E_FORMAT,
                "mem.tfrecord: byte 0: ", "corrupt gzip data");
    free(d.b);
    free(g.b);

    /* length over the cap: a valid header announcing 2^32 bytes */
    uint8_t big[12] = {0, 0, 0, 0, 1, 0, 0, 0};
    uint32_t crc = avmit_crc32c_mask(avmit_crc32c(0, big, 8));
    for (int i = 0; i < 4; i++) big[8 + i] = (uint8_t)(crc >> (8 * i));
    expect_fail("length over the cap", big, 12, AVMIT_COMPRESSION_NONE, AVMIT_E_FORMAT,
                "record 0 at byte 0: ", "record length 4294967296 exceeds the limit of 2147483648");
    avmit_tfrecord_reader *r;
    avmit_error err;
    CHECK_INT(avmit_tfrecord_reader_open_memory(&r, s.b, s.n, "m", AVMIT_COMPRESSION_NONE, &err), 0);
    avmit_tfrecord_reader_set_max_record(r, 100);
    const uint8_t *p;
    size_t len;
    int rc;
    int n_ok = 0;
    while ((rc = avmit_tfrecord_reader_next(r, &p, &len, &err)) == 1) n_ok++;
    /* record lengths 0, 37, 74, 111: record 3 at byte 16 + 53 + 90 is the first over 100 */
    CHECK(rc == AVMIT_E_FORMAT && n_ok == 3 && test_contains(err.msg, "m: record 3 at byte 159: ") &&
              test_contains(err.msg, "record length 111 exceeds the limit of 100 bytes"),
          "cap 100: rc %d after %d records: %s", rc, n_ok, err.msg);
    /* the error is sticky */
    avmit_error again;
    CHECK(avmit_tfrecord_reader_next(r, &p, &len, &again) == rc && !strcmp(again.msg, err.msg),
          "a failed reader repeats its error");
    avmit_tfrecord_reader_close(r);
    free(c.b);
    free(s.b);
}

static void test_auto_detect(void) {
    /* an uncompressed record of 0x8b1f bytes starts 1f 8b like gzip; its header CRC
       makes AUTO read it as uncompressed */
    size_t n = 0x8b1f;
    uint8_t *d = calloc(1, n + 16);
    avmit_tfrecord_frame(d, d + 16, 0); /* placeholder, rewritten below */
    uint8_t *data = calloc(1, n);
    avmit_tfrecord_frame(d, data, n);
    CHECK(d[0] == 0x1f && d[1] == 0x8b, "the record starts 1f 8b");
    int n_ok;
    avmit_error err;
    int rc = read_all(d, n + 16, AVMIT_COMPRESSION_AUTO, &n_ok, &err, 0);
    CHECK(rc == 0 && n_ok == 1, "AUTO on a 1f 8b uncompressed record: rc %d %s", rc, err.msg);
    free(d);
    free(data);
}

int main(void) {
    test_worked_records();
    test_roundtrip();
    test_corrupt();
    test_auto_detect();
    return test_finish("test_tfrecord");
}
