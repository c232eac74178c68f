/*
 * test_train_threads.c — threads are arguments (issue 12): two experiment-1
 * trainings run at the same time in one process with different thread
 * budgets (1 and 2) end with the same weights, bit for bit, as each run
 * alone (same process-wide OpenBLAS count), and the runs leave OpenBLAS's
 * process-wide thread count as the program set it (avmit/nn.h "Threads").
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/nn.h"
#include "avmit/rng.h"
#include "avmit/train.h"
#include "testutil.h"

enum { N = 96, T = 4, DA = 12, DV = 20, K = 4 };

static avmit_examples make_data(uint64_t seed) {
    avmit_examples e = {0};
    e.n = N, e.T = T, e.D = DA + DV;
    float *x = calloc((size_t)N * T * (DA + DV), sizeof(float));
    e.labels = calloc(N, sizeof(int));
    avmit_rng r;
    avmit_rng_seed(&r, seed, 1);
    for (int i = 0; i < N; i++) {
        e.labels[i] = i % K;
        for (int t = 0; t < T - (i % 2); t++) /* odd samples: last step zero-padded */
            for (int d = 0; d < DA + DV; d++)
                x[((size_t)i * T + t) * (DA + DV) + d] =
                    (float)avmit_rng_normal(&r) + (d % K == e.labels[i] ? 1.5f : 0.0f);
    }
    e.x = x;
    return e;
}

typedef struct job {
    int threads;
    const char *dir;
    avmit_examples *tr, *va;
    float *weights; /* out: the trained weights */
    size_t n;
    int rc;
} job;

static void *train(void *arg) {
    job *j = arg;
    avmit_model_config c = avmit_model_default_config();
    c.units = 8, c.bottleneck = 6, c.audio_dim = DA, c.visual_dim = DV, c.timesteps = T, c.n_classes = K;
    c.dropout = 0.25f;
    avmit_train_params p = avmit_train_default_params();
    p.epochs = 3, p.batch = 8, p.lr = 3e-3, p.patience = 0, p.seed = 7, p.n_threads = j->threads;
    avmit_data_paths paths = {"mem", "mem", "mem"};
    avmit_model *m = NULL;
    avmit_error err = {0};
    avmit_train_result res;
    j->rc = avmit_model_create(&m, &c, &err);
    if (!j->rc) j->rc = avmit_model_init(m, p.seed, &err);
    if (!j->rc) j->rc = avmit_train_run(m, j->tr, j->va, &p, &paths, j->dir, 0, NULL, &res, &err);
    if (!j->rc) {
        j->n = m->n_weights;
        j->weights = malloc(sizeof(float) * m->n_weights);
        memcpy(j->weights, m->weights, sizeof(float) * m->n_weights);
    } else {
        fprintf(stderr, "train (%d threads): %s\n", j->threads, err.msg);
    }
    avmit_model_free(m);
    return NULL;
}

static int same(const job *a, const job *b) {
    return a->rc == 0 && b->rc == 0 && a->n == b->n && !memcmp(a->weights, b->weights, sizeof(float) * a->n);
}

int main(void) {
    avmit_examples tr = make_data(1), va = make_data(2);
    avmit_nn_set_threads(2); /* the program's choice, as the CLI makes it */
    const int before = avmit_nn_get_threads();
    job alone1 = {1, test_path("alone1"), &tr, &va, NULL, 0, 0}, alone2 = {2, test_path("alone2"), &tr, &va, NULL, 0, 0};
    train(&alone1);
    train(&alone2);
    job con1 = {1, test_path("con1"), &tr, &va, NULL, 0, 0}, con2 = {2, test_path("con2"), &tr, &va, NULL, 0, 0};
    pthread_t t1, t2;
    int ok1 = !pthread_create(&t1, NULL, train, &con1), ok2 = !pthread_create(&t2, NULL, train, &con2);
    CHECK(ok1 && ok2, "threads start");
    if (ok1) pthread_join(t1, NULL);
    if (ok2) pthread_join(t2, NULL);
    CHECK(same(&alone1, &con1), "1-thread run concurrent with a 2-thread run = the 1-thread run alone");
    CHECK(same(&alone2, &con2), "2-thread run concurrent with a 1-thread run = the 2-thread run alone");
    CHECK_INT(avmit_nn_get_threads(), before);
    free(alone1.weights), free(alone2.weights), free(con1.weights), free(con2.weights);
    free(tr.x), free(tr.labels), free(va.x), free(va.labels);
    return test_finish("test_train_threads");
}
