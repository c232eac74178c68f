/*
 * test_savc_layers.c — the SAVC layers (avmit/savc.h): analytic backward vs
 * central finite differences in double precision on tiny shapes, the floors
 * (l2_normalize 1e-12, distance 1e-7) and their zero gradients, the clipped BCE,
 * and that the float32 build agrees with the double one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/rng.h"
#include "nn/savc_real_int.h"
#include "testutil.h"

#define N 3
#define D 5

static void randn(double *x, size_t n, avmit_rng *r, double scale) {
    for (size_t i = 0; i < n; i++) x[i] = scale * avmit_rng_normal(r);
}

/* Scalar objective sum(w * layer(x)) for a fixed random w, per layer. */
static double obj_l2(const double *x, const double *w) {
    double y[N * D], ss[N], s = 0;
    avmit_l2norm_forward_f64(y, ss, x, N, D);
    for (int i = 0; i < N * D; i++) s += w[i] * y[i];
    return s;
}

static double obj_euclid(const double *a, const double *b, const double *w) {
    double y[N], ss[N], s = 0;
    avmit_euclid_forward_f64(y, ss, a, b, N, D);
    for (int i = 0; i < N; i++) s += w[i] * y[i];
    return s;
}

static void softmax2(double *p, const double *z, int B) {
    for (int i = 0; i < B; i++) {
        double m = fmax(z[2 * i], z[2 * i + 1]);
        double e0 = exp(z[2 * i] - m), e1 = exp(z[2 * i + 1] - m);
        p[2 * i] = e0 / (e0 + e1);
        p[2 * i + 1] = e1 / (e0 + e1);
    }
}

static double obj_bce(const double *z, const int *labels, int B) {
    double p[2 * 8];
    softmax2(p, z, B);
    return avmit_bce2_loss_f64(p, labels, B);
}

static double max_rel(const double *a, const double *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs(a[i] - b[i]) / fmax(1e-6, fabs(a[i]) + fabs(b[i]));
        if (e > m) m = e;
    }
    return m;
}

static void test_l2norm_grad(void) {
    avmit_rng r;
    avmit_rng_seed(&r, 1, 0);
    double x[N * D], w[N * D], y[N * D], ss[N], dx[N * D] = {0}, num[N * D];
    randn(x, N * D, &r, 1.0);
    randn(w, N * D, &r, 1.0);
    avmit_l2norm_forward_f64(y, ss, x, N, D);
    for (int n = 0; n < N; n++) {
        double norm = 0;
        for (int d = 0; d < D; d++) norm += y[n * D + d] * y[n * D + d];
        CHECK(fabs(norm - 1) < 1e-12, "row %d has norm^2 %g after l2norm", n, norm);
    }
    avmit_l2norm_backward_f64(dx, w, x, ss, N, D);
    const double h = 1e-6;
    for (int i = 0; i < N * D; i++) {
        double s = x[i];
        x[i] = s + h;
        double fp = obj_l2(x, w);
        x[i] = s - h;
        double fm = obj_l2(x, w);
        x[i] = s;
        num[i] = (fp - fm) / (2 * h);
    }
    double e = max_rel(dx, num, N * D);
    CHECK(e < 1e-7, "l2norm gradient vs finite differences: max rel err %g", e);
    /* Below the 1e-12 floor: y = x * 1e6 and the gradient is 1e6 * g (no norm term). */
    double tiny[D] = {1e-8, -2e-8, 0, 3e-8, 0}, yt[D], st, g[D] = {1, 2, 3, 4, 5}, dt[D] = {0};
    avmit_l2norm_forward_f64(yt, &st, tiny, 1, D);
    CHECK(fabs(yt[0] - 1e-2) < 1e-15, "floored row scaled by 1/sqrt(1e-12): %g", yt[0]);
    avmit_l2norm_backward_f64(dt, g, tiny, &st, 1, D);
    CHECK(fabs(dt[2] - 3e6) < 1e-6, "floored gradient is g/sqrt(1e-12): %g", dt[2]);
    /* The all-zero row (padding through a zero-bias layer) stays zero, finite gradient. */
    double zero[D] = {0}, yz[D], sz, dz[D] = {0};
    avmit_l2norm_forward_f64(yz, &sz, zero, 1, D);
    avmit_l2norm_backward_f64(dz, g, zero, &sz, 1, D);
    CHECK(yz[0] == 0 && isfinite(dz[0]), "zero row: y %g, grad %g", yz[0], dz[0]);
}

