/*
 * model_import.c — Keras HDF5 / TF2 checkpoint variables into an experiment-1
 * model, and the model back out as a Keras weights tree or an .npz
 * (include/avmit/model_io.h; FORMATS.md §5.2, §5.4, §6.4, §9).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/model_io.h"
#include "avmit/npz.h"

/* One tensor of the model: its Keras weight name, shape and storage. */
typedef struct model_tensor {
    const avmit_param_info *info;
    float *data;
} model_tensor;

/* Every tensor of m in Keras weight_names order per layer: a layer's
 * trainable weights, then (BN) its moving statistics. Returns the count. */
static size_t model_tensors(const avmit_model *m, model_tensor t[AVMIT_P_COUNT + AVMIT_S_COUNT]) {
    size_t n = 0;
    for (int i = 0; i < AVMIT_P_COUNT; i++) {
        if (m->params[i].count) t[n++] = (model_tensor){&m->params[i], m->weights + m->params[i].offset};
        int s = i == AVMIT_P_AUDIO_BETA ? AVMIT_S_AUDIO_MEAN : i == AVMIT_P_VISUAL_BETA ? AVMIT_S_VISUAL_MEAN : -1;
        for (int k = 0; s >= 0 && k < 2; k++)
            if (m->stats_info[s + k].count)
                t[n++] = (model_tensor){&m->stats_info[s + k], m->stats + m->stats_info[s + k].offset};
    }
    return n;
}

/* "gru/gru_cell/kernel:0": layer "gru" (its length), attribute "kernel". */
static size_t layer_len(const char *name) {
    const char *s = strchr(name, '/');
    return s ? (size_t)(s - name) : strlen(name);
}

static void attr_of(const char *name, char *out, size_t cap) {
    const char *s = strrchr(name, '/');
    s = s ? s + 1 : name;
    size_t n = strcspn(s, ":");
    snprintf(out, cap, "%.*s", (int)n, s);
}

static void shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t o = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < ndim && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (o < cap) snprintf(buf + o, cap - o, ndim == 1 ? ",)" : ")");
}

/* Names of the model's layers with weights (Keras load order). */
static int weighted_layers(const avmit_model_config *c, char names[AVMIT_MODEL_MAX_LAYERS][32]) {
    avmit_layer_row rows[AVMIT_MODEL_MAX_LAYERS];
    int n = avmit_model_layers(c, rows), k = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].n_params) memcpy(names[k++], rows[i].name, sizeof rows[i].name);
    return k;
}

static int check_layer_count(const avmit_model *m, const avmit_keras_vars *v, const char *src,
                             char names[AVMIT_MODEL_MAX_LAYERS][32], int nl, avmit_error *err) {
    if (v->n_layers == (size_t)nl) return 0;
    char want[512] = "", have[512] = "";
    size_t o = 0;
    for (int i = 0; i < nl && o < sizeof want; i++)
        o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", i ? " " : "", names[i]);
    o = 0;
    for (size_t i = 0; i < v->n_layers && o < sizeof have; i++)
        o += (size_t)snprintf(have + o, sizeof have - o, "%s%s", i ? " " : "", v->layers[i].name);
    return avmit_error_set(err, AVMIT_E_FORMAT, src, -1, -1, -1, NULL,
                           "the file has %zu layers with weights (%s) but the %s model of the config "
                           "has %d (%s): weights for another architecture",
                           v->n_layers, have, avmit_rnn_name(m->cfg.rnn), nl, want);
}

/* Match layer k's variables to the model tensors of layer names[k]; on
 * success src_of[i] is set for each of those tensors. */
static int match_layer(const avmit_keras_vars *v, size_t k, const char *lname, const model_tensor *t,
                       size_t nt, const avmit_keras_var **src_of, const char *src, avmit_error *err) {
    const avmit_keras_var_layer *l = &v->layers[k];
    size_t used = 0;
    char attr[64], s1[96], s2[96];
    for (size_t i = 0; i < nt; i++) {
        const char *name = t[i].info->name;
        if (layer_len(name) != strlen(lname) || strncmp(name, lname, strlen(lname))) continue;
        attr_of(name, attr, sizeof attr);
        const avmit_keras_var *var = avmit_keras_vars_find(v, k, attr);
        shape_str(s1, sizeof s1, t[i].info->ndim, t[i].info->shape);
        if (!var)
            return avmit_error_set(err, AVMIT_E_NOTFOUND, src, -1, -1, -1, attr,
                                   "layer with weights #%zu ('%s', the model's '%s') has no variable '%s' "
                                   "(the model's '%s' needs shape %s)",
                                   k, l->name, lname, attr, name, s1);
        int same = var->ndim == t[i].info->ndim;
        for (int d = 0; same && d < var->ndim; d++) same = var->shape[d] == t[i].info->shape[d];
        shape_str(s2, sizeof s2, var->ndim, var->shape);
        if (!same) {
            char pair[160] = "";
            if (strcmp(l->name, lname))
                snprintf(pair, sizeof pair, " (the file's layer '%s' is paired by order with the model's '%s')",
                         l->name, lname);
            return avmit_error_set(err, AVMIT_E_FORMAT, src, -1, -1, -1, var->origin,
                                   "variable '%s' has shape %s but the model's '%s' needs %s%s", var->origin, s2,
                                   name, s1, pair);
        }
        int64_t cnt = avmit_keras_var_count(var);
        for (int64_t j = 0; j < cnt; j++)
            if (!isfinite(var->data[j]))
                return avmit_error_set(err, AVMIT_E_NONFINITE, src, -1, -1, -1, var->origin,
                                       "variable '%s' has a non-finite value at flat index %lld", var->origin,
                                       (long long)j);
        src_of[i] = var;
        used++;
    }
    if (used != l->n_vars)
        for (size_t j = 0; j < l->n_vars; j++) {
            int found = 0;
            for (size_t i = 0; i < nt && !found; i++) found = src_of[i] == &l->vars[j];
            if (!found)
                return avmit_error_set(err, AVMIT_E_FORMAT, src, -1, -1, -1, l->vars[j].origin,
                                       "unexpected variable '%s' in layer with weights #%zu ('%s'): the "
                                       "model's '%s' takes %zu variables, the file's layer has %zu",
                                       l->vars[j].origin, k, l->name, lname, used, l->n_vars);
        }
    return 0;
}

