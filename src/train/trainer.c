/*
 * trainer.c — the experiment-1 training loop of include/avmit/train.h
 * (SPEC.md §5): Keras Adam, per-epoch reshuffle, RNN input dropout, early
 * stopping with best-weight restore (Keras EarlyStopping: improvement means
 * val_loss - min_delta < best; patience counts epochs without one), best
 * checkpoint at every improvement, metrics.csv, results.txt, and a state file
 * written after every epoch so that --resume continues bit-identically.
 *
 * The loop itself is train/loop.c's; this file fills its hooks (the epoch's
 * shuffle, a batch's forward/backward, validation on loss, the state file).
 *
 * Randomness: epoch e shuffles with avmit_rng stream (seed, SHUFFLE + e) and
 * draws dropout masks from (seed, DROPOUT + e), so nothing random carries over
 * between epochs and the state file needs no RNG state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "avmit/fileio.h"
#include "avmit/rng.h"
#include "avmit/safetensors.h"
#include "avmit/train.h"
#include "core/error_int.h"
#include "train/loop.h"
#include "train/train_int.h"

#define STREAM_SHUFFLE 0x5348554646000000ull
#define STREAM_DROPOUT 0x44524f504f555400ull
#define STATE_FILE "train_state.safetensors"

typedef struct {
    avmit_epoch_metrics *h;
    size_t n, cap;
} history;

static int history_push(history *hs, const avmit_epoch_metrics *m) {
    if (hs->n == hs->cap) {
        size_t cap = hs->cap ? 2 * hs->cap : 64;
        avmit_epoch_metrics *p = realloc(hs->h, cap * sizeof *p);
        if (!p) return AVMIT_E_NOMEM;
        hs->h = p, hs->cap = cap;
    }
    hs->h[hs->n++] = *m;
    return 0;
}

static void config_signature(const avmit_model_config *c, char *s, size_t cap) {
    snprintf(s, cap, "%s units=%d dropout=%.9g nb=%d %s audio=%d visual=%d Da=%d Dv=%d T=%d K=%d",
             avmit_rnn_name(c->rnn), c->units, (double)c->dropout, c->bottleneck, avmit_act_name(c->act),
             c->use_audio, c->use_visual, c->audio_dim, c->visual_dim, c->timesteps, c->n_classes);
}

static char *in_dir(const char *dir, const char *name, avmit_error *err) {
    char *p = avmit_path_join(dir, name);
    if (!p) AVMIT_NOMEM(err, dir);
    return p;
}

/* metrics.csv from the history, atomically. */
static int write_metrics(const char *dir, const history *hs, avmit_error *err) {
    char *path = in_dir(dir, "metrics.csv", err);
    if (!path) return AVMIT_E_NOMEM;
    avmit_atomic_file *f;
    int rc = avmit_atomic_open(&f, path, 1, err);
    if (!rc) {
        FILE *s = avmit_atomic_stream(f);
        fprintf(s, "epoch,lr,loss,top1,top5,val_loss,val_top1,val_top5,seconds,improved\n");
        for (size_t i = 0; i < hs->n; i++) {
            const avmit_epoch_metrics *m = &hs->h[i];
            fprintf(s, "%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.3f,%d\n", m->epoch, m->lr, m->loss, m->top1,
                    m->top5, m->val_loss, m->val_top1, m->val_top5, m->seconds, m->improved);
        }
        rc = avmit_atomic_commit(f, err);
    }
    free(path);
    return rc;
}

static int write_results(const char *dir, const avmit_train_result *r, avmit_error *err) {
    char *path = in_dir(dir, "results.txt", err), buf[1024];
    if (!path) return AVMIT_E_NOMEM;
    /* The paper's AVMIT_results.txt lines first (there: the test set; here: validation). */
    int n = snprintf(buf, sizeof buf,
                     "loss: %.17g\naccuracy: %.17g\ntop 5 accuracy: %.17g\n"
                     "split: validation\nbest epoch: %d\nepochs run: %d\nstopped early: %s\n",
                     r->best.val_loss, r->best.val_top1, r->best.val_top5, r->best_epoch, r->epochs_run,
                     r->stopped_early ? "yes" : "no");
    int rc = avmit_write_file_atomic(path, buf, (size_t)n, 1, err);
    free(path);
    return rc;
}

