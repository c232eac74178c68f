/* test_npy.c — .npy reader/writer (include/avmit/npy.h, FORMATS.md §9). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/npy.h"
#include "testutil.h"

/* FORMATS.md §9: numpy 1.24 np.save of float32 [[1.5, 2], [3, -1]], 144 bytes. */
static void build_formats_example(uint8_t *b) {
    static const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    memcpy(b, "\x93NUMPY\x01\x00\x76\x00", 10);
    memcpy(b + 10, dict, 59);
    memset(b + 69, ' ', 58);
    b[127] = '\n';
    static const uint8_t data[16] = {0, 0, 0xc0, 0x3f, 0, 0, 0, 0x40,
                                     0, 0, 0x40, 0x40, 0, 0, 0x80, 0xbf};
    memcpy(b + 128, data, 16);
}

static void test_formats_example(void) {
    uint8_t want[144];
    build_formats_example(want);
    const float v[4] = {1.5f, 2.0f, 3.0f, -1.0f};
    const int64_t shape[2] = {2, 2};
    uint8_t *got;
    size_t n;
    avmit_error err;
    CHECK_INT(avmit_npy_encode(&got, &n, AVMIT_DTYPE_F32, 2, shape, v, &err), 0);
    CHECK_INT(n, 144);
    CHECK(n == 144 && memcmp(got, want, 144) == 0, "encoder output differs from the FORMATS §9 bytes");
    free(got);

    /* And the file written by avmit_npy_write is the same bytes. */
    const char *p = test_path("example.npy");
    CHECK_INT(avmit_npy_write(p, AVMIT_DTYPE_F32, 2, shape, v, &err), 0);
    FILE *f = fopen(p, "rb");
    uint8_t fb[200];
    size_t fn = f ? fread(fb, 1, sizeof fb, f) : 0;
    if (f) fclose(f);
    CHECK(fn == 144 && memcmp(fb, want, 144) == 0, "written file differs from FORMATS §9");

    avmit_array a;
    CHECK_INT(avmit_npy_parse(&a, want, 144, "ex.npy", &err), 0);
    CHECK_INT(a.dtype, AVMIT_DTYPE_F32);
    CHECK_INT(a.ndim, 2);
    CHECK_INT(a.shape[0], 2);
    CHECK_INT(a.shape[1], 2);
    CHECK(a.data && memcmp(a.data, v, 16) == 0, "parsed data differs");
    avmit_array_free(&a);
}

/* Header bytes numpy 1.24 writes for a 1-D, a scalar and an empty array. */
static void test_header_shapes(void) {
    struct {
        avmit_dtype t;
        int ndim;
        int64_t shape[2];
        const char *dict;
    } cases[] = {
        {AVMIT_DTYPE_I16, 1, {3, 0}, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }"},
        {AVMIT_DTYPE_F64, 0, {0, 0}, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }"},
        {AVMIT_DTYPE_U8, 2, {0, 5}, "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 5), }"},
        {AVMIT_DTYPE_BOOL, 1, {0, 0}, "{'descr': '|b1', 'fortran_order': False, 'shape': (0,), }"},
    };
    static const uint8_t zeros[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *got;
        size_t n;
        CHECK_INT(avmit_npy_encode(&got, &n, cases[i].t, cases[i].ndim, cases[i].shape, zeros, NULL), 0);
        size_t dl = strlen(cases[i].dict);
        CHECK_INT(got[8] | (got[9] << 8), 118);
        CHECK(memcmp(got + 10, cases[i].dict, dl) == 0, "case %zu: dict text differs", i);
        int spaces_ok = 1;
        for (size_t k = 10 + dl; k < 127; k++) spaces_ok &= got[k] == ' ';
        CHECK(spaces_ok && got[127] == '\n', "case %zu: padding is not spaces + newline", i);
        free(got);
    }
}

