/*
 * savc_data.c — SAVC data store, embed-once evaluation and the model file
 * (include/avmit/savc_train.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/embedding.h"
#include "avmit/fileio.h"
#include "avmit/safetensors.h"
#include "avmit/savc_train.h"
#include "data/savc_pairs_int.h"
#include "graph/graph_io.h"

void avmit_savc_data_free(avmit_savc_data *d) {
    if (!d) return;
    free(d->audio);
    free(d->visual);
    memset(d, 0, sizeof *d);
}

typedef struct {
    const avmit_savc_videos *v;
    const char *const *roots;
    size_t n_roots;
    avmit_savc_data *d;
} load_ctx;

static int load_one(void *ctx, size_t i, avmit_error *err) {
    load_ctx *c = ctx;
    char *path = NULL;
    for (size_t r = 0; r < c->n_roots && !path; r++) {
        if (!c->roots[r] || !c->roots[r][0]) continue;
        char *p = avmit_path_join(c->roots[r], c->v->tfrecord[i]);
        if (!p) return avmit_error_path(err, AVMIT_E_NOMEM, NULL, "out of memory");
        if (access(p, F_OK) == 0) path = p;
        else free(p);
    }
    if (!path)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, c->v->path, -1, c->v->line[i], -1, NULL,
                               "%s: no such embedding file under %s%s%s", c->v->tfrecord[i],
                               c->roots[0] ? c->roots[0] : "",
                               c->n_roots > 1 && c->roots[1] && c->roots[1][0] ? " or " : "",
                               c->n_roots > 1 && c->roots[1] ? c->roots[1] : "");
    avmit_embedding e;
    avmit_embedding_opts o = avmit_embedding_default_opts();
    o.check_label = 0;
    o.check_dims = 0;
    o.max_timesteps = c->d->T;
    int r = avmit_embedding_read_file(&e, path, &o, err);
    if (!r && (e.audio_dim != c->d->Da || e.visual_dim != c->d->Dv))
        r = avmit_error_path(err, AVMIT_E_FORMAT, path,
                             "embedding dims %lld/%lld, the model expects %d/%d (audio/visual)",
                             (long long)e.audio_dim, (long long)e.visual_dim, c->d->Da, c->d->Dv);
    if (!r) {
        const size_t T = (size_t)c->d->T;
        memcpy(c->d->audio + i * T * c->d->Da, e.audio,
               sizeof(float) * (size_t)e.n_audio_steps * e.audio_dim);
        memcpy(c->d->visual + i * T * c->d->Dv, e.visual,
               sizeof(float) * (size_t)e.n_visual_steps * e.visual_dim);
        avmit_embedding_free(&e);
    }
    free(path);
    return r;
}

int avmit_savc_data_load(avmit_savc_data *out, const avmit_savc_videos *v,
                         const char *const *roots, size_t n_roots, const avmit_savc_config *cfg,
                         int n_threads, avmit_error *err) {
    memset(out, 0, sizeof *out);
    out->n = v->n, out->T = cfg->timesteps, out->Da = cfg->audio_dim, out->Dv = cfg->visual_dim;
    const size_t n = v->n ? v->n : 1, T = (size_t)cfg->timesteps;
    out->audio = calloc(n * T * (size_t)cfg->audio_dim, sizeof(float));
    out->visual = calloc(n * T * (size_t)cfg->visual_dim, sizeof(float));
    load_ctx c = {v, roots, n_roots, out};
    int r;
    if (!out->audio || !out->visual)
        r = avmit_error_path(err, AVMIT_E_NOMEM, v->path,
                             "out of memory for %zu videos of embeddings", v->n);
    else
        r = savc_parallel_items(n_threads, v->n, load_one, &c, v->path, err);
    if (r) avmit_savc_data_free(out);
    return r;
}

/* ---- embed-once evaluation ------------------------------------------------------ */

/* Rows of `src` [n, T, D] for the videos in `ids` gathered into a contiguous block. */
static float *gather(const float *src, const uint32_t *ids, size_t n_ids, size_t row) {
    float *out = malloc(sizeof(float) * (n_ids ? n_ids : 1) * row);
    if (!out) return NULL;
    for (size_t i = 0; i < n_ids; i++) memcpy(out + i * row, src + (size_t)ids[i] * row, sizeof(float) * row);
    return out;
}

