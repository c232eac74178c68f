/*
 * adam.c — Adam as Keras 2.4 / TensorFlow 2.3 apply it (SPEC.md §4):
 * tf.raw_ops.ResourceApplyAdam (training_ops.cc, ApplyAdamNonCuda) in float32:
 *   alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m += (g - m) * (1 - beta1);  v += (g^2 - v) * (1 - beta2)
 *   w -= m * alpha / (sqrt(v) + eps)
 * (eps on the square root of the UNcorrected v, unlike torch.optim.Adam),
 * with beta^t computed in float32 as Keras's _prepare_local does. Optional
 * decoupled weight decay first: w -= lr * wd * w.
 */
#include <math.h>

#include "avmit/nn.h"

avmit_adam_params avmit_adam_default_params(float lr) {
    avmit_adam_params p = {lr, 0.9f, 0.999f, 1e-7f, 0.0f};
    return p;
}

void avmit_adam_step(float *w, const float *g, float *m, float *v, size_t n,
                     const avmit_adam_params *p, long long t) {
    float b1t = powf(p->beta1, (float)t), b2t = powf(p->beta2, (float)t);
    float alpha = p->lr * sqrtf(1.0f - b2t) / (1.0f - b1t);
    float c1 = 1.0f - p->beta1, c2 = 1.0f - p->beta2;
    if (p->weight_decay > 0) {
        float k = p->lr * p->weight_decay;
        for (size_t i = 0; i < n; i++) w[i] -= k * w[i];
    }
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * c1;
        v[i] += (g[i] * g[i] - v[i]) * c2;
        w[i] -= m[i] * alpha / (sqrtf(v[i]) + p->eps);
    }
}
