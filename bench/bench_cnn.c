/*
 * bench_cnn.c — throughput of one embedding CNN (bench/bench_cnn.sh drives it).
 *
 * usage: bench_cnn MODEL WEIGHTS BATCH THREADS SECONDS [fp32|bf16]
 * Loads the network (max_batch = BATCH), embeds a real-scale random input of BATCH
 * examples once to warm up (plan, weight reorders), then repeatedly until SECONDS
 * have passed (at least 1 call); prints
 *   "<model> batch B threads T precision P: X ex/s, G GFLOP/s, load L s, peak RSS M MB"
 * and a checksum of the output so that a wrong result cannot hide.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "avmit/cnn.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: bench_cnn MODEL WEIGHTS BATCH THREADS SECONDS [fp32|bf16]\n");
        return 2;
    }
    avmit_error err;
    avmit_error_clear(&err);
    avmit_cnn_kind kind;
    if (avmit_cnn_from_name(argv[1], &kind, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    int batch = atoi(argv[3]), threads = atoi(argv[4]);
    double secs = atof(argv[5]);
    avmit_cnn_opts o = avmit_cnn_default_opts();
    o.max_batch = batch;
    o.threads = threads;
    if (argc > 6 && !strcmp(argv[6], "bf16")) o.precision = AVMIT_PRECISION_BF16;
    int s[3];
    avmit_cnn_input_shape(kind, s);
    size_t per = (size_t)s[0] * s[1] * s[2];
    int d = avmit_cnn_output_dim(kind);
    float *x = malloc(per * (size_t)batch * sizeof *x), *y = malloc((size_t)d * batch * sizeof *y);
    if (!x || !y) return 1;
    srand(7);
    for (size_t i = 0; i < per * (size_t)batch; i++) {
        double u = (rand() + 1.0) / ((double)RAND_MAX + 2.0);
        /* log-mel-like values for audio, caffe/normalised-pixel-like for images */
        x[i] = (float)(s[2] == 1 ? log(u * 4.0 + 0.01) : (u - 0.5) * (kind == AVMIT_CNN_VGG16 ? 250.0 : 4.0));
    }
    double t0 = now();
    avmit_cnn *net = NULL;
    if (avmit_cnn_load(&net, kind, argv[2], &o, &err)) { fprintf(stderr, "bench_cnn: %s\n", err.msg); return 1; }
    double t_load = now() - t0;
    if (avmit_cnn_embed(net, x, (size_t)batch, y, &err)) { fprintf(stderr, "bench_cnn: %s\n", err.msg); return 1; }
    int calls = 0;
    t0 = now();
    double t = 0;
    while (calls < 1 || t < secs) {
        if (avmit_cnn_embed(net, x, (size_t)batch, y, &err)) { fprintf(stderr, "bench_cnn: %s\n", err.msg); return 1; }
        calls++;
        t = now() - t0;
    }
    double sum = 0;
    for (int i = 0; i < d * batch; i++) sum += y[i];
    const char *why = NULL;
    avmit_precision p = avmit_cnn_precision(net, &why);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double eps = (double)calls * batch / t;
    printf("%s batch %d threads %d precision %s: %.2f ex/s, %.1f GFLOP/s, load %.2f s, peak RSS %.0f MB, checksum %.6g\n",
           argv[1], batch, threads, p == AVMIT_PRECISION_BF16 ? "bf16" : "fp32", eps,
           eps * avmit_cnn_flops(kind) / 1e9, t_load, ru.ru_maxrss / 1024.0, sum);
    if (why) printf("note: %s\n", why);
    avmit_cnn_free(net);
    free(x);
    free(y);
    return 0;
}
