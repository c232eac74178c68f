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
#include <stdint.h>
#include <string.h>

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
#define NN_EXP nn_expf
#define NN_TANH nn_tanhf
#define NN_LOG logf
#define NN_SQRT sqrtf
#endif

/* C[M,N] = beta*C + A[M,K] . B[K,N] with optional transposes, all row-major and
 * contiguous (leading dimension = stored row length). */
#define NN_MM(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc)                              \
    NN_GEMM(CblasRowMajor, (ta) ? CblasTrans : CblasNoTrans, (tb) ? CblasTrans : CblasNoTrans, \
            (M), (N), (K), (nn_real)1, (A), (lda), (B), (ldb), (nn_real)(beta), (C), (ldc))

#ifndef AVMIT_NN_F64
/* expf and tanhf for the float layers, written without calls or branches so
 * that the elementwise loops vectorise (libm's tanhf goes through a slow
 * scalar expm1f and was ~15% of a training epoch). Cephes expf: x = n ln2 + r
 * with n rounded to nearest through the 1.5*2^23 trick, a degree-6 polynomial
 * in r, 2^n put into the exponent bits; max error ~1 ulp on [-87, 88], inputs
 * clamped to that range (the result stays finite and positive). tanh: the
 * Cephes odd polynomial below |x| = 0.625, 1 - 2/(e^{2|x|} + 1) above, with the
 * sign restored; max error a few ulp. Plain IEEE float operations in a fixed
 * order (no FMA is possible without -mfma), so results are deterministic. */
/* c ? a : b as a bit select: a plain ?: on floats lets gcc thread the
 * branches and leaves control flow that keeps the loop from vectorising. */
static inline float nn_self(int c, float a, float b) {
    int32_t ai, bi, m = -(int32_t)c, r;
    memcpy(&ai, &a, sizeof ai);
    memcpy(&bi, &b, sizeof bi);
    r = (ai & m) | (bi & ~m);
    float f;
    memcpy(&f, &r, sizeof f);
    return f;
}

static inline float nn_expf(float x) {
    x = nn_self(x < -87.0f, -87.0f, x);
    x = nn_self(x > 88.0f, 88.0f, x);
    float t = x * 1.44269504088896341f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) * 8388608; /* << 23 without shifting a signed value */
    float s;
    memcpy(&s, &bits, sizeof s);
    return p * s;
}

static inline float nn_tanhf(float x) {
    float a = fabsf(x);
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = p * z * x + x;
    float big = 1.0f - 2.0f / (nn_expf(a + a) + 1.0f);
    big = nn_self(x < 0, -big, big);
    return nn_self(a < 0.625f, small, big);
}
#endif

static inline nn_real nn_sigmoid(nn_real x) { return (nn_real)1 / ((nn_real)1 + NN_EXP(-x)); }

#endif