/* A value of each dtype written, parsed back, and converted to float32. */
static void test_round_trip_all_dtypes(void) {
    const avmit_dtype ts[] = {AVMIT_DTYPE_F32, AVMIT_DTYPE_F64, AVMIT_DTYPE_U8,  AVMIT_DTYPE_I8,
                              AVMIT_DTYPE_I16, AVMIT_DTYPE_U16, AVMIT_DTYPE_I32, AVMIT_DTYPE_U32,
                              AVMIT_DTYPE_I64, AVMIT_DTYPE_U64, AVMIT_DTYPE_BOOL};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        size_t isz = avmit_dtype_size(ts[i]);
        uint8_t data[6 * 8];
        for (size_t k = 0; k < 6; k++) {
            /* values 0..5 (0/1 for bool), stored little-endian in isz bytes */
            memset(data + k * isz, 0, isz);
            unsigned v = ts[i] == AVMIT_DTYPE_BOOL ? (unsigned)(k & 1) : (unsigned)k;
            if (ts[i] == AVMIT_DTYPE_F32) {
                float f = (float)v;
                memcpy(data + k * isz, &f, 4);
            } else if (ts[i] == AVMIT_DTYPE_F64) {
                double d = v;
                memcpy(data + k * isz, &d, 8);
            } else {
                data[k * isz] = (uint8_t)v;
            }
        }
        const int64_t shape[2] = {2, 3};
        char name[64];
        snprintf(name, sizeof name, "rt_%s.npy", avmit_dtype_descr(ts[i]) + 1);
        const char *p = test_path(name);
        avmit_error err;
        CHECK_INT(avmit_npy_write(p, ts[i], 2, shape, data, &err), 0);
        avmit_array a;
        CHECK_INT(avmit_npy_read(&a, p, &err), 0);
        CHECK_INT(a.dtype, ts[i]);
        CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3, "%s: shape", name);
        CHECK(a.data && memcmp(a.data, data, 6 * isz) == 0, "%s: data differs", name);
        avmit_array_free(&a);
        CHECK_INT(avmit_npy_read_f32(&a, p, &err), 0);
        CHECK_INT(a.dtype, AVMIT_DTYPE_F32);
        int ok = a.data != NULL;
        for (size_t k = 0; ok && k < 6; k++)
            ok = ((float *)a.data)[k] == (float)(ts[i] == AVMIT_DTYPE_BOOL ? (k & 1) : k);
        CHECK(ok, "%s: float32 conversion differs", name);
        avmit_array_free(&a);
    }
}

/* Build an image with a custom header dict (padded to 64) + raw data. */
static size_t make_npy(uint8_t *buf, int major, const char *dict, const void *data, size_t n) {
    size_t lsz = major == 1 ? 2 : 4, hl = strlen(dict);
    size_t pad = 64 - ((6 + 2 + lsz + hl + 1) % 64);
    size_t htot = hl + pad + 1;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (uint8_t)major;
    buf[7] = 0;
    buf[8] = (uint8_t)htot;
    buf[9] = (uint8_t)(htot >> 8);
    if (lsz == 4) buf[10] = buf[11] = 0;
    memcpy(buf + 8 + lsz, dict, hl);
    memset(buf + 8 + lsz + hl, ' ', pad);
    buf[8 + lsz + htot - 1] = '\n';
    memcpy(buf + 8 + lsz + htot, data, n);
    return 8 + lsz + htot + n;
}

/* Big-endian, Fortran order, v2/v3, odd spacing and key order are all read. */
static void test_accepted_variants(void) {
    uint8_t buf[512];
    avmit_array a;
    avmit_error err;
    /* >i4 [1, 2, 258] */
    const uint8_t be[12] = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 2};
    size_t n = make_npy(buf, 1, "{'descr': '>i4', 'fortran_order': False, 'shape': (3,), }", be, 12);
    CHECK_INT(avmit_npy_parse(&a, buf, n, "be.npy", &err), 0);
    CHECK(a.data && ((int32_t *)a.data)[0] == 1 && ((int32_t *)a.data)[2] == 258,
          "big-endian int32 not swapped");
    avmit_array_free(&a);

    /* Fortran [[1,2,3],[4,5,6]] is stored column-major: 1 4 2 5 3 6 */
    const float fo[6] = {1, 4, 2, 5, 3, 6};
    n = make_npy(buf, 2, "{\"shape\":(2,3),\"fortran_order\":True,\"descr\":\"<f4\"}", fo, 24);
    CHECK_INT(avmit_npy_parse(&a, buf, n, "fo.npy", &err), 0);
    int ok = a.data && a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3;
    for (int k = 0; ok && k < 6; k++) ok = ((float *)a.data)[k] == (float)(k + 1);
    CHECK(ok, "Fortran order not transposed to C order");
    avmit_array_free(&a);

    /* Fortran, 3-D, big-endian f8: element (i,j,k) = 100i + 10j + k at i + 2j + 4k */
    uint8_t f3[2 * 2 * 3 * 8];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 3; k++) {
                double d = 100 * i + 10 * j + k;
                uint8_t le[8];
                memcpy(le, &d, 8);
                for (int b = 0; b < 8; b++) f3[(i + 2 * j + 4 * k) * 8 + b] = le[7 - b];
            }
    n = make_npy(buf, 3, "{ 'descr' : '>f8' , 'fortran_order' : True , 'shape' : ( 2 , 2 , 3 , ) , }",
                 f3, sizeof f3);
    CHECK_INT(avmit_npy_parse(&a, buf, n, "f3.npy", &err), 0);
    ok = a.data && a.ndim == 3;
    for (int i = 0; ok && i < 2; i++)
        for (int j = 0; ok && j < 2; j++)
            for (int k = 0; ok && k < 3; k++)
                ok = ((double *)a.data)[i * 6 + j * 3 + k] == 100 * i + 10 * j + k;
    CHECK(ok, "3-D big-endian Fortran f8 read wrong");
    avmit_array_free(&a);
}