/* Distinct ids of a column, with slot[id] = position (UINT32_MAX when unused). */
static uint32_t *distinct(const uint32_t *col, size_t n, size_t n_videos, uint32_t *slot,
                          size_t *n_out) {
    uint32_t *ids = malloc(sizeof(uint32_t) * (n ? n : 1));
    if (!ids) return NULL;
    for (size_t i = 0; i < n_videos; i++) slot[i] = UINT32_MAX;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (slot[col[i]] == UINT32_MAX) {
            slot[col[i]] = (uint32_t)k;
            ids[k++] = col[i];
        }
    *n_out = k;
    return ids;
}

int avmit_savc_predict(const avmit_savc_model *m, const avmit_savc_data *data,
                       const avmit_savc_pairs *pairs, const int *labels, int batch, float *probs,
                       avmit_savc_eval *out, avmit_error *err) {
    if (out) memset(out, 0, sizeof *out);
    if (batch < 1) batch = 512;
    const size_t T = (size_t)data->T, E = (size_t)m->cfg.embed, n = pairs->n;
    if (data->Da != m->cfg.audio_dim || data->Dv != m->cfg.visual_dim ||
        data->T != m->cfg.timesteps)
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "data (T %d, D %d/%d) do not match the model (T %d, D %d/%d)",
                                data->T, data->Da, data->Dv, m->cfg.timesteps,
                                m->cfg.audio_dim, m->cfg.visual_dim);
    for (size_t i = 0; i < n; i++)
        if (pairs->audio[i] >= data->n || pairs->visual[i] >= data->n)
            return avmit_error_path(err, AVMIT_E_ARG, NULL, "pair %zu indexes past %zu videos",
                                    i, data->n);
    uint32_t *slot_a = malloc(sizeof(uint32_t) * (data->n ? data->n : 1));
    uint32_t *slot_v = malloc(sizeof(uint32_t) * (data->n ? data->n : 1));
    uint32_t *ia = malloc(sizeof(uint32_t) * (size_t)batch), *iv = malloc(sizeof(uint32_t) * (size_t)batch);
    uint32_t *ids_a = NULL, *ids_v = NULL;
    float *xa = NULL, *xv = NULL, *ea = NULL, *ev = NULL;
    avmit_savc_ws *ws = NULL;
    size_t na = 0, nv = 0;
    int r = 0;
    if (!slot_a || !slot_v || !ia || !iv ||
        !(ids_a = distinct(pairs->audio, n, data->n, slot_a, &na)) ||
        !(ids_v = distinct(pairs->visual, n, data->n, slot_v, &nv)) ||
        !(xa = gather(data->audio, ids_a, na, T * data->Da)) ||
        !(xv = gather(data->visual, ids_v, nv, T * data->Dv)) ||
        !(ea = malloc(sizeof(float) * (na ? na : 1) * T * E)) ||
        !(ev = malloc(sizeof(float) * (nv ? nv : 1) * T * E))) {
        r = avmit_error_path(err, AVMIT_E_NOMEM, NULL, "out of memory for %zu pairs", n);
        goto done;
    }
    if ((r = avmit_savc_ws_create(&ws, m, batch, err))) goto done;
    avmit_savc_embed(m, ws, 0, xa, na * T, ea);
    avmit_savc_embed(m, ws, 1, xv, nv * T, ev);
    double loss = 0, acc = 0;
    for (size_t s = 0; s < n; s += (size_t)batch) {
        int B = (int)(n - s < (size_t)batch ? n - s : (size_t)batch);
        for (int b = 0; b < B; b++) {
            ia[b] = slot_a[pairs->audio[s + b]];
            iv[b] = slot_v[pairs->visual[s + b]];
        }
        const float *p = avmit_savc_head_pairs(m, ws, ea, ev, ia, iv, B);
        for (int b = 0; b < B && probs; b++) probs[s + b] = p[2 * b + 1];
        if (!labels || !out) continue;
        loss += avmit_bce2_loss(p, labels + s, B) * B;
        acc += avmit_bce2_accuracy(p, labels + s, B) * B;
        for (int b = 0; b < B; b++) out->confusion[labels[s + b] ? 1 : 0][p[2 * b + 1] > 0.5f]++;
    }
    if (out) {
        out->n = n;
        out->loss = n ? loss / (double)n : 0;
        out->accuracy = n ? acc / (double)n : 0;
    }
done:
    avmit_savc_ws_free(ws);
    free(slot_a);
    free(slot_v);
    free(ia);
    free(iv);
    free(ids_a);
    free(ids_v);
    free(xa);
    free(xv);
    free(ea);
    free(ev);
    return r;
}

