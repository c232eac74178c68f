/*
 * trainer.c — the experiment-1 training loop of include/avmit/train.h
 * (SPEC.md §5): Keras Adam, per-epoch reshuffle, RNN input dropout, early
 * stopping with best-weight restore (Keras EarlyStopping: improvement means
 * val_loss - min_delta < best; patience counts epochs without one), best
 * checkpoint at every improvement, metrics.csv, results.txt, and a state file
 * written after every epoch so that --resume continues bit-identically.
 *
 * Randomness: epoch e shuffles with avmit_rng stream (seed, SHUFFLE + e) and
 * draws dropout masks from (seed, DROPOUT + e), so nothing random carries over
 * between epochs and the state file needs no RNG state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avmit/fileio.h"
#include "avmit/rng.h"
#include "avmit/safetensors.h"
#include "avmit/train.h"
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

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void config_signature(const avmit_model_config *c, char *s, size_t cap) {
    snprintf(s, cap, "%s units=%d dropout=%.9g nb=%d %s audio=%d visual=%d Da=%d Dv=%d T=%d K=%d",
             avmit_rnn_name(c->rnn), c->units, (double)c->dropout, c->bottleneck, avmit_act_name(c->act),
             c->use_audio, c->use_visual, c->audio_dim, c->visual_dim, c->timesteps, c->n_classes);
}

static char *in_dir(const char *dir, const char *name, avmit_error *err) {
    char *p = avmit_path_join(dir, name);
    if (!p) avmit_error_set(err, AVMIT_E_NOMEM, dir, -1, -1, -1, NULL, "out of memory");
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

/* Everything a resumed run needs after `epoch` completed epochs. */
typedef struct {
    float *adam_m, *adam_v, *best_w, *best_s;
    int epoch, best_epoch, wait;
    long long adam_t;
    double best_loss;
} train_state;

static int save_state(const char *dir, const avmit_model *m, const train_state *s, const history *hs,
                      avmit_error *err) {
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
    snprintf(be, sizeof be, "%d", s->best_epoch);
    snprintf(wt, sizeof wt, "%d", s->wait);
    snprintf(at, sizeof at, "%lld", s->adam_t);
    snprintf(bl, sizeof bl, "%a", s->best_loss);
    /* history: one line per epoch, %a for exact doubles */
    size_t cap = 64 + hs->n * 320;
    char *hist = malloc(cap), *p = hist;
    if (!hist) return avmit_error_set(err, AVMIT_E_NOMEM, dir, -1, -1, -1, NULL, "out of memory");
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

static int load_state(const char *dir, avmit_model *m, train_state *s, history *hs, avmit_error *err) {
    char *path = in_dir(dir, STATE_FILE, err), sig[256];
    if (!path) return AVMIT_E_NOMEM;
    avmit_safetensors st;
    int rc = avmit_safetensors_read(&st, path, err);
    if (rc) goto out;
    config_signature(&m->cfg, sig, sizeof sig);
    const char *have = avmit_safetensors_meta(&st, "config");
    if (!have || strcmp(have, sig)) {
        rc = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, "config",
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
        rc = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, "__metadata__", "state metadata incomplete");
        goto out;
    }
    s->epoch = atoi(ep), s->best_epoch = atoi(be), s->wait = atoi(wt);
    s->adam_t = atoll(at);
    s->best_loss = strtod(bl, NULL);
    for (const char *line = hi; *line;) {
        avmit_epoch_metrics h;
        if (sscanf(line, "%d %la %la %la %la %la %la %la %la %d", &h.epoch, &h.lr, &h.loss, &h.top1, &h.top5,
                   &h.val_loss, &h.val_top1, &h.val_top5, &h.seconds, &h.improved) != 10 ||
            history_push(hs, &h)) {
            rc = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, "history", "bad history line");
            goto out;
        }
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    if ((size_t)s->epoch != hs->n)
        rc = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, "history",
                             "%zu history lines for %d epochs", hs->n, s->epoch);
out:
    avmit_safetensors_free(&st);
    free(path);
    return rc;
}

