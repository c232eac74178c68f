/*
 * savc_train.c — the SAVC training loop (include/avmit/savc_train.h): epochs of
 * 12,960 freshly drawn pairs, Keras Adam with decoupled weight decay, best
 * validation accuracy checkpoint, metrics.csv, resumable train state. The
 * loop itself is train/loop.c's; this file fills its hooks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "avmit/csv.h"
#include "avmit/fileio.h"
#include "avmit/rng.h"
#include "avmit/safetensors.h"
#include "avmit/savc_train.h"
#include "core/error_int.h"
#include "train/loop.h"

/* avmit_rng streams (xored with the epoch number). */
#define STREAM_DRAW 0x5341564344000000ull    /* pairs of an epoch */
#define STREAM_DROPOUT 0x534156434D000000ull /* dropout masks of an epoch */
#define STREAM_VAL 0x5341564356000000ull     /* the fixed validation subset */

avmit_savc_train_params avmit_savc_train_default_params(void) {
    avmit_savc_train_params p = {200, 512, 1e-4, 1e-5, 12960, 12960, 1, 0};
    return p;
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
    if (!path) return AVMIT_NOMEM(err, dir);
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
    if (!path) return AVMIT_NOMEM(err, dir);
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
    if (!path) return AVMIT_NOMEM(err, dir);
    int r = avmit_safetensors_write(path, e, 3 * AVMIT_SV_COUNT, meta, 6, err);
    free(path);
    return r;
}

