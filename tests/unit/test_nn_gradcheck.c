/*
 * test_nn_gradcheck.c — every layer backward of the nn core against central
 * finite differences in double precision, on tiny shapes (STYLE.md §2 "Parity
 * tests"). The layers are the same sources as the float32 ones, built with
 * nn_real = double (src/nn/nn_f64.c). Each check: L = sum(out * R) for a fixed
 * random R, analytic gradients from the backward with dout = R, numeric
 * (L(p+h) - L(p-h)) / 2h with h = 1e-6; relative error
 * |a - n| / max(1, |a|, |n|) <= 1e-6. ReLU inputs within 1e-3 of the kink
 * are moved away from it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/rng.h"
#include "nn/nn_int.h"
#include "testutil.h"

#define FD_H 1e-6
#define FD_TOL 1e-6

static avmit_rng g_rng;
static double *rnd(size_t n, double scale) {
    double *p = malloc(sizeof(double) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = scale * (2 * avmit_rng_uniform(&g_rng) - 1);
    return p;
}
static double *zeros(size_t n) { return calloc(n ? n : 1, sizeof(double)); }
static double dot(const double *a, const double *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

typedef double (*loss_fn)(void *ctx);

/* Compare analytic[n] with finite differences of loss() over param[n]. */
static void fd_check(const char *what, double *param, size_t n, const double *analytic,
                     loss_fn loss, void *ctx) {
    double worst = 0;
    size_t wi = 0;
    double wa = 0, wn = 0;
    for (size_t i = 0; i < n; i++) {
        double keep = param[i];
        param[i] = keep + FD_H;
        double lp = loss(ctx);
        param[i] = keep - FD_H;
        double lm = loss(ctx);
        param[i] = keep;
        double num = (lp - lm) / (2 * FD_H);
        double scale = fmax(1.0, fmax(fabs(num), fabs(analytic[i])));
        double e = fabs(num - analytic[i]) / scale;
        if (e > worst) worst = e, wi = i, wa = analytic[i], wn = num;
    }
    CHECK(worst <= FD_TOL, "%s: worst relative error %.3e at [%zu]: analytic %.10g, numeric %.10g", what,
          worst, wi, wa, wn);
}

/* ---- dense ---- */
typedef struct { int N, I, O; double *inp, *w, *b, *out, *R; } dense_ctx;
static double dense_loss(void *p) {
    dense_ctx *c = p;
    avmit_dense_forward_f64(c->out, c->inp, c->w, c->b, c->N, c->I, c->O, c->I);
    return dot(c->out, c->R, (size_t)c->N * c->O);
}
static void test_dense(void) {
    dense_ctx c = {5, 4, 3, 0, 0, 0, 0, 0};
    c.inp = rnd(20, 1), c.w = rnd(12, 1), c.b = rnd(3, 1), c.out = zeros(15), c.R = rnd(15, 1);
    double *di = zeros(20), *dw = zeros(12), *db = zeros(3);
    dense_loss(&c);
    avmit_dense_backward_f64(di, dw, db, c.R, c.inp, c.w, c.N, c.I, c.O, c.I);
    fd_check("dense dinp", c.inp, 20, di, dense_loss, &c);
    fd_check("dense dw", c.w, 12, dw, dense_loss, &c);
    fd_check("dense db", c.b, 3, db, dense_loss, &c);
    free(c.inp), free(c.w), free(c.b), free(c.out), free(c.R), free(di), free(dw), free(db);
}

