/*
 * rnn.c — one Keras recurrent layer over T steps, returning the last hidden
 * state (SPEC.md §4): SimpleRNN (tanh), GRU (reset_after=True, blocks z,r,h,
 * bias rows input/recurrent) and LSTM (blocks i,f,c,o), recurrent activation
 * sigmoid, activation tanh, h0 = c0 = 0, no masking of the zero padding.
 *
 * Keras (recurrent_v2.py / recurrent.py, implementation=2) computes per step
 *   SimpleRNN: h = tanh(x W + b + h_prev U)
 *   GRU:       [xz xr xh] = x W + b_in;  [rz rr rh] = h_prev U + b_rec
 *              z = s(xz + rz); r = s(xr + rr); hh = tanh(xh + r*rh)
 *              h = z*h_prev + (1-z)*hh
 *   LSTM:      a = x W + h_prev U + b; i,f,o = s(a_i,a_f,a_o); g = tanh(a_c)
 *              c = f*c_prev + i*g; h = o*tanh(c)
 * with x already multiplied by the dropout mask. Here the input projections
 * of all timesteps are one GEMM ([B*T,D] x [D,G*H]); each step then does one
 * [B,H] x [H,G*H] GEMM and an elementwise pass.
 *
 * Cache (floats, all [T][B][H] blocks time-major): xm [B,T,D] (masked input),
 * h, then GRU z r hh rh / LSTM i f g o c.
 * Work: XW [B*T, G*H] (forward projections, then dXW in backward), R [B,G*H]
 * (h_prev U, then the recurrent-side gradient), dh [B,H], dc [B,H], dhn [B,H],
 * dxm [B,T,D] (input gradient before the mask).
 */
#include "nn/nn_real.h"

#include <string.h>
#include <strings.h>

#ifndef AVMIT_NN_F64
#include "avmit/nn.h"
#else
#include "nn/nn_int.h"
#endif

#ifndef AVMIT_NN_F64
int avmit_rnn_gates(avmit_rnn_kind k) { return k == AVMIT_RNN_GRU ? 3 : k == AVMIT_RNN_LSTM ? 4 : 1; }

size_t avmit_rnn_bias_count(avmit_rnn_kind k, int H) {
    return k == AVMIT_RNN_GRU ? (size_t)6 * H : (size_t)avmit_rnn_gates(k) * H;
}

static int n_state_blocks(avmit_rnn_kind k) { return k == AVMIT_RNN_GRU ? 5 : k == AVMIT_RNN_LSTM ? 6 : 1; }

size_t avmit_rnn_cache_size(avmit_rnn_kind k, int B, int T, int D, int H) {
    return (size_t)B * T * D + (size_t)n_state_blocks(k) * T * B * H;
}

size_t avmit_rnn_work_size(avmit_rnn_kind k, int B, int T, int D, int H) {
    size_t gh = (size_t)avmit_rnn_gates(k) * H;
    return (size_t)B * T * gh + (size_t)B * gh + (size_t)3 * B * H + (size_t)B * T * D;
}

const char *avmit_rnn_name(avmit_rnn_kind k) {
    return k == AVMIT_RNN_SIMPLE ? "SimpleRNN" : k == AVMIT_RNN_GRU ? "GRU" : k == AVMIT_RNN_LSTM ? "LSTM" : NULL;
}

int avmit_rnn_parse(const char *name, avmit_rnn_kind *out) {
    const char *p = name;
    if (!strncmp(p, "tf.keras.layers.", 16)) p += 16;
    if (!strcasecmp(p, "SimpleRNN") || !strcasecmp(p, "FRNN")) *out = AVMIT_RNN_SIMPLE;
    else if (!strcasecmp(p, "GRU")) *out = AVMIT_RNN_GRU;
    else if (!strcasecmp(p, "LSTM")) *out = AVMIT_RNN_LSTM;
    else return -1;
    return 0;
}
#endif

/* Views of the cache for (B,T,D,H). */
typedef struct {
    nn_real *xm, *h, *s1, *s2, *s3, *s4, *s5; /* GRU: z r hh rh; LSTM: i f g o c */
} NN_FN(rnn_cache_view);

static NN_FN(rnn_cache_view) NN_FN(cache_view)(nn_real *cache, int B, int T, int D, int H) {
    NN_FN(rnn_cache_view) v;
    size_t blk = (size_t)T * B * H;
    v.xm = cache;
    v.h = cache + (size_t)B * T * D;
    v.s1 = v.h + blk;
    v.s2 = v.s1 + blk;
    v.s3 = v.s2 + blk;
    v.s4 = v.s3 + blk;
    v.s5 = v.s4 + blk;
    return v;
}

