/*
 * logmel.c — VGGish/YAMNet log-mel patches (include/avmit/logmel.h).
 *
 * Mirrors yamnet/features.py (waveform_to_log_mel_spectrogram_patches,
 * pad_waveform) as run inside the Hub models, FEATURES.md §3. The mel matrix
 * is stored sparsely (each band's triangle spans a few contiguous bins) and
 * the products are summed in double; magnitudes are taken in double from
 * FFTW's float32 spectrum, then rounded to float32 like TF's tensors.
 */
#include "avmit/logmel.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/parallel.h"
#include "core/error_int.h"

/* yamnet/features.py pad_waveform with params.py defaults (§3.4):
 * int32(float32((0.96 + 0.025 − 0.010)·16000)) and int32(float32(0.48·16000)). */
#define PAD_MIN_SAMPLES 15600
#define PAD_HOP_SAMPLES 7680

/* STFT frames computed per parallel work item. */
#define FRAMES_PER_ITEM 64

/* FFTW's planner is not thread-safe; plans are made and destroyed under this. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

struct avmit_logmel {
    avmit_logmel_params p;
    float window[AVMIT_LOGMEL_WINDOW];
    int band_lo[AVMIT_LOGMEL_BANDS];   /* first bin with a non-zero weight */
    int band_n[AVMIT_LOGMEL_BANDS];    /* number of such bins */
    int band_off[AVMIT_LOGMEL_BANDS];  /* start of the band's weights in weights[] */
    float weights[AVMIT_LOGMEL_BINS * AVMIT_LOGMEL_BANDS];
    /* r2c, 512 real -> 257 complex, executed on per-thread buffers; one of
     * the two exists, per p.fft. */
    fftw_plan plan_d;
    fftwf_plan plan_f;
};

avmit_logmel_params avmit_logmel_default_params(avmit_logmel_model model) {
    avmit_logmel_params p;
    if (model == AVMIT_LOGMEL_YAMNET) {
        p.log_offset = 0.001f;      /* yamnet params.py log_offset */
        p.patch_hop_frames = 48;    /* patch_hop_seconds 0.48 */
        p.pad_waveform = 1;
    } else {
        p.log_offset = 0.01f;       /* vggish_params.py LOG_OFFSET */
        p.patch_hop_frames = 96;    /* EXAMPLE_HOP_SECONDS 0.96 */
        p.pad_waveform = 0;         /* the Hub exporter never pads (§3.4) */
    }
    p.fft = AVMIT_LOGMEL_FFT_DOUBLE;
    return p;
}

int avmit_logmel_model_parse(const char *name, avmit_logmel_model *out, avmit_error *err) {
    if (name && !strcmp(name, "vggish")) {
        *out = AVMIT_LOGMEL_VGGISH;
        return 0;
    }
    if (name && !strcmp(name, "yamnet")) {
        *out = AVMIT_LOGMEL_YAMNET;
        return 0;
    }
    return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "model",
                     "unknown model '%s' (expected vggish or yamnet)", name ? name : "(null)");
}

int64_t avmit_logmel_padded_len(const avmit_logmel_params *p, int64_t n) {
    if (!p->pad_waveform) return n;
    int64_t num = n > PAD_MIN_SAMPLES ? n : PAD_MIN_SAMPLES;
    int64_t after = num - PAD_MIN_SAMPLES;
    /* tf.math.ceil(float32(after) / float32(hop)) in float32 */
    float q = (float)after / (float)PAD_HOP_SAMPLES;
    int64_t hops = (int64_t)ceilf(q);
    return num + hops * PAD_HOP_SAMPLES - after;
}

int64_t avmit_logmel_n_frames(int64_t n) {
    if (n < AVMIT_LOGMEL_WINDOW) return 0;
    return 1 + (n - AVMIT_LOGMEL_WINDOW) / AVMIT_LOGMEL_HOP;
}

static int64_t patches_of_frames(const avmit_logmel_params *p, int64_t n_frames) {
    if (n_frames < AVMIT_LOGMEL_PATCH_FRAMES) return 0;
    return 1 + (n_frames - AVMIT_LOGMEL_PATCH_FRAMES) / p->patch_hop_frames;
}