/* The model-specific counters of the state file (the rest is avmit_loop_state). */
typedef struct {
    int best_epoch, wait;
    double best_loss;
} exp1_counters;

static int save_state(const char *dir, const avmit_model *m, const avmit_loop_state *s,
                      const exp1_counters *k, const history *hs, avmit_error *err) {
    int64_t nw = (int64_t)m->n_weights, ns = (int64_t)m->n_stats;
    avmit_st_entry e[6] = {{"weights", AVMIT_DTYPE_F32, 1, &nw, m->weights},
                           {"stats", AVMIT_DTYPE_F32, 1, &ns, m->stats},
                           {"adam_m", AVMIT_DTYPE_F32, 1, &nw, s->adam_m},
                           {"adam_v", AVMIT_DTYPE_F32, 1, &nw, s->adam_v},
                           {"best_weights", AVMIT_DTYPE_F32, 1, &nw, s->best_w},
                           {"best_stats", AVMIT_DTYPE_F32, 1, &ns, s->best_s}};
    char sig[256], ep[32], be[32], wt[32], at[32], bl[64];
    config_signature(&m->cfg, sig, sizeof sig);
    snprintf(ep, sizeof ep, "%d", s->epoch);
    snprintf(be, sizeof be, "%d", k->best_epoch);
    snprintf(wt, sizeof wt, "%d", k->wait);
    snprintf(at, sizeof at, "%lld", s->adam_t);
    snprintf(bl, sizeof bl, "%a", k->best_loss);
    /* history: one line per epoch, %a for exact doubles */
    size_t cap = 64 + hs->n * 320;
    char *hist = malloc(cap), *p = hist;
    if (!hist) return AVMIT_NOMEM(err, dir);
    *p = 0;
    for (size_t i = 0; i < hs->n; i++) {
        const avmit_epoch_metrics *h = &hs->h[i];
        p += snprintf(p, cap - (size_t)(p - hist), "%d %a %a %a %a %a %a %a %a %d\n", h->epoch, h->lr, h->loss,
                      h->top1, h->top5, h->val_loss, h->val_top1, h->val_top5, h->seconds, h->improved);
    }
    const char *meta[] = {"config", sig, "epoch", ep, "best_epoch", be, "wait", wt, "adam_t", at,
                          "best_loss", bl, "history", hist};
    char *path = in_dir(dir, STATE_FILE, err);
    int rc = path ? avmit_safetensors_write(path, e, 6, meta, 7, err) : AVMIT_E_NOMEM;
    free(path);
    free(hist);
    return rc;
}

