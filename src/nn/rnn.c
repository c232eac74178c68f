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
 * with x already multiplied by the dropout mask. Everything inside is
 * time-major (row t*B + b), so that all timesteps share GEMMs: forward, the
 * input projection of all steps is one [T*B,D] x [D,G*H] GEMM, then each step
 * one [B,H] x [H,G*H] GEMM and an elementwise pass (one loop per cell kind,
 * branch-free, so it vectorises); backward, each step only does the
 * elementwise pass and the [B,G*H] x [G*H,H] GEMM that carries dh back, and the
 * weight gradients are one GEMM each over all T*B rows afterwards
 * (dU += h[0..T-2]^T dR[1..T-1] with K = (T-1)*B instead of T-1 GEMMs with
 * K = B; dW += xm^T dXW; dx = dXW W^T).
 *
 * Repeated input rows: a zero-padded tail repeats one row (after the
 * bottleneck, BN and activation, padding rows of a sample are equal), and so
 * does its projection. A row equal to the same sample's row at t-1 is left
 * out of the projection GEMM and of the dW GEMM (its dXW is added to its
 * representative's first): the results are the same up to rounding of the
 * sums, and the GEMMs shrink by the padded fraction (3 of 7 steps for the
 * VGGish configs). The representative of each row is kept in the cache.
 *
 * Cache (floats, all time-major): xm [U,D] (the U distinct masked input rows,
 * time-major order), rep [T*B] (index in xm of each row's representative, as a
 * float), h [T,B,H], then GRU z r hh rh / LSTM i f g o c, each [T,B,H].
 * Work: XW [T*B, G*H] (forward: the U distinct projections; backward: dXW of
 * every row), R [T*B,G*H] (forward: h_prev U of the current step; backward,
 * GRU: the recurrent-side gradient of every step, then dXW summed per
 * distinct row), dh [B,H], dhn [B,H], dc [B,H] (forward: a zero
 * h_prev / c_prev for t = 0), dxm [T*B,D] (input gradient before the mask).
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
    return (size_t)B * T * D + (size_t)T * B + (size_t)n_state_blocks(k) * T * B * H;
}

