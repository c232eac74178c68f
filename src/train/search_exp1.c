/*
 * search_exp1.c — the experiment-1 trainer plugged into the random search
 * (include/avmit/search_exp1.h).
 *
 * avmit_train_run takes two whole avmit_examples, so a trial copies its
 * bootstrap rows and its OOB rows out of the shared pool into two private
 * arrays (1.37 x the pool per running trial; halves with --fp16-data). An
 * index-view in avmit_examples would remove the copy; until then this is the
 * thinnest adapter. The trainer writes a model directory; the trial's one
 * lives under scratch_dir and is deleted when the trial ends.
 */
#include "avmit/search_exp1.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/fileio.h"
#include "avmit/registry.h"
#include "avmit/split.h"

avmit_model_config avmit_search_exp1_base(avmit_synth_set e) {
    avmit_model_config c = avmit_model_default_config();
    const avmit_embedding_set_info *set = avmit_embedding_set_get((avmit_embedding_set)e);
    c.audio_dim = set->audio_dim;
    c.visual_dim = set->visual_dim;
    c.use_audio = c.use_visual = 1;
    c.timesteps = 7;
    c.n_classes = 16;
    return c;
}

avmit_model_config avmit_search_exp1_model(const avmit_model_config *base,
                                           const avmit_search_config *cfg) {
    static const avmit_rnn_kind k_rnn[AVMIT_SEARCH_N_RNN] = {AVMIT_RNN_SIMPLE, AVMIT_RNN_GRU,
                                                             AVMIT_RNN_LSTM};
    avmit_model_config c = *base;
    c.rnn = k_rnn[cfg->key.rnn];
    c.units = cfg->units;
    c.bottleneck = cfg->nb;
    c.act = cfg->act == AVMIT_SEARCH_SWISH ? AVMIT_ACT_SWISH : AVMIT_ACT_RELU;
    c.dropout = (float)cfg->dropout;
    return c;
}

long long avmit_search_exp1_params(void *ctx, const avmit_search_config *cfg) {
    const avmit_search_exp1 *s = ctx;
    avmit_model_config c = avmit_search_exp1_model(&s->base, cfg);
    return (long long)avmit_model_trainable_count(&c);
}

int avmit_search_exp1_load_pool(avmit_examples *out, const char *const *csv_paths, size_t n_csv,
                                const char *tfrecord_dir, const avmit_model_config *base,
                                int fp16, int n_threads, avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_pathlist paths = {0};
    int r = 0;
    for (size_t k = 0; k < n_csv && !r; k++) {
        avmit_split s;
        if ((r = avmit_split_read(&s, csv_paths[k], err))) break;
        if (!(r = avmit_split_validate(&s, err)))
            for (size_t i = 0; i < s.n && !r; i++) {
                char *p = avmit_path_join(tfrecord_dir, s.v[i].tfrecord);
                if (!p) {
                    r = avmit_error_path(err, AVMIT_E_NOMEM, csv_paths[k], "out of memory");
                    break;
                }
                r = avmit_pathlist_push(&paths, p, err);
                free(p);
            }
        avmit_split_free(&s);
    }
    if (!r)
        r = avmit_examples_load_files(out, (const char *const *)paths.paths, paths.n, base, fp16,
                                      n_threads, err);
    avmit_pathlist_free(&paths);
    return r;
}

/* An index view of pool rows idx[0..n): x and the row map are the pool's and the trial's
 * (nothing copied but the n labels, 4 bytes each), so a trial costs no sample memory. */
static int view_rows(const avmit_examples *pool, const uint32_t *idx, size_t n,
                     avmit_examples *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    out->n = n;
    out->T = pool->T;
    out->D = pool->D;
    out->fp16 = pool->fp16;
    out->x = pool->x;
    out->rows = idx;
    out->labels = malloc((n ? n : 1) * sizeof *out->labels);
    if (!out->labels)
        return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, "pool",
                               "out of memory for the labels of %zu samples", n);
    for (size_t i = 0; i < n; i++) out->labels[i] = pool->labels[idx[i]];
    return 0;
}

/* Remove a trial's model directory (regular files only, then the directory). */
static void remove_dir(const char *dir) {
    avmit_pathlist files = {0};
    if (!avmit_pathlist_expand(&files, &dir, 1, NULL, NULL))
        for (size_t i = 0; i < files.n; i++) unlink(files.paths[i]);
    avmit_pathlist_free(&files);
    rmdir(dir);
}

typedef struct {
    int (*should_abort)(void *);
    void *ctx;
} abort_fwd;

static int forward_abort(void *ctx) {
    const abort_fwd *a = ctx;
    return a->should_abort && a->should_abort(a->ctx);
}

int avmit_search_exp1_train(void *vctx, const avmit_search_trial *t, avmit_search_metrics *out,
                            avmit_error *err) {
    const avmit_search_exp1 *s = vctx;
    memset(out, 0, sizeof *out);
    avmit_model_config mc = avmit_search_exp1_model(&s->base, &t->cfg);
    avmit_examples boot, oob;
    avmit_model *m = NULL;
    char dir_name[96];
    snprintf(dir_name, sizeof dir_name, "%s_%s_%ld", avmit_synth_set_name(t->cfg.key.embeddings),
             avmit_search_rnn_name(t->cfg.key.rnn), t->cfg.key.trial);
    char *dir = avmit_path_join(s->scratch_dir, dir_name);
    if (!dir) return avmit_error_path(err, AVMIT_E_NOMEM, s->scratch_dir, "out of memory");
    int r = view_rows(s->pool, t->boot_idx, t->n_boot, &boot, err);
    if (r) {
        free(dir);
        return r;
    }
    if ((r = view_rows(s->pool, t->oob_idx, t->n_oob, &oob, err))) goto done_boot;
    if ((r = avmit_model_create(&m, &mc, err)) || (r = avmit_model_init(m, t->cfg.train_seed, err)))
        goto done;
    avmit_train_params p = avmit_train_default_params();
    p.epochs = t->max_epochs;
    p.batch = s->batch > 0 ? s->batch : 16;
    p.lr = t->cfg.lr;
    p.patience = t->patience;
    p.min_delta = s->min_delta;
    p.seed = t->cfg.train_seed;
    p.n_threads = t->n_threads;
    p.fp16_data = s->pool->fp16;
    avmit_data_paths paths;
    memset(&paths, 0, sizeof paths);
    abort_fwd fwd = {t->should_abort, t->abort_ctx};
    avmit_train_callbacks cb = {NULL, NULL, forward_abort, &fwd, NULL};
    avmit_train_result res;
    r = avmit_train_run(m, &boot, &oob, &p, &paths, dir, 0, &cb, &res, err);
    if (!r) {
        out->epochs = res.epochs_run;
        if (res.best_epoch < 1 || !isfinite(res.best.val_loss)) {
            out->status = AVMIT_SEARCH_DIVERGED;
        } else {
            out->status = AVMIT_SEARCH_OK;
            out->oob_loss = res.best.val_loss;
            out->oob_top1 = res.best.val_top1;
            out->oob_top5 = res.best.val_top5;
        }
    }
done:
    avmit_model_free(m);
    remove_dir(dir);
    avmit_examples_free(&oob);
done_boot:
    avmit_examples_free(&boot);
    free(dir);
    return r;
}
