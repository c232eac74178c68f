/*
 * resample.c — resampy 0.2.2 kaiser_best and libsoxr (include/avmit/resample.h).
 *
 * The kaiser_best path mirrors resampy 0.2.2 core.py `resample` and
 * interpn.py `resample_f` (FEATURES.md §2.3) line by line; every constant and
 * every rounding step below is there because the reference has it.
 */
#include "avmit/resample.h"

#include <math.h>
#include <pthread.h>
#include <soxr.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/parallel.h"
#include "core/error_int.h"

/* resampy 0.2.2 filters.py / data/kaiser_best.npz (FEATURES.md §2.3). */
#define KB_ZEROS 64                            /* num_zeros */
#define KB_DENSITY 512                         /* 2**precision, table entries per crossing */
#define KB_NWIN (KB_ZEROS * KB_DENSITY + 1)    /* right half incl. centre: 32769 */
#define KB_ROLLOFF 0.9475937167399596
#define KB_BETA 14.769656459379492

/* Output samples per parallel work item. */
#define KB_CHUNK 2048

static double kb_table[KB_NWIN];
static pthread_once_t kb_once = PTHREAD_ONCE_INIT;

/* Modified Bessel function of the first kind, order 0, by its power series
 * sum_k ((x/2)^k / k!)^2; for |x| <= 15 every term is positive and the sum
 * is accurate to a few ulp. */
static double bessel_i0(double x) {
    double q = 0.25 * x * x, term = 1.0, sum = 1.0;
    for (int k = 1; k < 500; k++) {
        term *= q / ((double)k * (double)k);
        sum += term;
        if (term < sum * 1e-18) break;
    }
    return sum;
}

/* h[i] = rolloff·sinc(rolloff·i/L) · kaiser_{2ZL+1,beta}[ZL+i], i = 0..ZL
 * (resampy filters.sinc_window with window=scipy.signal.kaiser). np.kaiser's
 * argument for index n = ZL+i of a 2ZL+1 window is beta·sqrt(1 − (i/ZL)²). */
static void kb_build(void) {
    const double zl = (double)(KB_ZEROS * KB_DENSITY);
    const double i0_beta = bessel_i0(KB_BETA);
    for (int i = 0; i < KB_NWIN; i++) {
        double t = (double)i / KB_DENSITY; /* np.linspace(0, Z, ZL+1)[i], exact */
        double u = KB_ROLLOFF * t;
        double sinc = 1.0;
        if (u != 0.0) {
            double pu = M_PI * u;
            sinc = sin(pu) / pu;
        }
        double r = (double)i / zl;
        double kais = bessel_i0(KB_BETA * sqrt(1.0 - r * r)) / i0_beta;
        kb_table[i] = kais * (KB_ROLLOFF * sinc);
    }
}

size_t avmit_resample_kaiser_best_table(double *out, size_t n) {
    pthread_once(&kb_once, kb_build);
    if (out) memcpy(out, kb_table, (n < KB_NWIN ? n : KB_NWIN) * sizeof *out);
    return KB_NWIN;
}

int avmit_resampler_parse(const char *name, avmit_resampler *out, avmit_error *err) {
    if (name && !strcmp(name, "kaiser_best")) {
        *out = AVMIT_RESAMPLER_KAISER_BEST;
        return 0;
    }
    if (name && !strcmp(name, "soxr")) {
        *out = AVMIT_RESAMPLER_SOXR;
        return 0;
    }
    return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "resampler",
                     "unknown resampler '%s' (expected kaiser_best or soxr)",
                     name ? name : "(null)");
}

const char *avmit_resampler_name(avmit_resampler r) {
    switch (r) {
    case AVMIT_RESAMPLER_KAISER_BEST: return "kaiser_best";
    case AVMIT_RESAMPLER_SOXR: return "soxr";
    }
    return "?";
}

int64_t avmit_resample_len(int64_t n_in, int sr_in_hz, int sr_out_hz) {
    if (n_in <= 0 || sr_in_hz <= 0 || sr_out_hz <= 0) return 0;
    double ratio = (double)sr_out_hz / (double)sr_in_hz; /* float(sr_new) / sr_orig */
    return (int64_t)((double)n_in * ratio);              /* int(n * sample_ratio) */
}

