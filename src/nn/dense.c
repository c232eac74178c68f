/*
 * dense.c — Dense / 1x1 Conv2D (SPEC.md §4, FORMATS.md §5.4): out = inp . W + b.
 * Written in nn_real (nn_real.h) so nn_f64.c can build the double twin.
 */
#include "nn/nn_real.h"

#ifndef AVMIT_NN_F64
#include "avmit/nn.h"
#else
#include "nn/nn_int.h"
#endif

void NN_FN(avmit_dense_forward)(nn_real *out, const nn_real *inp, const nn_real *w,
                                const nn_real *b, int N, int n_in, int n_out, int ld_inp) {
    if (b) {
        for (int n = 0; n < N; n++)
            for (int o = 0; o < n_out; o++) out[(size_t)n * n_out + o] = b[o];
    }
    NN_MM(0, 0, N, n_out, n_in, inp, ld_inp, w, n_out, b ? 1 : 0, out, n_out);
}

void NN_FN(avmit_dense_backward)(nn_real *dinp, nn_real *dw, nn_real *db, const nn_real *dout,
                                 const nn_real *inp, const nn_real *w, int N, int n_in, int n_out,
                                 int ld_inp) {
    /* dW[n_in,n_out] += inp^T . dout */
    NN_MM(1, 0, n_in, n_out, N, inp, ld_inp, dout, n_out, 1, dw, n_out);
    if (db) {
        for (int n = 0; n < N; n++)
            for (int o = 0; o < n_out; o++) db[o] += dout[(size_t)n * n_out + o];
    }
    /* dinp[N,n_in] += dout . W^T */
    if (dinp) NN_MM(0, 1, N, n_in, n_out, dout, n_out, w, n_out, 1, dinp, n_in);
}
