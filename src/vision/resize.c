/*
 * resize.c — cv2.resize(..., interpolation=INTER_LINEAR) on uint8 images, bit
 * for bit (include/avmit/vision.h, FEATURES.md §7.3).
 *
 * OpenCV 4.x (imgproc/src/resize.cpp, resizeGeneric_ with HResizeLinear /
 * VResizeLinear on 8U) works in fixed point with INTER_RESIZE_COEF_BITS = 11:
 *   per axis  scale = 1 / ((double)dst / src)
 *             f = (float)((d + 0.5) * scale - 0.5); s = floor(f); f -= s
 *   x only    s < 0 -> s = 0, f = 0;  s + 1 >= src -> s = src - 1, f = 0
 *   y         rows clip(s) and clip(s + 1) in [0, src_h - 1]; f unclamped
 *   weights   w0 = cvRound((1 - f) * 2048), w1 = cvRound(f * 2048)
 *   horizontal H = src[s] * a0 + src[s + 1] * a1            (exact int32)
 *   vertical  out = sat_u8(((((H0 >> 4) * b0) >> 16) + (((H1 >> 4) * b1) >> 16) + 2) >> 2)
 *             (VResizeLinearVec_32s8u: v_mul_hi of int16, v_rshr_pack_u<2>)
 * The vertical formula holds for EVERY value of a row, row tails that are not
 * a multiple of the vector width included [run: OpenCV 4.6 (Debian 12), output
 * rows of 5..672 values and 1, 3, 4 channels, tests/reference/
 * test_visual_resize.py]; the exact scalar formula (H0*b0 + H1*b1 + 2^21) >> 22
 * is 1 higher on some values and is not what cv2.resize returns.
 * An exact 2x downscale makes OpenCV switch to INTER_AREA, whose result equals
 * this formula (all weights 1024), so it needs no special case.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/vision.h"

#define COEF_BITS 11
#define COEF_SCALE (1 << COEF_BITS)

/* Per-axis source index and the two fixed-point weights of each output position. */
typedef struct {
    int *src;
    short *w; /* 2 per position */
} axis_map;

static short round_coef(float v) {
    /* saturate_cast<short>(float) = cvRound: round half to even */
    return (short)lrintf(v);
}

/* clamp_x = 1 applies the x-axis clamping of the source index and fraction. */
static void axis_build(axis_map *m, int src_n, int dst_n, int clamp_x) {
    double scale = 1.0 / ((double)dst_n / (double)src_n);
    for (int d = 0; d < dst_n; d++) {
        float f = (float)((d + 0.5) * scale - 0.5);
        int s = (int)floorf(f);
        f -= (float)s;
        if (clamp_x) {
            if (s < 0) s = 0, f = 0.f;
            if (s + 1 >= src_n) s = src_n - 1, f = 0.f;
        }
        m->src[d] = s;
        m->w[2 * d] = round_coef((1.f - f) * COEF_SCALE);
        m->w[2 * d + 1] = round_coef(f * COEF_SCALE);
    }
}

/* order[c] = the source channel written to output channel c (swap_rb reverses). */
static void hresize_row(const uint8_t *row, int src_w, int cn, const int *order,
                        const axis_map *mx, int dst_w, int32_t *out) {
    for (int d = 0; d < dst_w; d++) {
        int s = mx->src[d];
        int a0 = mx->w[2 * d], a1 = mx->w[2 * d + 1];
        const uint8_t *p = row + (size_t)s * cn;
        int32_t *o = out + (size_t)d * cn;
        if (s + 1 < src_w) {
            for (int c = 0; c < cn; c++) o[c] = p[order[c]] * a0 + p[order[c] + cn] * a1;
        } else {
            for (int c = 0; c < cn; c++) o[c] = p[order[c]] * COEF_SCALE;
        }
    }
}

