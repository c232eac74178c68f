/*
 * bench_audio — media file -> VGGish/YAMNet log-mel patches, clips per second.
 *
 *   bench_audio FILE [--model vggish|yamnet] [--threads N] [--seconds S]
 *               [--resampler kaiser_best|soxr] [--check PATCHES.npy]
 *
 * Runs the whole library pipeline (avmit_media_audio_decode -> avmit_resample
 * -> avmit_logmel_patches) on FILE again and again for about S seconds
 * (default 2). With --threads N, N workers each process whole clips (the way
 * a batch extractor uses the cores); every clip runs single-threaded inside.
 * Every run's patches must equal the first run's bit for bit, and, with
 * --check, the given .npy (the reference pipeline's patches) within 1e-4;
 * otherwise the benchmark fails. Prints clips/s and per-stage medians.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avmit/logmel.h"
#include "avmit/media_audio.h"
#include "avmit/npy.h"
#include "avmit/parallel.h"
#include "avmit/resample.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct bench {
    const char *path;
    avmit_resampler rs;
    const avmit_logmel *lm;
    double deadline;
    const float *expect; /* first run's patches */
    int64_t expect_n;
    atomic_int clips;
    atomic_int bad;
    double *stage;       /* [n_threads][3] summed seconds per stage */
} bench;

/* One clip; returns its patches (malloc'd) or NULL on failure. */
static float *run_clip(bench *B, int64_t *np, double st[3]) {
    avmit_error err;
    avmit_audio_pcm pcm;
    float *wav = NULL, *patches = NULL;
    int64_t n_wav;
    double t0 = now();
    if (avmit_media_audio_decode(B->path, &pcm, &err)) goto fail;
    double t1 = now();
    if (avmit_resample(pcm.samples, pcm.n_samples, pcm.sample_rate_hz,
                       AVMIT_LOGMEL_SAMPLE_RATE_HZ, B->rs, 1, &wav, &n_wav, &err))
        goto fail;
    double t2 = now();
    if (avmit_logmel_patches(B->lm, wav, n_wav, 1, &patches, np, &err)) goto fail;
    double t3 = now();
    st[0] += t1 - t0, st[1] += t2 - t1, st[2] += t3 - t2;
    avmit_audio_pcm_free(&pcm);
    free(wav);
    return patches;
fail:
    fprintf(stderr, "bench_audio: %s\n", err.msg);
    avmit_audio_pcm_free(&pcm);
    free(wav);
    return NULL;
}

static void worker(void *ctx, size_t item, int tid) {
    (void)item;
    bench *B = ctx;
    while (now() < B->deadline) {
        int64_t np;
        float *p = run_clip(B, &np, &B->stage[3 * tid]);
        if (!p || np != B->expect_n ||
            memcmp(p, B->expect, (size_t)np * 96 * 64 * sizeof *p) != 0)
            atomic_fetch_add(&B->bad, 1);
        free(p);
        atomic_fetch_add(&B->clips, 1);
    }
}

int main(int argc, char **argv) {
    const char *path = NULL, *check = NULL, *model = "yamnet", *rsname = "kaiser_best";
    int threads = 1;
    double seconds = 2.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < argc) model = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--resampler") && i + 1 < argc) rsname = argv[++i];
        else if (!strcmp(argv[i], "--check") && i + 1 < argc) check = argv[++i];
        else if (!path && argv[i][0] != '-') path = argv[i];
        else {
            fprintf(stderr, "usage: bench_audio FILE [--model M] [--threads N] [--seconds S] "
                            "[--resampler R] [--check PATCHES.npy]\n");
            return 2;
        }
    }
    if (!path || threads < 1) return 2;
    avmit_error err;
    avmit_logmel_model m;
    avmit_logmel *lm = NULL;
    bench B = {.path = path};
    if (avmit_logmel_model_parse(model, &m, &err) || avmit_resampler_parse(rsname, &B.rs, &err)) {
        fprintf(stderr, "bench_audio: %s\n", err.msg);
        return 2;
    }
    avmit_logmel_params lp = avmit_logmel_default_params(m);
    if (avmit_logmel_create(&lm, &lp, &err)) {
        fprintf(stderr, "bench_audio: %s\n", err.msg);
        return 1;
    }
    B.lm = lm;
    double warm[3] = {0, 0, 0};
    float *first = run_clip(&B, &B.expect_n, warm);
    if (!first) return 1;
    B.expect = first;
    if (check) {
        avmit_array ref;
        if (avmit_npy_read_f32(&ref, check, &err)) {
            fprintf(stderr, "bench_audio: %s\n", err.msg);
            return 1;
        }
        double worst = ref.shape[0] == B.expect_n ? 0.0 : INFINITY;
        for (int64_t i = 0; worst < INFINITY && i < B.expect_n * 96 * 64; i++) {
            double d = fabs((double)first[i] - ((const float *)ref.data)[i]);
            if (d > worst) worst = d;
        }
        avmit_array_free(&ref);
        printf("check vs %s: max |diff| %.3g\n", check, worst);
        if (!(worst <= 1e-4)) {
            fprintf(stderr, "bench_audio: patches differ from %s\n", check);
            return 1;
        }
    }
    B.stage = calloc((size_t)threads * 3, sizeof *B.stage);
    atomic_init(&B.clips, 0);
    atomic_init(&B.bad, 0);
    double t0 = now();
    B.deadline = t0 + seconds;
    avmit_parallel_for(threads, (size_t)threads, worker, &B);
    double el = now() - t0;
    int clips = atomic_load(&B.clips);
    double st[3] = {0, 0, 0};
    for (int t = 0; t < threads; t++)
        for (int k = 0; k < 3; k++) st[k] += B.stage[3 * t + k];
    printf("%s threads=%d model=%s resampler=%s: %d clips in %.3f s = %.1f clips/s; "
           "per clip decode %.2f ms, resample %.2f ms, log-mel %.2f ms; %lld patches\n",
           path, threads, model, rsname, clips, el, clips / el, st[0] / clips * 1e3,
           st[1] / clips * 1e3, st[2] / clips * 1e3, (long long)B.expect_n);
    int bad = atomic_load(&B.bad);
    if (bad) fprintf(stderr, "bench_audio: %d runs gave different patches\n", bad);
    free(first);
    free(B.stage);
    avmit_logmel_free(lm);
    return bad ? 1 : 0;
}
