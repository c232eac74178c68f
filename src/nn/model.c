/*
 * model.c — the experiment-1 model's parameter layout, Keras names, initial
 * values and layer summary (include/avmit/model.h, SPEC.md §4, FORMATS.md §5.2).
 */
#include "avmit/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/rng.h"

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
    if (bad)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, bad,
                               "model config value out of range");
    return 0;
}

int avmit_model_input_dim(const avmit_model_config *c) {
    return (c->use_audio ? c->audio_dim : 0) + (c->use_visual ? c->visual_dim : 0);
}

int avmit_model_rnn_dim(const avmit_model_config *c) {
    return c->bottleneck * ((c->use_audio ? 1 : 0) + (c->use_visual ? 1 : 0));
}

/* Keras layer and cell names of the RNN (FORMATS.md §5.2). */
static const char *rnn_layer(avmit_rnn_kind k) {
    return k == AVMIT_RNN_GRU ? "gru" : k == AVMIT_RNN_LSTM ? "lstm" : "simple_rnn";
}

static void set_info(avmit_param_info *p, size_t *off, int present, const char *name, int ndim,
                     int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    memset(p, 0, sizeof *p);
    if (!present) {
        p->offset = *off;
        return;
    }
    snprintf(p->name, sizeof p->name, "%s", name);
    p->ndim = ndim;
    int64_t d[4] = {d0, d1, d2, d3};
    p->count = 1;
    for (int i = 0; i < ndim; i++) {
        p->shape[i] = d[i];
        p->count *= (size_t)d[i];
    }
    p->offset = *off;
    *off += p->count;
}

void avmit_model_layout(const avmit_model_config *c, avmit_param_info params[AVMIT_P_COUNT],
                        avmit_param_info stats[AVMIT_S_COUNT], size_t *n_weights,
                        size_t *n_stats) {
    size_t off = 0;
    int nb = c->bottleneck, H = c->units, G = avmit_rnn_gates(c->rnn), a = c->use_audio,
        v = c->use_visual;
    char name[64];
    set_info(&params[AVMIT_P_AUDIO_KERNEL], &off, a, "audio_bottleneck/kernel:0", 4, 1, 1, c->audio_dim, nb);
    set_info(&params[AVMIT_P_AUDIO_BIAS], &off, a, "audio_bottleneck/bias:0", 1, nb, 0, 0, 0);
    set_info(&params[AVMIT_P_AUDIO_GAMMA], &off, a, "audio_bn/gamma:0", 1, nb, 0, 0, 0);
    set_info(&params[AVMIT_P_AUDIO_BETA], &off, a, "audio_bn/beta:0", 1, nb, 0, 0, 0);
    set_info(&params[AVMIT_P_VISUAL_KERNEL], &off, v, "visual_bottleneck/kernel:0", 4, 1, 1, c->visual_dim, nb);
    set_info(&params[AVMIT_P_VISUAL_BIAS], &off, v, "visual_bottleneck/bias:0", 1, nb, 0, 0, 0);
    set_info(&params[AVMIT_P_VISUAL_GAMMA], &off, v, "visual_bn/gamma:0", 1, nb, 0, 0, 0);
    set_info(&params[AVMIT_P_VISUAL_BETA], &off, v, "visual_bn/beta:0", 1, nb, 0, 0, 0);
    const char *rl = rnn_layer(c->rnn);
    snprintf(name, sizeof name, "%s/%s_cell/kernel:0", rl, rl);
    set_info(&params[AVMIT_P_RNN_KERNEL], &off, 1, name, 2, avmit_model_rnn_dim(c), G * H, 0, 0);
    snprintf(name, sizeof name, "%s/%s_cell/recurrent_kernel:0", rl, rl);
    set_info(&params[AVMIT_P_RNN_RECURRENT], &off, 1, name, 2, H, G * H, 0, 0);
    snprintf(name, sizeof name, "%s/%s_cell/bias:0", rl, rl);
    if (c->rnn == AVMIT_RNN_GRU)
        set_info(&params[AVMIT_P_RNN_BIAS], &off, 1, name, 2, 2, G * H, 0, 0);
    else
        set_info(&params[AVMIT_P_RNN_BIAS], &off, 1, name, 1, G * H, 0, 0, 0);
    set_info(&params[AVMIT_P_OUT_KERNEL], &off, 1, "dense/kernel:0", 2, H, c->n_classes, 0, 0);
    set_info(&params[AVMIT_P_OUT_BIAS], &off, 1, "dense/bias:0", 1, c->n_classes, 0, 0, 0);
    *n_weights = off;
    off = 0;
    set_info(&stats[AVMIT_S_AUDIO_MEAN], &off, a, "audio_bn/moving_mean:0", 1, nb, 0, 0, 0);
    set_info(&stats[AVMIT_S_AUDIO_VAR], &off, a, "audio_bn/moving_variance:0", 1, nb, 0, 0, 0);
    set_info(&stats[AVMIT_S_VISUAL_MEAN], &off, v, "visual_bn/moving_mean:0", 1, nb, 0, 0, 0);
    set_info(&stats[AVMIT_S_VISUAL_VAR], &off, v, "visual_bn/moving_variance:0", 1, nb, 0, 0, 0);
    *n_stats = off;
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
    int rc = avmit_model_config_check(cfg, err);
    if (rc) return rc;
    avmit_model *m = calloc(1, sizeof *m);
    if (!m) return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
    m->cfg = *cfg;
    avmit_model_layout(cfg, m->params, m->stats_info, &m->n_weights, &m->n_stats);
    m->weights = calloc(m->n_weights, sizeof(float));
    m->stats = calloc(m->n_stats ? m->n_stats : 1, sizeof(float));
    if (!m->weights || !m->stats) {
        avmit_model_free(m);
        return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL,
                               "out of memory for the model parameters");
    }
    m->w = avmit_model_views(m, m->weights);
    for (int s = 0; s < AVMIT_S_COUNT; s++) {
        const avmit_param_info *si = &m->stats_info[s];
        m->moving[s] = si->count ? m->stats + si->offset : NULL;
        if (si->count && (s == AVMIT_S_AUDIO_VAR || s == AVMIT_S_VISUAL_VAR))
            for (size_t i = 0; i < si->count; i++) m->moving[s][i] = 1.0f;
    }
    for (int g = AVMIT_P_AUDIO_GAMMA; g <= AVMIT_P_VISUAL_GAMMA; g += 4)
        for (size_t i = 0; i < m->params[g].count; i++) m->w.p[g][i] = 1.0f;
    *out = m;
    return 0;
}

