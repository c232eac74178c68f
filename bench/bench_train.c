/*
 * bench_train.c — one experiment-1 training epoch with avmit (issue 4 benchmark).
 *
 *   bench_train --config NAME --threads N [--n-train 6560 --n-val 736] [--out DIR]
 *
 * NAME is one of the six Table-5 configs (yamnet-frnn, yamnet-gru, yamnet-lstm,
 * vggish-frnn, vggish-gru, vggish-lstm). Data are random non-negative floats in
 * the embedding layout, zero-padded like the real files (YAMNet: audio 6 and
 * visual 6 of T = 7 steps; VGGish: audio 3, visual 4), made in memory so the
 * timing is the epoch only: avmit_train_run with epochs = 1 (all training
 * steps at batch 16, validation pass, checkpoint writes) into DIR.
 * Also measured in the same process: the sgemm ceiling (2048^3 cblas_sgemm on
 * N threads). Prints one line key=value per result; the run fails (exit 1)
 * unless the training loss is finite and below ln(16) + 0.5 (output check).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "avmit/model.h"
#include "avmit/rng.h"
#include "avmit/train.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double sgemm_ceiling(void) {
    int n = 2048;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) a[i] = b[i] = (float)(i % 7) * 0.1f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n); /* warm-up */
    double best = 0;
    for (int r = 0; r < 3; r++) {
        double t = now_s();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        double g = 2.0 * n * n * n / (now_s() - t) / 1e9;
        if (g > best) best = g;
    }
    free(a), free(b), free(c);
    return best;
}

static void fill(avmit_examples *e, size_t n, const avmit_model_config *c, int ta, int tv, uint64_t seed) {
    memset(e, 0, sizeof *e);
    e->n = n, e->T = c->timesteps, e->D = avmit_model_input_dim(c);
    e->x = calloc(n * e->T * e->D, sizeof(float));
    e->labels = malloc(sizeof(int) * n);
    avmit_rng r;
    avmit_rng_seed(&r, seed, 0);
    float *x = e->x;
    for (size_t i = 0; i < n; i++) {
        e->labels[i] = (int)(i % 16);
        for (int t = 0; t < e->T; t++)
            for (int d = 0; d < e->D; d++) {
                int audio = d < c->audio_dim;
                if (t >= (audio ? ta : tv)) continue;
                x[(i * e->T + t) * e->D + d] = avmit_rng_uniformf(&r) + (d % 16 == e->labels[i] ? 0.5f : 0.0f);
            }
    }
}

int main(int argc, char **argv) {
    const char *name = "yamnet-gru", *out = "bench/out/train";
    int threads = 2;
    size_t n_train = 6560, n_val = 736;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--config")) name = argv[i + 1];
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--n-train")) n_train = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--n-val")) n_val = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--out")) out = argv[i + 1];
    }
    /* Table 5 (SPEC.md §1) */
    static const struct { const char *name; avmit_rnn_kind k; int H, nb; avmit_act act; float dr, lr; int vgg; } t5[] = {
        {"yamnet-frnn", AVMIT_RNN_SIMPLE, 128, 256, AVMIT_ACT_SWISH, 0.3f, 7.05e-5f, 0},
        {"yamnet-gru", AVMIT_RNN_GRU, 128, 64, AVMIT_ACT_SWISH, 0.5f, 7.25e-5f, 0},
        {"yamnet-lstm", AVMIT_RNN_LSTM, 64, 256, AVMIT_ACT_SWISH, 0.3f, 4.10e-5f, 0},
        {"vggish-frnn", AVMIT_RNN_SIMPLE, 256, 256, AVMIT_ACT_SWISH, 0.4f, 1.05e-4f, 1},
        {"vggish-gru", AVMIT_RNN_GRU, 128, 256, AVMIT_ACT_RELU, 0.5f, 3.92e-4f, 1},
        {"vggish-lstm", AVMIT_RNN_LSTM, 256, 256, AVMIT_ACT_SWISH, 0.5f, 1.74e-4f, 1}};
    int ci = -1;
    for (int i = 0; i < 6; i++)
        if (!strcmp(t5[i].name, name)) ci = i;
    if (ci < 0) {
        fprintf(stderr, "bench_train: unknown config %s\n", name);
        return 2;
    }
    avmit_model_config c = avmit_model_default_config();
    c.rnn = t5[ci].k, c.units = t5[ci].H, c.bottleneck = t5[ci].nb, c.act = t5[ci].act, c.dropout = t5[ci].dr;
    c.audio_dim = t5[ci].vgg ? 128 : 1024, c.visual_dim = t5[ci].vgg ? 512 : 1280;
    avmit_nn_set_threads(threads);
    double ceiling = sgemm_ceiling();
    avmit_examples tr, va;
    fill(&tr, n_train, &c, t5[ci].vgg ? 3 : 6, t5[ci].vgg ? 4 : 6, 1);
    fill(&va, n_val, &c, t5[ci].vgg ? 3 : 6, t5[ci].vgg ? 4 : 6, 2);
    avmit_model *m;
    avmit_error err;
    if (avmit_model_create(&m, &c, &err) || avmit_model_init(m, 1, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    avmit_train_params p = avmit_train_default_params();
    p.epochs = 1, p.lr = t5[ci].lr * 10, p.n_threads = threads, p.patience = 0;
    avmit_train_result res;
    double t0 = now_s();
    if (avmit_train_run(m, &tr, &va, &p, NULL, out, 0, NULL, &res, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    double secs = now_s() - t0;
    /* GEMM flops of the epoch (dense count, padding rows included): training
     * forward + backward (no input gradient for the bottleneck), validation forward. */
    double T = c.timesteps, Dr = avmit_model_rnn_dim(&c), G = avmit_rnn_gates(c.rnn), H = c.units;
    double bott = 2 * T * (c.audio_dim + c.visual_dim) * c.bottleneck;
    double rnn = 2 * T * Dr * G * H + 2 * (T - 1) * H * G * H + 2 * H * 16;
    double per_train = 2 * bott + 3 * rnn, per_val = bott + rnn;
    double gflop = (per_train * n_train + per_val * n_val) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("impl=avmit config=%s threads=%d n_train=%zu n_val=%zu epoch_s=%.3f loss=%.4f val_loss=%.4f gflop=%.2f "
           "gflops=%.1f sgemm_ceiling_gflops=%.1f peak_rss_mb=%.0f data_mb=%.0f\n",
           name, threads, n_train, n_val, secs, res.best.loss, res.best.val_loss, gflop, gflop / secs, ceiling,
           ru.ru_maxrss / 1024.0, (avmit_examples_bytes(&tr) + avmit_examples_bytes(&va)) / 1e6);
    int ok = isfinite(res.best.loss) && res.best.loss < log(16.0) + 0.5;
    avmit_model_free(m);
    avmit_examples_free(&tr);
    avmit_examples_free(&va);
    if (!ok) fprintf(stderr, "bench_train: training loss %g is not plausible\n", res.best.loss);
    return ok ? 0 : 1;
}
