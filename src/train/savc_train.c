/*
 * savc_train.c — the SAVC training loop (include/avmit/savc_train.h): epochs of
 * 12,960 freshly drawn pairs, Keras Adam with decoupled weight decay, best
 * validation accuracy checkpoint, metrics.csv, resumable train state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avmit/csv.h"
#include "avmit/fileio.h"
#include "avmit/rng.h"
#include "avmit/safetensors.h"
#include "avmit/savc_train.h"

/* avmit_rng streams (xored with the epoch number). */
#define STREAM_DRAW 0x5341564344000000ull    /* pairs of an epoch */
#define STREAM_DROPOUT 0x534156434D000000ull /* dropout masks of an epoch */
#define STREAM_VAL 0x5341564356000000ull     /* the fixed validation subset */

avmit_savc_train_params avmit_savc_train_default_params(void) {
    avmit_savc_train_params p = {200, 512, 1e-4, 1e-5, 12960, 12960, 1, 0};
    return p;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Append k pairs drawn without replacement from src (all of them when k >= n),
 * with `label`, to (a, v, y) at *n_out. perm: scratch of src->n entries. */
static void draw(avmit_rng *rng, const avmit_savc_pairs *src, size_t k, int label, uint32_t *perm,
                 uint32_t *a, uint32_t *v, int *y, size_t *n_out) {
    if (k > src->n) k = src->n;
    for (size_t i = 0; i < src->n; i++) perm[i] = (uint32_t)i;
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)avmit_rng_below(rng, src->n - i);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        a[*n_out] = src->audio[perm[i]];
        v[*n_out] = src->visual[perm[i]];
        y[*n_out] = label;
        (*n_out)++;
    }
}

/* Shuffle the parallel arrays (a, v, y) of n entries. */
static void shuffle3(avmit_rng *rng, uint32_t *a, uint32_t *v, int *y, size_t n) {
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)avmit_rng_below(rng, i);
        uint32_t ta = a[i - 1], tv = v[i - 1];
        int ty = y[i - 1];
        a[i - 1] = a[j], v[i - 1] = v[j], y[i - 1] = y[j];
        a[j] = ta, v[j] = tv, y[j] = ty;
    }
}

/* ---- metrics.csv and the train state ----------------------------------------- */

static int write_metrics(const char *dir, const avmit_savc_epoch *h, int n, avmit_error *err) {
    char *path = avmit_path_join(dir, "metrics.csv");
    if (!path) return avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
    avmit_atomic_file *f;
    int r = avmit_atomic_open(&f, path, 0, err);
    if (!r) {
        FILE *s = avmit_atomic_stream(f);
        fprintf(s, "epoch,loss,accuracy,val_loss,val_accuracy,seconds,best\n");
        for (int i = 0; i < n; i++)
            fprintf(s, "%d,%.9g,%.9g,%.9g,%.9g,%.3f,%d\n", h[i].epoch, h[i].loss, h[i].accuracy,
                    h[i].val_loss, h[i].val_accuracy, h[i].seconds, h[i].improved);
        r = avmit_atomic_commit(f, err);
    }
    free(path);
    return r;
}

static int read_metrics(const char *dir, avmit_savc_epoch *h, int want, avmit_error *err) {
    char *path = avmit_path_join(dir, "metrics.csv");
    if (!path) return avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
    avmit_csv t = {0};
    int r = avmit_csv_read(&t, path, err);
    if (!r && (t.n_cols != 7 || (int)t.n_rows < want))
        r = avmit_error_path(err, AVMIT_E_FORMAT, path,
                             "expected %d epochs of 7 columns, found %zu rows of %zu", want,
                             t.n_rows, t.n_cols);
    for (int i = 0; !r && i < want; i++) {
        avmit_savc_epoch *e = &h[i];
        e->epoch = atoi(avmit_csv_cell(&t, (size_t)i, 0));
        e->loss = atof(avmit_csv_cell(&t, (size_t)i, 1));
        e->accuracy = atof(avmit_csv_cell(&t, (size_t)i, 2));
        e->val_loss = atof(avmit_csv_cell(&t, (size_t)i, 3));
        e->val_accuracy = atof(avmit_csv_cell(&t, (size_t)i, 4));
        e->seconds = atof(avmit_csv_cell(&t, (size_t)i, 5));
        e->improved = atoi(avmit_csv_cell(&t, (size_t)i, 6));
    }
    if (t.cells) avmit_csv_free(&t);
    free(path);
    return r;
}

