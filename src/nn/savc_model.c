/*
 * savc_model.c — the SAVC model of include/avmit/savc.h as a thin wrapper over
 * its graph (nn/builders.c avmit_savc_build; executor nn/gexec.c): config,
 * parameter table, initial values, summary rows, forward/backward, and the
 * two inference halves (tower embeddings, pair head) run as op subsets.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/savc.h"
#include "core/error_int.h"
#include "nn/builders.h"
#include "nn/gexec.h"
#include "nn/net.h"

avmit_savc_config avmit_savc_default_config(void) {
    avmit_savc_config c = {AVMIT_RNN_GRU, 256, 0.1f, 1024, 1280, 128, 7};
    return c;
}

int avmit_savc_config_check(const avmit_savc_config *c, avmit_error *err) {
    const char *bad = NULL;
    if (c->rnn != AVMIT_RNN_SIMPLE && c->rnn != AVMIT_RNN_GRU && c->rnn != AVMIT_RNN_LSTM) bad = "rnn";
    else if (c->units < 1 || c->units > 65536) bad = "units";
    else if (!(c->dropout >= 0 && c->dropout < 1)) bad = "dropout";
    else if (c->audio_dim < 1 || c->audio_dim > 1 << 20) bad = "audio_size";
    else if (c->visual_dim < 1 || c->visual_dim > 1 << 20) bad = "visual_size";
    else if (c->embed < 1 || c->embed > 65536) bad = "embed";
    else if (c->timesteps < 1 || c->timesteps > 4096) bad = "timesteps";
    AVMIT_RETURN_IF(bad, err, AVMIT_E_ARG, NULL, bad, "SAVC model config value out of range");
    return 0;
}

static int build(avmit_graph *g, const void *cfg, int *tid, avmit_error *err) {
    int rc = avmit_savc_config_check(cfg, err);
    return rc ? rc : avmit_savc_build(g, cfg, tid, err);
}

void avmit_savc_layout(const avmit_savc_config *cfg, avmit_param_info params[AVMIT_SV_COUNT],
                       size_t *n_weights) {
    int tid[AVMIT_SV_COUNT];
    avmit_graph *g;
    memset(params, 0, sizeof(avmit_param_info) * AVMIT_SV_COUNT);
    *n_weights = 0;
    if (avmit_net_build(&g, build, cfg, tid, NULL)) return;
    avmit_net_tables(g, tid, AVMIT_SV_COUNT, params);
    *n_weights = g->n_weights;
    avmit_net_free(g);
}

void avmit_savc_views(const avmit_savc_model *m, float *block, float *views[AVMIT_SV_COUNT]) {
    for (int i = 0; i < AVMIT_SV_COUNT; i++) views[i] = block + m->params[i].offset;
}

int avmit_savc_create(avmit_savc_model **out, const avmit_savc_config *cfg, avmit_error *err) {
    *out = NULL;
    int tid[AVMIT_SV_COUNT];
    float *state = NULL;
    avmit_savc_model *m = calloc(1, sizeof *m);
    if (!m) return AVMIT_NOMEM(err, "SAVC model");
    m->cfg = *cfg;
    int rc = avmit_net_build(&m->graph, build, cfg, tid, err);
    if (!rc) rc = avmit_net_alloc(m->graph, &m->weights, &state, err);
    free(state); /* SAVC has no non-trainable state */
    if (rc) {
        avmit_savc_free(m);
        return rc;
    }
    avmit_net_tables(m->graph, tid, AVMIT_SV_COUNT, m->params);
    m->n_weights = m->graph->n_weights;
    avmit_savc_views(m, m->weights, m->p);
    *out = m;
    return 0;
}

void avmit_savc_free(avmit_savc_model *m) {
    if (!m) return;
    avmit_net_free(m->graph);
    free(m->weights);
    free(m);
}

int avmit_savc_init(avmit_savc_model *m, uint64_t seed, avmit_error *err) {
    return avmit_graph_init_params(m->graph, m->weights, NULL, seed, 0, err);
}

int avmit_savc_find(const avmit_savc_model *m, const char *name) {
    for (int i = 0; i < AVMIT_SV_COUNT; i++)
        if (!strcmp(m->params[i].name, name)) return i;
    return -1;
}

int avmit_savc_layers(const avmit_savc_config *c, avmit_layer_row rows[AVMIT_SAVC_MAX_LAYERS]) {
    return avmit_net_layers(build, c, rows, AVMIT_SAVC_MAX_LAYERS);
}

/* ---- forward / backward and the two inference halves ------------------------- */

struct avmit_savc_ws {
    avmit_gexec *ex;
    const avmit_graph *g;
    int in[2];              /* INPUT values: audio, visual */
    int emb[2];             /* the L2norm outputs [T, E] of the two towers */
    unsigned char *tower[2]; /* ops of each tower (embed) */
    unsigned char *head;    /* the ops after the towers (head_pairs) */
    float *pad;             /* [T, max(D_a, D_v)]: a last partial sample, zero-padded (embed) */
    int T, E, B;
};

