/* test_vision.c — resize and preprocessing facts checked by hand (vision.h);
 * bit-exactness against cv2.resize lives in tests/reference/test_visual_resize.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/vision.h"
#include "testutil.h"

static void test_resize_facts(void) {
    avmit_error err;
    enum { N = AVMIT_VISUAL_SIZE };
    uint8_t *src = malloc(N * N * 3), *dst = malloc(N * N * 3), *sw = malloc(N * N * 3);
    for (int i = 0; i < N * N * 3; i++) src[i] = (uint8_t)((i * 2654435761u) >> 24);

    /* same size: every weight is (2048, 0), the output is the input */
    CHECK_INT(avmit_resize_linear_u8(src, N, N, N * 3, 3, 0, dst, N, N, &err), 0);
    CHECK(!memcmp(src, dst, N * N * 3), "224x224 -> 224x224 is the identity");

    /* swap_rb: the same resize with each pixel's channels reversed */
    CHECK_INT(avmit_resize_linear_u8(src, 97, 61, N * 3, 3, 0, dst, N, N, &err), 0);
    CHECK_INT(avmit_resize_linear_u8(src, 97, 61, N * 3, 3, 1, sw, N, N, &err), 0);
    int same = 1;
    for (int i = 0; i < N * N; i++)
        for (int c = 0; c < 3; c++) same &= sw[3 * i + c] == dst[3 * i + 2 - c];
    CHECK(same, "swap_rb reverses the channels of the plain resize");

    /* a 1x1 source upscales to a constant image */
    uint8_t px[3] = {7, 128, 255};
    CHECK_INT(avmit_resize_linear_u8(px, 1, 1, 3, 3, 0, dst, N, N, &err), 0);
    int constant = 1;
    for (int i = 0; i < N * N; i++) constant &= !memcmp(dst + 3 * i, px, 3);
    CHECK(constant, "1x1 -> 224x224 repeats the pixel");

    /* exact 2x down: weights 1024/1024, out = (a + b + c + d + 2) >> 2 */
    uint8_t q[4] = {10, 21, 30, 40}, o;
    CHECK_INT(avmit_resize_linear_u8(q, 2, 2, 2, 1, 0, &o, 1, 1, &err), 0);
    CHECK_INT(o, (10 + 21 + 30 + 40 + 2) >> 2);

    CHECK_INT(avmit_resize_linear_u8(src, 0, 5, 3, 3, 0, dst, N, N, &err), AVMIT_E_ARG);
    CHECK_INT(avmit_resize_linear_u8(src, 5, 5, 3, 3, 0, dst, N, N, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "stride 3"), "bad stride is named: %s", err.msg);
    CHECK_INT(avmit_resize_linear_u8(src, 5, 5, 5, 1, 1, dst, N, N, &err), AVMIT_E_ARG);
    free(src);
    free(dst);
    free(sw);
}

static void test_preprocess_facts(void) {
    const uint8_t px[6] = {255, 0, 10, 0, 128, 255};
    float out[6];
    avmit_preprocess_vgg16(px, 2, out);
    /* caffe: BGR order, minus B 103.939 G 116.779 R 123.68 */
    CHECK(out[0] == 10.0f - 103.939f && out[1] == -116.779f && out[2] == 255.0f - 123.68f,
          "vgg16 pixel 0 = %g %g %g", out[0], out[1], out[2]);
    CHECK(out[3] == 255.0f - 103.939f && out[5] == -123.68f, "vgg16 pixel 1");

    avmit_preprocess_efficientnet(px, 2, AVMIT_EFFNET_TF23, out);
    CHECK(fabsf(out[1] - (-0.456f / sqrtf(0.224f))) < 1e-6f, "effnet tf2.3 G=0: %g", out[1]);
    CHECK(fabsf(out[0] - (1.0f - 0.485f) / sqrtf(0.229f)) < 1e-6f, "effnet tf2.3 R=255");
    float tf23_r = out[0];
    avmit_preprocess_efficientnet(px, 2, AVMIT_EFFNET_TF210, out);
    /* TF >= 2.10 divides by sqrt(std) once more: (x - mean) / std */
    CHECK(fabsf(out[0] - (1.0f - 0.485f) / 0.229f) < 1e-5f, "effnet tf2.10 R=255: %g", out[0]);
    CHECK(fabsf(out[0] / tf23_r - 2.0896919f) < 1e-5f, "tf2.10 / tf2.3 = 1/sqrt(0.229)");

    avmit_error err;
    avmit_preprocess p;
    avmit_effnet_variant v;
    CHECK_INT(avmit_preprocess_parse("vgg16", &p, &err), 0);
    CHECK_INT(p, AVMIT_PREPROCESS_VGG16);
    CHECK_INT(avmit_preprocess_parse("efficientnetb0", &p, &err), 0);
    CHECK_INT(p, AVMIT_PREPROCESS_EFFICIENTNET);
    CHECK_INT(avmit_preprocess_parse("resnet", &p, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "'resnet'"), "%s", err.msg);
    CHECK_INT(avmit_effnet_variant_parse("tf2.10", &v, &err), 0);
    CHECK_INT(v, AVMIT_EFFNET_TF210);
    CHECK_INT(avmit_effnet_variant_parse("2.3", &v, &err), AVMIT_E_ARG);
}

int main(void) {
    test_resize_facts();
    test_preprocess_facts();
    return test_finish("test_vision");
}