void NN_FN(avmit_rnn_forward)(avmit_rnn_kind k, nn_real *h_out, nn_real *cache, const nn_real *x,
                              const nn_real *mask, const nn_real *w, const nn_real *u,
                              const nn_real *b, int B, int T, int D, int H, nn_real *work) {
    const int G = avmit_rnn_gates(k), GH = G * H;
    NN_FN(rnn_cache_view) c = NN_FN(cache_view)(cache, B, T, D, H);
    nn_real *xw = work, *r = work + (size_t)B * T * GH;

    for (int bi = 0; bi < B; bi++)
        for (int t = 0; t < T; t++) {
            const nn_real *xr = x + ((size_t)bi * T + t) * D;
            nn_real *mr = c.xm + ((size_t)bi * T + t) * D;
            if (mask)
                for (int d = 0; d < D; d++) mr[d] = xr[d] * mask[(size_t)bi * D + d];
            else
                memcpy(mr, xr, sizeof(nn_real) * D);
        }
    NN_MM(0, 0, B * T, GH, D, c.xm, D, w, GH, 0, xw, GH);

    for (int t = 0; t < T; t++) {
        const nn_real *hp = t > 0 ? c.h + (size_t)(t - 1) * B * H : NULL;
        if (hp)
            NN_MM(0, 0, B, GH, H, hp, H, u, GH, 0, r, GH);
        else
            memset(r, 0, sizeof(nn_real) * B * GH);
        size_t so = (size_t)t * B * H;
        for (int bi = 0; bi < B; bi++) {
            const nn_real *a = xw + ((size_t)bi * T + t) * GH; /* input projection */
            const nn_real *q = r + (size_t)bi * GH;            /* h_prev U */
            nn_real *h = c.h + so + (size_t)bi * H;
            for (int j = 0; j < H; j++) {
                nn_real hpj = hp ? hp[(size_t)bi * H + j] : 0;
                size_t o = so + (size_t)bi * H + j;
                if (k == AVMIT_RNN_SIMPLE) {
                    h[j] = NN_TANH(a[j] + b[j] + q[j]);
                } else if (k == AVMIT_RNN_GRU) {
                    const nn_real *bin = b, *brec = b + GH;
                    nn_real z = nn_sigmoid(a[j] + bin[j] + q[j] + brec[j]);
                    nn_real rr = nn_sigmoid(a[H + j] + bin[H + j] + q[H + j] + brec[H + j]);
                    nn_real rh = q[2 * H + j] + brec[2 * H + j];
                    nn_real hh = NN_TANH(a[2 * H + j] + bin[2 * H + j] + rr * rh);
                    h[j] = z * hpj + ((nn_real)1 - z) * hh;
                    c.s1[o] = z;
                    c.s2[o] = rr;
                    c.s3[o] = hh;
                    c.s4[o] = rh;
                } else {
                    nn_real cp = t > 0 ? c.s5[o - (size_t)B * H] : 0;
                    nn_real ig = nn_sigmoid(a[j] + q[j] + b[j]);
                    nn_real fg = nn_sigmoid(a[H + j] + q[H + j] + b[H + j]);
                    nn_real gg = NN_TANH(a[2 * H + j] + q[2 * H + j] + b[2 * H + j]);
                    nn_real og = nn_sigmoid(a[3 * H + j] + q[3 * H + j] + b[3 * H + j]);
                    nn_real cc = fg * cp + ig * gg;
                    h[j] = og * NN_TANH(cc);
                    c.s1[o] = ig;
                    c.s2[o] = fg;
                    c.s3[o] = gg;
                    c.s4[o] = og;
                    c.s5[o] = cc;
                }
            }
        }
    }
    memcpy(h_out, c.h + (size_t)(T - 1) * B * H, sizeof(nn_real) * B * H);
}