int avmit_savc_ws_create(avmit_savc_ws **out, const avmit_savc_model *m, int max_batch, avmit_error *err) {
    *out = NULL;
    const avmit_graph *g = m->graph;
    avmit_savc_ws *w = calloc(1, sizeof *w);
    if (!w) return AVMIT_NOMEM(err, "SAVC workspace");
    int rc = avmit_gexec_create(&w->ex, g, max_batch, err);
    w->g = g, w->T = m->cfg.timesteps, w->E = m->cfg.embed;
    avmit_net_inputs(g, w->in, 2);
    for (int i = 0, k = 0; i < g->n_ops; i++)
        if (g->ops[i].kind == AVMIT_OP_L2NORM && k < 2) w->emb[k++] = g->ops[i].out;
    w->tower[0] = calloc((size_t)g->n_ops, 1);
    w->tower[1] = calloc((size_t)g->n_ops, 1);
    w->head = calloc((size_t)g->n_ops, 1);
    size_t dmax = (size_t)(m->cfg.audio_dim > m->cfg.visual_dim ? m->cfg.audio_dim : m->cfg.visual_dim);
    w->pad = calloc((size_t)w->T * dmax, sizeof(float));
    if (!rc && (!w->tower[0] || !w->tower[1] || !w->head || !w->pad)) rc = AVMIT_NOMEM(err, "SAVC workspace");
    for (int k = 0; k < 2 && !rc; k++) rc = avmit_graph_ancestors(g, w->emb[k], w->tower[k], err);
    if (rc) {
        avmit_savc_ws_free(w);
        return rc;
    }
    for (int i = 0; i < g->n_ops; i++) w->head[i] = !w->tower[0][i] && !w->tower[1][i];
    *out = w;
    return 0;
}

void avmit_savc_ws_free(avmit_savc_ws *ws) {
    if (!ws) return;
    avmit_gexec_free(ws->ex);
    free(ws->tower[0]);
    free(ws->tower[1]);
    free(ws->head);
    free(ws->pad);
    free(ws);
}

const float *avmit_savc_forward(const avmit_savc_model *m, avmit_savc_ws *w, const float *xa,
                                const float *xv, int B, const float *mask) {
    avmit_gexec_bind(w->ex, w->in[0], xa, (size_t)m->cfg.audio_dim);
    avmit_gexec_bind(w->ex, w->in[1], xv, (size_t)m->cfg.visual_dim);
    if (avmit_gexec_forward(w->ex, m->weights, NULL, B, mask != NULL, mask, NULL)) return NULL;
    w->B = B;
    return avmit_gexec_value(w->ex, w->g->output);
}

void avmit_savc_backward(const avmit_savc_model *m, avmit_savc_ws *w, const int *labels, float *grads) {
    avmit_gexec_backward(w->ex, m->weights, labels, grads);
}

/* Rows x [n, D] of tower k (n a multiple of T) through the tower's ops into out [n, E]. */
static void embed_rows(const avmit_savc_model *m, avmit_savc_ws *w, int k, const float *x, size_t n, size_t D,
                       float *out) {
    avmit_gexec_bind(w->ex, w->in[k], x, D);
    avmit_gexec_forward(w->ex, m->weights, NULL, (int)(n / (size_t)w->T), 0, NULL, w->tower[k]);
    memcpy(out, avmit_gexec_value(w->ex, w->emb[k]), sizeof(float) * n * (size_t)w->E);
}

void avmit_savc_embed(const avmit_savc_model *m, avmit_savc_ws *w, int modality, const float *x,
                      size_t n_rows, float *out) {
    const int k = modality ? 1 : 0;
    const size_t T = (size_t)w->T, D = (size_t)(k ? m->cfg.visual_dim : m->cfg.audio_dim), E = (size_t)w->E;
    const size_t chunk = (size_t)avmit_gexec_max_batch(w->ex) * T, full = n_rows / T * T;
    for (size_t r0 = 0; r0 < full; r0 += chunk)
        embed_rows(m, w, k, x + r0 * D, full - r0 < chunk ? full - r0 : chunk, D, out + r0 * E);
    if (full < n_rows) { /* rows are independent: the rest as one zero-padded sample */
        float *tmp = w->pad;
        memset(tmp, 0, sizeof(float) * T * D);
        memcpy(tmp, x + full * D, sizeof(float) * (n_rows - full) * D);
        avmit_gexec_bind(w->ex, w->in[k], tmp, D);
        avmit_gexec_forward(w->ex, m->weights, NULL, 1, 0, NULL, w->tower[k]);
        memcpy(out + full * E, avmit_gexec_value(w->ex, w->emb[k]), sizeof(float) * (n_rows - full) * E);
    }
}

const float *avmit_savc_head_pairs(const avmit_savc_model *m, avmit_savc_ws *w, const float *emb_audio,
                                   const float *emb_visual, const uint32_t *audio_idx,
                                   const uint32_t *visual_idx, int B) {
    if (B < 1 || B > avmit_gexec_max_batch(w->ex)) return NULL;
    const size_t TE = (size_t)w->T * (size_t)w->E;
    float *ya = avmit_gexec_value(w->ex, w->emb[0]), *yv = avmit_gexec_value(w->ex, w->emb[1]);
    for (int b = 0; b < B; b++) {
        memcpy(ya + b * TE, emb_audio + audio_idx[b] * TE, sizeof(float) * TE);
        memcpy(yv + b * TE, emb_visual + visual_idx[b] * TE, sizeof(float) * TE);
    }
    avmit_gexec_forward(w->ex, m->weights, NULL, B, 0, NULL, w->head);
    w->B = B;
    return avmit_gexec_value(w->ex, w->g->output);
}