/* ---- resampy 0.2.2 resample_f ------------------------------------------------ */

/* interp_win[i] and interp_delta[i] side by side: one cache line per tap. */
typedef struct kb_tap {
    double w; /* interp_win (scaled by the ratio when downsampling) */
    double d; /* interp_delta: win[i+1] − win[i], last 0 */
} kb_tap;

typedef struct kb_job {
    const float *x;
    int64_t n_in;
    float *y;
    int64_t n_out;
    const kb_tap *tab;
    double scale;      /* min(1, ratio) */
    int step;          /* index_step = int(scale · L) */
    double inc;        /* time_increment = 1 / ratio */
    const double *tau; /* time register at the start of each chunk */
    int avx2;          /* the CPU has AVX2 (same results, faster) */
    /* AVX-512 path (NULL without it): the table re-laid by residue mod step
     * (entry o + j·step at rw/rd[off[o] + j], o = 0..step), and the input
     * reversed (xr) and forward (xf), each padded with zeros. */
    const double *rw, *rd;
    const int64_t *off;
    const float *xr, *xf;
} kb_job;

/* One wing of one output sample: taps j = 0..cnt−1 read tab[j·step] and
 * x[j·dir] (dir −1: left wing from x[n] down; +1: right wing from x[n+1] up). */
typedef struct kb_wingp {
    const kb_tap *tab; /* table + offset */
    double eta;        /* interpolation factor */
    int64_t cnt;       /* taps */
    const float *x;    /* sample of tap 0 */
} kb_wingp;

/* resample_f's per-output set-up for time register tau; returns n = int(tau). */
static inline int64_t kb_params(const kb_job *J, double tau, kb_wingp *L, kb_wingp *R) {
    int64_t n = (int64_t)tau;
    double frac = J->scale * (tau - (double)n);
    double index_frac = frac * KB_DENSITY;
    int o = (int)index_frac;
    L->tab = J->tab + o;
    L->eta = index_frac - (double)o;
    L->cnt = (KB_NWIN - o) / J->step;
    if (L->cnt > n + 1) L->cnt = n + 1;
    L->x = J->x + n;
    frac = J->scale - frac; /* "Invert P" */
    index_frac = frac * KB_DENSITY;
    o = (int)index_frac;
    R->tab = J->tab + o;
    R->eta = index_frac - (double)o;
    R->cnt = (KB_NWIN - o) / J->step;
    if (R->cnt > J->n_in - n - 1) R->cnt = J->n_in - n - 1;
    if (R->cnt < 0) R->cnt = 0;
    R->x = J->x + n + 1;
    return n;
}

/* Taps [j0, j1) of one wing: weight in double, `y[t] += weight * x[...]`
 * added in double and stored to float32 after every tap, as the numba kernel
 * does on its float32 output array. */
static inline double kb_taps(double acc, const kb_wingp *P, int step, int64_t dir, int64_t j0,
                             int64_t j1) {
    for (int64_t j = j0; j < j1; j++) {
        const kb_tap *t = P->tab + j * step;
        double weight = t->w + P->eta * t->d;
        acc = (double)(float)(acc + weight * (double)P->x[j * dir]);
    }
    return acc;
}

/* The same for four outputs at once: four independent rounding chains keep
 * the core busy where one chain waits on its add-and-round latency. */
