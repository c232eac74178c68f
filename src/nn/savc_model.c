/*
 * savc_model.c — the SAVC model's parameter table (Keras names and shapes of
 * the paper's random_seed.h5 files, FORMATS.md §5.3), Keras initial values and
 * the layer summary (include/avmit/savc.h, SPEC.md §4 experiment 2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/rng.h"
#include "avmit/savc.h"

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
    if (bad)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, bad,
                               "SAVC model config value out of range");
    return 0;
}

static const char *rnn_layer(avmit_rnn_kind k) {
    return k == AVMIT_RNN_GRU ? "gru" : k == AVMIT_RNN_LSTM ? "lstm" : "simple_rnn";
}

static void put(avmit_param_info *p, size_t *off, const char *name, int ndim, int64_t d0,
                int64_t d1) {
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->ndim = ndim;
    p->shape[0] = d0;
    p->shape[1] = ndim > 1 ? d1 : 0;
    p->count = (size_t)d0 * (size_t)(ndim > 1 ? d1 : 1);
    p->offset = *off;
    *off += p->count;
}

void avmit_savc_layout(const avmit_savc_config *c, avmit_param_info params[AVMIT_SV_COUNT],
                       size_t *n_weights) {
    size_t off = 0;
    const int E = c->embed, H = c->units, G = avmit_rnn_gates(c->rnn);
    put(&params[AVMIT_SV_AUDIO_K1], &off, "audio_Dense_1/kernel:0", 2, c->audio_dim, E);
    put(&params[AVMIT_SV_AUDIO_B1], &off, "audio_Dense_1/bias:0", 1, E, 0);
    put(&params[AVMIT_SV_VISUAL_K1], &off, "visual_Dense_1/kernel:0", 2, c->visual_dim, E);
    put(&params[AVMIT_SV_VISUAL_B1], &off, "visual_Dense_1/bias:0", 1, E, 0);
    put(&params[AVMIT_SV_AUDIO_K2], &off, "audio_Dense_2/kernel:0", 2, E, E);
    put(&params[AVMIT_SV_AUDIO_B2], &off, "audio_Dense_2/bias:0", 1, E, 0);
    put(&params[AVMIT_SV_VISUAL_K2], &off, "visual_Dense_2/kernel:0", 2, E, E);
    put(&params[AVMIT_SV_VISUAL_B2], &off, "visual_Dense_2/bias:0", 1, E, 0);
    const char *rl = rnn_layer(c->rnn);
    char name[64];
    snprintf(name, sizeof name, "%s/%s_cell/kernel:0", rl, rl);
    put(&params[AVMIT_SV_RNN_KERNEL], &off, name, 2, 1, (int64_t)G * H);
    snprintf(name, sizeof name, "%s/%s_cell/recurrent_kernel:0", rl, rl);
    put(&params[AVMIT_SV_RNN_RECURRENT], &off, name, 2, H, (int64_t)G * H);
    snprintf(name, sizeof name, "%s/%s_cell/bias:0", rl, rl);
    if (c->rnn == AVMIT_RNN_GRU)
        put(&params[AVMIT_SV_RNN_BIAS], &off, name, 2, 2, (int64_t)G * H);
    else
        put(&params[AVMIT_SV_RNN_BIAS], &off, name, 1, (int64_t)G * H, 0);
    put(&params[AVMIT_SV_OUT_KERNEL], &off, "dense_4/kernel:0", 2, H, 2);
    put(&params[AVMIT_SV_OUT_BIAS], &off, "dense_4/bias:0", 1, 2, 0);
    *n_weights = off;
}

void avmit_savc_views(const avmit_savc_model *m, float *block, float *views[AVMIT_SV_COUNT]) {
    for (int i = 0; i < AVMIT_SV_COUNT; i++) views[i] = block + m->params[i].offset;
}

int avmit_savc_create(avmit_savc_model **out, const avmit_savc_config *cfg, avmit_error *err) {
    *out = NULL;
    int rc = avmit_savc_config_check(cfg, err);
    if (rc) return rc;
    avmit_savc_model *m = calloc(1, sizeof *m);
    if (!m) return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
    m->cfg = *cfg;
    avmit_savc_layout(cfg, m->params, &m->n_weights);
    m->weights = calloc(m->n_weights, sizeof(float));
    if (!m->weights) {
        free(m);
        return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL,
                               "out of memory for the SAVC model parameters");
    }
    avmit_savc_views(m, m->weights, m->p);
    *out = m;
    return 0;
}

void avmit_savc_free(avmit_savc_model *m) {
    if (!m) return;
    free(m->weights);
    free(m);
}

int avmit_savc_init(avmit_savc_model *m, uint64_t seed, avmit_error *err) {
    memset(m->weights, 0, sizeof(float) * m->n_weights);
    for (int i = 0; i < AVMIT_SV_COUNT; i++) {
        const avmit_param_info *p = &m->params[i];
        if (p->ndim != 2) continue; /* biases stay 0 (GRU's [2,3H] bias too) */
        if (i == AVMIT_SV_RNN_BIAS) continue;
        avmit_rng rng;
        avmit_rng_seed(&rng, seed, avmit_hash64(p->name));
        size_t rows = (size_t)p->shape[0], cols = (size_t)p->shape[1];
        if (i == AVMIT_SV_RNN_RECURRENT) {
            if (avmit_init_orthogonal(m->p[i], rows, cols, &rng))
                return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, p->name,
                                       "out of memory");
        } else {
            avmit_init_glorot_uniform(m->p[i], p->count, rows, cols, &rng);
        }
    }
    if (m->cfg.rnn == AVMIT_RNN_LSTM) /* unit_forget_bias */
        for (int k = m->cfg.units; k < 2 * m->cfg.units; k++) m->p[AVMIT_SV_RNN_BIAS][k] = 1.0f;
    return 0;
}

