/*
 * test_cnn_clone.c — avmit_cnn_clone (what `avmit extract`'s CNN workers run on):
 * a clone gives the original's bits; two clones running at the same time in two
 * threads give the same bits as one thread alone; a clone made before the
 * original ever ran works; the original may be freed first (the weights live on
 * with the clone). Network: YAMNet with seeded random weights in its published
 * layout (Keras HDF5), the cheapest of the four.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/cnn.h"
#include "avmit/weights.h"
#include "testutil.h"

#if defined(AVMIT_HAVE_DNNL) && defined(AVMIT_HAVE_HDF5)
enum { N = 5, ROWS = 96 * 64, D = 1024 };

typedef struct {
    avmit_cnn *net;
    const float *in;
    float out[N * D];
    int rc;
    avmit_error err;
} job;

static void *run(void *v) {
    job *j = v;
    for (int k = 0; k < 3 && !j->rc; k++) j->rc = avmit_cnn_embed(j->net, j->in, N, j->out, &j->err);
    return NULL;
}

int main(void) {
    avmit_error err;
    avmit_wset w = {0};
    const char *path = test_path("yamnet.h5");
    if (avmit_cnn_init_weights(AVMIT_CNN_YAMNET, 7, &w, &err) ||
        avmit_wset_write(&w, w.format, path, &err)) {
        fprintf(stderr, "cannot make weights: %s\n", err.msg);
        return 1;
    }
    avmit_wset_free(&w);
    static float in[N * ROWS], ref[N * D];
    uint32_t s = 12345;
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        s = s * 1664525u + 1013904223u;
        in[i] = (float)(s >> 8) / (float)(1u << 24) * 8.0f - 6.0f; /* log-mel-like range */
    }
    avmit_cnn_opts o = avmit_cnn_default_opts();
    o.threads = 1;
    o.max_batch = N;
    avmit_cnn *net = NULL, *early = NULL, *c1 = NULL, *c2 = NULL;
    CHECK(avmit_cnn_load(&net, AVMIT_CNN_YAMNET, path, &o, &err) == 0, "load: %s", err.msg);
    if (!net) return test_finish("test_cnn_clone");
    /* a clone before the original ran: it readies the shared weights itself */
    CHECK(avmit_cnn_clone(&early, net, 0, &err) == 0, "clone before any run: %s", err.msg);
    CHECK(avmit_cnn_embed(net, in, N, ref, &err) == 0, "embed: %s", err.msg);
    CHECK(avmit_cnn_clone(&c1, net, 1, &err) == 0, "clone: %s", err.msg);
    CHECK(avmit_cnn_clone(&c2, c1, 1, &err) == 0, "clone of a clone: %s", err.msg);
    CHECK(avmit_cnn_kind_of(c2) == AVMIT_CNN_YAMNET, "kind of a clone");

    /* two clones at the same time, three calls each */
    job *j = calloc(2, sizeof *j);
    j[0].net = c1, j[1].net = c2;
    j[0].in = j[1].in = in;
    pthread_t th[2];
    for (int k = 0; k < 2; k++) CHECK(pthread_create(&th[k], NULL, run, &j[k]) == 0, "thread");
    for (int k = 0; k < 2; k++) pthread_join(th[k], NULL);
    for (int k = 0; k < 2; k++) {
        CHECK(j[k].rc == 0, "clone %d: %s", k, j[k].err.msg);
        CHECK(!memcmp(j[k].out, ref, sizeof ref), "clone %d running beside another gives the original's bits", k);
    }
    /* the original goes first; the clones keep the weights */
    avmit_cnn_free(net);
    float *o2 = calloc(N * D, sizeof *o2);
    CHECK(avmit_cnn_embed(early, in, N, o2, &err) == 0, "embed after the original is freed: %s", err.msg);
    CHECK(!memcmp(o2, ref, sizeof ref), "the early clone gives the original's bits after it is freed");
    /* a different batch split through a clone: same rows (YAMNet is batch-invariant) */
    for (int i = 0; i < N; i++)
        CHECK(avmit_cnn_embed(c2, in + (size_t)i * ROWS, 1, o2 + (size_t)i * D, &err) == 0, "row %d", i);
    double worst = 0;
    for (int i = 0; i < N * D; i++) {
        double d = o2[i] - ref[i];
        if (d < 0) d = -d;
        if (d > worst) worst = d;
    }
    CHECK(worst < 1e-5, "batch 1 through a clone vs batch %d: max diff %g", N, worst);
    free(o2);
    free(j);
    avmit_cnn_free(early);
    avmit_cnn_free(c1);
    avmit_cnn_free(c2);
    return test_finish("test_cnn_clone");
}
#else
int main(void) {
    printf("skipped: built without oneDNN or HDF5 (AVMIT_WITH_DNNL / AVMIT_WITH_HDF5)\n");
    return 77;
}
#endif