static inline void kb_taps4(double acc[4], const kb_wingp P[4], int step, int64_t dir,
                            int64_t j1) {
    double a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    const kb_tap *t0 = P[0].tab, *t1 = P[1].tab, *t2 = P[2].tab, *t3 = P[3].tab;
    const float *x0 = P[0].x, *x1 = P[1].x, *x2 = P[2].x, *x3 = P[3].x;
    const double e0 = P[0].eta, e1 = P[1].eta, e2 = P[2].eta, e3 = P[3].eta;
    for (int64_t j = 0; j < j1; j++) {
        const int64_t k = j * step, xi = j * dir;
        double w0 = t0[k].w + e0 * t0[k].d;
        double w1 = t1[k].w + e1 * t1[k].d;
        double w2 = t2[k].w + e2 * t2[k].d;
        double w3 = t3[k].w + e3 * t3[k].d;
        a0 = (double)(float)(a0 + w0 * (double)x0[xi]);
        a1 = (double)(float)(a1 + w1 * (double)x1[xi]);
        a2 = (double)(float)(a2 + w2 * (double)x2[xi]);
        a3 = (double)(float)(a3 + w3 * (double)x3[xi]);
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

static inline int64_t min4(const kb_wingp P[4]) {
    int64_t m = P[0].cnt;
    for (int g = 1; g < 4; g++)
        if (P[g].cnt < m) m = P[g].cnt;
    return m;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KB_HAVE_AVX2 1
#include <immintrin.h>

/* kb_taps4 for 16 outputs with AVX2: lane g of accumulator v is output
 * 4v + g; each lane's {w,d} pair is one 16-byte load, transposed into W and
 * D vectors (hardware gathers measured 2x slower here). The arithmetic is
 * the scalar kernel's, lane by lane (no FMA: target "avx2" alone does not
 * enable it, and mul/add intrinsics are not contracted), so results are
 * identical bit for bit. */
__attribute__((target("avx2"))) static void kb_taps16_avx2(double acc[16], const kb_wingp P[16],
                                                           const kb_job *J, int64_t dir,
                                                           int64_t j1) {
    __m256d a[4], e[4];
    for (int v = 0; v < 4; v++) {
        const kb_wingp *q = P + 4 * v;
        a[v] = _mm256_loadu_pd(acc + 4 * v);
        e[v] = _mm256_set_pd(q[3].eta, q[2].eta, q[1].eta, q[0].eta);
    }
    const kb_tap *tp[16];
    const float *xp[16];
    for (int g = 0; g < 16; g++) tp[g] = P[g].tab, xp[g] = P[g].x;
    const int64_t step = J->step;
    for (int64_t j = 0; j < j1; j++) {
        const int64_t k = j * step;
        for (int v = 0; v < 4; v++) {
            /* {w,d} pairs of lanes 0..3 -> W = {w0..w3}, D = {d0..d3} */
            __m256d p02 = _mm256_insertf128_pd(
                _mm256_castpd128_pd256(_mm_loadu_pd(&tp[4 * v][k].w)), _mm_loadu_pd(&tp[4 * v + 2][k].w), 1);
            __m256d p13 = _mm256_insertf128_pd(
                _mm256_castpd128_pd256(_mm_loadu_pd(&tp[4 * v + 1][k].w)), _mm_loadu_pd(&tp[4 * v + 3][k].w), 1);
            __m256d w = _mm256_unpacklo_pd(p02, p13);
            __m256d d = _mm256_unpackhi_pd(p02, p13);
            const int64_t xo = j * dir;
            __m256d x = _mm256_cvtps_pd(_mm_set_ps(xp[4 * v + 3][xo], xp[4 * v + 2][xo],
                                                   xp[4 * v + 1][xo], xp[4 * v][xo]));
            __m256d weight = _mm256_add_pd(w, _mm256_mul_pd(e[v], d));
            __m256d s = _mm256_add_pd(a[v], _mm256_mul_pd(weight, x));
            a[v] = _mm256_cvtps_pd(_mm256_cvtpd_ps(s));
        }
    }
    for (int v = 0; v < 4; v++) _mm256_storeu_pd(acc + 4 * v, a[v]);
}
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KB_HAVE_AVX512 1
#ifndef KB_WQ
#define KB_WQ 4 /* accumulator vectors of 8 outputs: independent rounding chains */
#endif
#define KB_WN (8 * KB_WQ)

/* One wing of one output for the AVX-512 path: taps j read w[j], d[j] (the
 * table entries o + j·step, stored contiguously, see kb_wide_new) and x[j] (a
 * padded copy of the input, reversed for the left wing). */
typedef struct kb_lane {
    const double *w, *d;
    const float *x;
    double eta;
    int64_t cnt;
} kb_lane;

/* 8x8 transpose: r[g][k] -> c[k][g]. */
__attribute__((target("avx512f"))) static inline void kb_transpose8(const __m512d r[8],
                                                                     __m512d c[8]) {
    const __m512i lo = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i hi = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    __m512d t[8], u[8];
    #pragma GCC unroll 8
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]);
    }
    #pragma GCC unroll 8
    for (int h = 0; h < 2; h++) { /* rows 0..3 (h 0) and 4..7 (h 1) */
        const __m512d *s = t + 4 * h;
        u[4 * h + 0] = _mm512_permutex2var_pd(s[0], lo, s[2]); /* k 0, 4 */
        u[4 * h + 1] = _mm512_permutex2var_pd(s[1], lo, s[3]); /* k 1, 5 */
        u[4 * h + 2] = _mm512_permutex2var_pd(s[0], hi, s[2]); /* k 2, 6 */
        u[4 * h + 3] = _mm512_permutex2var_pd(s[1], hi, s[3]); /* k 3, 7 */
    }
    #pragma GCC unroll 8
    for (int k = 0; k < 4; k++) {
        c[k] = _mm512_shuffle_f64x2(u[k], u[4 + k], 0x44);
        c[k + 4] = _mm512_shuffle_f64x2(u[k], u[4 + k], 0xEE);
    }
}