static void expect_reject(const uint8_t *buf, size_t n, int code, const char *needle) {
    avmit_array a;
    avmit_error err;
    avmit_error_clear(&err);
    int r = avmit_npy_parse(&a, buf, n, "bad.npy", &err);
    CHECK(r == code, "expected %s, got %s (%s) for '%s'", avmit_strerror(code), avmit_strerror(r),
          err.msg, needle);
    CHECK(test_contains(err.msg, needle) && test_contains(err.msg, "bad.npy"),
          "message '%s' lacks '%s'", err.msg, needle);
    CHECK(a.data == NULL, "output not empty on error");
}

static void test_rejections(void) {
    uint8_t buf[512], good[144];
    build_formats_example(good);
    const float d4[4] = {0};
    size_t n;

    memcpy(buf, good, 144);
    buf[1] = 'X';
    expect_reject(buf, 144, AVMIT_E_FORMAT, "magic");
    memcpy(buf, good, 144);
    buf[6] = 4;
    expect_reject(buf, 144, AVMIT_E_UNSUPPORTED, "version 4.0");
    expect_reject(good, 143, AVMIT_E_TRUNCATED, "expected 16 data bytes");
    memcpy(buf, good, 144);
    buf[144] = 0;
    expect_reject(buf, 145, AVMIT_E_FORMAT, "found 17");
    expect_reject(good, 100, AVMIT_E_TRUNCATED, "runs past the end");
    expect_reject(good, 5, AVMIT_E_FORMAT, "magic");
    memcpy(buf, good, 144);
    buf[127] = ' ';
    expect_reject(buf, 144, AVMIT_E_FORMAT, "does not end with");

    n = make_npy(buf, 1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", d4, 8);
    expect_reject(buf, n, AVMIT_E_UNSUPPORTED, "object");
    n = make_npy(buf, 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", d4, 8);
    expect_reject(buf, n, AVMIT_E_UNSUPPORTED, "complex");
    n = make_npy(buf, 1, "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", d4, 12);
    expect_reject(buf, n, AVMIT_E_UNSUPPORTED, "string");
    n = make_npy(buf, 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", d4, 2);
    expect_reject(buf, n, AVMIT_E_UNSUPPORTED, "'<f2'");
    n = make_npy(buf, 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", d4, 4);
    expect_reject(buf, n, AVMIT_E_UNSUPPORTED, "structured");
    n = make_npy(buf, 1, "{'descr': 'xyz', 'fortran_order': False, 'shape': (1,), }", d4, 4);
    expect_reject(buf, n, AVMIT_E_UNSUPPORTED, "'xyz'");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "key 'shape' is missing");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "unexpected key 'x'");
    n = make_npy(buf, 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "duplicate key 'descr'");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "True or False");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "not a tuple");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "negative");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "a list");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "more than 8 dimensions");
    n = make_npy(buf, 1,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", d4, 4);
    expect_reject(buf, n, AVMIT_E_RANGE, "overflows");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "too large");
    n = make_npy(buf, 1, "['descr', '<f4']", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "expected a dict");
    n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} extra", d4, 4);
    expect_reject(buf, n, AVMIT_E_FORMAT, "after the dict");
    const uint8_t b2 = 2;
    n = make_npy(buf, 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (1,)}", &b2, 1);
    expect_reject(buf, n, AVMIT_E_FORMAT, "expected 0 or 1");
}

int main(void) {
    test_formats_example();
    test_header_shapes();
    test_round_trip_all_dtypes();
    test_accepted_variants();
    test_rejections();
    return test_finish("test_npy");
}