int avmit_model_import_vars(avmit_model *m, const avmit_keras_vars *v, avmit_error *err) {
    const char *src = v->source ? v->source : "weights";
    char names[AVMIT_MODEL_MAX_LAYERS][32];
    int nl = weighted_layers(&m->cfg, names);
    int rc = check_layer_count(m, v, src, names, nl, err);
    if (rc) return rc;
    model_tensor t[AVMIT_P_COUNT + AVMIT_S_COUNT];
    size_t nt = model_tensors(m, t);
    const avmit_keras_var *src_of[AVMIT_P_COUNT + AVMIT_S_COUNT] = {0};
    for (int k = 0; k < nl; k++)
        if ((rc = match_layer(v, (size_t)k, names[k], t, nt, src_of, src, err))) return rc;
    for (size_t i = 0; i < nt; i++)
        if (!src_of[i])
            return avmit_error_set(err, AVMIT_E_NOTFOUND, src, -1, -1, -1, t[i].info->name,
                                   "no variable for the model's '%s'", t[i].info->name);
    for (size_t i = 0; i < nt; i++) memcpy(t[i].data, src_of[i]->data, t[i].info->count * sizeof(float));
    return 0;
}

int avmit_model_import_file(avmit_model *m, const char *path, avmit_weights_format *format,
                            avmit_error *err) {
    avmit_keras_vars v;
    int rc = avmit_keras_vars_read(&v, path, err);
    if (rc) return rc;
    if (format) *format = v.format;
    rc = avmit_model_import_vars(m, &v, err);
    avmit_keras_vars_free(&v);
    return rc;
}

int avmit_model_to_keras_h5(const avmit_model *m, avmit_keras_h5 *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_layer_row rows[AVMIT_MODEL_MAX_LAYERS];
    int n = avmit_model_layers(&m->cfg, rows);
    model_tensor t[AVMIT_P_COUNT + AVMIT_S_COUNT];
    size_t nt = model_tensors(m, t);
    out->backend = strdup("tensorflow");
    out->keras_version = strdup("2.4.0");
    out->layers = calloc((size_t)n, sizeof *out->layers);
    if (!out->backend || !out->keras_version || !out->layers) goto nomem;
    for (int i = 0; i < n; i++, out->n_layers++) {
        avmit_keras_layer *l = &out->layers[i];
        size_t len = strlen(rows[i].name);
        if (!(l->name = strdup(rows[i].name))) goto nomem;
        if (!rows[i].n_params) continue;
        if (!(l->weights = calloc(nt, sizeof *l->weights))) goto nomem;
        for (size_t j = 0; j < nt; j++) {
            const avmit_param_info *p = t[j].info;
            if (layer_len(p->name) != len || strncmp(p->name, l->name, len)) continue;
            avmit_keras_weight *w = &l->weights[l->n_weights++];
            w->ndim = p->ndim;
            memcpy(w->shape, p->shape, sizeof p->shape);
            w->name = strdup(p->name);
            w->data = malloc(p->count * sizeof(float));
            if (!w->name || !w->data) goto nomem;
            memcpy(w->data, t[j].data, p->count * sizeof(float));
        }
    }
    return 0;
nomem:
    avmit_keras_h5_free(out);
    return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
}

int avmit_model_export_keras_h5(const avmit_model *m, const char *path, avmit_error *err) {
    avmit_keras_h5 w;
    int rc = avmit_model_to_keras_h5(m, &w, err);
    if (rc) return rc;
    rc = avmit_keras_h5_write(path, &w, AVMIT_KERAS_STR_FIXED, 1, err);
    avmit_keras_h5_free(&w);
    return rc;
}

int avmit_model_export_npz(const avmit_model *m, const char *path, avmit_error *err) {
    model_tensor t[AVMIT_P_COUNT + AVMIT_S_COUNT];
    size_t nt = model_tensors(m, t);
    avmit_npz_entry e[AVMIT_P_COUNT + AVMIT_S_COUNT];
    for (size_t i = 0; i < nt; i++)
        e[i] = (avmit_npz_entry){t[i].info->name, AVMIT_DTYPE_F32, t[i].info->ndim, t[i].info->shape, t[i].data};
    return avmit_npz_write(path, e, nt, err);
}
