/*
 * model.c — the experiment-1 model of include/avmit/model.h as a thin wrapper
 * over its graph (nn/builders.c avmit_exp1_build; executor nn/gexec.c):
 * config, parameter tables, initial values, summary rows, forward/backward.
 */
#include "avmit/model.h"

#include <stdlib.h>
#include <string.h>

#include "core/error_int.h"
#include "nn/builders.h"
#include "nn/gexec.h"
#include "nn/net.h"

avmit_model_config avmit_model_default_config(void) {
    avmit_model_config c = {AVMIT_RNN_GRU, 128, 0.5f, 64, AVMIT_ACT_SWISH, 1, 1, 1024, 1280, 7, 16};
    return c;
}

int avmit_model_config_check(const avmit_model_config *c, avmit_error *err) {
    const char *bad = NULL;
    if (c->rnn != AVMIT_RNN_SIMPLE && c->rnn != AVMIT_RNN_GRU && c->rnn != AVMIT_RNN_LSTM) bad = "rnn";
    else if (c->units < 1 || c->units > 65536) bad = "units";
    else if (!(c->dropout >= 0 && c->dropout < 1)) bad = "dropout";
    else if (c->bottleneck < 1 || c->bottleneck > 65536) bad = "bottleneck_size";
    else if (c->act != AVMIT_ACT_RELU && c->act != AVMIT_ACT_SWISH) bad = "bottleneck_activation";
    else if (!c->use_audio && !c->use_visual) bad = "audio/visual (both off)";
    else if (c->use_audio && (c->audio_dim < 1 || c->audio_dim > 1 << 20)) bad = "audio_size";
    else if (c->use_visual && (c->visual_dim < 1 || c->visual_dim > 1 << 20)) bad = "visual_size";
    else if (c->timesteps < 1 || c->timesteps > 4096) bad = "timesteps";
    else if (c->n_classes < 2 || c->n_classes > 4096) bad = "num_classes";
    AVMIT_RETURN_IF(bad, err, AVMIT_E_ARG, NULL, bad, "model config value out of range");
    return 0;
}

int avmit_model_input_dim(const avmit_model_config *c) {
    return (c->use_audio ? c->audio_dim : 0) + (c->use_visual ? c->visual_dim : 0);
}

int avmit_model_rnn_dim(const avmit_model_config *c) {
    return c->bottleneck * ((c->use_audio ? 1 : 0) + (c->use_visual ? 1 : 0));
}

/* avmit_exp1_build after the config check (the builder trusts its config). */
static int build(avmit_graph *g, const void *cfg, int *tid, avmit_error *err) {
    int rc = avmit_model_config_check(cfg, err);
    return rc ? rc : avmit_exp1_build(g, cfg, tid, err);
}

void avmit_model_layout(const avmit_model_config *cfg, avmit_param_info params[AVMIT_P_COUNT],
                        avmit_param_info stats[AVMIT_S_COUNT], size_t *n_weights,
                        size_t *n_stats) {
    int tid[AVMIT_EXP1_TENSORS];
    avmit_graph *g;
    memset(params, 0, sizeof(avmit_param_info) * AVMIT_P_COUNT);
    memset(stats, 0, sizeof(avmit_param_info) * AVMIT_S_COUNT);
    *n_weights = *n_stats = 0;
    if (avmit_net_build(&g, build, cfg, tid, NULL)) return;
    avmit_net_tables(g, tid, AVMIT_P_COUNT, params);
    avmit_net_tables(g, tid + AVMIT_P_COUNT, AVMIT_S_COUNT, stats);
    *n_weights = g->n_weights;
    *n_stats = g->n_state;
    avmit_net_free(g);
}

size_t avmit_model_trainable_count(const avmit_model_config *cfg) {
    avmit_param_info p[AVMIT_P_COUNT], s[AVMIT_S_COUNT];
    size_t nw, ns;
    avmit_model_layout(cfg, p, s, &nw, &ns);
    return nw;
}

avmit_model_params avmit_model_views(const avmit_model *m, float *block) {
    avmit_model_params v;
    for (int i = 0; i < AVMIT_P_COUNT; i++)
        v.p[i] = m->params[i].count ? block + m->params[i].offset : NULL;
    return v;
}

