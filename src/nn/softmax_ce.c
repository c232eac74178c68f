/*
 * softmax_ce.c — softmax over K classes and Keras categorical_crossentropy
 * (from_logits=False): p / sum(p), clipped to [1e-7, 1-1e-7], -log of the
 * true class, mean over the batch (SPEC.md §4). The backward of the clip is
 * tf.clip_by_value's: no gradient where the value was clipped.
 */
#include "nn/nn_real.h"

#ifndef AVMIT_NN_F64
#include "avmit/nn.h"
#else
#include "nn/nn_int.h"
#endif

void NN_FN(avmit_softmax_forward)(nn_real *probs, const nn_real *logits, int B, int K) {
    for (int bi = 0; bi < B; bi++) {
        const nn_real *z = logits + (size_t)bi * K;
        nn_real *p = probs + (size_t)bi * K;
        nn_real mx = z[0];
        for (int k = 1; k < K; k++)
            if (z[k] > mx) mx = z[k];
        nn_real s = 0;
        for (int k = 0; k < K; k++) {
            p[k] = NN_EXP(z[k] - mx);
            s += p[k];
        }
        for (int k = 0; k < K; k++) p[k] /= s;
    }
}

/* The clipped probability of the true class, and whether it was inside the range. */
static nn_real NN_FN(clipped_true)(const nn_real *p, int y, int K, int *inside) {
    nn_real s = 0;
    for (int k = 0; k < K; k++) s += p[k];
    nn_real q = p[y] / s;
    const nn_real lo = (nn_real)AVMIT_CE_CLIP, hi = (nn_real)1 - (nn_real)AVMIT_CE_CLIP;
    *inside = q >= lo && q <= hi;
    return q < lo ? lo : q > hi ? hi : q;
}

double NN_FN(avmit_ce_loss)(const nn_real *probs, const int *labels, int B, int K) {
    double sum = 0;
    for (int bi = 0; bi < B; bi++) {
        int inside;
        sum -= NN_LOG(NN_FN(clipped_true)(probs + (size_t)bi * K, labels[bi], K, &inside));
    }
    return sum / B;
}

void NN_FN(avmit_softmax_ce_backward)(nn_real *dlogits, const nn_real *probs, const int *labels,
                                      int B, int K) {
    nn_real inv_b = (nn_real)1 / (nn_real)B;
    for (int bi = 0; bi < B; bi++) {
        const nn_real *p = probs + (size_t)bi * K;
        int inside;
        NN_FN(clipped_true)(p, labels[bi], K, &inside);
        if (!inside) continue;
        for (int k = 0; k < K; k++)
            dlogits[(size_t)bi * K + k] += (p[k] - (k == labels[bi] ? (nn_real)1 : 0)) * inv_b;
    }
}