/* ---- batchnorm (training mode: the statistics depend on the input) ---- */
typedef struct { int N, C; double *inp, *g, *b, *out, *mean, *var, *R; } bn_ctx;
static double bn_loss(void *p) {
    bn_ctx *c = p;
    avmit_batchnorm_forward_train_f64(c->out, c->mean, c->var, c->inp, c->g, c->b, c->N, c->C, 1e-3);
    return dot(c->out, c->R, (size_t)c->N * c->C);
}
static void test_batchnorm(void) {
    bn_ctx c = {7, 3, 0, 0, 0, 0, 0, 0, 0};
    c.inp = rnd(21, 1), c.g = rnd(3, 1), c.b = rnd(3, 1), c.out = zeros(21), c.mean = zeros(3),
    c.var = zeros(3), c.R = rnd(21, 1);
    double *di = zeros(21), *dg = zeros(3), *db = zeros(3);
    bn_loss(&c);
    avmit_batchnorm_backward_f64(di, dg, db, c.R, c.inp, c.g, c.mean, c.var, c.N, c.C, 1e-3);
    fd_check("batchnorm dinp", c.inp, 21, di, bn_loss, &c);
    fd_check("batchnorm dgamma", c.g, 3, dg, bn_loss, &c);
    fd_check("batchnorm dbeta", c.b, 3, db, bn_loss, &c);
    free(c.inp), free(c.g), free(c.b), free(c.out), free(c.mean), free(c.var), free(c.R);
    free(di), free(dg), free(db);
}

/* ---- activations ---- */
typedef struct { size_t n; avmit_act act; double *inp, *out, *R; } act_ctx;
static double act_loss(void *p) {
    act_ctx *c = p;
    avmit_act_forward_f64(c->out, c->inp, c->n, c->act);
    return dot(c->out, c->R, c->n);
}
static void test_act(avmit_act act) {
    act_ctx c = {16, act, rnd(16, 3), zeros(16), rnd(16, 1)};
    for (size_t i = 0; i < c.n; i++)
        if (fabs(c.inp[i]) < 1e-3) c.inp[i] = 0.5; /* away from ReLU's kink */
    double *di = zeros(16);
    act_loss(&c);
    avmit_act_backward_f64(di, c.R, c.inp, c.n, act);
    fd_check(act == AVMIT_ACT_RELU ? "relu dinp" : "swish dinp", c.inp, c.n, di, act_loss, &c);
    free(c.inp), free(c.out), free(c.R), free(di);
}

/* ---- recurrent layers ---- */
typedef struct {
    avmit_rnn_kind k;
    int B, T, D, H;
    double *x, *mask, *w, *u, *b, *h, *cache, *work, *R;
} rnn_ctx;
static double rnn_loss(void *p) {
    rnn_ctx *c = p;
    avmit_rnn_forward_f64(c->k, c->h, c->cache, c->x, c->mask, c->w, c->u, c->b, c->B, c->T, c->D,
                          c->H, c->work);
    return dot(c->h, c->R, (size_t)c->B * c->H);
}
/* repeat: sample 0's steps 1..T-1 and sample 2's last step copy the step
 * before (like a zero-padded tail), which takes the layer's path that
 * projects repeated rows once and sums their dXW before the dW GEMM. */