int avmit_savc_evaluate(const avmit_savc_model *m, const avmit_savc_data *data,
                        const avmit_savc_pairs *cong, const avmit_savc_pairs *incong, int batch,
                        avmit_savc_eval *out, avmit_error *err) {
    const size_t n = cong->n + incong->n;
    avmit_savc_pairs all = {n, malloc(sizeof(uint32_t) * (n ? n : 1)),
                            malloc(sizeof(uint32_t) * (n ? n : 1))};
    int *labels = malloc(sizeof(int) * (n ? n : 1)), r;
    if (!all.audio || !all.visual || !labels) {
        r = avmit_error_path(err, AVMIT_E_NOMEM, NULL, "out of memory for %zu pairs", n);
    } else {
        memcpy(all.audio, cong->audio, sizeof(uint32_t) * cong->n);
        memcpy(all.visual, cong->visual, sizeof(uint32_t) * cong->n);
        memcpy(all.audio + cong->n, incong->audio, sizeof(uint32_t) * incong->n);
        memcpy(all.visual + cong->n, incong->visual, sizeof(uint32_t) * incong->n);
        for (size_t i = 0; i < n; i++) labels[i] = i < cong->n;
        r = avmit_savc_predict(m, data, &all, labels, batch, NULL, out, err);
    }
    avmit_savc_pairs_free(&all);
    free(labels);
    return r;
}

/* ---- the model file ------------------------------------------------------------- */

int avmit_savc_model_save(const avmit_savc_model *m, const char *path, avmit_error *err) {
    const avmit_savc_config *c = &m->cfg;
    char units[32], drop[32], da[32], dv[32], emb[32], t[32];
    snprintf(units, sizeof units, "%d", c->units);
    snprintf(drop, sizeof drop, "%.9g", (double)c->dropout);
    snprintf(da, sizeof da, "%d", c->audio_dim);
    snprintf(dv, sizeof dv, "%d", c->visual_dim);
    snprintf(emb, sizeof emb, "%d", c->embed);
    snprintf(t, sizeof t, "%d", c->timesteps);
    const char *meta[] = {"avmit.model", "savc",     "rnn",        avmit_rnn_name(c->rnn),
                          "units",       units,      "dropout",    drop,
                          "audio_dim",   da,         "visual_dim", dv,
                          "embed",       emb,        "timesteps",  t};
    return avmit_savc_write_block(m, m->weights, path, meta, sizeof meta / sizeof meta[0] / 2,
                                  err);
}

static int meta_int(const avmit_safetensors *st, const char *path, const char *key, int *v,
                    avmit_error *err) {
    const char *s = avmit_safetensors_meta(st, key);
    char *end;
    long x = s ? strtol(s, &end, 10) : 0;
    if (!s || *end || end == s)
        return avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, key,
                               "metadata value missing or not an integer ('%s')", s ? s : "");
    *v = (int)x;
    return 0;
}

int avmit_savc_model_load(avmit_savc_model **out, const char *path, avmit_error *err) {
    *out = NULL;
    avmit_safetensors st;
    int r = avmit_safetensors_read(&st, path, err);
    if (r) return r;
    avmit_savc_config c = avmit_savc_default_config();
    const char *kind = avmit_safetensors_meta(&st, "avmit.model");
    const char *rnn = avmit_safetensors_meta(&st, "rnn");
    const char *drop = avmit_safetensors_meta(&st, "dropout");
    if (!kind || strcmp(kind, "savc") != 0)
        r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, "avmit.model",
                            "not a SAVC model file (metadata avmit.model is '%s')",
                            kind ? kind : "");
    else if (!rnn || avmit_rnn_parse(rnn, &c.rnn))
        r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, "rnn",
                            "unknown RNN '%s'", rnn ? rnn : "");
    if (!r && !(r = meta_int(&st, path, "units", &c.units, err)) &&
        !(r = meta_int(&st, path, "audio_dim", &c.audio_dim, err)) &&
        !(r = meta_int(&st, path, "visual_dim", &c.visual_dim, err)) &&
        !(r = meta_int(&st, path, "embed", &c.embed, err)) &&
        !(r = meta_int(&st, path, "timesteps", &c.timesteps, err))) {
        c.dropout = drop ? strtof(drop, NULL) : 0.0f;
        avmit_savc_model *m = NULL;
        if (!(r = avmit_savc_create(&m, &c, err))) {
            r = avmit_graph_st_read(m->graph, &st, path, m->weights, NULL, 0, "SAVC", err);
            if (r) avmit_savc_free(m);
            else *out = m;
        }
    }
    avmit_safetensors_free(&st);
    return r;
}