static void test_euclid_grad(void) {
    avmit_rng r;
    avmit_rng_seed(&r, 2, 0);
    double a[N * D], b[N * D], w[N], y[N], ss[N], da[N * D] = {0}, db[N * D] = {0};
    double na[N * D], nb[N * D];
    randn(a, N * D, &r, 1.0);
    randn(b, N * D, &r, 1.0);
    randn(w, N, &r, 1.0);
    /* Row 2: b = a + 1e-5 everywhere: sum sq = 5e-10 < 1e-7, the floor. */
    for (int d = 0; d < D; d++) b[2 * D + d] = a[2 * D + d] + 1e-5;
    avmit_euclid_forward_f64(y, ss, a, b, N, D);
    CHECK(fabs(y[2] - sqrt(1e-7)) < 1e-15, "floored distance = sqrt(1e-7): %g", y[2]);
    avmit_euclid_backward_f64(da, db, w, a, b, y, ss, N, D);
    const double h = 1e-6;
    for (int i = 0; i < N * D; i++) {
        double s = a[i];
        a[i] = s + h;
        double fp = obj_euclid(a, b, w);
        a[i] = s - h;
        double fm = obj_euclid(a, b, w);
        a[i] = s;
        na[i] = (fp - fm) / (2 * h);
        s = b[i];
        b[i] = s + h;
        fp = obj_euclid(a, b, w);
        b[i] = s - h;
        fm = obj_euclid(a, b, w);
        b[i] = s;
        nb[i] = (fp - fm) / (2 * h);
    }
    /* Rows 0-1 by finite differences (row 2 is flat under the floor: FD = 0 too, for
     * steps that stay below it). */
    double e = fmax(max_rel(da, na, N * D), max_rel(db, nb, N * D));
    CHECK(e < 1e-7, "distance gradient vs finite differences: max rel err %g", e);
    size_t nonzero = 0;
    for (int d = 0; d < D; d++) nonzero += da[2 * D + d] != 0 || db[2 * D + d] != 0;
    CHECK(nonzero == 0, "below the floor the gradient is exactly zero (%zu nonzero)", nonzero);
    /* Identical rows (self pair through identical weights): distance sqrt(1e-7), grad 0. */
    double dd[D] = {0}, yy, sy, one = 1;
    avmit_euclid_forward_f64(&yy, &sy, a, a, 1, D);
    avmit_euclid_backward_f64(dd, NULL, &one, a, a, &yy, &sy, 1, D);
    CHECK(yy == sqrt(1e-7) && dd[0] == 0, "self pair: d %g, grad %g", yy, dd[0]);
}

static void test_bce(void) {
    int labels[6] = {1, 0, 1, 0, 1, 0};
    double z[12] = {0.3, -0.2, 1.5, 0.1, -2.0, 2.0, 0.0, 0.0, 0.7, 0.9, -0.4, -1.1};
    double p[12], dz[12] = {0}, num[12];
    softmax2(p, z, 6);
    /* Hand value for sample 0: y = [0,1]. */
    double l0 = -0.5 * (log(1 - p[0] + 1e-7) + log(p[1] + 1e-7));
    CHECK(fabs(avmit_bce2_loss_f64(p, labels, 1) - l0) < 1e-15, "BCE of one sample");
    avmit_softmax_bce2_backward_f64(dz, p, labels, 6);
    const double h = 1e-6;
    for (int i = 0; i < 12; i++) {
        double s = z[i];
        z[i] = s + h;
        double fp = obj_bce(z, labels, 6);
        z[i] = s - h;
        double fm = obj_bce(z, labels, 6);
        z[i] = s;
        num[i] = (fp - fm) / (2 * h);
    }
    double e = max_rel(dz, num, 12);
    CHECK(e < 1e-7, "BCE-through-softmax gradient vs finite differences: max rel err %g", e);
    /* Clipping: a saturated softmax gives loss -log(1e-7 + 1e-7)/... bounded, zero gradient. */
    double zs[2] = {40, -40}, ps[2], ds[2] = {0};
    int lab1 = 1;
    softmax2(ps, zs, 1);
    double ls = avmit_bce2_loss_f64(ps, &lab1, 1);
    double expect = -0.5 * (log(1e-7 + 1e-7) * 2);
    CHECK(fabs(ls - expect) < 1e-9, "saturated wrong prediction: loss %g, expected %g", ls, expect);
    avmit_softmax_bce2_backward_f64(ds, ps, &lab1, 1);
    CHECK(ds[0] == 0 && ds[1] == 0, "clipped probabilities pass no gradient");
    /* Accuracy: Keras binary_accuracy per element. */
    double pa[6] = {0.2, 0.8, 0.6, 0.4, 0.5, 0.5};
    int la[3] = {1, 1, 1};
    CHECK(fabs(avmit_bce2_accuracy_f64(pa, la, 3) - (1 + 0 + 0.5) / 3) < 1e-15,
          "binary_accuracy: right, wrong, tie = 1, 0, 0.5");
}

/* The float32 build computes the same as the double one (to float precision). */
static void test_float_matches_double(void) {
    avmit_rng r;
    avmit_rng_seed(&r, 3, 0);
    double xd[N * D], bd[N * D], yd[N * D], sd[N], ed[N], esd[N];
    float xf[N * D], bf[N * D], yf[N * D], sf[N], ef[N], esf[N];
    randn(xd, N * D, &r, 1.0);
    randn(bd, N * D, &r, 1.0);
    for (int i = 0; i < N * D; i++) {
        xf[i] = (float)xd[i];
        bf[i] = (float)bd[i];
        xd[i] = xf[i];
        bd[i] = bf[i];
    }
    avmit_l2norm_forward_f64(yd, sd, xd, N, D);
    avmit_l2norm_forward(yf, sf, xf, N, D);
    avmit_euclid_forward_f64(ed, esd, xd, bd, N, D);
    avmit_euclid_forward(ef, esf, xf, bf, N, D);
    double e = 0;
    for (int i = 0; i < N * D; i++) e = fmax(e, fabs(yd[i] - yf[i]));
    for (int i = 0; i < N; i++) e = fmax(e, fabs(ed[i] - ef[i]) / ed[i]);
    CHECK(e < 1e-6, "float32 vs double: max err %g", e);
}

int main(void) {
    test_l2norm_grad();
    test_euclid_grad();
    test_bce();
    test_float_matches_double();
    return test_finish("savc_layers");
}