int64_t avmit_logmel_n_patches(const avmit_logmel_params *p, int64_t n) {
    return patches_of_frames(p, avmit_logmel_n_frames(avmit_logmel_padded_len(p, n)));
}

/* tf.signal.linear_to_mel_weight_matrix(64, 257, 16000, 125, 7500), §3.2. */
static double hz_to_mel(double hz) { return 1127.0 * log(1.0 + hz / 700.0); }

void avmit_logmel_mel_matrix(float *w) {
    double edges[AVMIT_LOGMEL_BANDS + 2];
    const double lo = hz_to_mel(125.0), hi = hz_to_mel(7500.0);
    const double dm = (hi - lo) / (AVMIT_LOGMEL_BANDS + 1); /* linspace(lo, hi, 66) */
    for (int i = 0; i < AVMIT_LOGMEL_BANDS + 2; i++) edges[i] = lo + i * dm;
    edges[AVMIT_LOGMEL_BANDS + 1] = hi;
    for (int b = 0; b < AVMIT_LOGMEL_BANDS; b++) w[b] = 0.0f; /* DC row is zero */
    for (int j = 1; j < AVMIT_LOGMEL_BINS; j++) {
        double m = hz_to_mel(j * (8000.0 / 256.0));
        for (int b = 0; b < AVMIT_LOGMEL_BANDS; b++) {
            double up = (m - edges[b]) / (edges[b + 1] - edges[b]);
            double down = (edges[b + 2] - m) / (edges[b + 2] - edges[b + 1]);
            double v = up < down ? up : down;
            w[j * AVMIT_LOGMEL_BANDS + b] = v > 0.0 ? (float)v : 0.0f;
        }
    }
}

int avmit_logmel_create(avmit_logmel **out, const avmit_logmel_params *p, avmit_error *err) {
    *out = NULL;
    if (!p || p->patch_hop_frames < 1 || !(p->log_offset > 0.0f) ||
        (p->fft != AVMIT_LOGMEL_FFT_DOUBLE && p->fft != AVMIT_LOGMEL_FFT_SINGLE))
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, NULL,
                         "log-mel: patch hop must be >= 1, the log offset > 0 and the "
                         "FFT precision double or single");
    avmit_logmel *lm = calloc(1, sizeof *lm);
    float *w = malloc(AVMIT_LOGMEL_BINS * AVMIT_LOGMEL_BANDS * sizeof *w);
    /* Planning buffers, big enough for either precision. */
    double *in = fftw_malloc(AVMIT_LOGMEL_FFT * sizeof *in);
    fftw_complex *spec = fftw_malloc(AVMIT_LOGMEL_BINS * sizeof *spec);
    if (!lm || !w || !in || !spec) goto nomem;
    lm->p = *p;
    /* tf.signal.hann_window(400, periodic=True) in float32:
     * 0.5 − 0.5·cos(float32(2π)·n / 400). The cosine is taken in double and
     * rounded (correctly rounded, where float32 cosf implementations differ in
     * the last bit, which moves near-silent bands by ~1e-4). */
    for (int n = 0; n < AVMIT_LOGMEL_WINDOW; n++) {
        float arg = (float)(2.0 * M_PI) * (float)n / (float)AVMIT_LOGMEL_WINDOW;
        float c = (float)cos((double)arg);
        lm->window[n] = 0.5f - 0.5f * c;
    }
    avmit_logmel_mel_matrix(w);
    int off = 0;
    for (int b = 0; b < AVMIT_LOGMEL_BANDS; b++) {
        int first = -1, last = -1;
        for (int j = 0; j < AVMIT_LOGMEL_BINS; j++)
            if (w[j * AVMIT_LOGMEL_BANDS + b] != 0.0f) {
                if (first < 0) first = j;
                last = j;
            }
        lm->band_lo[b] = first < 0 ? 0 : first;
        lm->band_n[b] = first < 0 ? 0 : last - first + 1;
        lm->band_off[b] = off;
        for (int j = 0; j < lm->band_n[b]; j++)
            lm->weights[off + j] = w[(first + j) * AVMIT_LOGMEL_BANDS + b];
        off += lm->band_n[b];
    }
    pthread_mutex_lock(&planner_lock);
    if (p->fft == AVMIT_LOGMEL_FFT_DOUBLE)
        lm->plan_d = fftw_plan_dft_r2c_1d(AVMIT_LOGMEL_FFT, in, spec, FFTW_ESTIMATE);
    else
        lm->plan_f = fftwf_plan_dft_r2c_1d(AVMIT_LOGMEL_FFT, (float *)in,
                                           (fftwf_complex *)spec, FFTW_ESTIMATE);
    pthread_mutex_unlock(&planner_lock);
    if (!lm->plan_d && !lm->plan_f) goto nomem;
    free(w);
    fftw_free(in);
    fftw_free(spec);
    *out = lm;
    return 0;
