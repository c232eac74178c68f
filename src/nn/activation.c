/*
 * activation.c — relu and swish (x * sigmoid(x), Keras/TF `swish`) as
 * forward/backward pairs, and the inverted dropout mask of Keras RNN `dropout`.
 */
#include "nn/nn_real.h"

#include <string.h>

#ifndef AVMIT_NN_F64
#include "avmit/nn.h"
#else
#include "nn/nn_int.h"
#endif

void NN_FN(avmit_act_forward)(nn_real *out, const nn_real *inp, size_t n, avmit_act act) {
    if (act == AVMIT_ACT_RELU) {
        for (size_t i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : 0;
    } else {
        for (size_t i = 0; i < n; i++) out[i] = inp[i] * nn_sigmoid(inp[i]);
    }
}

void NN_FN(avmit_act_backward)(nn_real *dinp, const nn_real *dout, const nn_real *inp, size_t n,
                               avmit_act act) {
    if (act == AVMIT_ACT_RELU) {
        for (size_t i = 0; i < n; i++) dinp[i] += inp[i] > 0 ? dout[i] : 0;
    } else {
        /* d/dx x s(x) = s + x s (1 - s) */
        for (size_t i = 0; i < n; i++) {
            nn_real s = nn_sigmoid(inp[i]);
            dinp[i] += dout[i] * (s + inp[i] * s * ((nn_real)1 - s));
        }
    }
}

#ifndef AVMIT_NN_F64
const char *avmit_act_name(avmit_act a) {
    return a == AVMIT_ACT_RELU ? "relu" : a == AVMIT_ACT_SWISH ? "swish" : NULL;
}

int avmit_act_parse(const char *name, avmit_act *out) {
    if (!strcmp(name, "relu")) *out = AVMIT_ACT_RELU;
    else if (!strcmp(name, "swish")) *out = AVMIT_ACT_SWISH;
    else return -1;
    return 0;
}

void avmit_dropout_mask(float *mask, size_t n, float rate, avmit_rng *rng) {
    float keep = 1.0f / (1.0f - rate);
    for (size_t i = 0; i < n; i++)
        mask[i] = rate > 0 && avmit_rng_uniformf(rng) < rate ? 0.0f : keep;
}
#endif