static int read_state(const avmit_savc_model *m, float *const blocks[3], const char *dir,
                      uint64_t seed, int *epoch, long long *step, int *best_epoch,
                      double *best_acc, avmit_error *err) {
    char *path = avmit_path_join(dir, "train_state.safetensors");
    if (!path) return AVMIT_NOMEM(err, dir);
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
            r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, k[i], "metadata missing");
    if (!r && strtoull(v[4], NULL, 10) != (unsigned long long)seed)
        r = AVMIT_ERR(err, AVMIT_E_ARG, path, "seed",
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

/* ---- the hooks of train/loop.h ------------------------------------------------ */

typedef struct {
    uint32_t *a, *v, *perm;
    int *y;
    float *xa, *xv, *mask;
    avmit_savc_pairs val;
    int *val_y;
    avmit_savc_epoch *hist;
} train_bufs;

static void free_bufs(train_bufs *b) {
    free(b->a), free(b->v), free(b->perm), free(b->y);
    free(b->xa), free(b->xv), free(b->mask);
    free(b->val_y), free(b->hist);
    avmit_savc_pairs_free(&b->val);
}

typedef struct savc_run {
    avmit_savc_model *m;
    const avmit_savc_data *data;
    const avmit_savc_pairs *tc, *ti;
    const avmit_savc_train_params *p;
    const avmit_savc_train_callbacks *cb;
    avmit_savc_train_result *res;
    const char *out_dir;
    char *best_path;
    avmit_savc_ws *ws;
    train_bufs b;
    size_t n;               /* pairs of the epoch */
    double loss, acc;       /* running sums over the epoch's pairs */
    avmit_rng drop;         /* the epoch's dropout stream */
    avmit_adam_params ap;
    int best_epoch;
    double best_acc;
    double row[5];
} savc_run;

static int savc_begin_epoch(void *u, int epoch, avmit_adam_params *ap) {
    savc_run *r = u;
    const avmit_savc_train_params *p = r->p;
    avmit_rng rng;
    avmit_train_stream(&rng, p->seed, STREAM_DRAW, epoch, AVMIT_STREAM_XOR);
    avmit_train_stream(&r->drop, p->seed, STREAM_DROPOUT, epoch, AVMIT_STREAM_XOR);
    r->n = 0;
    draw(&rng, r->tc, p->epoch_pairs / 2, 1, r->b.perm, r->b.a, r->b.v, r->b.y, &r->n);
    draw(&rng, r->ti, p->epoch_pairs / 2, 0, r->b.perm, r->b.a, r->b.v, r->b.y, &r->n);
    shuffle3(&rng, r->b.a, r->b.v, r->b.y, r->n);
    r->loss = r->acc = 0;
    *ap = r->ap;
    return (int)((r->n + (size_t)p->batch - 1) / (size_t)p->batch);
}

static void savc_step(void *u, int epoch, int s, int n_steps, float *grads) {
    savc_run *r = u;
    const avmit_savc_config *c = &r->m->cfg;
    const size_t B = (size_t)r->p->batch, T = (size_t)c->timesteps, s0 = (size_t)s * B;
    const int nb = (int)(r->n - s0 < B ? r->n - s0 : B);
    const size_t ra = T * c->audio_dim, rv = T * c->visual_dim;
    for (int i = 0; i < nb; i++) {
        memcpy(r->b.xa + i * ra, r->data->audio + r->b.a[s0 + i] * ra, sizeof(float) * ra);
        memcpy(r->b.xv + i * rv, r->data->visual + r->b.v[s0 + i] * rv, sizeof(float) * rv);
    }
    avmit_dropout_mask(r->b.mask, (size_t)nb, c->dropout, &r->drop);
    const float *probs = avmit_savc_forward(r->m, r->ws, r->b.xa, r->b.xv, nb, c->dropout > 0 ? r->b.mask : NULL);
    r->loss += avmit_bce2_loss(probs, r->b.y + s0, nb) * nb;
    r->acc += avmit_bce2_accuracy(probs, r->b.y + s0, nb) * nb;
    avmit_savc_backward(r->m, r->ws, r->b.y + s0, grads);
    if (r->cb && r->cb->on_step)
        r->cb->on_step(r->cb->ctx, epoch, s + 1, n_steps, r->loss / (double)(s0 + nb), r->acc / (double)(s0 + nb));
}

/* Validation on the fixed subset; improvement = accuracy strictly above the best. */
static int savc_end_epoch(void *u, int epoch, int *improved, avmit_error *err) {
    savc_run *r = u;
    avmit_savc_eval ve;
    int rc = avmit_savc_predict(r->m, r->data, &r->b.val, r->b.val_y, r->p->batch, NULL, &ve, err);
    if (rc) return rc;
    avmit_savc_epoch *h = &r->b.hist[epoch - 1];
    h->epoch = epoch;
    h->loss = r->loss / (double)r->n;
    h->accuracy = r->acc / (double)r->n;
    h->val_loss = ve.loss;
    h->val_accuracy = ve.accuracy;
    *improved = h->improved = ve.accuracy > r->best_acc;
    if (h->improved) {
        r->best_acc = ve.accuracy;
        r->best_epoch = epoch;
    }
    return 0;
}

static int savc_save_best(void *u, avmit_error *err) {
    savc_run *r = u;
    return avmit_savc_model_save(r->m, r->best_path, err);
}

static const char *const SAVC_ROW[5] = {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"};

static int savc_write_epoch(void *u, int epoch, double seconds, int improved, const avmit_loop_state *st,
                            avmit_metrics_row *row, avmit_error *err) {
    savc_run *r = u;
    avmit_savc_epoch *h = &r->b.hist[epoch - 1];
    h->seconds = seconds;
    const float *const blocks[3] = {r->m->weights, st->adam_m, st->adam_v};
    int rc = write_metrics(r->out_dir, r->b.hist, epoch, err);
    if (!rc) rc = write_state(r->m, blocks, r->out_dir, epoch, st->adam_t, r->best_epoch, r->best_acc, r->p->seed, err);
    if (rc) return rc;
    if (improved) r->res->best = *h;
    r->res->epochs_run = epoch;
    if (r->cb && r->cb->on_epoch) r->cb->on_epoch(r->cb->ctx, h, 0);
    const double v[5] = {h->loss, h->accuracy, h->val_loss, h->val_accuracy, h->seconds};
    memcpy(r->row, v, sizeof v);
    *row = (avmit_metrics_row){epoch, 5, SAVC_ROW, r->row};
    return 0;
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
    const size_t T = (size_t)c->timesteps, half = p->epoch_pairs / 2, B = (size_t)p->batch;
    const size_t n_max = 2 * half, n_perm = tc->n > ti->n ? tc->n : ti->n;
    const size_t vmax = vc->n + vi->n, nv = vc->n > vi->n ? vc->n : vi->n;
    savc_run x = {0};
    x.m = m, x.data = data, x.tc = tc, x.ti = ti, x.p = p, x.cb = cb, x.res = res, x.out_dir = out_dir;
    x.best_acc = -1;
    x.ap = avmit_adam_default_params((float)p->lr);
    x.ap.weight_decay = (float)p->weight_decay;
    avmit_loop_hooks h = {&x, m->weights, m->n_weights, NULL, 0,
                          savc_begin_epoch, savc_step, savc_end_epoch, savc_save_best, savc_write_epoch,
                          NULL, cb ? cb->should_stop : NULL, cb ? cb->epoch_end : NULL,
                          cb ? cb->ctx : NULL, out_dir};
    avmit_loop_state st = {0};
    const int prev_budget = avmit_nn_thread_budget(p->n_threads);
    train_bufs *b = &x.b;
    b->a = malloc(sizeof(uint32_t) * n_max), b->v = malloc(sizeof(uint32_t) * n_max);
    b->y = malloc(sizeof(int) * n_max);
    b->perm = malloc(sizeof(uint32_t) * (n_perm > nv ? n_perm : nv));
    b->xa = malloc(sizeof(float) * B * T * c->audio_dim);
    b->xv = malloc(sizeof(float) * B * T * c->visual_dim);
    b->mask = malloc(sizeof(float) * B);
    b->val.audio = malloc(sizeof(uint32_t) * vmax), b->val.visual = malloc(sizeof(uint32_t) * vmax);
    b->val_y = malloc(sizeof(int) * vmax);
    b->hist = calloc((size_t)p->epochs, sizeof *b->hist);
    x.best_path = avmit_path_join(out_dir, "model.safetensors");
    if (!b->a || !b->v || !b->y || !b->perm || !b->xa || !b->xv || !b->mask || !b->val.audio ||
        !b->val.visual || !b->val_y || !b->hist || !x.best_path) {
        r = avmit_error_path(err, AVMIT_E_NOMEM, out_dir, "out of memory for training");
        goto done;
    }
    if ((r = avmit_loop_state_alloc(&st, &h, err)) || (r = avmit_savc_ws_create(&x.ws, m, p->batch, err)))
        goto done;
    /* The fixed validation subset, then kept in drawn order. */
    {
        avmit_rng rng;
        avmit_rng_seed(&rng, p->seed, STREAM_VAL);
        draw(&rng, vc, p->val_pairs / 2, 1, b->perm, b->val.audio, b->val.visual, b->val_y, &b->val.n);
        draw(&rng, vi, p->val_pairs / 2, 0, b->perm, b->val.audio, b->val.visual, b->val_y, &b->val.n);
    }
    if (resume) {
        float *const blocks[3] = {m->weights, st.adam_m, st.adam_v};
        if ((r = read_state(m, blocks, out_dir, p->seed, &st.epoch, &st.adam_t, &x.best_epoch, &x.best_acc, err)))
            goto done;
        if (st.epoch > p->epochs) st.epoch = p->epochs;
        if ((r = read_metrics(out_dir, b->hist, st.epoch, err))) goto done;
        if (x.best_epoch > 0) {
            avmit_savc_model *bm = NULL;
            if ((r = avmit_savc_model_load(&bm, x.best_path, err))) goto done;
            if (bm->n_weights != m->n_weights) {
                avmit_savc_free(bm);
                r = avmit_error_path(err, AVMIT_E_FORMAT, x.best_path,
                                     "the best checkpoint's model differs from the config");
                goto done;
            }
            memcpy(st.best_w, bm->weights, sizeof(float) * m->n_weights);
            avmit_savc_free(bm);
            res->best = b->hist[x.best_epoch - 1];
        }
        for (int e = 0; e < st.epoch && cb && cb->on_epoch; e++) cb->on_epoch(cb->ctx, &b->hist[e], 1);
        res->epochs_run = st.epoch;
    }
    int stopped;
    r = avmit_loop_run(&h, &st, p->epochs, &stopped, err);
done:
    if (prev_budget) avmit_nn_thread_budget(prev_budget);
    res->best_epoch = x.best_epoch;
    if (st.best_w) memcpy(m->weights, st.best_w, sizeof(float) * m->n_weights);
    avmit_savc_ws_free(x.ws);
    avmit_loop_state_free(&st);
    free(x.best_path);
    free_bufs(b);
    return r;
}