/* train_state.safetensors: "weights/<name>", "adam_m/<name>", "adam_v/<name>" and
 * metadata epoch, step, best_epoch, best_val_accuracy (hex float), seed, n_weights. */
static const char *const STATE_PREFIX[3] = {"weights/", "adam_m/", "adam_v/"};

static int write_state(const avmit_savc_model *m, const float *const blocks[3], const char *dir,
                       int epoch, long long step, int best_epoch, double best_acc,
                       uint64_t seed, avmit_error *err) {
    avmit_st_entry e[3 * AVMIT_SV_COUNT];
    char names[3 * AVMIT_SV_COUNT][80];
    for (int b = 0; b < 3; b++)
        for (int i = 0; i < AVMIT_SV_COUNT; i++) {
            const avmit_param_info *p = &m->params[i];
            int k = b * AVMIT_SV_COUNT + i;
            snprintf(names[k], sizeof names[k], "%s%s", STATE_PREFIX[b], p->name);
            e[k] = (avmit_st_entry){names[k], AVMIT_DTYPE_F32, p->ndim, p->shape,
                                    blocks[b] + p->offset};
        }
    char s_epoch[32], s_step[32], s_best[32], s_acc[64], s_seed[32], s_n[32];
    snprintf(s_epoch, sizeof s_epoch, "%d", epoch);
    snprintf(s_step, sizeof s_step, "%lld", step);
    snprintf(s_best, sizeof s_best, "%d", best_epoch);
    snprintf(s_acc, sizeof s_acc, "%a", best_acc);
    snprintf(s_seed, sizeof s_seed, "%llu", (unsigned long long)seed);
    snprintf(s_n, sizeof s_n, "%zu", m->n_weights);
    const char *meta[] = {"epoch", s_epoch, "step", s_step, "best_epoch", s_best,
                          "best_val_accuracy", s_acc, "seed", s_seed, "n_weights", s_n};
    char *path = avmit_path_join(dir, "train_state.safetensors");
    if (!path) return avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
    int r = avmit_safetensors_write(path, e, 3 * AVMIT_SV_COUNT, meta, 6, err);
    free(path);
    return r;
}

static int read_state(const avmit_savc_model *m, float *const blocks[3], const char *dir,
                      uint64_t seed, int *epoch, long long *step, int *best_epoch,
                      double *best_acc, avmit_error *err) {
    char *path = avmit_path_join(dir, "train_state.safetensors");
    if (!path) return avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
    avmit_safetensors st;
    int r = avmit_safetensors_read(&st, path, err);
    if (r) {
        free(path);
        return r;
    }
    const char *k[5] = {"epoch", "step", "best_epoch", "best_val_accuracy", "seed"};
    const char *v[5];
    for (int i = 0; i < 5 && !r; i++)
        if (!(v[i] = avmit_safetensors_meta(&st, k[i])))
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, k[i], "metadata missing");
    if (!r && strtoull(v[4], NULL, 10) != (unsigned long long)seed)
        r = avmit_error_set(err, AVMIT_E_ARG, path, -1, -1, -1, "seed",
                            "the run used seed %s, not %llu: resume with the same seed", v[4],
                            (unsigned long long)seed);
    if (!r) {
        *epoch = atoi(v[0]);
        *step = strtoll(v[1], NULL, 10);
        *best_epoch = atoi(v[2]);
        *best_acc = strtod(v[3], NULL);
    }
    char name[80];
    for (int b = 0; b < 3 && !r; b++)
        for (int i = 0; i < AVMIT_SV_COUNT && !r; i++) {
            const avmit_param_info *p = &m->params[i];
            snprintf(name, sizeof name, "%s%s", STATE_PREFIX[b], p->name);
            r = avmit_safetensors_get_f32(&st, path, name, p->ndim, p->shape, blocks[b] + p->offset,
                                          err);
        }
    avmit_safetensors_free(&st);
    free(path);
    return r;
}

/* ---- the loop ----------------------------------------------------------------- */

typedef struct {
    uint32_t *a, *v, *perm;
    int *y;
    float *xa, *xv, *mask, *grads, *adam_m, *adam_v, *best;
    avmit_savc_pairs val;
    int *val_y;
    avmit_savc_epoch *hist;
} train_bufs;

static void free_bufs(train_bufs *b) {
    free(b->a), free(b->v), free(b->perm), free(b->y);
    free(b->xa), free(b->xv), free(b->mask), free(b->grads), free(b->adam_m), free(b->adam_v);
    free(b->best), free(b->val_y), free(b->hist);
    avmit_savc_pairs_free(&b->val);
}

