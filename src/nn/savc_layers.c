/*
 * savc_layers.c — the layers only the SAVC model needs (avmit/savc.h): per-row
 * L2 normalisation, the floored Euclidean distance, and binary cross-entropy
 * over the 2 softmax outputs, each a forward/backward pair.
 *
 * Written once in terms of sv_real / SV_FN (savc_real_int.h): compiled alone it
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
#include "nn/savc_real_int.h"

void SV_FN(avmit_l2norm_forward)(sv_real *out, sv_real *sumsq, const sv_real *inp, int N, int D) {
    for (int n = 0; n < N; n++) {
        const sv_real *x = inp + (size_t)n * D;
        sv_real *y = out + (size_t)n * D;
        sv_real ss = 0;
        for (int d = 0; d < D; d++) ss += x[d] * x[d];
        sumsq[n] = ss;
        sv_real s = (sv_real)1 / SV_SQRT(ss > (sv_real)AVMIT_L2NORM_EPSILON
                                             ? ss
                                             : (sv_real)AVMIT_L2NORM_EPSILON);
        for (int d = 0; d < D; d++) y[d] = x[d] * s;
    }
}

void SV_FN(avmit_l2norm_backward)(sv_real *dinp, const sv_real *dout, const sv_real *inp,
                                  const sv_real *sumsq, int N, int D) {
    for (int n = 0; n < N; n++) {
        const sv_real *x = inp + (size_t)n * D, *g = dout + (size_t)n * D;
        sv_real *dx = dinp + (size_t)n * D;
        sv_real ss = sumsq[n];
        int floored = ss < (sv_real)AVMIT_L2NORM_EPSILON;
        sv_real s = (sv_real)1 / SV_SQRT(floored ? (sv_real)AVMIT_L2NORM_EPSILON : ss);
        sv_real xg = 0;
        if (!floored)
            for (int d = 0; d < D; d++) xg += x[d] * g[d];
        sv_real c = s * s * s * xg; /* d rsqrt(ss)/d ss = -s^3/2, d ss/dx = 2x */
        for (int d = 0; d < D; d++) dx[d] += s * g[d] - c * x[d];
    }
}

void SV_FN(avmit_euclid_forward)(sv_real *out, sv_real *sumsq, const sv_real *a,
                                 const sv_real *b, int N, int D) {
    for (int n = 0; n < N; n++) {
        const sv_real *x = a + (size_t)n * D, *y = b + (size_t)n * D;
        sv_real ss = 0;
        for (int d = 0; d < D; d++) {
            sv_real t = x[d] - y[d];
            ss += t * t;
        }
        sumsq[n] = ss;
        out[n] = SV_SQRT(ss >= (sv_real)AVMIT_EUCLID_FLOOR ? ss : (sv_real)AVMIT_EUCLID_FLOOR);
    }
}

void SV_FN(avmit_euclid_backward)(sv_real *da, sv_real *db, const sv_real *dout,
                                  const sv_real *a, const sv_real *b, const sv_real *out,
                                  const sv_real *sumsq, int N, int D) {
    for (int n = 0; n < N; n++) {
        if (sumsq[n] < (sv_real)AVMIT_EUCLID_FLOOR) continue; /* max() chose the floor */
        const sv_real *x = a + (size_t)n * D, *y = b + (size_t)n * D;
        sv_real k = dout[n] / out[n]; /* d sqrt(ss) = 1/(2 sqrt ss), d ss = 2 (a - b) */
        for (int d = 0; d < D; d++) {
            sv_real t = k * (x[d] - y[d]);
            if (da) da[(size_t)n * D + d] += t;
            if (db) db[(size_t)n * D + d] -= t;
        }
    }
}

static sv_real SV_FN(clip_p)(sv_real p) {
    const sv_real lo = (sv_real)AVMIT_BCE_EPSILON, hi = (sv_real)1 - (sv_real)AVMIT_BCE_EPSILON;
    return p < lo ? lo : (p > hi ? hi : p);
}

double SV_FN(avmit_bce2_loss)(const sv_real *probs, const int *labels, int B) {
    const sv_real eps = (sv_real)AVMIT_BCE_EPSILON;
    double total = 0;
    for (int i = 0; i < B; i++) {
        sv_real l = 0;
        for (int k = 0; k < 2; k++) {
            sv_real p = SV_FN(clip_p)(probs[2 * i + k]);
            sv_real y = (sv_real)(labels[i] == k);
            l -= y * SV_LOG(p + eps) + ((sv_real)1 - y) * SV_LOG((sv_real)1 - p + eps);
        }
        total += (double)(l / 2);
    }
    return B ? total / B : 0.0;
}

void SV_FN(avmit_softmax_bce2_backward)(sv_real *dlogits, const sv_real *probs,
                                        const int *labels, int B) {
    const sv_real eps = (sv_real)AVMIT_BCE_EPSILON;
    const sv_real scale = (sv_real)1 / (sv_real)(2 * B);
    for (int i = 0; i < B; i++) {
        const sv_real *p = probs + 2 * i;
        sv_real dp[2];
        for (int k = 0; k < 2; k++) {
            sv_real pk = p[k], y = (sv_real)(labels[i] == k);
            if (pk < eps || pk > (sv_real)1 - eps) {
                dp[k] = 0; /* tf.clip_by_value passes no gradient outside its range */
                continue;
            }
            dp[k] = -scale * (y / (pk + eps) - ((sv_real)1 - y) / ((sv_real)1 - pk + eps));
        }
        sv_real dot = dp[0] * p[0] + dp[1] * p[1];
        for (int k = 0; k < 2; k++) dlogits[2 * i + k] += p[k] * (dp[k] - dot);
    }
}

double SV_FN(avmit_bce2_accuracy)(const sv_real *probs, const int *labels, int B) {
    double hits = 0;
    for (int i = 0; i < B; i++)
        for (int k = 0; k < 2; k++)
            hits += (probs[2 * i + k] > (sv_real)0.5) == (labels[i] == k);
    return B ? hits / (2.0 * B) : 0.0;
}