static int load_state(const char *dir, avmit_model *m, avmit_loop_state *s, exp1_counters *k, history *hs,
                      avmit_error *err) {
    char *path = in_dir(dir, STATE_FILE, err), sig[256];
    if (!path) return AVMIT_E_NOMEM;
    avmit_safetensors st;
    int rc = avmit_safetensors_read(&st, path, err);
    if (rc) goto out;
    config_signature(&m->cfg, sig, sizeof sig);
    const char *have = avmit_safetensors_meta(&st, "config");
    if (!have || strcmp(have, sig)) {
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, "config",
                             "state is for the model '%s', not '%s'", have ? have : "?", sig);
        goto out;
    }
    int64_t nw = (int64_t)m->n_weights, ns = (int64_t)m->n_stats;
    if ((rc = avmit_safetensors_get_f32(&st, path, "weights", 1, &nw, m->weights, err)) ||
        (rc = avmit_safetensors_get_f32(&st, path, "stats", 1, &ns, m->stats, err)) ||
        (rc = avmit_safetensors_get_f32(&st, path, "adam_m", 1, &nw, s->adam_m, err)) ||
        (rc = avmit_safetensors_get_f32(&st, path, "adam_v", 1, &nw, s->adam_v, err)) ||
        (rc = avmit_safetensors_get_f32(&st, path, "best_weights", 1, &nw, s->best_w, err)) ||
        (rc = avmit_safetensors_get_f32(&st, path, "best_stats", 1, &ns, s->best_s, err)))
        goto out;
    const char *ep = avmit_safetensors_meta(&st, "epoch"), *be = avmit_safetensors_meta(&st, "best_epoch"),
               *wt = avmit_safetensors_meta(&st, "wait"), *at = avmit_safetensors_meta(&st, "adam_t"),
               *bl = avmit_safetensors_meta(&st, "best_loss"), *hi = avmit_safetensors_meta(&st, "history");
    if (!ep || !be || !wt || !at || !bl || !hi) {
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, "__metadata__", "state metadata incomplete");
        goto out;
    }
    s->epoch = atoi(ep), k->best_epoch = atoi(be), k->wait = atoi(wt);
    s->adam_t = atoll(at);
    k->best_loss = strtod(bl, NULL);
    for (const char *line = hi; *line;) {
        avmit_epoch_metrics h;
        if (sscanf(line, "%d %la %la %la %la %la %la %la %la %d", &h.epoch, &h.lr, &h.loss, &h.top1, &h.top5,
                   &h.val_loss, &h.val_top1, &h.val_top5, &h.seconds, &h.improved) != 10 ||
            history_push(hs, &h)) {
            rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, "history", "bad history line");
            goto out;
        }
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    if ((size_t)s->epoch != hs->n)
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, "history",
                             "%zu history lines for %d epochs", hs->n, s->epoch);
out:
    avmit_safetensors_free(&st);
    free(path);
    return rc;
}

/* ---- the hooks of train/loop.h ---------------------------------------------- */

typedef struct exp1_run {
    avmit_model *m;
    const avmit_examples *train, *val;
    const avmit_train_params *p;
    const avmit_train_callbacks *cb;
    avmit_train_result *res;
    const char *out_dir;
    char *model_path;
    avmit_model_ws *ws;
    float *x, *mask;          /* [B, T, D] batch, [B, Dr] dropout mask */
    uint32_t *perm;           /* [n] the epoch's order */
    int *yb;                  /* [B] batch labels */
    avmit_rng drop;           /* the epoch's dropout stream */
    double loss_sum;          /* running sums of the epoch */
    size_t c1, c5, seen;
    avmit_epoch_metrics em;   /* the epoch being run */
    exp1_counters k;
    history hs;
    double row[8];            /* the metrics row handed to epoch_end */
} exp1_run;

static int exp1_begin_epoch(void *u, int epoch, avmit_adam_params *ap) {
    exp1_run *r = u;
    const avmit_train_params *p = r->p;
    memset(&r->em, 0, sizeof r->em);
    r->em.epoch = epoch;
    r->em.lr = p->lr * exp(-p->lr_decay * (epoch - 1));
    *ap = avmit_adam_default_params((float)r->em.lr);
    ap->weight_decay = (float)p->weight_decay;
    avmit_rng shuf;
    avmit_train_stream(&shuf, p->seed, STREAM_SHUFFLE, epoch, AVMIT_STREAM_ADD);
    avmit_train_stream(&r->drop, p->seed, STREAM_DROPOUT, epoch, AVMIT_STREAM_ADD);
    for (size_t i = 0; i < r->train->n; i++) r->perm[i] = (uint32_t)i;
    avmit_rng_shuffle_u32(&shuf, r->perm, r->train->n);
    r->loss_sum = 0, r->c1 = r->c5 = r->seen = 0;
    return (int)((r->train->n + (size_t)p->batch - 1) / (size_t)p->batch);
}

