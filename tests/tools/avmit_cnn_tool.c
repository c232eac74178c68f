/*
 * avmit_cnn_tool.c — test helper for tests/reference/test_cnn_*.py: runs
 * avmit_cnn_embed with every knob the tests vary (BN folding, batch, threads,
 * precision, EfficientNet input variant), which the CLI does not all expose.
 *
 * usage: avmit_cnn_tool MODEL WEIGHTS IN.npy OUT.npy [fold=0|1] [batch=B]
 *                       [threads=N] [precision=fp32|bf16] [variant=tf2.3|tf2.10]
 *   IN: float32 [n, H, W(, C)]; OUT: float32 [n, D]. Prints "precision=<what ran>".
 * exit 0 on success, 1 on a library error (printed), 2 on bad usage,
 * 77 when libavmit was built without oneDNN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/npy.h"
#ifdef AVMIT_HAVE_DNNL
#include "avmit/cnn.h"
#endif

int main(int argc, char **argv) {
#ifndef AVMIT_HAVE_DNNL
    (void)argc, (void)argv;
    printf("skipped: libavmit built without oneDNN (AVMIT_WITH_DNNL=OFF)\n");
    return 77;
#else
    if (argc < 5) {
        fprintf(stderr, "usage: avmit_cnn_tool MODEL WEIGHTS IN.npy OUT.npy [key=value ...]\n");
        return 2;
    }
    avmit_error err;
    avmit_error_clear(&err);
    avmit_cnn_kind kind;
    if (avmit_cnn_from_name(argv[1], &kind, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    avmit_cnn_opts o = avmit_cnn_default_opts();
    for (int i = 5; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "fold=", 5)) o.fold_bn = atoi(a + 5);
        else if (!strncmp(a, "batch=", 6)) o.max_batch = atoi(a + 6);
        else if (!strncmp(a, "threads=", 8)) o.threads = atoi(a + 8);
        else if (!strcmp(a, "precision=bf16")) o.precision = AVMIT_PRECISION_BF16;
        else if (!strcmp(a, "precision=fp32")) o.precision = AVMIT_PRECISION_FP32;
        else if (!strncmp(a, "variant=", 8)) {
            if (avmit_effnet_variant_parse(a + 8, &o.effnet_variant, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
        } else { fprintf(stderr, "unknown option %s\n", a); return 2; }
    }
    avmit_array x;
    if (avmit_npy_read_f32(&x, argv[3], &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    int shape[3];
    avmit_cnn_input_shape(kind, shape);
    size_t per = (size_t)shape[0] * shape[1] * shape[2];
    size_t n = x.ndim ? (size_t)x.shape[0] : 0;
    if ((size_t)avmit_array_count(&x) != n * per) {
        fprintf(stderr, "%s: expected [n,%d,%d,%d]\n", argv[3], shape[0], shape[1], shape[2]);
        avmit_array_free(&x);
        return 1;
    }
    avmit_cnn *net = NULL;
    int d = avmit_cnn_output_dim(kind);
    float *y = malloc((n ? n : 1) * (size_t)d * sizeof *y);
    int rc = !y || avmit_cnn_load(&net, kind, argv[2], &o, &err);
    if (!rc) rc = avmit_cnn_embed(net, x.data, n, y, &err);
    if (!rc) {
        const char *why = NULL;
        avmit_precision p = avmit_cnn_precision(net, &why);
        printf("precision=%s%s%s\n", p == AVMIT_PRECISION_BF16 ? "bf16" : "fp32", why ? " " : "", why ? why : "");
        int64_t os[2] = {(int64_t)n, d};
        rc = avmit_npy_write(argv[4], AVMIT_DTYPE_F32, 2, os, y, &err);
    }
    if (rc) fprintf(stderr, "avmit_cnn_tool: %s%s%s\n", err.path[0] ? err.path : "", err.path[0] ? ": " : "", err.msg);
    avmit_cnn_free(net);
    free(y);
    avmit_array_free(&x);
    return rc ? 1 : 0;
#endif
}
