/*
 * savc_layers.c — the layers only the SAVC model needs (avmit/savc.h): per-row
 * L2 normalisation, the floored Euclidean distance, and binary cross-entropy
 * over the 2 softmax outputs, each a forward/backward pair.
 *
 * Written once in terms of nn_real / NN_FN (nn/nn_real.h): compiled alone it
 * gives the float32 functions; savc_f64.c includes it again with AVMIT_NN_F64
 * for the double-precision finite-difference tests.
 *
 * TensorFlow semantics mirrored (SAVC/train_with_euclidean_distance.py):
 *  - tf.math.l2_normalize(x, axis=1): x * rsqrt(max(sum(x^2), 1e-12)); the
 *    gradient of max() flows to sum(x^2) when sum >= 1e-12 (ties included).
 *  - euclidean_distance: sqrt(max(sum((a-b)^2), epsilon() = 1e-7)); no gradient
 *    below the floor.
 *  - BinaryCrossentropy(from_logits=False) on softmax probabilities: p clipped to
 *    [1e-7, 1-1e-7], per element -(y log(p + 1e-7) + (1-y) log(1 - p + 1e-7))
 *    (Keras backend.binary_crossentropy), mean over the 2 outputs, then over the
 *    batch; clipped elements pass no gradient.
 *  - binary_accuracy: element (p > 0.5) == y, mean over the 2 outputs.
 */
#include "nn/nn_real.h"

#ifndef AVMIT_NN_F64
#include "avmit/savc.h"
#else
#include "nn/savc_real_int.h"
#endif

void NN_FN(avmit_l2norm_forward)(nn_real *out, nn_real *sumsq, const nn_real *inp, int N, int D) {
    for (int n = 0; n < N; n++) {
        const nn_real *x = inp + (size_t)n * D;
        nn_real *y = out + (size_t)n * D;
        nn_real ss = 0;
        for (int d = 0; d < D; d++) ss += x[d] * x[d];
        sumsq[n] = ss;
        nn_real s = (nn_real)1 / NN_SQRT(ss > (nn_real)AVMIT_L2NORM_EPSILON
                                             ? ss
                                             : (nn_real)AVMIT_L2NORM_EPSILON);
        for (int d = 0; d < D; d++) y[d] = x[d] * s;
    }
}

void NN_FN(avmit_l2norm_backward)(nn_real *dinp, const nn_real *dout, const nn_real *inp,
                                  const nn_real *sumsq, int N, int D) {
    for (int n = 0; n < N; n++) {
        const nn_real *x = inp + (size_t)n * D, *g = dout + (size_t)n * D;
        nn_real *dx = dinp + (size_t)n * D;
        nn_real ss = sumsq[n];
        int floored = ss < (nn_real)AVMIT_L2NORM_EPSILON;
        nn_real s = (nn_real)1 / NN_SQRT(floored ? (nn_real)AVMIT_L2NORM_EPSILON : ss);
        nn_real xg = 0;
        if (!floored)
            for (int d = 0; d < D; d++) xg += x[d] * g[d];
        nn_real c = s * s * s * xg; /* d rsqrt(ss)/d ss = -s^3/2, d ss/dx = 2x */
        for (int d = 0; d < D; d++) dx[d] += s * g[d] - c * x[d];
    }
}

void NN_FN(avmit_euclid_forward)(nn_real *out, nn_real *sumsq, const nn_real *a,
                                 const nn_real *b, int N, int D) {
    for (int n = 0; n < N; n++) {
        const nn_real *x = a + (size_t)n * D, *y = b + (size_t)n * D;
        nn_real ss = 0;
        for (int d = 0; d < D; d++) {
            nn_real t = x[d] - y[d];
            ss += t * t;
        }
        sumsq[n] = ss;
        out[n] = NN_SQRT(ss >= (nn_real)AVMIT_EUCLID_FLOOR ? ss : (nn_real)AVMIT_EUCLID_FLOOR);
    }
}

void NN_FN(avmit_euclid_backward)(nn_real *da, nn_real *db, const nn_real *dout,
                                  const nn_real *a, const nn_real *b, const nn_real *out,
                                  const nn_real *sumsq, int N, int D) {
    for (int n = 0; n < N; n++) {
        if (sumsq[n] < (nn_real)AVMIT_EUCLID_FLOOR) continue; /* max() chose the floor */
        const nn_real *x = a + (size_t)n * D, *y = b + (size_t)n * D;
        nn_real k = dout[n] / out[n]; /* d sqrt(ss) = 1/(2 sqrt ss), d ss = 2 (a - b) */
        for (int d = 0; d < D; d++) {
            nn_real t = k * (x[d] - y[d]);
            if (da) da[(size_t)n * D + d] += t;
            if (db) db[(size_t)n * D + d] -= t;
        }
    }
}

static nn_real NN_FN(clip_p)(nn_real p) {
    const nn_real lo = (nn_real)AVMIT_BCE_EPSILON, hi = (nn_real)1 - (nn_real)AVMIT_BCE_EPSILON;
    return p < lo ? lo : (p > hi ? hi : p);
}

double NN_FN(avmit_bce2_loss)(const nn_real *probs, const int *labels, int B) {
    const nn_real eps = (nn_real)AVMIT_BCE_EPSILON;
    double total = 0;
    for (int i = 0; i < B; i++) {
        nn_real l = 0;
        for (int k = 0; k < 2; k++) {
            nn_real p = NN_FN(clip_p)(probs[2 * i + k]);
            nn_real y = (nn_real)(labels[i] == k);
            l -= y * NN_LOG(p + eps) + ((nn_real)1 - y) * NN_LOG((nn_real)1 - p + eps);
        }
        total += (double)(l / 2);
    }
    return B ? total / B : 0.0;
}

void NN_FN(avmit_softmax_bce2_backward)(nn_real *dlogits, const nn_real *probs,
                                        const int *labels, int B) {
    const nn_real eps = (nn_real)AVMIT_BCE_EPSILON;
    const nn_real scale = (nn_real)1 / (nn_real)(2 * B);
    for (int i = 0; i < B; i++) {
        const nn_real *p = probs + 2 * i;
        nn_real dp[2];
        for (int k = 0; k < 2; k++) {
            nn_real pk = p[k], y = (nn_real)(labels[i] == k);
            if (pk < eps || pk > (nn_real)1 - eps) {
                dp[k] = 0; /* tf.clip_by_value passes no gradient outside its range */
                continue;
            }
            dp[k] = -scale * (y / (pk + eps) - ((nn_real)1 - y) / ((nn_real)1 - pk + eps));
        }
        nn_real dot = dp[0] * p[0] + dp[1] * p[1];
        for (int k = 0; k < 2; k++) dlogits[2 * i + k] += p[k] * (dp[k] - dot);
    }
}

double NN_FN(avmit_bce2_accuracy)(const nn_real *probs, const int *labels, int B) {
    double hits = 0;
    for (int i = 0; i < B; i++)
        for (int k = 0; k < 2; k++)
            hits += (probs[2 * i + k] > (nn_real)0.5) == (labels[i] == k);
    return B ? hits / (2.0 * B) : 0.0;
}
