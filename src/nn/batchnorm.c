/*
 * batchnorm.c — Keras BatchNormalization over the last axis (SPEC.md §4):
 * training uses the batch mean and biased variance over all N = B*T rows
 * (tf.nn.moments in Keras's non-fused path, taken for the reference's 5-D
 * input), inference the moving statistics; eps 1e-3, momentum 0.99.
 * Statistics are accumulated in double, then rounded.
 */
#include "nn/nn_real.h"

#include <stdlib.h>

#ifndef AVMIT_NN_F64
#include "avmit/nn.h"
#else
#include "nn/nn_int.h"
#endif

void NN_FN(avmit_batchnorm_forward_train)(nn_real *out, nn_real *mean, nn_real *var,
                                          const nn_real *inp, const nn_real *gamma,
                                          const nn_real *beta, int N, int C, nn_real eps) {
    for (int c = 0; c < C; c++) {
        double s = 0;
        for (int n = 0; n < N; n++) s += inp[(size_t)n * C + c];
        double m = s / N;
        double v = 0;
        for (int n = 0; n < N; n++) {
            double d = inp[(size_t)n * C + c] - m;
            v += d * d;
        }
        mean[c] = (nn_real)m;
        var[c] = (nn_real)(v / N);
    }
    for (int n = 0; n < N; n++) {
        for (int c = 0; c < C; c++) {
            nn_real rstd = (nn_real)1 / NN_SQRT(var[c] + eps);
            out[(size_t)n * C + c] = (inp[(size_t)n * C + c] - mean[c]) * rstd * gamma[c] + beta[c];
        }
    }
}

void NN_FN(avmit_batchnorm_forward_infer)(nn_real *out, const nn_real *inp, const nn_real *gamma,
                                          const nn_real *beta, const nn_real *moving_mean,
                                          const nn_real *moving_var, int N, int C, nn_real eps) {
    for (int n = 0; n < N; n++) {
        for (int c = 0; c < C; c++) {
            nn_real rstd = (nn_real)1 / NN_SQRT(moving_var[c] + eps);
            out[(size_t)n * C + c] =
                (inp[(size_t)n * C + c] - moving_mean[c]) * rstd * gamma[c] + beta[c];
        }
    }
}

void NN_FN(avmit_batchnorm_update_moving)(nn_real *moving_mean, nn_real *moving_var,
                                          const nn_real *mean, const nn_real *var, int C,
                                          nn_real momentum) {
    /* Keras: moving -= (moving - value) * (1 - momentum) */
    nn_real decay = (nn_real)1 - momentum;
    for (int c = 0; c < C; c++) {
        moving_mean[c] -= (moving_mean[c] - mean[c]) * decay;
        moving_var[c] -= (moving_var[c] - var[c]) * decay;
    }
}

void NN_FN(avmit_batchnorm_backward)(nn_real *dinp, nn_real *dgamma, nn_real *dbeta,
                                     const nn_real *dout, const nn_real *inp,
                                     const nn_real *gamma, const nn_real *mean,
                                     const nn_real *var, int N, int C, nn_real eps) {
    for (int c = 0; c < C; c++) {
        nn_real rstd = (nn_real)1 / NN_SQRT(var[c] + eps);
        double sum_d = 0, sum_dx = 0;
        for (int n = 0; n < N; n++) {
            size_t i = (size_t)n * C + c;
            nn_real xhat = (inp[i] - mean[c]) * rstd;
            sum_d += dout[i];
            sum_dx += (double)dout[i] * xhat;
        }
        dbeta[c] += (nn_real)sum_d;
        dgamma[c] += (nn_real)sum_dx;
        if (!dinp) continue;
        /* dx = gamma*rstd/N * (N*dy - sum(dy) - xhat*sum(dy*xhat)) */
        nn_real k = gamma[c] * rstd / (nn_real)N;
        nn_real md = (nn_real)sum_d, mdx = (nn_real)sum_dx;
        for (int n = 0; n < N; n++) {
            size_t i = (size_t)n * C + c;
            nn_real xhat = (inp[i] - mean[c]) * rstd;
            dinp[i] += k * ((nn_real)N * dout[i] - md - xhat * mdx);
        }
    }
}