static void exp1_step(void *u, int epoch, int step, int n_steps, float *grads) {
    exp1_run *r = u;
    const avmit_model_config *c = &r->m->cfg;
    const int B = r->p->batch, K = c->n_classes;
    size_t at = (size_t)step * B;
    int bn = (int)(r->train->n - at < (size_t)B ? r->train->n - at : (size_t)B);
    avmit_examples_gather(r->train, r->perm + at, bn, r->x);
    for (int b = 0; b < bn; b++) r->yb[b] = r->train->labels[r->perm[at + b]];
    const float *mk = NULL;
    if (c->dropout > 0) {
        avmit_dropout_mask(r->mask, (size_t)bn * avmit_model_rnn_dim(c), c->dropout, &r->drop);
        mk = r->mask;
    }
    const float *pr = avmit_model_forward(r->m, r->ws, r->x, bn, 1, mk);
    r->loss_sum += avmit_model_loss(r->ws, r->yb);
    for (int b = 0; b < bn; b++) {
        r->c1 += avmit_top1(pr + (size_t)b * K, K) == r->yb[b];
        r->c5 += avmit_in_top_k(pr + (size_t)b * K, K, r->yb[b], 5);
    }
    r->seen += (size_t)bn;
    avmit_model_backward(r->m, r->ws, r->yb, grads);
    if (r->cb && r->cb->on_step)
        r->cb->on_step(r->cb->ctx, epoch, step + 1, n_steps, r->loss_sum / (step + 1), (double)r->c1 / r->seen,
                       (double)r->c5 / r->seen);
}

/* Validation loss; improvement = val_loss - min_delta < best (Keras EarlyStopping). */
static int exp1_end_epoch(void *u, int epoch, int *improved, avmit_error *err) {
    exp1_run *r = u;
    avmit_epoch_metrics *em = &r->em;
    const int n_steps = (int)((r->train->n + (size_t)r->p->batch - 1) / (size_t)r->p->batch);
    em->loss = r->loss_sum / n_steps;
    em->top1 = (double)r->c1 / r->seen;
    em->top5 = (double)r->c5 / r->seen;
    avmit_eval_result ev;
    int rc = avmit_evaluate(r->m, r->val, r->p->batch, 0, &ev, err);
    if (rc) return rc;
    em->val_loss = ev.loss, em->val_top1 = ev.top1, em->val_top5 = ev.top5;
    avmit_eval_result_free(&ev);
    *improved = em->improved = em->val_loss - r->p->min_delta < r->k.best_loss;
    if (em->improved) {
        r->k.best_loss = em->val_loss;
        r->k.best_epoch = epoch;
        r->k.wait = 0;
        r->res->best = *em;
    } else {
        r->k.wait++;
    }
    return 0;
}

static int exp1_save_best(void *u, avmit_error *err) {
    exp1_run *r = u;
    return avmit_model_save(r->m, r->model_path, err);
}

static const char *const EXP1_ROW[8] = {"lr", "loss", "top1", "top5", "val_loss", "val_top1", "val_top5",
                                        "seconds"};

static int exp1_write_epoch(void *u, int epoch, double seconds, int improved, const avmit_loop_state *st,
                            avmit_metrics_row *row, avmit_error *err) {
    exp1_run *r = u;
    avmit_epoch_metrics *em = &r->em;
    em->seconds = seconds;
    if (improved) r->res->best.seconds = seconds;
    if (history_push(&r->hs, em)) return AVMIT_NOMEM(err, "training history");
    int rc = write_metrics(r->out_dir, &r->hs, err);
    if (!rc) rc = save_state(r->out_dir, r->m, st, &r->k, &r->hs, err);
    if (rc) return rc;
    if (r->cb && r->cb->on_epoch) r->cb->on_epoch(r->cb->ctx, em, 0);
    const double v[8] = {em->lr, em->loss, em->top1, em->top5, em->val_loss, em->val_top1, em->val_top5, em->seconds};
    memcpy(r->row, v, sizeof v);
    *row = (avmit_metrics_row){epoch, 8, EXP1_ROW, r->row};
    return 0;
}

static int exp1_stop_early(void *u, int epoch) {
    exp1_run *r = u;
    (void)epoch;
    return r->p->patience > 0 && r->k.wait >= r->p->patience;
}