/* One wing of KB_WN outputs (KB_WQ vectors of 8): per block of 8 taps, each
 * output's 8 products weight·x are formed along the taps (contiguous loads),
 * transposed so that lanes are outputs, and added to the accumulators tap by
 * tap in the scalar kernel's order, rounding to float32 after every add.
 * Lanes past their own tap count keep their accumulator (masked merge). The
 * arithmetic is kb_taps's (mul and add intrinsics, never contracted), so the
 * results are identical bit for bit. */
__attribute__((target("avx512f"))) static void kb_wing_avx512(__m512d acc[KB_WQ],
                                                                const kb_lane P[KB_WN]) {
    int64_t mn[KB_WQ], mx = 0;
    __m512i cnt[KB_WQ];
    for (int q = 0; q < KB_WQ; q++) {
        mn[q] = P[8 * q].cnt;
        int64_t c[8];
        for (int g = 0; g < 8; g++) {
            c[g] = P[8 * q + g].cnt;
            mn[q] = c[g] < mn[q] ? c[g] : mn[q];
            mx = c[g] > mx ? c[g] : mx;
        }
        cnt[q] = _mm512_loadu_si512(c);
    }
    for (int64_t jb = 0; jb < mx; jb += 8) {
        #pragma GCC unroll 8
        for (int q = 0; q < KB_WQ; q++) {
            __m512d r[8], c[8];
            #pragma GCC unroll 8
            for (int g = 0; g < 8; g++) {
                const kb_lane *p = &P[8 * q + g];
                __m512d w = _mm512_loadu_pd(p->w + jb);
                __m512d d = _mm512_loadu_pd(p->d + jb);
                __m512d weight = _mm512_add_pd(w, _mm512_mul_pd(_mm512_set1_pd(p->eta), d));
                __m512d x = _mm512_cvtps_pd(_mm256_loadu_ps(p->x + jb));
                r[g] = _mm512_mul_pd(weight, x);
            }
            kb_transpose8(r, c);
            __m512d a = acc[q];
            if (jb + 8 <= mn[q]) {
                #pragma GCC unroll 8
                for (int k = 0; k < 8; k++)
                    a = _mm512_cvtps_pd(_mm512_cvtpd_ps(_mm512_add_pd(a, c[k])));
            } else {
                #pragma GCC unroll 8
                for (int k = 0; k < 8; k++) {
                    __mmask8 m = _mm512_cmpgt_epi64_mask(cnt[q], _mm512_set1_epi64(jb + k));
                    a = _mm512_mask_cvtps_pd(a, m, _mm512_cvtpd_ps(_mm512_add_pd(a, c[k])));
                }
            }
            acc[q] = a;
        }
    }
}

