/*
 * model_io.c — the shared core of `avmit model import|export` (model_io_int.h):
 * Keras-load-order pairing of a weights file's layers with a model's, the
 * per-variable checks, and the model as a Keras weights tree or an .npz
 * (FORMATS.md §5.1, §6.4, §9).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/npz.h"
#include "model_io_int.h"

/* "gru/gru_cell/kernel:0": layer "gru" (its length), attribute "kernel". */
static size_t layer_len(const char *name) {
    const char *s = strchr(name, '/');
    return s ? (size_t)(s - name) : strlen(name);
}

static int in_layer(const char *tensor_name, const char *layer) {
    size_t n = strlen(layer);
    return layer_len(tensor_name) == n && !strncmp(tensor_name, layer, n);
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

/* Indexes of the rows with weights (Keras load order). */
static int weighted_layers(const avmit_io_model *m, int idx[AVMIT_MODEL_MAX_LAYERS]) {
    int k = 0;
    for (int i = 0; i < m->n_rows && k < AVMIT_MODEL_MAX_LAYERS; i++)
        if (m->rows[i].n_params) idx[k++] = i;
    return k;
}

static int check_layer_count(const avmit_io_model *m, const avmit_keras_vars *v, const char *src,
                             const int *idx, int nl, avmit_error *err) {
    if (v->n_layers == (size_t)nl) return 0;
    char want[512] = "", have[512] = "";
    size_t o = 0;
    for (int i = 0; i < nl && o < sizeof want; i++)
        o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", i ? " " : "", m->rows[idx[i]].name);
    o = 0;
    for (size_t i = 0; i < v->n_layers && o < sizeof have; i++)
        o += (size_t)snprintf(have + o, sizeof have - o, "%s%s", i ? " " : "", v->layers[i].name);
    return avmit_error_set(err, AVMIT_E_FORMAT, src, -1, -1, -1, NULL,
                           "the file has %zu layers with weights (%s) but the %s model of the config "
                           "has %d (%s): weights for another architecture",
                           v->n_layers, have, m->arch, nl, want);
}

/* Match layer k's variables to the model tensors of layer lname; on success
 * src_of[i] is set for each of those tensors. */
static int match_layer(const avmit_io_model *m, const avmit_keras_vars *v, size_t k,
                       const char *lname, const avmit_keras_var **src_of, const char *src,
                       avmit_error *err) {
    const avmit_keras_var_layer *l = &v->layers[k];
    size_t used = 0;
    char attr[64], s1[96], s2[96];
    for (size_t i = 0; i < m->nt; i++) {
        const char *name = m->t[i].info->name;
        if (!in_layer(name, lname)) continue;
        attr_of(name, attr, sizeof attr);
        const avmit_keras_var *var = avmit_keras_vars_find(v, k, attr);
        shape_str(s1, sizeof s1, m->t[i].info->ndim, m->t[i].info->shape);
        if (!var)
            return avmit_error_set(err, AVMIT_E_NOTFOUND, src, -1, -1, -1, attr,
                                   "layer with weights #%zu ('%s', the model's '%s') has no variable '%s' "
                                   "(the model's '%s' needs shape %s)",
                                   k, l->name, lname, attr, name, s1);
        int same = var->ndim == m->t[i].info->ndim;
        for (int d = 0; same && d < var->ndim; d++) same = var->shape[d] == m->t[i].info->shape[d];
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
            for (size_t i = 0; i < m->nt && !found; i++) found = src_of[i] == &l->vars[j];
            if (!found)
                return avmit_error_set(err, AVMIT_E_FORMAT, src, -1, -1, -1, l->vars[j].origin,
                                       "unexpected variable '%s' in layer with weights #%zu ('%s'): the "
                                       "model's '%s' takes %zu variables, the file's layer has %zu",
                                       l->vars[j].origin, k, l->name, lname, used, l->n_vars);
        }
    return 0;
}

int avmit_io_import(const avmit_io_model *m, const avmit_keras_vars *v, avmit_error *err) {
    const char *src = v->source ? v->source : "weights";
    int idx[AVMIT_MODEL_MAX_LAYERS];
    int nl = weighted_layers(m, idx);
    int rc = check_layer_count(m, v, src, idx, nl, err);
    if (rc) return rc;
    const avmit_keras_var **src_of = calloc(m->nt + 1, sizeof *src_of);
    if (!src_of) return avmit_error_path(err, AVMIT_E_NOMEM, src, "out of memory");
    for (int k = 0; k < nl && !rc; k++)
        rc = match_layer(m, v, (size_t)k, m->rows[idx[k]].name, src_of, src, err);
    for (size_t i = 0; !rc && i < m->nt; i++)
        if (!src_of[i])
            rc = avmit_error_set(err, AVMIT_E_NOTFOUND, src, -1, -1, -1, m->t[i].info->name,
                                 "no variable for the model's '%s'", m->t[i].info->name);
    for (size_t i = 0; !rc && i < m->nt; i++)
        memcpy(m->t[i].data, src_of[i]->data, m->t[i].info->count * sizeof(float));
    free(src_of);
    return rc;
}

int avmit_io_to_keras_h5(const avmit_io_model *m, const char *keras_version, avmit_keras_h5 *out,
                         avmit_error *err) {
    memset(out, 0, sizeof *out);
    out->backend = strdup("tensorflow");
    out->keras_version = strdup(keras_version);
    out->layers = calloc((size_t)m->n_rows + 1, sizeof *out->layers);
    if (!out->backend || !out->keras_version || !out->layers) goto nomem;
    for (int i = 0; i < m->n_rows; i++, out->n_layers++) {
        avmit_keras_layer *l = &out->layers[i];
        if (!(l->name = strdup(m->rows[i].name))) goto nomem;
        if (!m->rows[i].n_params) continue;
        if (!(l->weights = calloc(m->nt, sizeof *l->weights))) goto nomem;
        for (size_t j = 0; j < m->nt; j++) {
            const avmit_param_info *p = m->t[j].info;
            if (!in_layer(p->name, l->name)) continue;
            avmit_keras_weight *w = &l->weights[l->n_weights++];
            w->ndim = p->ndim;
            memcpy(w->shape, p->shape, sizeof p->shape);
            w->name = strdup(p->name);
            w->data = malloc(p->count * sizeof(float));
            if (!w->name || !w->data) goto nomem;
            memcpy(w->data, m->t[j].data, p->count * sizeof(float));
        }
    }
    return 0;
nomem:
    avmit_keras_h5_free(out);
    return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
}

int avmit_io_export_npz(const avmit_io_model *m, const char *path, avmit_error *err) {
    avmit_npz_entry *e = calloc(m->nt + 1, sizeof *e);
    if (!e) return avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory");
    for (size_t i = 0; i < m->nt; i++)
        e[i] = (avmit_npz_entry){m->t[i].info->name, AVMIT_DTYPE_F32, m->t[i].info->ndim,
                                 m->t[i].info->shape, m->t[i].data};
    int rc = avmit_npz_write(path, e, m->nt, err);
    free(e);
    return rc;
}
