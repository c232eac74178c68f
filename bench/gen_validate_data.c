/*
 * gen_validate_data.c — writes the synthetic data set of the validate
 * benchmark: N YAMNet+EfficientNetB0-size embedding files (audio 6 x 1024,
 * visual 6 or 7 x 1280 float32, GZIP, one record each, through
 * avmit_embedding_write_file) as OUT/<label>/bench_<i>.tfrecord.
 *
 * Values imitate pooled CNN activations: non-negative, about a quarter
 * exactly zero, the rest spread over [0, 4) with full float mantissas, so
 * gzip has real work (the files compress to roughly 85-90 %).
 *
 * usage: gen_validate_data OUT_DIR N [THREADS]
 */
#include <stdio.h>
#include <stdlib.h>

#include "avmit/embedding.h"
#include "avmit/labels.h"
#include "avmit/parallel.h"
#include "avmit/rng.h"

typedef struct job {
    const char *out;
    int failed;
} job;

static void fill(avmit_rng *r, float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float u = avmit_rng_uniformf(r);
        x[i] = u < 0.25f ? 0.0f : 4.0f * avmit_rng_uniformf(r) * avmit_rng_uniformf(r);
    }
}

static void make_one(void *ctx, size_t i, int tid) {
    (void)tid;
    job *j = ctx;
    enum { TA = 6, DA = 1024, DV = 1280 };
    int tv = (i % 2) ? 7 : 6; /* 25 fps videos give 7 visual steps, 30 fps 6 */
    float *audio = malloc(sizeof(float) * TA * DA), *visual = malloc(sizeof(float) * 7 * DV);
    avmit_rng r;
    avmit_rng_seed(&r, 20240601u, i);
    fill(&r, audio, TA * DA);
    fill(&r, visual, (size_t)tv * DV);
    const char *label = avmit_label_name((int)(i % AVMIT_N_CLASSES));
    char fname[256], path[4096];
    snprintf(fname, sizeof fname, "%s/yt-bench_%zu.mp4", label, i);
    snprintf(path, sizeof path, "%s/%s/bench_%06zu.tfrecord", j->out, label, i);
    avmit_embedding e = {fname, (char *)label, TA, tv, DA, DV, audio, visual};
    avmit_error err;
    if (avmit_embedding_write_file(&e, path, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        j->failed = 1;
    }
    free(audio);
    free(visual);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT_DIR N [THREADS]\n", argv[0]);
        return 2;
    }
    job j = {argv[1], 0};
    long n = atol(argv[2]);
    int threads = argc > 3 ? atoi(argv[3]) : 0;
    if (n <= 0) return 2;
    if (avmit_parallel_for(threads, (size_t)n, make_one, &j)) return 1;
    return j.failed ? 1 : 0;
}