void avmit_model_free(avmit_model *m) {
    if (!m) return;
    free(m->weights);
    free(m->stats);
    free(m);
}

int avmit_model_init(avmit_model *m, uint64_t seed, avmit_error *err) {
    const avmit_model_config *c = &m->cfg;
    memset(m->weights, 0, sizeof(float) * m->n_weights);
    for (int i = 0; i < AVMIT_P_COUNT; i++) {
        const avmit_param_info *p = &m->params[i];
        if (!p->count) continue;
        avmit_rng rng;
        avmit_rng_seed(&rng, seed, avmit_hash64(p->name));
        float *w = m->w.p[i];
        size_t rows = (size_t)p->count / (size_t)p->shape[p->ndim - 1], cols = (size_t)p->shape[p->ndim - 1];
        switch (i) {
        case AVMIT_P_AUDIO_KERNEL:
        case AVMIT_P_VISUAL_KERNEL:
        case AVMIT_P_RNN_KERNEL:
        case AVMIT_P_OUT_KERNEL:
            /* fan_in = prod(shape[:-1]) for a 1x1 conv and a dense kernel alike */
            avmit_init_glorot_uniform(w, p->count, rows, cols, &rng);
            break;
        case AVMIT_P_RNN_RECURRENT:
            if (avmit_init_orthogonal(w, rows, cols, &rng))
                return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, p->name, "out of memory");
            break;
        case AVMIT_P_AUDIO_GAMMA:
        case AVMIT_P_VISUAL_GAMMA:
            for (size_t k = 0; k < p->count; k++) w[k] = 1.0f;
            break;
        case AVMIT_P_RNN_BIAS:
            if (c->rnn == AVMIT_RNN_LSTM) /* unit_forget_bias */
                for (int k = c->units; k < 2 * c->units; k++) w[k] = 1.0f;
            break;
        default:
            break;
        }
    }
    for (int s = 0; s < AVMIT_S_COUNT; s++) {
        const avmit_param_info *si = &m->stats_info[s];
        for (size_t i = 0; i < si->count; i++)
            m->moving[s][i] = (s == AVMIT_S_AUDIO_VAR || s == AVMIT_S_VISUAL_VAR) ? 1.0f : 0.0f;
    }
    return 0;
}

