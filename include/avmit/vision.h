/*
 * avmit/vision.h — frame to model input: OpenCV-exact bilinear resize of uint8
 * images and the per-model preprocessing of the AVMIT visual front end
 * (FEATURES.md §7.3 resize, §7.4 + §9.1 preprocessing).
 *
 * avmit_resize_linear_u8 reproduces cv2.resize(img, (dst_w, dst_h)) with the
 * default INTER_LINEAR on uint8 images bit for bit (OpenCV 4.x fixed-point
 * path: 11-bit coefficients, the SIMD vertical rounding FEATURES.md §7.3 gives),
 * for any source size, upscaling and 1-pixel images included.
 *
 * Thread-safety: reentrant; no shared state.
 */
#ifndef AVMIT_VISION_H
#define AVMIT_VISION_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The frame size the AVMIT CNNs take (cv2.resize dsize in extract_features.py). */
#define AVMIT_VISUAL_SIZE 224

/*
 * Resize src (src_h rows of src_w pixels with `channels` interleaved uint8
 * values, rows src_stride bytes apart) to dst (dst_h x dst_w x channels,
 * packed: row stride dst_w * channels) as cv2.resize INTER_LINEAR does.
 * swap_rb = 1 writes the channels of each pixel in reverse order (BGR <-> RGB;
 * needs channels == 3), which commutes with the resize since channels never mix.
 * Errors: AVMIT_E_ARG (a size < 1, channels outside 1..4, stride too small),
 * AVMIT_E_NOMEM.
 */
int avmit_resize_linear_u8(const uint8_t *src, int src_w, int src_h, size_t src_stride,
                           int channels, int swap_rb, uint8_t *dst, int dst_w, int dst_h,
                           avmit_error *err);

/* Model preprocessing of n_pixels packed RGB uint8 pixels into n_pixels * 3 floats. */
typedef enum avmit_preprocess {
    AVMIT_PREPROCESS_NONE = 0,      /* uint8 kept as is (the CLI writes uint8) */
    AVMIT_PREPROCESS_VGG16,         /* Keras caffe mode: RGB -> BGR, minus B 103.939,
                                       G 116.779, R 123.68 (float32) */
    AVMIT_PREPROCESS_EFFICIENTNET   /* EfficientNetB0's own input layers, see variant */
} avmit_preprocess;

/* Which Keras build of EfficientNetB0's input layers (FEATURES.md §9.1). */
typedef enum avmit_effnet_variant {
    /* TF 2.3 .. 2.9 (the README pins TF 2.3.1; default): x/255, then
     * (x - mean) / sqrt(variance) with mean [0.485, 0.456, 0.406] and
     * variance [0.229, 0.224, 0.225] (ImageNet stds stored as variances). */
    AVMIT_EFFNET_TF23 = 0,
    /* Keras >= 2.10: the same, then x * 1/sqrt([0.229, 0.224, 0.225]). */
    AVMIT_EFFNET_TF210 = 1
} avmit_effnet_variant;

/* Parse "vgg16" | "efficientnetb0" | "none" and "tf2.3" | "tf2.10"; 0 or AVMIT_E_ARG. */
int avmit_preprocess_parse(const char *name, avmit_preprocess *out, avmit_error *err);
int avmit_effnet_variant_parse(const char *name, avmit_effnet_variant *out, avmit_error *err);

/* Keras vgg16.preprocess_input (mode 'caffe'): out is BGR, float32 arithmetic. */
void avmit_preprocess_vgg16(const uint8_t *rgb, size_t n_pixels, float *out);

/* EfficientNetB0's Rescaling(1/255) + Normalization (+ the TF >= 2.10 Rescaling),
 * each step in float32 as Keras computes it; out stays RGB. */
void avmit_preprocess_efficientnet(const uint8_t *rgb, size_t n_pixels,
                                   avmit_effnet_variant variant, float *out);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_VISION_H */