nomem:
    free(lm);
    free(w);
    fftw_free(in);
    fftw_free(spec);
    return AVMIT_ERR(err, AVMIT_E_NOMEM, NULL, NULL, "out of memory for the log-mel front end");
}

void avmit_logmel_free(avmit_logmel *lm) {
    if (!lm) return;
    pthread_mutex_lock(&planner_lock);
    if (lm->plan_d) fftw_destroy_plan(lm->plan_d);
    if (lm->plan_f) fftwf_destroy_plan(lm->plan_f);
    pthread_mutex_unlock(&planner_lock);
    free(lm);
}

/* Per-thread FFT buffers (fftw_malloc'd so their alignment matches the plan's),
 * sized for doubles and used as floats by the single-precision plan. */
typedef struct lm_scratch {
    double *in;          /* 512 */
    fftw_complex *spec;  /* 257 */
} lm_scratch;

typedef struct lm_job {
    const avmit_logmel *lm;
    const float *x;      /* padded waveform, long enough for every frame */
    int64_t n_frames;
    float *logmel;       /* [n_frames][64] */
    lm_scratch *scratch; /* one per thread */
} lm_job;

static void lm_frames(void *ctx, size_t item, int tid) {
    const lm_job *J = ctx;
    const avmit_logmel *lm = J->lm;
    double *in = J->scratch[tid].in;
    fftw_complex *spec = J->scratch[tid].spec;
    float *in_f = (float *)in;
    fftwf_complex *spec_f = (fftwf_complex *)spec;
    float mag[AVMIT_LOGMEL_BINS];
    int64_t f0 = (int64_t)item * FRAMES_PER_ITEM;
    int64_t f1 = f0 + FRAMES_PER_ITEM < J->n_frames ? f0 + FRAMES_PER_ITEM : J->n_frames;
    for (int64_t f = f0; f < f1; f++) {
        const float *x = J->x + f * AVMIT_LOGMEL_HOP;
        /* frames · window in float32 as TF multiplies them; zero-padded to 512 */
        if (lm->plan_d) {
            for (int n = 0; n < AVMIT_LOGMEL_WINDOW; n++) in[n] = (double)(x[n] * lm->window[n]);
            for (int n = AVMIT_LOGMEL_WINDOW; n < AVMIT_LOGMEL_FFT; n++) in[n] = 0.0;
            fftw_execute_dft_r2c(lm->plan_d, in, spec);
            for (int j = 0; j < AVMIT_LOGMEL_BINS; j++)
                mag[j] = (float)sqrt(spec[j][0] * spec[j][0] + spec[j][1] * spec[j][1]);
        } else {
            for (int n = 0; n < AVMIT_LOGMEL_WINDOW; n++) in_f[n] = x[n] * lm->window[n];
            for (int n = AVMIT_LOGMEL_WINDOW; n < AVMIT_LOGMEL_FFT; n++) in_f[n] = 0.0f;
            fftwf_execute_dft_r2c(lm->plan_f, in_f, spec_f);
            for (int j = 0; j < AVMIT_LOGMEL_BINS; j++) {
                double re = spec_f[j][0], im = spec_f[j][1];
                mag[j] = (float)sqrt(re * re + im * im);
            }
        }
        float *out = J->logmel + f * AVMIT_LOGMEL_BANDS;
        for (int b = 0; b < AVMIT_LOGMEL_BANDS; b++) {
            const float *wt = lm->weights + lm->band_off[b];
            const float *m = mag + lm->band_lo[b];
            double s = 0.0;
            for (int j = 0; j < lm->band_n[b]; j++) s += (double)m[j] * (double)wt[j];
            out[b] = logf((float)s + lm->p.log_offset); /* tf.math.log(mel + offset) */
        }
    }
}