int avmit_model_create(avmit_model **out, const avmit_model_config *cfg, avmit_error *err) {
    *out = NULL;
    int tid[AVMIT_EXP1_TENSORS];
    avmit_model *m = calloc(1, sizeof *m);
    if (!m) return AVMIT_NOMEM(err, "model");
    m->cfg = *cfg;
    int rc = avmit_net_build(&m->graph, build, cfg, tid, err);
    if (!rc) rc = avmit_net_alloc(m->graph, &m->weights, &m->stats, err);
    if (rc) {
        avmit_model_free(m);
        return rc;
    }
    avmit_net_tables(m->graph, tid, AVMIT_P_COUNT, m->params);
    avmit_net_tables(m->graph, tid + AVMIT_P_COUNT, AVMIT_S_COUNT, m->stats_info);
    m->n_weights = m->graph->n_weights;
    m->n_stats = m->graph->n_state;
    m->w = avmit_model_views(m, m->weights);
    for (int s = 0; s < AVMIT_S_COUNT; s++)
        m->moving[s] = m->stats_info[s].count ? m->stats + m->stats_info[s].offset : NULL;
    *out = m;
    return 0;
}

void avmit_model_free(avmit_model *m) {
    if (!m) return;
    avmit_net_free(m->graph);
    free(m->weights);
    free(m->stats);
    free(m);
}

int avmit_model_init(avmit_model *m, uint64_t seed, avmit_error *err) {
    return avmit_graph_init_params(m->graph, m->weights, m->stats, seed, 0, err);
}

int avmit_model_find(const avmit_model *m, const char *name) {
    for (int i = 0; i < AVMIT_P_COUNT; i++)
        if (m->params[i].count && !strcmp(m->params[i].name, name)) return i;
    for (int s = 0; s < AVMIT_S_COUNT; s++)
        if (m->stats_info[s].count && !strcmp(m->stats_info[s].name, name)) return AVMIT_P_COUNT + s;
    return -1;
}

int avmit_model_layers(const avmit_model_config *c, avmit_layer_row rows[AVMIT_MODEL_MAX_LAYERS]) {
    return avmit_net_layers(build, c, rows, AVMIT_MODEL_MAX_LAYERS);
}

/* ---- forward / backward through the graph executor --------------------------- */

struct avmit_model_ws {
    avmit_gexec *ex;
    const avmit_graph *g;
    int in[2], n_in; /* INPUT values: audio columns first */
    int B, K;
};

int avmit_model_ws_create(avmit_model_ws **out, const avmit_model *m, int max_batch, avmit_error *err) {
    *out = NULL;
    avmit_model_ws *w = calloc(1, sizeof *w);
    if (!w) return AVMIT_NOMEM(err, "workspace");
    int rc = avmit_gexec_create(&w->ex, m->graph, max_batch, err);
    if (rc) {
        free(w);
        return rc;
    }
    w->g = m->graph;
    w->n_in = avmit_net_inputs(m->graph, w->in, 2);
    w->K = m->cfg.n_classes;
    *out = w;
    return 0;
}

void avmit_model_ws_free(avmit_model_ws *ws) {
    if (!ws) return;
    avmit_gexec_free(ws->ex);
    free(ws);
}

const float *avmit_model_forward(avmit_model *m, avmit_model_ws *w, const float *x, int B,
                                 int training, const float *mask) {
    const size_t D = (size_t)avmit_model_input_dim(&m->cfg);
    size_t col = 0;
    for (int j = 0; j < w->n_in; j++) { /* both inputs are column ranges of x [B, T, D] */
        avmit_gexec_bind(w->ex, w->in[j], x + col, D);
        col += (size_t)w->g->values[w->in[j]].shape[1];
    }
    if (avmit_gexec_forward(w->ex, m->weights, m->stats, B, training, mask, NULL)) return NULL;
    w->B = B;
    return avmit_gexec_value(w->ex, w->g->output);
}

double avmit_model_loss(const avmit_model_ws *w, const int *labels) {
    return avmit_ce_loss(avmit_gexec_value(w->ex, w->g->output), labels, w->B, w->K);
}

void avmit_model_backward(const avmit_model *m, avmit_model_ws *w, const int *labels, float *grads) {
    avmit_gexec_backward(w->ex, m->weights, labels, grads);
}