int avmit_savc_find(const avmit_savc_model *m, const char *name) {
    for (int i = 0; i < AVMIT_SV_COUNT; i++)
        if (!strcmp(m->params[i].name, name)) return i;
    return -1;
}

static void row(avmit_layer_row *r, const char *name, const char *type, size_t n_params,
                const char *fmt, int a, int b) {
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->type, sizeof r->type, "%s", type);
    snprintf(r->output, sizeof r->output, fmt, a, b);
    r->n_params = n_params;
    r->n_trainable = n_params;
}

int avmit_savc_layers(const avmit_savc_config *c, avmit_layer_row rows[AVMIT_SAVC_MAX_LAYERS]) {
    static const char *const mod[2] = {"audio", "visual"};
    const int T = c->timesteps, E = c->embed, H = c->units, dim[2] = {c->audio_dim, c->visual_dim};
    char name[32];
    int n = 0;
    for (int k = 0; k < 2; k++) {
        snprintf(name, sizeof name, "%s_input", mod[k]);
        row(&rows[n++], name, "InputLayer", 0, "(None, %d, %d)", T, dim[k]);
    }
    for (int k = 0; k < 2; k++) {
        snprintf(name, sizeof name, "%s_flatten", mod[k]);
        row(&rows[n++], name, "TimeDistributed(Flatten)", 0, "(None, %d, %d)", T, dim[k]);
    }
    for (int k = 0; k < 2; k++) {
        snprintf(name, sizeof name, "%s_Dense_1", mod[k]);
        row(&rows[n++], name, "TimeDistributed(Dense)", (size_t)dim[k] * E + E, "(None, %d, %d)",
            T, E);
    }
    for (int k = 0; k < 2; k++) {
        snprintf(name, sizeof name, "%s_Dense_2", mod[k]);
        row(&rows[n++], name, "TimeDistributed(Dense)", (size_t)E * E + E, "(None, %d, %d)", T, E);
    }
    for (int k = 0; k < 2; k++) {
        snprintf(name, sizeof name, "%s_L2norm", mod[k]);
        row(&rows[n++], name, "TimeDistributed(Lambda)", 0, "(None, %d, %d)", T, E);
    }
    row(&rows[n++], "Euclidean_distance", "TimeDistributed(Lambda)", 0, "(None, %d, %d)", T, 1);
    const int G = avmit_rnn_gates(c->rnn);
    size_t nr = (size_t)G * H + (size_t)H * G * H + avmit_rnn_bias_count(c->rnn, H);
    row(&rows[n++], rnn_layer(c->rnn), avmit_rnn_name(c->rnn), nr, "(None, %d)", H, 0);
    row(&rows[n++], "dense_4", "Dense", (size_t)H * 2 + 2, "(None, %d)", 2, 0);
    row(&rows[n++], "predictions", "Activation(softmax)", 0, "(None, %d)", 2, 0);
    return n;
}
