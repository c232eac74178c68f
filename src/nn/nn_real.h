/*
 * nn_real.h — the scalar type of the layer code (internal).
 *
 * Every layer file (dense.c, batchnorm.c, activation.c, simple_rnn.c, gru.c,
 * lstm.c, softmax_ce.c) is written once in terms of `nn_real`, NN_FN() and
 * NN_GEMM. Compiled on its own it gives the float32 functions of
 * include/avmit/nn.h; nn_f64.c defines AVMIT_NN_F64 and includes the same
 * files again, giving the *_f64 twins (src/nn/nn_int.h) that the
 * finite-difference tests run in double precision.
 */
#ifndef AVMIT_NN_REAL_H
#define AVMIT_NN_REAL_H

#include <cblas.h>
#include <math.h>

#ifdef AVMIT_NN_F64
typedef double nn_real;
#define NN_FN(name) name##_f64
#define NN_GEMM cblas_dgemm
#define NN_EXP exp
#define NN_TANH tanh
#define NN_LOG log
#define NN_SQRT sqrt
#else
typedef float nn_real;
#define NN_FN(name) name
#define NN_GEMM cblas_sgemm
#define NN_EXP expf
#define NN_TANH tanhf
#define NN_LOG logf
#define NN_SQRT sqrtf
#endif

/* C[M,N] = beta*C + A[M,K] . B[K,N] with optional transposes, all row-major and
 * contiguous (leading dimension = stored row length). */
#define NN_MM(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc)                              \
    NN_GEMM(CblasRowMajor, (ta) ? CblasTrans : CblasNoTrans, (tb) ? CblasTrans : CblasNoTrans, \
            (M), (N), (K), (nn_real)1, (A), (lda), (B), (ldb), (nn_real)(beta), (C), (ldc))

static inline nn_real nn_sigmoid(nn_real x) { return (nn_real)1 / ((nn_real)1 + NN_EXP(-x)); }

#endif