int avmit_train_run(avmit_model *m, const avmit_examples *train, const avmit_examples *val,
                    const avmit_train_params *p, const avmit_data_paths *paths,
                    const char *out_dir, int resume, const avmit_train_callbacks *cb,
                    avmit_train_result *res, avmit_error *err) {
    const avmit_model_config *c = &m->cfg;
    int rc = 0, B = p->batch, T = c->timesteps, D = avmit_model_input_dim(c), Dr = avmit_model_rnn_dim(c);
    memset(res, 0, sizeof *res);
    if (train->T != T || train->D != D || val->T != T || val->D != D)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, NULL, "data shape does not match the model");
    if (B < 1 || p->epochs < 1 || !(p->lr > 0) || train->n == 0 || val->n == 0)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, NULL,
                               "need batch >= 1, epochs >= 1, lr > 0 and non-empty train/validation sets");
    if ((rc = avmit_mkdirs(out_dir, err))) return rc;
    avmit_nn_set_threads(p->n_threads);

    size_t nw = m->n_weights, ns = m->n_stats ? m->n_stats : 1;
    train_state s = {0};
    history hs = {0};
    avmit_model_ws *ws = NULL;
    float *grads = calloc(nw, sizeof(float)), *x = malloc(sizeof(float) * (size_t)B * T * D);
    float *mask = malloc(sizeof(float) * (size_t)B * Dr);
    uint32_t *perm = malloc(sizeof(uint32_t) * train->n);
    int *yb = malloc(sizeof(int) * (size_t)B);
    char *model_path = in_dir(out_dir, "model.safetensors", err);
    s.adam_m = calloc(nw, sizeof(float));
    s.adam_v = calloc(nw, sizeof(float));
    s.best_w = malloc(sizeof(float) * nw);
    s.best_s = malloc(sizeof(float) * ns);
    if (!grads || !x || !mask || !perm || !yb || !model_path || !s.adam_m || !s.adam_v || !s.best_w || !s.best_s) {
        rc = avmit_error_set(err, AVMIT_E_NOMEM, out_dir, -1, -1, -1, NULL, "out of memory");
        goto done;
    }
    if ((rc = avmit_model_ws_create(&ws, m, B, err))) goto done;
    s.best_loss = INFINITY;
    memcpy(s.best_w, m->weights, sizeof(float) * nw);
    memcpy(s.best_s, m->stats, sizeof(float) * m->n_stats);
    if (resume) {
        if ((rc = load_state(out_dir, m, &s, &hs, err))) goto done;
        for (size_t i = 0; i < hs.n; i++) {
            if (hs.h[i].improved) res->best = hs.h[i];
            if (cb && cb->on_epoch) cb->on_epoch(cb->ctx, &hs.h[i], 1);
        }
    } else if ((rc = avmit_modeldir_write_config(out_dir, c, p, paths, err))) {
        goto done;
    }
    int stop = p->patience > 0 && s.wait >= p->patience;
    int n_steps = (int)((train->n + (size_t)B - 1) / (size_t)B);
    for (int epoch = s.epoch + 1; epoch <= p->epochs && !stop; epoch++) {
        double t0 = now_s();
        avmit_epoch_metrics em = {0};
        em.epoch = epoch;
        em.lr = p->lr * exp(-p->lr_decay * (epoch - 1));
        avmit_adam_params ap = avmit_adam_default_params((float)em.lr);
        ap.weight_decay = (float)p->weight_decay;
        avmit_rng shuf, drop;
        avmit_rng_seed(&shuf, p->seed, STREAM_SHUFFLE + (uint64_t)epoch);
        avmit_rng_seed(&drop, p->seed, STREAM_DROPOUT + (uint64_t)epoch);
        for (size_t i = 0; i < train->n; i++) perm[i] = (uint32_t)i;
        avmit_rng_shuffle_u32(&shuf, perm, train->n);
        double loss_sum = 0;
        size_t c1 = 0, c5 = 0, seen = 0;
        for (int step = 0; step < n_steps; step++) {
            size_t at = (size_t)step * B;
            int bn = (int)(train->n - at < (size_t)B ? train->n - at : (size_t)B);
            avmit_examples_gather(train, perm + at, bn, x);
            for (int b = 0; b < bn; b++) yb[b] = train->labels[perm[at + b]];
            const float *mk = NULL;
            if (c->dropout > 0) {
                avmit_dropout_mask(mask, (size_t)bn * Dr, c->dropout, &drop);
                mk = mask;
            }
            const float *pr = avmit_model_forward(m, ws, x, bn, 1, mk);
            loss_sum += avmit_model_loss(ws, yb);
            for (int b = 0; b < bn; b++) {
                c1 += avmit_top1(pr + (size_t)b * c->n_classes, c->n_classes) == yb[b];
                c5 += avmit_in_top_k(pr + (size_t)b * c->n_classes, c->n_classes, yb[b], 5);
            }
            seen += (size_t)bn;
            memset(grads, 0, sizeof(float) * nw);
            avmit_model_backward(m, ws, yb, grads);
            avmit_adam_step(m->weights, grads, s.adam_m, s.adam_v, nw, &ap, ++s.adam_t);
            if (cb && cb->on_step)
                cb->on_step(cb->ctx, epoch, step + 1, n_steps, loss_sum / (step + 1), (double)c1 / seen,
                            (double)c5 / seen);
            if (cb && cb->should_stop && cb->should_stop(cb->ctx)) {
                rc = avmit_error_set(err, AVMIT_E_CANCELLED, out_dir, -1, -1, -1, NULL,
                                     "stopped during epoch %d; --resume continues after epoch %d", epoch, s.epoch);
                goto done;
            }
        }
        em.loss = loss_sum / n_steps;
        em.top1 = (double)c1 / seen;
        em.top5 = (double)c5 / seen;
        avmit_eval_result ev;
        if ((rc = avmit_evaluate(m, val, B, 0, &ev, err))) goto done;
        em.val_loss = ev.loss, em.val_top1 = ev.top1, em.val_top5 = ev.top5;
        avmit_eval_result_free(&ev);
        em.improved = em.val_loss - p->min_delta < s.best_loss;
        if (em.improved) {
            s.best_loss = em.val_loss;
            s.best_epoch = epoch;
            s.wait = 0;
            memcpy(s.best_w, m->weights, sizeof(float) * nw);
            memcpy(s.best_s, m->stats, sizeof(float) * m->n_stats);
            res->best = em;
            if ((rc = avmit_model_save(m, model_path, err))) goto done;
        } else {
            s.wait++;
        }
        em.seconds = now_s() - t0;
        if (em.improved) res->best.seconds = em.seconds;
        s.epoch = epoch;
        if ((rc = history_push(&hs, &em))) {
            rc = avmit_error_set(err, AVMIT_E_NOMEM, out_dir, -1, -1, -1, NULL, "out of memory");
            goto done;
        }
        if ((rc = write_metrics(out_dir, &hs, err)) || (rc = save_state(out_dir, m, &s, &hs, err))) goto done;
        if (cb && cb->on_epoch) cb->on_epoch(cb->ctx, &em, 0);
        stop = p->patience > 0 && s.wait >= p->patience;
    }
    /* restore the best weights (Keras restore_best_weights) and finish the directory */
    memcpy(m->weights, s.best_w, sizeof(float) * nw);
    memcpy(m->stats, s.best_s, sizeof(float) * m->n_stats);
    res->epochs_run = s.epoch;
    res->best_epoch = s.best_epoch;
    res->stopped_early = stop && s.epoch < p->epochs;
    if ((rc = avmit_model_save(m, model_path, err)) || (rc = write_results(out_dir, res, err))) goto done;
done:
    avmit_model_ws_free(ws);
    free(grads);
    free(x);
    free(mask);
    free(perm);
    free(yb);
    free(model_path);
    free(s.adam_m);
    free(s.adam_v);
    free(s.best_w);
    free(s.best_s);
    free(hs.h);
    return rc;
}