static void test_rnn(avmit_rnn_kind k, int with_mask, int repeat) {
    rnn_ctx c = {k, 3, 4, 5, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    int G = avmit_rnn_gates(k);
    size_t nx = (size_t)c.B * c.T * c.D, nw = (size_t)c.D * G * c.H, nu = (size_t)c.H * G * c.H,
           nbias = avmit_rnn_bias_count(k, c.H);
    c.x = rnd(nx, 1), c.w = rnd(nw, 0.7), c.u = rnd(nu, 0.7), c.b = rnd(nbias, 0.5);
    if (repeat) {
        for (int t = 1; t < c.T; t++)
            memcpy(c.x + (size_t)t * c.D, c.x + (size_t)(t - 1) * c.D, sizeof(double) * c.D);
        double *s2 = c.x + (size_t)2 * c.T * c.D;
        memcpy(s2 + (size_t)(c.T - 1) * c.D, s2 + (size_t)(c.T - 2) * c.D, sizeof(double) * c.D);
    }
    c.h = zeros((size_t)c.B * c.H), c.R = rnd((size_t)c.B * c.H, 1);
    c.cache = zeros(avmit_rnn_cache_size(k, c.B, c.T, c.D, c.H));
    c.work = zeros(avmit_rnn_work_size(k, c.B, c.T, c.D, c.H));
    if (with_mask) {
        c.mask = zeros((size_t)c.B * c.D);
        for (int i = 0; i < c.B * c.D; i++) c.mask[i] = (i % 3) ? 1.5 : 0.0;
    }
    double *dx = zeros(nx), *dw = zeros(nw), *du = zeros(nu), *db = zeros(nbias);
    rnn_loss(&c);
    avmit_rnn_backward_f64(k, dx, dw, du, db, c.R, c.cache, c.x, c.mask, c.w, c.u, c.b, c.B, c.T, c.D,
                           c.H, c.work);
    char what[96];
    const char *nm = avmit_rnn_name(k);
    const char *mk = with_mask ? (repeat ? " (mask, repeated rows)" : " (mask)") : repeat ? " (repeated rows)" : "";
    snprintf(what, sizeof what, "%s%s dx", nm, mk);
    fd_check(what, c.x, nx, dx, rnn_loss, &c);
    snprintf(what, sizeof what, "%s%s dkernel", nm, mk);
    fd_check(what, c.w, nw, dw, rnn_loss, &c);
    snprintf(what, sizeof what, "%s%s drecurrent", nm, mk);
    fd_check(what, c.u, nu, du, rnn_loss, &c);
    snprintf(what, sizeof what, "%s%s dbias", nm, mk);
    fd_check(what, c.b, nbias, db, rnn_loss, &c);
    free(c.x), free(c.mask), free(c.w), free(c.u), free(c.b), free(c.h), free(c.cache), free(c.work),
        free(c.R);
    free(dx), free(dw), free(du), free(db);
}

/* ---- softmax + clipped cross-entropy ---- */
typedef struct { int B, K; int *y; double *z, *p; } ce_ctx;
static double ce_loss(void *p) {
    ce_ctx *c = p;
    avmit_softmax_forward_f64(c->p, c->z, c->B, c->K);
    return avmit_ce_loss_f64(c->p, c->y, c->B, c->K);
}
static void test_softmax_ce(void) {
    int y[4] = {0, 3, 5, 2};
    ce_ctx c = {4, 6, y, rnd(24, 2), zeros(24)};
    double *dz = zeros(24);
    ce_loss(&c);
    avmit_softmax_ce_backward_f64(dz, c.p, y, c.B, c.K);
    fd_check("softmax+ce dlogits", c.z, 24, dz, ce_loss, &c);
    /* A row clipped at 1 - 1e-7 contributes no gradient (tf.clip_by_value). */
    memset(dz, 0, sizeof(double) * 24);
    for (int k = 0; k < 6; k++) c.z[k] = k == 0 ? 40.0 : 0.0;
    ce_loss(&c);
    avmit_softmax_ce_backward_f64(dz, c.p, y, c.B, c.K);
    double row0 = 0;
    for (int k = 0; k < 6; k++) row0 += fabs(dz[k]);
    CHECK(row0 == 0, "clipped row has gradient %g", row0);
    fd_check("softmax+ce dlogits with a clipped row", c.z, 24, dz, ce_loss, &c);
    free(c.z), free(c.p), free(dz);
}

int main(void) {
    avmit_rng_seed(&g_rng, 1234, 0);
    test_dense();
    test_batchnorm();
    test_act(AVMIT_ACT_RELU);
    test_act(AVMIT_ACT_SWISH);
    for (int k = 0; k < 3; k++) {
        test_rnn((avmit_rnn_kind)k, 0, 0);
        test_rnn((avmit_rnn_kind)k, 1, 0);
        test_rnn((avmit_rnn_kind)k, 0, 1);
        test_rnn((avmit_rnn_kind)k, 1, 1);
    }
    test_softmax_ce();
    return test_finish("nn_gradcheck");
}
