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

/* Columns are processed BN_CHUNK at a time with the rows in the outer loop, so
 * that the inner loops run over contiguous memory and vectorise; each
 * column's sums still run over n in order, as in a plain column loop. */
#define BN_CHUNK 64

void NN_FN(avmit_batchnorm_forward_train)(nn_real *out, nn_real *mean, nn_real *var,
                                          const nn_real *inp, const nn_real *gamma,
                                          const nn_real *beta, int N, int C, nn_real eps) {
    for (int c0 = 0; c0 < C; c0 += BN_CHUNK) {
        int nc = C - c0 < BN_CHUNK ? C - c0 : BN_CHUNK;
        double s[BN_CHUNK] = {0}, v[BN_CHUNK] = {0}, m[BN_CHUNK];
        nn_real mf[BN_CHUNK], rstd[BN_CHUNK];
        for (int n = 0; n < N; n++) {
            const nn_real *x = inp + (size_t)n * C + c0;
            for (int j = 0; j < nc; j++) s[j] += x[j];
        }
        for (int j = 0; j < nc; j++) m[j] = s[j] / N;
        for (int n = 0; n < N; n++) {
            const nn_real *x = inp + (size_t)n * C + c0;
            for (int j = 0; j < nc; j++) {
                double d = x[j] - m[j];
                v[j] += d * d;
            }
        }
        for (int j = 0; j < nc; j++) {
            mean[c0 + j] = mf[j] = (nn_real)m[j];
            var[c0 + j] = (nn_real)(v[j] / N);
            rstd[j] = (nn_real)1 / NN_SQRT(var[c0 + j] + eps);
        }
        for (int n = 0; n < N; n++) {
            const nn_real *x = inp + (size_t)n * C + c0;
            nn_real *y = out + (size_t)n * C + c0;
            for (int j = 0; j < nc; j++) y[j] = (x[j] - mf[j]) * rstd[j] * gamma[c0 + j] + beta[c0 + j];
        }
    }
}

void NN_FN(avmit_batchnorm_forward_infer)(nn_real *out, const nn_real *inp, const nn_real *gamma,
                                          const nn_real *beta, const nn_real *moving_mean,
                                          const nn_real *moving_var, int N, int C, nn_real eps) {
    for (int c0 = 0; c0 < C; c0 += BN_CHUNK) {
        int nc = C - c0 < BN_CHUNK ? C - c0 : BN_CHUNK;
        nn_real rstd[BN_CHUNK];
        for (int j = 0; j < nc; j++) rstd[j] = (nn_real)1 / NN_SQRT(moving_var[c0 + j] + eps);
        for (int n = 0; n < N; n++) {
            const nn_real *x = inp + (size_t)n * C + c0;
            nn_real *y = out + (size_t)n * C + c0;
            for (int j = 0; j < nc; j++)
                y[j] = (x[j] - moving_mean[c0 + j]) * rstd[j] * gamma[c0 + j] + beta[c0 + j];
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
    for (int c0 = 0; c0 < C; c0 += BN_CHUNK) {
        int nc = C - c0 < BN_CHUNK ? C - c0 : BN_CHUNK;
        nn_real rstd[BN_CHUNK], k[BN_CHUNK], md[BN_CHUNK], mdx[BN_CHUNK];
        double sum_d[BN_CHUNK] = {0}, sum_dx[BN_CHUNK] = {0};
        for (int j = 0; j < nc; j++) rstd[j] = (nn_real)1 / NN_SQRT(var[c0 + j] + eps);
        for (int n = 0; n < N; n++) {
            const nn_real *x = inp + (size_t)n * C + c0, *dy = dout + (size_t)n * C + c0;
            for (int j = 0; j < nc; j++) {
                nn_real xhat = (x[j] - mean[c0 + j]) * rstd[j];
                sum_d[j] += dy[j];
                sum_dx[j] += (double)dy[j] * xhat;
            }
        }
        for (int j = 0; j < nc; j++) {
            dbeta[c0 + j] += (nn_real)sum_d[j];
            dgamma[c0 + j] += (nn_real)sum_dx[j];
            /* dx = gamma*rstd/N * (N*dy - sum(dy) - xhat*sum(dy*xhat)) */
            k[j] = gamma[c0 + j] * rstd[j] / (nn_real)N;
            md[j] = (nn_real)sum_d[j];
            mdx[j] = (nn_real)sum_dx[j];
        }
        if (!dinp) continue;
        for (int n = 0; n < N; n++) {
            const nn_real *x = inp + (size_t)n * C + c0, *dy = dout + (size_t)n * C + c0;
            nn_real *dx = dinp + (size_t)n * C + c0;
            for (int j = 0; j < nc; j++) {
                nn_real xhat = (x[j] - mean[c0 + j]) * rstd[j];
                dx[j] += k[j] * ((nn_real)N * dy[j] - md[j] - xhat * mdx[j]);
            }
        }
    }
}