/* KB_WN consecutive outputs: left wings, then right wings, then the stores. */
__attribute__((target("avx512f"))) static void kb_out_avx512(const kb_lane L[KB_WN],
                                                               const kb_lane R[KB_WN], float *y) {
    __m512d acc[KB_WQ];
    for (int q = 0; q < KB_WQ; q++) acc[q] = _mm512_setzero_pd();
    kb_wing_avx512(acc, L);
    kb_wing_avx512(acc, R);
    for (int q = 0; q < KB_WQ; q++) _mm256_storeu_ps(y + 8 * q, _mm512_cvtpd_ps(acc[q]));
}
#endif

static void kb_chunk(void *ctx, size_t item, int tid) {
    (void)tid;
    const kb_job *J = ctx;
    const int64_t t0 = (int64_t)item * KB_CHUNK;
    const int64_t t1 = t0 + KB_CHUNK < J->n_out ? t0 + KB_CHUNK : J->n_out;
    double tau = J->tau[item];
    int64_t t = t0;
    kb_wingp L[16], R[16];
    double acc[16];
#ifdef KB_HAVE_AVX512
    for (; J->rw && t + KB_WN <= t1; t += KB_WN) {
        kb_lane LL[KB_WN], RR[KB_WN];
        int ok = 1;
        for (int g = 0; g < KB_WN; g++) {
            int64_t n = kb_params(J, tau, &L[0], &R[0]);
            tau += J->inc;
            if (n >= J->n_in) { /* cannot happen, see the 4-output loop */
                ok = 0;
                continue;
            }
            int64_t ol = J->off[L[0].tab - J->tab], orr = J->off[R[0].tab - J->tab];
            LL[g] = (kb_lane){J->rw + ol, J->rd + ol, J->xr + (J->n_in - 1 - n), L[0].eta,
                              L[0].cnt};
            RR[g] = (kb_lane){J->rw + orr, J->rd + orr, J->xf + n + 1, R[0].eta, R[0].cnt};
        }
        if (!ok) {
            tau -= KB_WN * J->inc;
            break;
        }
        kb_out_avx512(LL, RR, J->y + t);
    }
#endif
#ifdef KB_HAVE_AVX2
    for (; J->avx2 && t + 16 <= t1; t += 16) {
        int ok = 1;
        for (int g = 0; g < 16; g++) {
            ok &= kb_params(J, tau, &L[g], &R[g]) < J->n_in;
            tau += J->inc;
            acc[g] = 0.0;
        }
        if (!ok) {
            tau -= 16 * J->inc;
            break;
        }
        int64_t m = L[0].cnt;
        for (int g = 1; g < 16; g++) m = L[g].cnt < m ? L[g].cnt : m;
        kb_taps16_avx2(acc, L, J, -1, m);
        for (int g = 0; g < 16; g++) acc[g] = kb_taps(acc[g], &L[g], J->step, -1, m, L[g].cnt);
        m = R[0].cnt;
        for (int g = 1; g < 16; g++) m = R[g].cnt < m ? R[g].cnt : m;
        kb_taps16_avx2(acc, R, J, 1, m);
        for (int g = 0; g < 16; g++) {
            acc[g] = kb_taps(acc[g], &R[g], J->step, 1, m, R[g].cnt);
            J->y[t + g] = (float)acc[g];
        }
    }
#endif
    for (; t + 4 <= t1; t += 4) {
        int ok = 1;
        for (int g = 0; g < 4; g++) {
            /* time_register += time_increment after each output */
            ok &= kb_params(J, tau, &L[g], &R[g]) < J->n_in;
            tau += J->inc;
            acc[g] = 0.0;
        }
        if (!ok) { /* cannot happen (t < n_in·ratio keeps int(tau) < n_in) */
            tau -= 4 * J->inc;
            break;
        }
        int64_t m = min4(L);
        kb_taps4(acc, L, J->step, -1, m);
        for (int g = 0; g < 4; g++) acc[g] = kb_taps(acc[g], &L[g], J->step, -1, m, L[g].cnt);
        m = min4(R);
        kb_taps4(acc, R, J->step, 1, m);
        for (int g = 0; g < 4; g++) {
            acc[g] = kb_taps(acc[g], &R[g], J->step, 1, m, R[g].cnt);
            J->y[t + g] = (float)acc[g];
        }
    }
    for (; t < t1; t++) {
        int64_t n = kb_params(J, tau, &L[0], &R[0]);
        /* Reads beyond the input are skipped (guard only, see above). */
        int64_t skip = n >= J->n_in ? n - (J->n_in - 1) : 0;
        double a = kb_taps(0.0, &L[0], J->step, -1, skip, L[0].cnt);
        J->y[t] = (float)kb_taps(a, &R[0], J->step, 1, 0, R[0].cnt);
        tau += J->inc;
    }
}


