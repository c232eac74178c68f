/*
 * init.c — Keras initialisers (SPEC.md §4): glorot_uniform and orthogonal
 * (init_ops_v2.Orthogonal: QR of a normal matrix of shape [max(r,c), min(r,c)],
 * Q's columns multiplied by sign(diag(R)), transposed when rows < cols).
 * Random numbers come from avmit_rng, so values differ from TensorFlow's but
 * follow the same distributions.
 */
#include <math.h>
#include <stdlib.h>

#include "avmit/error.h"
#include "avmit/nn.h"

void avmit_init_glorot_uniform(float *w, size_t n, size_t fan_in, size_t fan_out,
                               avmit_rng *rng) {
    double limit = sqrt(6.0 / (double)(fan_in + fan_out));
    for (size_t i = 0; i < n; i++) w[i] = (float)((2.0 * avmit_rng_uniform(rng) - 1.0) * limit);
}

int avmit_init_orthogonal(float *w, size_t rows, size_t cols, avmit_rng *rng) {
    size_t n = rows > cols ? rows : cols, m = rows > cols ? cols : rows;
    double *a = malloc(sizeof(double) * n * m); /* [n, m] row-major */
    if (!a) return AVMIT_E_NOMEM;
    for (size_t i = 0; i < n * m; i++) a[i] = avmit_rng_normal(rng);
    /* Modified Gram-Schmidt on the m columns, twice for orthogonality to
     * rounding: Q with R's diagonal positive, i.e. Q * sign(diag(R)) of any QR. */
    for (size_t j = 0; j < m; j++) {
        for (int pass = 0; pass < 2; pass++) {
            for (size_t k = 0; k < j; k++) {
                double d = 0;
                for (size_t i = 0; i < n; i++) d += a[i * m + k] * a[i * m + j];
                for (size_t i = 0; i < n; i++) a[i * m + j] -= d * a[i * m + k];
            }
        }
        double norm = 0;
        for (size_t i = 0; i < n; i++) norm += a[i * m + j] * a[i * m + j];
        norm = sqrt(norm);
        for (size_t i = 0; i < n; i++) a[i * m + j] /= norm;
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            w[r * cols + c] = (float)(rows >= cols ? a[r * m + c] : a[c * m + r]);
    free(a);
    return 0;
}