int avmit_train_run(avmit_model *m, const avmit_examples *train, const avmit_examples *val,
                    const avmit_train_params *p, const avmit_data_paths *paths,
                    const char *out_dir, int resume, const avmit_train_callbacks *cb,
                    avmit_train_result *res, avmit_error *err) {
    const avmit_model_config *c = &m->cfg;
    int rc = 0, B = p->batch, T = c->timesteps, D = avmit_model_input_dim(c), Dr = avmit_model_rnn_dim(c);
    memset(res, 0, sizeof *res);
    AVMIT_RETURN_IF(train->T != T || train->D != D || val->T != T || val->D != D, err, AVMIT_E_ARG, NULL, NULL,
                    "data shape does not match the model");
    AVMIT_RETURN_IF(B < 1 || p->epochs < 1 || !(p->lr > 0) || train->n == 0 || val->n == 0, err, AVMIT_E_ARG,
                    NULL, NULL, "need batch >= 1, epochs >= 1, lr > 0 and non-empty train/validation sets");
    if ((rc = avmit_mkdirs(out_dir, err))) return rc;

    exp1_run r = {0};
    r.m = m, r.train = train, r.val = val, r.p = p, r.cb = cb, r.res = res, r.out_dir = out_dir;
    r.k.best_loss = INFINITY;
    avmit_loop_hooks h = {&r, m->weights, m->n_weights, m->stats, m->n_stats,
                          exp1_begin_epoch, exp1_step, exp1_end_epoch, exp1_save_best, exp1_write_epoch,
                          exp1_stop_early, cb ? cb->should_stop : NULL, cb ? cb->epoch_end : NULL,
                          cb ? cb->ctx : NULL, out_dir};
    avmit_loop_state st = {0};
    const int prev_budget = avmit_nn_thread_budget(p->n_threads);
    r.x = malloc(sizeof(float) * (size_t)B * T * D);
    r.mask = malloc(sizeof(float) * (size_t)B * Dr);
    r.perm = malloc(sizeof(uint32_t) * train->n);
    r.yb = malloc(sizeof(int) * (size_t)B);
    r.model_path = in_dir(out_dir, "model.safetensors", err);
    if (!r.x || !r.mask || !r.perm || !r.yb || !r.model_path) {
        rc = AVMIT_NOMEM(err, out_dir);
        goto done;
    }
    if ((rc = avmit_loop_state_alloc(&st, &h, err)) || (rc = avmit_model_ws_create(&r.ws, m, B, err))) goto done;
    if (resume) {
        if ((rc = load_state(out_dir, m, &st, &r.k, &r.hs, err))) goto done;
        for (size_t i = 0; i < r.hs.n; i++) {
            if (r.hs.h[i].improved) res->best = r.hs.h[i];
            if (cb && cb->on_epoch) cb->on_epoch(cb->ctx, &r.hs.h[i], 1);
        }
    } else if ((rc = avmit_modeldir_write_config(out_dir, c, p, paths, err))) {
        goto done;
    }
    int stop = 0;
    if (!exp1_stop_early(&r, st.epoch) && (rc = avmit_loop_run(&h, &st, p->epochs, &stop, err))) goto done;
    if (exp1_stop_early(&r, st.epoch)) stop = 1;
    /* restore the best weights (Keras restore_best_weights) and finish the directory */
    memcpy(m->weights, st.best_w, sizeof(float) * m->n_weights);
    memcpy(m->stats, st.best_s, sizeof(float) * m->n_stats);
    res->epochs_run = st.epoch;
    res->best_epoch = r.k.best_epoch;
    res->stopped_early = stop && st.epoch < p->epochs;
    if ((rc = avmit_model_save(m, r.model_path, err)) || (rc = write_results(out_dir, res, err))) goto done;
done:
    if (prev_budget) avmit_nn_thread_budget(prev_budget);
    avmit_model_ws_free(r.ws);
    avmit_loop_state_free(&st);
    free(r.x);
    free(r.mask);
    free(r.perm);
    free(r.yb);
    free(r.model_path);
    free(r.hs.h);
    return rc;
}