#ifdef KB_HAVE_AVX512
/* The AVX-512 path's re-laid table and padded input copies (kb_job). */
typedef struct kb_wide {
    double *rw, *rd;
    int64_t *off;
    float *xr, *xf;
} kb_wide;

static void kb_wide_free(kb_wide *w) {
    if (!w) return;
    free(w->rw);
    free(w->rd);
    free(w->off);
    free(w->xr);
    free(w->xf);
    free(w);
}

/* Rows r = 0..step−1 hold tab[r + j·step], j = 0, 1, ...; tap j of offset o
 * is rw[off[o] + j] (o = step starts one into row 0). Reads run up to a block
 * of 8 taps past the largest tap count of KB_WN outputs, hence the padding. */
static kb_wide *kb_wide_new(const kb_tap *tab, int step, const float *x, int64_t n_in) {
    const int64_t pad_tab = 64, pad_x = KB_NWIN / step + 64;
    kb_wide *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    /* rows start on 64-byte boundaries: the 8-tap loads stay aligned */
    const size_t n_tab = (size_t)(KB_NWIN + 8 * (step + 1) + pad_tab + 7) / 8 * 8;
    w->rw = aligned_alloc(64, n_tab * sizeof *w->rw);
    w->rd = aligned_alloc(64, n_tab * sizeof *w->rd);
    w->off = malloc(((size_t)step + 1) * sizeof *w->off);
    w->xr = calloc((size_t)(n_in + pad_x), sizeof *w->xr);
    w->xf = calloc((size_t)(n_in + pad_x), sizeof *w->xf);
    if (!w->rw || !w->rd || !w->off || !w->xr || !w->xf) {
        kb_wide_free(w);
        return NULL;
    }
    memset(w->rw, 0, n_tab * sizeof *w->rw);
    memset(w->rd, 0, n_tab * sizeof *w->rd);
    int64_t k = 0;
    for (int r = 0; r < step; r++) {
        w->off[r] = k;
        for (int64_t i = r; i < KB_NWIN; i += step, k++) w->rw[k] = tab[i].w, w->rd[k] = tab[i].d;
        k = (k + 7) / 8 * 8;
    }
    w->off[step] = w->off[0] + 1;
    for (int64_t i = 0; i < n_in; i++) w->xr[i] = x[n_in - 1 - i];
    if (n_in) memcpy(w->xf, x, (size_t)n_in * sizeof *x);
    return w;
}
#endif

