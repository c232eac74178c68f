/*
 * preprocess.c — per-model input preprocessing of 224x224 RGB uint8 frames
 * (include/avmit/vision.h, FEATURES.md §7.4 and §9.1).
 *
 * Every step is float32 arithmetic in the order Keras runs it, so the result
 * equals a NumPy float32 statement of the same formula exactly.
 */
#include <math.h>
#include <string.h>

#include "avmit/vision.h"

/* keras/applications/imagenet_utils.py, mode 'caffe': BGR means. */
static const float k_caffe_mean_bgr[3] = {103.939f, 116.779f, 123.68f};
/* EfficientNet Normalization weights (FEATURES.md §9.1; tensorflow#49930). */
static const float k_effnet_mean[3] = {0.485f, 0.456f, 0.406f};
static const float k_effnet_var[3] = {0.229f, 0.224f, 0.225f};
#define KERAS_EPSILON 1e-7f /* backend.epsilon() in Normalization's max(sqrt(var), eps) */

int avmit_preprocess_parse(const char *name, avmit_preprocess *out, avmit_error *err) {
    if (name && !strcmp(name, "vgg16")) *out = AVMIT_PREPROCESS_VGG16;
    else if (name && !strcmp(name, "efficientnetb0")) *out = AVMIT_PREPROCESS_EFFICIENTNET;
    else if (name && !strcmp(name, "none")) *out = AVMIT_PREPROCESS_NONE;
    else
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "unknown preprocessing '%s' (vgg16, efficientnetb0, none)",
                                name ? name : "");
    return 0;
}

int avmit_effnet_variant_parse(const char *name, avmit_effnet_variant *out, avmit_error *err) {
    if (name && !strcmp(name, "tf2.3")) *out = AVMIT_EFFNET_TF23;
    else if (name && !strcmp(name, "tf2.10")) *out = AVMIT_EFFNET_TF210;
    else
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "unknown EfficientNet variant '%s' (tf2.3, tf2.10)",
                                name ? name : "");
    return 0;
}

void avmit_preprocess_vgg16(const uint8_t *rgb, size_t n_pixels, float *out) {
    for (size_t i = 0; i < n_pixels; i++) {
        const uint8_t *p = rgb + 3 * i;
        float *o = out + 3 * i;
        o[0] = (float)p[2] - k_caffe_mean_bgr[0];
        o[1] = (float)p[1] - k_caffe_mean_bgr[1];
        o[2] = (float)p[0] - k_caffe_mean_bgr[2];
    }
}

void avmit_preprocess_efficientnet(const uint8_t *rgb, size_t n_pixels,
                                   avmit_effnet_variant variant, float *out) {
    const float rescale = (float)(1.0 / 255.0); /* Rescaling(1/255): scale cast to float32 */
    float lut[3][256];
    for (int c = 0; c < 3; c++) {
        float sd = sqrtf(k_effnet_var[c]);
        float denom = sd > KERAS_EPSILON ? sd : KERAS_EPSILON;
        /* Keras >= 2.10: Rescaling(1 / tf.math.sqrt(std)) computed in float32 */
        float extra = 1.0f / sd;
        for (int v = 0; v < 256; v++) {
            float x = (float)v * rescale + 0.0f;
            x = (x - k_effnet_mean[c]) / denom;
            if (variant == AVMIT_EFFNET_TF210) x = x * extra + 0.0f;
            lut[c][v] = x;
        }
    }
    for (size_t i = 0; i < n_pixels; i++)
        for (int c = 0; c < 3; c++) out[3 * i + c] = lut[c][rgb[3 * i + c]];
}
