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
    double *q = malloc(sizeof(double) * n * m); /* column j of the [n, m] matrix at q + j*n */
    if (!q) return AVMIT_E_NOMEM;
    /* the normal matrix is drawn row by row, as numpy/TF fill a C-order array */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) q[j * n + i] = avmit_rng_normal(rng);
    /* Modified Gram-Schmidt over the columns, twice for orthogonality to rounding:
     * Q with R's diagonal positive, i.e. Q * sign(diag(R)) of any QR. */
    for (size_t j = 0; j < m; j++) {
        double *cj = q + j * n;
        for (int pass = 0; pass < 2; pass++) {
            for (size_t k = 0; k < j; k++) {
                const double *ck = q + k * n;
                double d = 0;
                for (size_t i = 0; i < n; i++) d += ck[i] * cj[i];
                for (size_t i = 0; i < n; i++) cj[i] -= d * ck[i];
            }
        }
        double norm = 0;
        for (size_t i = 0; i < n; i++) norm += cj[i] * cj[i];
        norm = sqrt(norm);
        for (size_t i = 0; i < n; i++) cj[i] /= norm;
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            w[r * cols + c] = (float)(rows >= cols ? q[c * n + r] : q[r * n + c]);
    free(q);
    return 0;
}