static int kb_resample(const float *x, int64_t n_in, int sr_in, int sr_out, float *y,
                       int64_t n_out, int n_threads, avmit_error *err) {
    pthread_once(&kb_once, kb_build);
    const double ratio = (double)sr_out / (double)sr_in;
    const double scale = ratio < 1.0 ? ratio : 1.0;
    const double inc = 1.0 / ratio;
    const int step = (int)(scale * KB_DENSITY);
    const size_t n_chunks = (size_t)((n_out + KB_CHUNK - 1) / KB_CHUNK);
    kb_tap *tab = malloc(KB_NWIN * sizeof *tab);
    double *tau = malloc((n_chunks + 1) * sizeof *tau);
    if (!tab || !tau) {
        free(tab);
        free(tau);
        return AVMIT_ERR(err, AVMIT_E_NOMEM, NULL, NULL,
                         "out of memory for the resampling filter");
    }
    /* core.py: `if sample_ratio < 1: interp_win *= sample_ratio`, then
     * interp_delta[:-1] = np.diff(interp_win) on the scaled table. */
    for (int i = 0; i < KB_NWIN; i++) tab[i].w = ratio < 1.0 ? kb_table[i] * ratio : kb_table[i];
    for (int i = 0; i + 1 < KB_NWIN; i++) tab[i].d = tab[i + 1].w - tab[i].w;
    tab[KB_NWIN - 1].d = 0.0;
    /* The register is accumulated (time_register += time_increment), so each
     * chunk's starting value comes from the same sequential sum. */
    double r = 0.0;
    for (int64_t t = 0, c = 0; t < n_out; t++) {
        if (t % KB_CHUNK == 0) tau[c++] = r;
        r += inc;
    }
    kb_job job = {x, n_in, y, n_out, tab, scale, step, inc, tau, 0, NULL, NULL, NULL, NULL, NULL};
#ifdef KB_HAVE_AVX2
    job.avx2 = __builtin_cpu_supports("avx2");
#endif
#ifdef KB_HAVE_AVX512
    kb_wide *wide = NULL;
    if (__builtin_cpu_supports("avx512f") && n_out >= KB_WN) {
        wide = kb_wide_new(tab, step, x, n_in);
        if (!wide) {
            free(tab);
            free(tau);
            return AVMIT_ERR(err, AVMIT_E_NOMEM, NULL, NULL,
                             "out of memory for the resampling filter");
        }
        job.rw = wide->rw, job.rd = wide->rd, job.off = wide->off;
        job.xr = wide->xr, job.xf = wide->xf;
    }
#endif
    int rc = avmit_parallel_for(n_threads, n_chunks, kb_chunk, &job);
#ifdef KB_HAVE_AVX512
    kb_wide_free(wide);
#endif
    free(tab);
    free(tau);
    if (rc) return AVMIT_ERR(err, rc, NULL, NULL, "cannot start threads");
    return 0;
}

/* ---- libsoxr --------------------------------------------------------------------- */

static int soxr_resample_run(const float *x, int64_t n_in, int sr_in, int sr_out, float *y,
                             int64_t n_out, avmit_error *err) {
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
    soxr_runtime_spec_t rt = soxr_runtime_spec(1);
    size_t idone = 0, odone = 0;
    soxr_error_t e = soxr_oneshot((double)sr_in, (double)sr_out, 1, x, (size_t)n_in, &idone, y,
                                  (size_t)n_out, &odone, &io, &q, &rt);
    if (e)
        return AVMIT_ERR(err, AVMIT_E_IO, NULL, "soxr", "libsoxr failed: %s", e);
    /* soxr's flushed length can differ from int(n·ratio) by a sample; pad. */
    for (size_t i = odone; i < (size_t)n_out; i++) y[i] = 0.0f;
    return 0;
}

int avmit_resample(const float *x, int64_t n_in, int sr_in_hz, int sr_out_hz,
                   avmit_resampler kind, int n_threads, float **y, int64_t *n_out,
                   avmit_error *err) {
    *y = NULL;
    *n_out = 0;
    if (sr_in_hz <= 0 || sr_out_hz <= 0 || n_in < 0 || (!x && n_in > 0))
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, NULL,
                         "resample: bad arguments (rates %d -> %d Hz, %lld samples)", sr_in_hz,
                         sr_out_hz, (long long)n_in);
    if (kind != AVMIT_RESAMPLER_KAISER_BEST && kind != AVMIT_RESAMPLER_SOXR)
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "resampler", "unknown resampler %d", (int)kind);
    int64_t n = sr_in_hz == sr_out_hz ? n_in : avmit_resample_len(n_in, sr_in_hz, sr_out_hz);
    if (n == 0) return 0;
    float *out = malloc((size_t)n * sizeof *out);
    if (!out)
        return AVMIT_ERR(err, AVMIT_E_NOMEM, NULL, NULL,
                         "out of memory for %lld resampled samples", (long long)n);
    int rc;
    if (sr_in_hz == sr_out_hz) {
        memcpy(out, x, (size_t)n * sizeof *out);
        rc = 0;
    } else if (kind == AVMIT_RESAMPLER_SOXR) {
        rc = soxr_resample_run(x, n_in, sr_in_hz, sr_out_hz, out, n, err);
    } else {
        rc = kb_resample(x, n_in, sr_in_hz, sr_out_hz, out, n, n_threads, err);
    }
    if (rc) {
        free(out);
        return rc;
    }
    *y = out;
    *n_out = n;
    return 0;
}