int avmit_savc_train(avmit_savc_model *m, const avmit_savc_data *data,
                     const avmit_savc_pairs *tc, const avmit_savc_pairs *ti,
                     const avmit_savc_pairs *vc, const avmit_savc_pairs *vi,
                     const avmit_savc_train_params *p, const char *out_dir, int resume,
                     const avmit_savc_train_callbacks *cb, avmit_savc_train_result *res,
                     avmit_error *err) {
    memset(res, 0, sizeof *res);
    const avmit_savc_config *c = &m->cfg;
    if (p->epochs < 1 || p->batch < 1 || p->epoch_pairs < 2 || !(p->lr > 0) ||
        p->weight_decay < 0)
        return avmit_error_path(err, AVMIT_E_ARG, out_dir,
                                "bad training parameters (epochs %d, batch %d, pairs %zu, lr %g)",
                                p->epochs, p->batch, p->epoch_pairs, p->lr);
    if (!tc->n || !ti->n || !vc->n || !vi->n)
        return avmit_error_path(err, AVMIT_E_ARG, out_dir,
                                "empty pair list (train %zu/%zu, validation %zu/%zu)", tc->n,
                                ti->n, vc->n, vi->n);
    int r = avmit_mkdirs(out_dir, err);
    if (r) return r;
    avmit_nn_set_threads(p->n_threads);
    const size_t T = (size_t)c->timesteps, half = p->epoch_pairs / 2, B = (size_t)p->batch;
    const size_t n_max = 2 * half, n_perm = tc->n > ti->n ? tc->n : ti->n;
    const size_t vmax = vc->n + vi->n, nv = vc->n > vi->n ? vc->n : vi->n;
    train_bufs b = {0};
    int start = 0, best_epoch = 0, completed = 0;
    long long step = 0;
    double best_acc = -1;
    b.a = malloc(sizeof(uint32_t) * n_max), b.v = malloc(sizeof(uint32_t) * n_max);
    b.y = malloc(sizeof(int) * n_max);
    b.perm = malloc(sizeof(uint32_t) * (n_perm > nv ? n_perm : nv));
    b.xa = malloc(sizeof(float) * B * T * c->audio_dim);
    b.xv = malloc(sizeof(float) * B * T * c->visual_dim);
    b.mask = malloc(sizeof(float) * B);
    b.grads = malloc(sizeof(float) * m->n_weights);
    b.adam_m = calloc(m->n_weights, sizeof(float));
    b.adam_v = calloc(m->n_weights, sizeof(float));
    b.best = malloc(sizeof(float) * m->n_weights);
    b.val.audio = malloc(sizeof(uint32_t) * vmax), b.val.visual = malloc(sizeof(uint32_t) * vmax);
    b.val_y = malloc(sizeof(int) * vmax);
    b.hist = calloc((size_t)p->epochs, sizeof *b.hist);
    avmit_savc_ws *ws = NULL;
    char *best_path = avmit_path_join(out_dir, "model.safetensors");
    if (!b.a || !b.v || !b.y || !b.perm || !b.xa || !b.xv || !b.mask || !b.grads || !b.adam_m ||
        !b.adam_v || !b.best || !b.val.audio || !b.val.visual || !b.val_y || !b.hist ||
        !best_path) {
        r = avmit_error_path(err, AVMIT_E_NOMEM, out_dir, "out of memory for training");
        goto done;
    }
    memcpy(b.best, m->weights, sizeof(float) * m->n_weights);
    if ((r = avmit_savc_ws_create(&ws, m, p->batch, err))) goto done;
    /* The fixed validation subset, then kept in drawn order. */
    {
        avmit_rng rng;
        avmit_rng_seed(&rng, p->seed, STREAM_VAL);
        draw(&rng, vc, p->val_pairs / 2, 1, b.perm, b.val.audio, b.val.visual, b.val_y, &b.val.n);
        draw(&rng, vi, p->val_pairs / 2, 0, b.perm, b.val.audio, b.val.visual, b.val_y, &b.val.n);
    }
    if (resume) {
        float *const blocks[3] = {m->weights, b.adam_m, b.adam_v};
        if ((r = read_state(m, blocks, out_dir, p->seed, &start, &step, &best_epoch, &best_acc,
                            err)))
            goto done;
        if (start > p->epochs) start = p->epochs;
        if ((r = read_metrics(out_dir, b.hist, start, err))) goto done;
        if (best_epoch > 0) {
            avmit_savc_model *bm = NULL;
            if ((r = avmit_savc_model_load(&bm, best_path, err))) goto done;
            if (bm->n_weights != m->n_weights) {
                avmit_savc_free(bm);
                r = avmit_error_path(err, AVMIT_E_FORMAT, best_path,
                                     "the best checkpoint's model differs from the config");
                goto done;
            }
            memcpy(b.best, bm->weights, sizeof(float) * m->n_weights);
            avmit_savc_free(bm);
            res->best = b.hist[best_epoch - 1];
        }
        for (int e = 0; e < start && cb && cb->on_epoch; e++) cb->on_epoch(cb->ctx, &b.hist[e], 1);
        completed = start;
    }
    avmit_adam_params ap = avmit_adam_default_params((float)p->lr);
    ap.weight_decay = (float)p->weight_decay;
    for (int epoch = start + 1; epoch <= p->epochs; epoch++) {
        double t0 = now_seconds();
        avmit_rng rng, drop;
        avmit_rng_seed(&rng, p->seed, STREAM_DRAW ^ (uint64_t)epoch);
        avmit_rng_seed(&drop, p->seed, STREAM_DROPOUT ^ (uint64_t)epoch);
        size_t n = 0;
        draw(&rng, tc, half, 1, b.perm, b.a, b.v, b.y, &n);
        draw(&rng, ti, half, 0, b.perm, b.a, b.v, b.y, &n);
        shuffle3(&rng, b.a, b.v, b.y, n);
        const int n_steps = (int)((n + B - 1) / B);
        double loss = 0, acc = 0;
        for (int s = 0; s < n_steps; s++) {
            if (cb && cb->should_stop && cb->should_stop(cb->ctx)) {
                r = avmit_error_path(err, AVMIT_E_CANCELLED, out_dir,
                                     "stopped during epoch %d; the last completed epoch is kept",
                                     epoch);
                goto done;
            }
            const size_t s0 = (size_t)s * B;
            const int nb = (int)(n - s0 < B ? n - s0 : B);
            const size_t ra = T * c->audio_dim, rv = T * c->visual_dim;
            for (int i = 0; i < nb; i++) {
                memcpy(b.xa + i * ra, data->audio + b.a[s0 + i] * ra, sizeof(float) * ra);
                memcpy(b.xv + i * rv, data->visual + b.v[s0 + i] * rv, sizeof(float) * rv);
            }
            avmit_dropout_mask(b.mask, (size_t)nb, c->dropout, &drop);
            const float *probs = avmit_savc_forward(m, ws, b.xa, b.xv, nb,
                                                    c->dropout > 0 ? b.mask : NULL);
            loss += avmit_bce2_loss(probs, b.y + s0, nb) * nb;
            acc += avmit_bce2_accuracy(probs, b.y + s0, nb) * nb;
            memset(b.grads, 0, sizeof(float) * m->n_weights);
            avmit_savc_backward(m, ws, b.y + s0, b.grads);
            avmit_adam_step(m->weights, b.grads, b.adam_m, b.adam_v, m->n_weights, &ap, ++step);
            if (cb && cb->on_step)
                cb->on_step(cb->ctx, epoch, s + 1, n_steps, loss / (double)(s0 + nb),
                            acc / (double)(s0 + nb));
        }
        avmit_savc_eval ve;
        if ((r = avmit_savc_predict(m, data, &b.val, b.val_y, p->batch, NULL, &ve, err)))
            goto done;
        avmit_savc_epoch *h = &b.hist[epoch - 1];
        h->epoch = epoch;
        h->loss = loss / (double)n;
        h->accuracy = acc / (double)n;
        h->val_loss = ve.loss;
        h->val_accuracy = ve.accuracy;
        h->improved = ve.accuracy > best_acc;
        if (h->improved) {
            best_acc = ve.accuracy;
            best_epoch = epoch;
            memcpy(b.best, m->weights, sizeof(float) * m->n_weights);
            if ((r = avmit_savc_model_save(m, best_path, err))) goto done;
        }
        h->seconds = now_seconds() - t0;
        const float *const blocks[3] = {m->weights, b.adam_m, b.adam_v};
        if ((r = write_metrics(out_dir, b.hist, epoch, err)) ||
            (r = write_state(m, blocks, out_dir, epoch, step, best_epoch, best_acc, p->seed, err)))
            goto done;
        if (h->improved) res->best = *h;
        completed = epoch;
        if (cb && cb->on_epoch) cb->on_epoch(cb->ctx, h, 0);
    }
done:
    res->epochs_run = completed;
    res->best_epoch = best_epoch;
    if (b.best) memcpy(m->weights, b.best, sizeof(float) * m->n_weights);
    avmit_savc_ws_free(ws);
    free(best_path);
    free_bufs(&b);
    return r;
}