size_t avmit_rnn_work_size(avmit_rnn_kind k, int B, int T, int D, int H) {
    size_t gh = (size_t)avmit_rnn_gates(k) * H;
    return (size_t)2 * B * T * gh + (size_t)3 * B * H + (size_t)B * T * D;
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

/* Views of the cache and of the work buffer for (B,T,D,H). */
typedef struct {
    nn_real *xm, *rep, *h, *s1, *s2, *s3, *s4, *s5; /* GRU: z r hh rh; LSTM: i f g o c */
    nn_real *xw, *r, *dh, *dhn, *dc, *dxm;    /* work */
} NN_FN(rnn_view);

static NN_FN(rnn_view) NN_FN(rnn_views)(nn_real *cache, nn_real *work, int G, int B, int T, int D,
                                        int H) {
    NN_FN(rnn_view) v;
    size_t blk = (size_t)T * B * H, gblk = (size_t)T * B * G * H;
    v.xm = cache;
    v.rep = cache + (size_t)B * T * D;
    v.h = v.rep + (size_t)T * B;
    v.s1 = v.h + blk;
    v.s2 = v.s1 + blk;
    v.s3 = v.s2 + blk;
    v.s4 = v.s3 + blk;
    v.s5 = v.s4 + blk;
    v.xw = work;
    v.r = work + gblk;
    v.dh = v.r + gblk;
    v.dhn = v.dh + (size_t)B * H;
    v.dc = v.dhn + (size_t)B * H;
    v.dxm = v.dc + (size_t)B * H;
    return v;
}

/* One step's elementwise pass for one batch row: a = input projection row,
 * q = h_prev U row, o = offset of the row's [H] block in the state blocks. */
static void NN_FN(simple_row)(nn_real *restrict h, const nn_real *restrict a,
                              const nn_real *restrict q, const nn_real *restrict b, int H) {
    for (int j = 0; j < H; j++) h[j] = NN_TANH(a[j] + b[j] + q[j]);
}

static void NN_FN(gru_row)(nn_real *restrict h, nn_real *restrict z_, nn_real *restrict r_,
                           nn_real *restrict hh_, nn_real *restrict rh_, const nn_real *restrict a,
                           const nn_real *restrict q, const nn_real *restrict hp,
                           const nn_real *restrict b, int H) {
    const nn_real *bin = b, *brec = b + 3 * H;
    for (int j = 0; j < H; j++) {
        nn_real z = nn_sigmoid(a[j] + bin[j] + q[j] + brec[j]);
        nn_real rr = nn_sigmoid(a[H + j] + bin[H + j] + q[H + j] + brec[H + j]);
        nn_real rh = q[2 * H + j] + brec[2 * H + j];
        nn_real hh = NN_TANH(a[2 * H + j] + bin[2 * H + j] + rr * rh);
        h[j] = z * hp[j] + ((nn_real)1 - z) * hh;
        z_[j] = z;
        r_[j] = rr;
        hh_[j] = hh;
        rh_[j] = rh;
    }
}

static void NN_FN(lstm_row)(nn_real *restrict h, nn_real *restrict i_, nn_real *restrict f_,
                            nn_real *restrict g_, nn_real *restrict o_, nn_real *restrict c_,
                            const nn_real *restrict a, const nn_real *restrict q,
                            const nn_real *restrict cp, const nn_real *restrict b, int H) {
    for (int j = 0; j < H; j++) {
        nn_real ig = nn_sigmoid(a[j] + q[j] + b[j]);
        nn_real fg = nn_sigmoid(a[H + j] + q[H + j] + b[H + j]);
        nn_real gg = NN_TANH(a[2 * H + j] + q[2 * H + j] + b[2 * H + j]);
        nn_real og = nn_sigmoid(a[3 * H + j] + q[3 * H + j] + b[3 * H + j]);
        nn_real cc = fg * cp[j] + ig * gg;
        h[j] = og * NN_TANH(cc);
        i_[j] = ig;
        f_[j] = fg;
        g_[j] = gg;
        o_[j] = og;
        c_[j] = cc;
    }
}

void NN_FN(avmit_rnn_forward)(avmit_rnn_kind k, nn_real *h_out, nn_real *cache, const nn_real *x,
                              const nn_real *mask, const nn_real *w, const nn_real *u,
                              const nn_real *b, int B, int T, int D, int H, nn_real *work) {
    const int G = avmit_rnn_gates(k), GH = G * H;
    NN_FN(rnn_view) c = NN_FN(rnn_views)(cache, work, G, B, T, D, H);
    const size_t BH = (size_t)B * H;

    int U = 0;
    for (int t = 0; t < T; t++)
        for (int bi = 0; bi < B; bi++) {
            const nn_real *xr = x + ((size_t)bi * T + t) * D;
            size_t row = (size_t)t * B + bi;
            if (t > 0 && !memcmp(xr, xr - D, sizeof(nn_real) * D)) {
                c.rep[row] = c.rep[row - B];
                continue;
            }
            nn_real *mr = c.xm + (size_t)U * D;
            c.rep[row] = (nn_real)U++;
            if (mask)
                for (int d = 0; d < D; d++) mr[d] = xr[d] * mask[(size_t)bi * D + d];
            else
                memcpy(mr, xr, sizeof(nn_real) * D);
        }
    NN_MM(0, 0, U, GH, D, c.xm, D, w, GH, 0, c.xw, GH);

    memset(c.dc, 0, sizeof(nn_real) * BH); /* h_prev = c_prev = 0 at t = 0 */
    for (int t = 0; t < T; t++) {
        const nn_real *hp = t > 0 ? c.h + (size_t)(t - 1) * BH : c.dc;
        const nn_real *cp = t > 0 ? c.s5 + (size_t)(t - 1) * BH : c.dc;
        if (t > 0)
            NN_MM(0, 0, B, GH, H, hp, H, u, GH, 0, c.r, GH);
        else
            memset(c.r, 0, sizeof(nn_real) * B * GH);
        for (int bi = 0; bi < B; bi++) {
            size_t o = (size_t)t * BH + (size_t)bi * H;
            const nn_real *a = c.xw + (size_t)c.rep[(size_t)t * B + bi] * GH, *q = c.r + (size_t)bi * GH;
            if (k == AVMIT_RNN_SIMPLE)
                NN_FN(simple_row)(c.h + o, a, q, b, H);
            else if (k == AVMIT_RNN_GRU)
                NN_FN(gru_row)(c.h + o, c.s1 + o, c.s2 + o, c.s3 + o, c.s4 + o, a, q,
                               hp + (size_t)bi * H, b, H);
            else
                NN_FN(lstm_row)(c.h + o, c.s1 + o, c.s2 + o, c.s3 + o, c.s4 + o, c.s5 + o, a, q,
                                cp + (size_t)bi * H, b, H);
        }
    }
    memcpy(h_out, c.h + (size_t)(T - 1) * BH, sizeof(nn_real) * BH);
}

/* Backward elementwise passes for one batch row at one step: g = dh, ax =
 * d(input projection), ar = d(h_prev U + b_rec) where it differs (GRU),
 * dhn = the part of dh_prev that does not go through U. */
static void NN_FN(simple_row_back)(nn_real *restrict ax, const nn_real *restrict g,
                                   const nn_real *restrict h, int H) {
    for (int j = 0; j < H; j++) ax[j] = g[j] * ((nn_real)1 - h[j] * h[j]);
}

static void NN_FN(gru_row_back)(nn_real *restrict ax, nn_real *restrict ar, nn_real *restrict dhn,
                                const nn_real *restrict g, const nn_real *restrict hp,
                                const nn_real *restrict z_, const nn_real *restrict r_,
                                const nn_real *restrict hh_, const nn_real *restrict rh_, int H) {
    for (int j = 0; j < H; j++) {
        nn_real z = z_[j], rr = r_[j], hh = hh_[j], rh = rh_[j];
        nn_real dah = g[j] * ((nn_real)1 - z) * ((nn_real)1 - hh * hh);
        nn_real daz = g[j] * (hp[j] - hh) * z * ((nn_real)1 - z);
        nn_real dar = dah * rh * rr * ((nn_real)1 - rr);
        ax[j] = ar[j] = daz;
        ax[H + j] = ar[H + j] = dar;
        ax[2 * H + j] = dah;
        ar[2 * H + j] = dah * rr;
        dhn[j] = g[j] * z;
    }
}

static void NN_FN(lstm_row_back)(nn_real *restrict ax, nn_real *restrict dc,
                                 const nn_real *restrict g, const nn_real *restrict cp,
                                 const nn_real *restrict i_, const nn_real *restrict f_,
                                 const nn_real *restrict g_, const nn_real *restrict o_,
                                 const nn_real *restrict c_, int H) {
    for (int j = 0; j < H; j++) {
        nn_real ig = i_[j], fg = f_[j], gg = g_[j], og = o_[j];
        nn_real tc = NN_TANH(c_[j]);
        nn_real dcc = dc[j] + g[j] * og * ((nn_real)1 - tc * tc);
        ax[j] = dcc * gg * ig * ((nn_real)1 - ig);
        ax[H + j] = dcc * cp[j] * fg * ((nn_real)1 - fg);
        ax[2 * H + j] = dcc * ig * ((nn_real)1 - gg * gg);
        ax[3 * H + j] = g[j] * tc * og * ((nn_real)1 - og);
        dc[j] = dcc * fg;
    }
}

/* db[q] += sum of the rows of a [n, GH] block, in row order. */
static void NN_FN(add_colsum)(nn_real *restrict db, const nn_real *restrict a, size_t n, int GH) {
    for (size_t i = 0; i < n; i++)
        for (int q = 0; q < GH; q++) db[q] += a[i * GH + q];
}

void NN_FN(avmit_rnn_backward)(avmit_rnn_kind k, nn_real *dx, nn_real *dw, nn_real *du,
                               nn_real *db, const nn_real *dh_last, const nn_real *cache,
                               const nn_real *x, const nn_real *mask, const nn_real *w,
                               const nn_real *u, const nn_real *b, int B, int T, int D, int H,
                               nn_real *work) {
    const int G = avmit_rnn_gates(k), GH = G * H;
    NN_FN(rnn_view) c = NN_FN(rnn_views)((nn_real *)cache, work, G, B, T, D, H);
    const size_t BH = (size_t)B * H;
    nn_real *dh = c.dh, *dhn = c.dhn;
    (void)x, (void)b;

    memcpy(dh, dh_last, sizeof(nn_real) * BH);
    memset(c.dc, 0, sizeof(nn_real) * BH);
    for (int t = T - 1; t >= 0; t--) {
        size_t so = (size_t)t * BH;
        if (t == 0 && k == AVMIT_RNN_LSTM) memset(dhn, 0, sizeof(nn_real) * BH); /* c_prev = 0 */
        nn_real *ax = c.xw + (size_t)t * B * GH, *ar = c.r + (size_t)t * B * GH;
        for (int bi = 0; bi < B; bi++) {
            size_t o = so + (size_t)bi * H, ro = (size_t)bi * GH;
            const nn_real *g = dh + (size_t)bi * H;
            if (k == AVMIT_RNN_SIMPLE) {
                NN_FN(simple_row_back)(ax + ro, g, c.h + o, H);
            } else if (k == AVMIT_RNN_GRU) {
                const nn_real *hp = t > 0 ? c.h + o - BH : c.dc; /* c.dc stays 0 for GRU */
                NN_FN(gru_row_back)(ax + ro, ar + ro, dhn + (size_t)bi * H, g, hp, c.s1 + o,
                                    c.s2 + o, c.s3 + o, c.s4 + o, H);
            } else {
                const nn_real *cp = t > 0 ? c.s5 + o - BH : dhn + (size_t)bi * H;
                NN_FN(lstm_row_back)(ax + ro, c.dc + (size_t)bi * H, g, cp, c.s1 + o, c.s2 + o,
                                     c.s3 + o, c.s4 + o, c.s5 + o, H);
            }
        }
        if (t > 0) { /* dh_prev = (GRU: dh z) + dR U^T */
            int gru = k == AVMIT_RNN_GRU;
            NN_MM(0, 1, B, H, GH, gru ? ar : ax, GH, u, GH, gru ? 1 : 0, dhn, H);
            nn_real *tmp = dh;
            dh = dhn, dhn = tmp;
        }
    }
    const size_t TB = (size_t)T * B;
    const nn_real *R = k == AVMIT_RNN_GRU ? c.r : c.xw; /* recurrent-side gradient, all steps */
    NN_FN(add_colsum)(db, c.xw, TB, GH);
    if (k == AVMIT_RNN_GRU) NN_FN(add_colsum)(db + GH, c.r, TB, GH);
    if (T > 1) NN_MM(1, 0, H, GH, (T - 1) * B, c.h, H, R + (size_t)B * GH, GH, 1, du, GH);
    /* dW += xm^T dXW, with the dXW rows summed per distinct input row */
    int U = 0;
    for (size_t row = 0; row < TB; row++) {
        int u = (int)c.rep[row];
        nn_real *dst = c.r + (size_t)u * GH;
        const nn_real *src = c.xw + row * GH;
        if (u == U) {
            memcpy(dst, src, sizeof(nn_real) * GH);
            U++;
        } else {
            for (int q = 0; q < GH; q++) dst[q] += src[q];
        }
    }
    NN_MM(1, 0, D, GH, U, c.xm, D, c.r, GH, 1, dw, GH);
    if (!dx) return;
    NN_MM(0, 1, T * B, D, GH, c.xw, GH, w, GH, 0, c.dxm, D); /* dxm = dXW W^T */
    for (int t = 0; t < T; t++)
        for (int bi = 0; bi < B; bi++) {
            nn_real *dr = dx + ((size_t)bi * T + t) * D;
            const nn_real *sr = c.dxm + ((size_t)t * B + bi) * D;
            if (mask) {
                const nn_real *mr = mask + (size_t)bi * D;
                for (int d = 0; d < D; d++) dr[d] += sr[d] * mr[d];
            } else {
                for (int d = 0; d < D; d++) dr[d] += sr[d];
            }
        }
}