void NN_FN(avmit_rnn_backward)(avmit_rnn_kind k, nn_real *dx, nn_real *dw, nn_real *du,
                               nn_real *db, const nn_real *dh_last, const nn_real *cache,
                               const nn_real *x, const nn_real *mask, const nn_real *w,
                               const nn_real *u, const nn_real *b, int B, int T, int D, int H,
                               nn_real *work) {
    const int G = avmit_rnn_gates(k), GH = G * H;
    NN_FN(rnn_cache_view) c = NN_FN(cache_view)((nn_real *)cache, B, T, D, H);
    nn_real *dxw = work, *dr = work + (size_t)B * T * GH;
    nn_real *dh = dr + (size_t)B * GH, *dc = dh + (size_t)B * H, *dhn = dc + (size_t)B * H;
    (void)x;

    memcpy(dh, dh_last, sizeof(nn_real) * B * H);
    memset(dc, 0, sizeof(nn_real) * B * H);
    for (int t = T - 1; t >= 0; t--) {
        const nn_real *hp = t > 0 ? c.h + (size_t)(t - 1) * B * H : NULL;
        size_t so = (size_t)t * B * H;
        for (int bi = 0; bi < B; bi++) {
            nn_real *ax = dxw + ((size_t)bi * T + t) * GH; /* d(input projection) */
            nn_real *ar = dr + (size_t)bi * GH;            /* d(h_prev U + b_rec) */
            for (int j = 0; j < H; j++) {
                size_t o = so + (size_t)bi * H + j;
                nn_real g = dh[(size_t)bi * H + j];
                nn_real hpj = hp ? hp[(size_t)bi * H + j] : 0;
                if (k == AVMIT_RNN_SIMPLE) {
                    nn_real h = c.h[o];
                    ax[j] = ar[j] = g * ((nn_real)1 - h * h);
                    dhn[(size_t)bi * H + j] = 0;
                } else if (k == AVMIT_RNN_GRU) {
                    nn_real z = c.s1[o], rr = c.s2[o], hh = c.s3[o], rh = c.s4[o];
                    nn_real dah = g * ((nn_real)1 - z) * ((nn_real)1 - hh * hh);
                    nn_real daz = g * (hpj - hh) * z * ((nn_real)1 - z);
                    nn_real dar = dah * rh * rr * ((nn_real)1 - rr);
                    ax[j] = ar[j] = daz;
                    ax[H + j] = ar[H + j] = dar;
                    ax[2 * H + j] = dah;
                    ar[2 * H + j] = dah * rr;
                    dhn[(size_t)bi * H + j] = g * z;
                } else {
                    nn_real ig = c.s1[o], fg = c.s2[o], gg = c.s3[o], og = c.s4[o], cc = c.s5[o];
                    nn_real cp = t > 0 ? c.s5[o - (size_t)B * H] : 0;
                    nn_real tc = NN_TANH(cc);
                    nn_real dcc = dc[(size_t)bi * H + j] + g * og * ((nn_real)1 - tc * tc);
                    ax[j] = ar[j] = dcc * gg * ig * ((nn_real)1 - ig);
                    ax[H + j] = ar[H + j] = dcc * cp * fg * ((nn_real)1 - fg);
                    ax[2 * H + j] = ar[2 * H + j] = dcc * ig * ((nn_real)1 - gg * gg);
                    ax[3 * H + j] = ar[3 * H + j] = g * tc * og * ((nn_real)1 - og);
                    dc[(size_t)bi * H + j] = dcc * fg;
                    dhn[(size_t)bi * H + j] = 0;
                }
            }
            /* bias: input-side rows (all kinds) and GRU's recurrent row */
            for (int q = 0; q < GH; q++) db[q] += ax[q];
            if (k == AVMIT_RNN_GRU)
                for (int q = 0; q < GH; q++) db[GH + q] += ar[q];
        }
        if (hp) {
            NN_MM(1, 0, H, GH, B, hp, H, dr, GH, 1, du, GH);  /* dU += h_prev^T dR */
            NN_MM(0, 1, B, H, GH, dr, GH, u, GH, 1, dhn, H);  /* dh_prev += dR U^T */
        }
        memcpy(dh, dhn, sizeof(nn_real) * B * H);
    }
    (void)b;
    NN_MM(1, 0, D, GH, B * T, c.xm, D, dxw, GH, 1, dw, GH); /* dW += xm^T dXW */
    if (dx && !mask) {
        NN_MM(0, 1, B * T, D, GH, dxw, GH, w, GH, 1, dx, D); /* dx += dXW W^T */
    } else if (dx) {
        nn_real *dxm = dhn + (size_t)B * H;
        NN_MM(0, 1, B * T, D, GH, dxw, GH, w, GH, 0, dxm, D);
        for (int bi = 0; bi < B; bi++)
            for (int t = 0; t < T; t++) {
                size_t row = ((size_t)bi * T + t) * D;
                for (int d = 0; d < D; d++) dx[row + d] += dxm[row + d] * mask[(size_t)bi * D + d];
            }
    }
}
