/*
 * test_safetensors.c — FORMATS.md §8 and §10: the tensor.rs test vector byte
 * for byte (writer) and back (reader), space padding to 8 bytes, writer order
 * (descending alignment, then name; __metadata__ first), and each rejection of
 * the reference reader with the tensor named.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/safetensors.h"
#include "testutil.h"

static const char k_json[] = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";

/* 8-byte length + header + payload. */
static size_t image(uint8_t *buf, const char *hdr, const void *data, size_t n) {
    size_t h = strlen(hdr);
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((unsigned long long)h >> (8 * i));
    memcpy(buf + 8, hdr, h);
    memcpy(buf + 8 + h, data, n);
    return 8 + h + n;
}

static void expect_reject(const char *what, const char *hdr, size_t payload, const char *needle) {
    uint8_t buf[1024];
    float data[64] = {0};
    size_t n = image(buf, hdr, data, payload);
    avmit_safetensors st;
    avmit_error err;
    avmit_error_clear(&err);
    int rc = avmit_safetensors_parse(&st, buf, n, "t.safetensors", &err);
    CHECK(rc != 0, "%s: accepted", what);
    CHECK(test_contains(err.msg, needle), "%s: message '%s' lacks '%s'", what, err.msg, needle);
}

int main(void) {
    float vals[6] = {0, 1, 2, 3, 4, 5};
    int64_t shape[3] = {1, 2, 3};
    avmit_st_entry e = {"attn.0", AVMIT_DTYPE_F32, 3, shape, vals};
    uint8_t *img;
    size_t n;
    avmit_error err;
    CHECK_INT(avmit_safetensors_encode(&img, &n, &e, 1, NULL, 0, &err), 0);
    CHECK_INT(n, 96);
    CHECK(img[0] == 64 && !memcmp(img + 8, k_json, 64), "tensor.rs test vector header");
    static const uint8_t tail[8] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40};
    CHECK(!memcmp(img + 76, tail, 8), "payload 0,1 as float32 LE");
    avmit_safetensors st;
    CHECK_INT(avmit_safetensors_parse(&st, img, n, "v", &err), 0);
    const avmit_st_tensor *t = avmit_safetensors_find(&st, "attn.0");
    CHECK(t && t->ndim == 3 && t->shape[2] == 3 && !strcmp(t->dtype, "F32"), "read back");
    float got[6];
    CHECK_INT(avmit_safetensors_get_f32(&st, "v", "attn.0", 3, shape, got, &err), 0);
    CHECK(!memcmp(got, vals, sizeof got), "values read back");
    int64_t wrong[3] = {1, 3, 2};
    CHECK_INT(avmit_safetensors_get_f32(&st, "v", "attn.0", 3, wrong, got, &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "tensor 'attn.0' is F32 (1, 2, 3), expected F32 (1, 3, 2)"), "%s", err.msg);
    CHECK_INT(avmit_safetensors_get_f32(&st, "v", "nope", 3, wrong, got, &err), AVMIT_E_NOTFOUND);
    avmit_safetensors_free(&st);
    free(img);

    /* name attn0, shape [1,1,2,3]: 65-byte JSON padded with 7 spaces (N = 72) */
    int64_t s4[4] = {1, 1, 2, 3};
    avmit_st_entry e4 = {"attn0", AVMIT_DTYPE_F32, 4, s4, vals};
    CHECK_INT(avmit_safetensors_encode(&img, &n, &e4, 1, NULL, 0, &err), 0);
    CHECK(img[0] == 72 && !memcmp(img + 8 + 65, "       ", 7), "padding with 7 spaces");
    free(img);

    /* order: metadata first, 8-byte dtypes before 4-byte, then by name */
    double d1 = 1;
    float f1 = 2, f2 = 3;
    int64_t one = 1;
    avmit_st_entry many[3] = {{"b", AVMIT_DTYPE_F32, 1, &one, &f1},
                              {"a", AVMIT_DTYPE_F32, 1, &one, &f2},
                              {"z", AVMIT_DTYPE_F64, 1, &one, &d1}};
    const char *meta[2] = {"format", "pt"};
    CHECK_INT(avmit_safetensors_encode(&img, &n, many, 3, meta, 1, &err), 0);
    const char *want = "{\"__metadata__\":{\"format\":\"pt\"},\"z\":{\"dtype\":\"F64\",\"shape\":[1],"
                       "\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
    CHECK(!memcmp(img + 8, want, strlen(want)), "writer order: %.*s", (int)strlen(want), (const char *)img + 8);
    CHECK_INT(avmit_safetensors_parse(&st, img, n, "m", &err), 0);
    CHECK_STR(avmit_safetensors_meta(&st, "format"), "pt");
    avmit_safetensors_free(&st);
    free(img);
    many[1].name = "b";
    CHECK_INT(avmit_safetensors_encode(&img, &n, many, 3, NULL, 0, &err), AVMIT_E_ARG);

    /* rejections */
    uint8_t small[4] = {0};
    CHECK_INT(avmit_safetensors_parse(&st, small, 4, "s", &err), AVMIT_E_TRUNCATED);
    expect_reject("bad dtype", "{\"x\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype 'F31'");
    expect_reject("size mismatch", "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "TensorInvalidInfo");
    expect_reject("hole", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "InvalidOffset");
    expect_reject("overlap",
                  "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                  "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "InvalidOffset");
    expect_reject("trailing bytes", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
                  "MetadataIncompleteBuffer");
    expect_reject("duplicate", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                  "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "InvalidHeaderDeserialization");
    expect_reject("non-string metadata", "{\"__metadata__\":{\"a\":1}}", 0, "metadata value of 'a' is not a string");
    expect_reject("not an object", "[1]", 0, "does not start with '{'");
    expect_reject("negative shape", "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "shape[0]");
    expect_reject("end < begin", "{\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4, "end 0 < begin 4");
    expect_reject("bad json", "{\"x\":", 0, "InvalidHeaderDeserialization");
    expect_reject("bad utf-8", "{\"\xff\":{}}", 0, "InvalidHeaderDeserialization");
    uint8_t big[16] = {0x00, 0xe2, 0xf5, 0x05, 0, 0, 0, 0}; /* 100,000,256 */
    CHECK_INT(avmit_safetensors_parse(&st, big, 16, "b", &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "HeaderTooLarge"), "%s", err.msg);
    uint8_t lng[16] = {200, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
    CHECK_INT(avmit_safetensors_parse(&st, lng, 10, "l", &err), AVMIT_E_TRUNCATED);
    /* empty tensors and scalars are fine */
    uint8_t buf[256];
    size_t m = image(buf, "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},"
                          "\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}", vals, 8);
    CHECK_INT(avmit_safetensors_parse(&st, buf, m, "ok", &err), 0);
    avmit_safetensors_free(&st);
    return test_finish("safetensors");
}