int avmit_logmel_patches(const avmit_logmel *lm, const float *wav, int64_t n, int n_threads,
                         float **patches, int64_t *n_patches, avmit_error *err) {
    *patches = NULL;
    *n_patches = 0;
    if (!lm || n < 0 || (!wav && n > 0))
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, NULL, "log-mel: bad arguments (%lld samples)",
                         (long long)n);
    const avmit_logmel_params *p = &lm->p;
    const int64_t n_pad = avmit_logmel_padded_len(p, n);
    const int64_t np = patches_of_frames(p, avmit_logmel_n_frames(n_pad));
    if (np == 0) return 0;
    /* Only the frames some patch uses. */
    const int64_t n_frames = (np - 1) * p->patch_hop_frames + AVMIT_LOGMEL_PATCH_FRAMES;
    const int64_t n_need = (n_frames - 1) * AVMIT_LOGMEL_HOP + AVMIT_LOGMEL_WINDOW;
    if (n_threads <= 0) n_threads = avmit_cpu_count();
    const size_t n_items = (size_t)((n_frames + FRAMES_PER_ITEM - 1) / FRAMES_PER_ITEM);
    if ((size_t)n_threads > n_items) n_threads = (int)n_items;

    int rc = AVMIT_E_NOMEM;
    float *x = NULL, *logmel = NULL, *out = NULL;
    lm_scratch *scratch = calloc((size_t)n_threads, sizeof *scratch);
    if (!scratch) goto fail;
    for (int t = 0; t < n_threads; t++) {
        scratch[t].in = fftw_malloc(AVMIT_LOGMEL_FFT * sizeof(double));
        scratch[t].spec = fftw_malloc(AVMIT_LOGMEL_BINS * sizeof(fftw_complex));
        if (!scratch[t].in || !scratch[t].spec) goto fail;
    }
    const float *src = wav;
    if (n_need > n) { /* zero padding (YAMNet) reaches into the last frames */
        x = calloc((size_t)n_need, sizeof *x);
        if (!x) goto fail;
        if (n) memcpy(x, wav, (size_t)n * sizeof *x);
        src = x;
    }
    logmel = malloc((size_t)n_frames * AVMIT_LOGMEL_BANDS * sizeof *logmel);
    out = malloc((size_t)np * AVMIT_LOGMEL_PATCH_FRAMES * AVMIT_LOGMEL_BANDS * sizeof *out);
    if (!logmel || !out) goto fail;
    lm_job job = {lm, src, n_frames, logmel, scratch};
    rc = avmit_parallel_for(n_threads, n_items, lm_frames, &job);
    if (rc) goto fail;
    const size_t patch_floats = AVMIT_LOGMEL_PATCH_FRAMES * AVMIT_LOGMEL_BANDS;
    for (int64_t i = 0; i < np; i++)
        memcpy(out + i * patch_floats,
               logmel + i * p->patch_hop_frames * AVMIT_LOGMEL_BANDS,
               patch_floats * sizeof *out);
    *patches = out;
    *n_patches = np;
    out = NULL;
fail:
    if (scratch)
        for (int t = 0; t < n_threads; t++) {
            fftw_free(scratch[t].in);
            fftw_free(scratch[t].spec);
        }
    free(scratch);
    free(x);
    free(logmel);
    free(out);
    if (rc == AVMIT_E_NOMEM)
        return AVMIT_ERR(err, rc, NULL, NULL, "out of memory for %lld log-mel patches",
                         (long long)np);
    if (rc) return AVMIT_ERR(err, rc, NULL, NULL, "cannot start threads");
    return 0;
}