int avmit_model_find(const avmit_model *m, const char *name) {
    for (int i = 0; i < AVMIT_P_COUNT; i++)
        if (m->params[i].count && !strcmp(m->params[i].name, name)) return i;
    for (int s = 0; s < AVMIT_S_COUNT; s++)
        if (m->stats_info[s].count && !strcmp(m->stats_info[s].name, name)) return AVMIT_P_COUNT + s;
    return -1;
}

static void row(avmit_layer_row *r, const char *name, const char *type, size_t n_params,
                size_t n_trainable, const char *fmt, int a, int b, int c) {
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->type, sizeof r->type, "%s", type);
    snprintf(r->output, sizeof r->output, fmt, a, b, c);
    r->n_params = n_params;
    r->n_trainable = n_trainable;
}

int avmit_model_layers(const avmit_model_config *c, avmit_layer_row rows[AVMIT_MODEL_MAX_LAYERS]) {
    int n = 0, T = c->timesteps, nb = c->bottleneck, H = c->units;
    static const char *const mod[2] = {"audio", "visual"};
    static const char *const inp[2] = {"auditory_embeddings", "object_embeddings"};
    int use[2] = {c->use_audio, c->use_visual}, dim[2] = {c->audio_dim, c->visual_dim};
    char name[32];
    /* Keras model.layers order (FORMATS.md §5.2): inputs, reshapes, bottlenecks, BNs,
     * activations, poolings, then concatenate, the RNN, dense, predictions. */
    for (int k = 0; k < 2; k++)
        if (use[k]) row(&rows[n++], inp[k], "InputLayer", 0, 0, "(None, %d, %d)", T, dim[k], 0);
    for (int k = 0; k < 2; k++)
        if (use[k]) {
            snprintf(name, sizeof name, "%s_reshape", mod[k]);
            row(&rows[n++], name, "Reshape", 0, 0, "(None, %d, 1, 1, %d)", T, dim[k], 0);
        }
    for (int k = 0; k < 2; k++)
        if (use[k]) {
            size_t np = (size_t)dim[k] * nb + nb;
            snprintf(name, sizeof name, "%s_bottleneck", mod[k]);
            row(&rows[n++], name, "TimeDistributed(Conv2D)", np, np, "(None, %d, 1, 1, %d)", T, nb, 0);
        }
    for (int k = 0; k < 2; k++)
        if (use[k]) {
            snprintf(name, sizeof name, "%s_bn", mod[k]);
            row(&rows[n++], name, "BatchNormalization", 4 * (size_t)nb, 2 * (size_t)nb,
                "(None, %d, 1, 1, %d)", T, nb, 0);
        }
    for (int k = 0; k < 2; k++)
        if (use[k]) {
            snprintf(name, sizeof name, "%s_activation", mod[k]);
            row(&rows[n++], name, c->act == AVMIT_ACT_RELU ? "Activation(relu)" : "Activation(swish)",
                0, 0, "(None, %d, 1, 1, %d)", T, nb, 0);
        }
    for (int k = 0; k < 2; k++)
        if (use[k]) {
            snprintf(name, sizeof name, "%s_pooling", mod[k]);
            row(&rows[n++], name, "TimeDistributed(GlobalAveragePooling2D)", 0, 0, "(None, %d, %d)", T, nb, 0);
        }
    int dr = avmit_model_rnn_dim(c), G = avmit_rnn_gates(c->rnn);
    if (c->use_audio && c->use_visual)
        row(&rows[n++], "concatenate", "Concatenate", 0, 0, "(None, %d, %d)", T, dr, 0);
    size_t nr = (size_t)dr * G * H + (size_t)H * G * H + avmit_rnn_bias_count(c->rnn, H);
    row(&rows[n++], rnn_layer(c->rnn), avmit_rnn_name(c->rnn), nr, nr, "(None, %d)", H, 0, 0);
    size_t nd = (size_t)H * c->n_classes + c->n_classes;
    row(&rows[n++], "dense", "Dense", nd, nd, "(None, %d)", c->n_classes, 0, 0);
    row(&rows[n++], "predictions", "Activation(softmax)", 0, 0, "(None, %d)", c->n_classes, 0, 0);
    return n;
}
