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
    return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "resampler",
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

typedef struct kb_job {
    const float *x;
    int64_t n_in;
    float *y;
    int64_t n_out;
    const double *win; /* interp_win (scaled by the ratio when downsampling) */
    const double *dlt; /* interp_delta: win[i+1] − win[i], last 0 */
    double scale;      /* min(1, ratio) */
    int step;          /* index_step = int(scale · L) */
    double inc;        /* time_increment = 1 / ratio */
    const double *tau; /* time register at the start of each chunk */
} kb_job;

/* One wing: sum over taps j of (win[o + j·step] + eta·dlt[...]) · x[at(j)],
 * adding into acc in double and rounding to float32 after each tap, as the
 * numba kernel's `y[t] += weight * x[...]` on a float32 array does. */
static inline double kb_wing(double acc, const double *win, const double *dlt, int o,
                             double eta, int step, int64_t n_taps, const float *x, int64_t dir) {
    const double *w = win + o, *d = dlt + o;
    for (int64_t j = 0; j < n_taps; j++) {
        double weight = w[j * step] + eta * d[j * step];
        acc = (double)(float)(acc + weight * (double)x[j * dir]);
    }
    return acc;
}

static void kb_chunk(void *ctx, size_t item, int tid) {
    (void)tid;
    const kb_job *J = ctx;
    const int64_t t0 = (int64_t)item * KB_CHUNK;
    const int64_t t1 = t0 + KB_CHUNK < J->n_out ? t0 + KB_CHUNK : J->n_out;
    double tau = J->tau[item];
    for (int64_t t = t0; t < t1; t++) {
        int64_t n = (int64_t)tau;
        double frac = J->scale * (tau - (double)n);
        double index_frac = frac * KB_DENSITY;
        int o = (int)index_frac;
        double eta = index_frac - (double)o;
        int64_t i_max = (KB_NWIN - o) / J->step;
        if (i_max > n + 1) i_max = n + 1;
        /* The register never passes the last input sample (t < n_in·ratio);
         * the clamp only guards the reads. */
        int64_t skip = n >= J->n_in ? n - (J->n_in - 1) : 0;
        double acc = 0.0;
        if (i_max > skip)
            acc = kb_wing(acc, J->win + (size_t)skip * J->step, J->dlt + (size_t)skip * J->step,
                          o, eta, J->step, i_max - skip, J->x + (n - skip), -1);
        frac = J->scale - frac;
        index_frac = frac * KB_DENSITY;
        o = (int)index_frac;
        eta = index_frac - (double)o;
        int64_t k_max = (KB_NWIN - o) / J->step;
        if (k_max > J->n_in - n - 1) k_max = J->n_in - n - 1;
        if (k_max > 0)
            acc = kb_wing(acc, J->win, J->dlt, o, eta, J->step, k_max, J->x + n + 1, 1);
        J->y[t] = (float)acc;
        tau += J->inc; /* time_register += time_increment */
    }
}

static int kb_resample(const float *x, int64_t n_in, int sr_in, int sr_out, float *y,
                       int64_t n_out, int n_threads, avmit_error *err) {
    pthread_once(&kb_once, kb_build);
    const double ratio = (double)sr_out / (double)sr_in;
    const double scale = ratio < 1.0 ? ratio : 1.0;
    const double inc = 1.0 / ratio;
    const int step = (int)(scale * KB_DENSITY);
    const size_t n_chunks = (size_t)((n_out + KB_CHUNK - 1) / KB_CHUNK);
    double *win = malloc(2 * KB_NWIN * sizeof *win);
    double *tau = malloc((n_chunks + 1) * sizeof *tau);
    if (!win || !tau) {
        free(win);
        free(tau);
        return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL,
                               "out of memory for the resampling filter");
    }
    double *dlt = win + KB_NWIN;
    /* core.py: `if sample_ratio < 1: interp_win *= sample_ratio`, then
     * interp_delta[:-1] = np.diff(interp_win) on the scaled table. */
    for (int i = 0; i < KB_NWIN; i++) win[i] = ratio < 1.0 ? kb_table[i] * ratio : kb_table[i];
    for (int i = 0; i + 1 < KB_NWIN; i++) dlt[i] = win[i + 1] - win[i];
    dlt[KB_NWIN - 1] = 0.0;
    /* The register is accumulated (time_register += time_increment), so each
     * chunk's starting value comes from the same sequential sum. */
    double r = 0.0;
    for (int64_t t = 0, c = 0; t < n_out; t++) {
        if (t % KB_CHUNK == 0) tau[c++] = r;
        r += inc;
    }
    kb_job job = {x, n_in, y, n_out, win, dlt, scale, step, inc, tau};
    int rc = avmit_parallel_for(n_threads, n_chunks, kb_chunk, &job);
    free(win);
    free(tau);
    if (rc) return avmit_error_set(err, rc, NULL, -1, -1, -1, NULL, "cannot start threads");
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
        return avmit_error_set(err, AVMIT_E_IO, NULL, -1, -1, -1, "soxr", "libsoxr failed: %s",
                               e);
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
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, NULL,
                               "resample: bad arguments (rates %d -> %d Hz, %lld samples)",
                               sr_in_hz, sr_out_hz, (long long)n_in);
    if (kind != AVMIT_RESAMPLER_KAISER_BEST && kind != AVMIT_RESAMPLER_SOXR)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "resampler",
                               "unknown resampler %d", (int)kind);
    int64_t n = sr_in_hz == sr_out_hz ? n_in : avmit_resample_len(n_in, sr_in_hz, sr_out_hz);
    if (n == 0) return 0;
    float *out = malloc((size_t)n * sizeof *out);
    if (!out)
        return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL,
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