static uint8_t sat_u8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* int16 x int16 -> high 16 bits, as v_mul_hi (the operands fit int16 here). */
static int mul_hi16(int a, int b) { return (int)((int32_t)(int16_t)a * (int16_t)b) >> 16; }

static void vresize_row(const int32_t *h0, const int32_t *h1, int b0, int b1, int width,
                        uint8_t *out) {
    for (int x = 0; x < width; x++) {
        /* v_pack saturates H >> 4 to int16; H <= 255 * 2048 so it always fits */
        int v = mul_hi16(h0[x] >> 4, b0) + mul_hi16(h1[x] >> 4, b1);
        out[x] = sat_u8((v + 2) >> 2);
    }
}

int avmit_resize_linear_u8(const uint8_t *src, int src_w, int src_h, size_t src_stride,
                           int channels, int swap_rb, uint8_t *dst, int dst_w, int dst_h,
                           avmit_error *err) {
    if (src_w < 1 || src_h < 1 || dst_w < 1 || dst_h < 1 || channels < 1 || channels > 4 ||
        src_stride < (size_t)src_w * (size_t)channels || (swap_rb && channels != 3) || !src ||
        !dst)
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "resize: bad arguments (src %dx%d stride %zu, %d channels, "
                                "dst %dx%d, swap_rb %d)",
                                src_w, src_h, src_stride, channels, dst_w, dst_h, swap_rb);
    size_t row_n = (size_t)dst_w * (size_t)channels;
    axis_map mx, my;
    mx.src = malloc(sizeof(int) * (size_t)dst_w);
    mx.w = malloc(sizeof(short) * 2 * (size_t)dst_w);
    my.src = malloc(sizeof(int) * (size_t)dst_h);
    my.w = malloc(sizeof(short) * 2 * (size_t)dst_h);
    int32_t *hbuf = malloc(sizeof(int32_t) * 2 * row_n);
    int rc = 0;
    if (!mx.src || !mx.w || !my.src || !my.w || !hbuf) {
        rc = avmit_error_path(err, AVMIT_E_NOMEM, NULL, "resize: out of memory (dst %dx%d)",
                              dst_w, dst_h);
        goto done;
    }
    axis_build(&mx, src_w, dst_w, 1);
    axis_build(&my, src_h, dst_h, 0);

    int order[4] = {0, 1, 2, 3};
    if (swap_rb) order[0] = 2, order[2] = 0;
    /* Two cached horizontal rows, tagged with the source row they hold; moving
     * down one source row swaps them instead of recomputing. */
    int32_t *hrow[2] = {hbuf, hbuf + row_n};
    int hsrc[2] = {-1, -1};
    for (int dy = 0; dy < dst_h; dy++) {
        int sy = my.src[dy];
        int r0 = sy < 0 ? 0 : sy >= src_h ? src_h - 1 : sy;
        int r1 = sy + 1 < 0 ? 0 : sy + 1 >= src_h ? src_h - 1 : sy + 1;
        if (hsrc[0] != r0) {
            if (hsrc[1] == r0) {
                int32_t *t = hrow[0];
                hrow[0] = hrow[1], hrow[1] = t;
                hsrc[1] = hsrc[0], hsrc[0] = r0;
            } else {
                hresize_row(src + (size_t)r0 * src_stride, src_w, channels, order, &mx, dst_w,
                            hrow[0]);
                hsrc[0] = r0;
            }
        }
        const int32_t *h1 = hrow[0];
        if (r1 != r0) {
            if (hsrc[1] != r1) {
                hresize_row(src + (size_t)r1 * src_stride, src_w, channels, order, &mx, dst_w,
                            hrow[1]);
                hsrc[1] = r1;
            }
            h1 = hrow[1];
        }
        vresize_row(hrow[0], h1, my.w[2 * dy], my.w[2 * dy + 1], (int)row_n,
                    dst + (size_t)dy * row_n);
    }
done:
    free(mx.src);
    free(mx.w);
    free(my.src);
    free(my.w);
    free(hbuf);
    return rc;
}
