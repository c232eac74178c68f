/*
 * graph_io.c — summary rows, safetensors checkpoint and the Keras / TF2 /
 * .npz mapping of any graph (graph/graph_io.h). Keras pairs a weights file's
 * layers with the model's by ORDER and a layer's variables by attribute
 * ("kernel", "bias", "gamma", ...); every shape is checked; on error nothing
 * is copied.
 */
#include "graph/graph_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/npz.h"
#include "core/error_int.h"

float *avmit_graph_data(const avmit_graph *g, int t, float *w, float *s) {
    const avmit_gtensor *x = &g->tensors[t];
    return (x->block == AVMIT_GB_WEIGHTS ? w : s) + x->offset;
}

/* ---- summary --------------------------------------------------------------- */

int avmit_graph_layers(const avmit_graph *g, avmit_layer_row *rows, int max) {
    int n = 0;
    for (int i = 0; i < g->n_ops && n < max; i++) {
        const avmit_gop *op = &g->ops[i];
        const avmit_gvalue *v = &g->values[op->out];
        avmit_layer_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        snprintf(r->name, sizeof r->name, "%.*s", (int)sizeof r->name - 1, op->layer);
        snprintf(r->type, sizeof r->type, "%s", op->type);
        size_t o = (size_t)snprintf(r->output, sizeof r->output, "(None");
        for (int d = 0; d < v->ndim && o < sizeof r->output; d++)
            o += (size_t)snprintf(r->output + o, sizeof r->output - o, ", %lld", (long long)v->shape[d]);
        if (o < sizeof r->output) snprintf(r->output + o, sizeof r->output - o, ")");
        for (int t = op->param0; t < op->param0 + op->n_param; t++) {
            r->n_params += g->tensors[t].count;
            if (g->tensors[t].block == AVMIT_GB_WEIGHTS) r->n_trainable += g->tensors[t].count;
        }
    }
    return n;
}

/* ---- safetensors ------------------------------------------------------------ */

size_t avmit_graph_st_entries(const avmit_graph *g, float *w, float *s, avmit_st_entry *e) {
    size_t n = 0;
    for (int b = AVMIT_GB_WEIGHTS; b <= AVMIT_GB_STATE; b++)
        for (int i = 0; i < g->n_tensors; i++) {
            const avmit_gtensor *t = &g->tensors[i];
            if ((int)t->block == b)
                e[n++] = (avmit_st_entry){t->name, AVMIT_DTYPE_F32, t->ndim, t->shape,
                                          avmit_graph_data(g, i, w, s)};
        }
    return n;
}

int avmit_graph_st_write(const avmit_graph *g, const float *w, const float *s, const char *path,
                         const char *const *meta, size_t n_meta, avmit_error *err) {
    avmit_st_entry *e = calloc((size_t)g->n_tensors + 1, sizeof *e);
    if (!e) return AVMIT_NOMEM(err, "checkpoint table");
    size_t n = avmit_graph_st_entries(g, (float *)w, (float *)s, e);
    int rc = avmit_safetensors_write(path, e, n, meta, n_meta, err);
    free(e);
    return rc;
}

int avmit_graph_st_read(const avmit_graph *g, const avmit_safetensors *st, const char *path,
                        float *w, float *s, int strict, const char *arch, avmit_error *err) {
    avmit_st_entry *e = calloc((size_t)g->n_tensors + 1, sizeof *e);
    if (!e) return AVMIT_NOMEM(err, "checkpoint table");
    size_t n = avmit_graph_st_entries(g, w, s, e);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = avmit_safetensors_get_f32(st, path, e[i].name, e[i].ndim, e[i].shape, (float *)e[i].data, err);
    for (size_t i = 0; strict && i < st->n && !rc; i++)
        if (avmit_graph_find(g, st->t[i].name) < 0)
            rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, st->t[i].name,
                                 "unexpected tensor '%s' for a %s model", st->t[i].name, arch);
    free(e);
    return rc;
}

/* ---- Keras import / export --------------------------------------------------- */

/* "gru/gru_cell/kernel:0" -> "kernel" */
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

/* The ops with weights, Keras load order; *n their count. Caller frees. */
static int *weighted_ops(const avmit_graph *g, int *n) {
    int *idx = malloc(sizeof(int) * ((size_t)g->n_ops + 1));
    *n = 0;
    for (int i = 0; idx && i < g->n_ops; i++)
        if (g->ops[i].n_param) idx[(*n)++] = i;
    return idx;
}

static int check_layer_count(const avmit_graph *g, const char *arch, const avmit_keras_vars *v,
                             const char *src, const int *idx, int nl, avmit_error *err) {
    if (v->n_layers == (size_t)nl) return 0;
    char want[512] = "", have[512] = "";
    size_t o = 0;
    for (int i = 0; i < nl && o < sizeof want; i++)
        o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", i ? " " : "", g->ops[idx[i]].layer);
    o = 0;
    for (size_t i = 0; i < v->n_layers && o < sizeof have; i++)
        o += (size_t)snprintf(have + o, sizeof have - o, "%s%s", i ? " " : "", v->layers[i].name);
    return AVMIT_ERR(err, AVMIT_E_FORMAT, src, NULL,
                     "the file has %zu layers with weights (%s) but the %s model of the config "
                     "has %d (%s): weights for another architecture",
                     v->n_layers, have, arch, nl, want);
}

/* Match file layer k's variables to op's tensors; src_of[t] set for each. */
static int match_layer(const avmit_graph *g, const avmit_gop *op, const avmit_keras_vars *v,
                       size_t k, const avmit_keras_var **src_of, const char *src, avmit_error *err) {
    const avmit_keras_var_layer *l = &v->layers[k];
    const char *lname = op->layer;
    size_t used = 0;
    char attr[64], s1[96], s2[96];
    for (int i = op->param0; i < op->param0 + op->n_param; i++) {
        const avmit_gtensor *t = &g->tensors[i];
        attr_of(t->name, attr, sizeof attr);
        const avmit_keras_var *var = avmit_keras_vars_find(v, k, attr);
        shape_str(s1, sizeof s1, t->ndim, t->shape);
        AVMIT_RETURN_IF(!var, err, AVMIT_E_NOTFOUND, src, attr,
                        "layer with weights #%zu ('%s', the model's '%s') has no variable '%s' "
                        "(the model's '%s' needs shape %s)",
                        k, l->name, lname, attr, t->name, s1);
        int same = var->ndim == t->ndim;
        for (int d = 0; same && d < var->ndim; d++) same = var->shape[d] == t->shape[d];
        shape_str(s2, sizeof s2, var->ndim, var->shape);
        if (!same) {
            char pair[160] = "";
            if (strcmp(l->name, lname))
                snprintf(pair, sizeof pair, " (the file's layer '%s' is paired by order with the model's '%s')",
                         l->name, lname);
            return AVMIT_ERR(err, AVMIT_E_FORMAT, src, var->origin,
                             "variable '%s' has shape %s but the model's '%s' needs %s%s", var->origin, s2,
                             t->name, s1, pair);
        }
        int64_t cnt = avmit_keras_var_count(var);
        for (int64_t j = 0; j < cnt; j++)
            AVMIT_RETURN_IF(!isfinite(var->data[j]), err, AVMIT_E_NONFINITE, src, var->origin,
                            "variable '%s' has a non-finite value at flat index %lld", var->origin,
                            (long long)j);
        src_of[i] = var;
        used++;
    }
    if (used != l->n_vars)
        for (size_t j = 0; j < l->n_vars; j++) {
            int found = 0;
            for (int i = op->param0; i < op->param0 + op->n_param && !found; i++)
                found = src_of[i] == &l->vars[j];
            AVMIT_RETURN_IF(!found, err, AVMIT_E_FORMAT, src, l->vars[j].origin,
                            "unexpected variable '%s' in layer with weights #%zu ('%s'): the "
                            "model's '%s' takes %zu variables, the file's layer has %zu",
                            l->vars[j].origin, k, l->name, lname, used, l->n_vars);
        }
    return 0;
}

int avmit_graph_import(const avmit_graph *g, float *w, float *s, const char *arch,
                       const avmit_keras_vars *v, avmit_error *err) {
    const char *src = v->source ? v->source : "weights";
    int nl, *idx = weighted_ops(g, &nl);
    const avmit_keras_var **src_of = calloc((size_t)g->n_tensors + 1, sizeof *src_of);
    int rc = idx && src_of ? check_layer_count(g, arch, v, src, idx, nl, err)
                           : AVMIT_NOMEM(err, src);
    for (int k = 0; k < nl && !rc; k++)
        rc = match_layer(g, &g->ops[idx[k]], v, (size_t)k, src_of, src, err);
    for (int i = 0; !rc && i < g->n_tensors; i++)
        if (!src_of[i])
            rc = AVMIT_ERR(err, AVMIT_E_NOTFOUND, src, g->tensors[i].name, "no variable for the model's '%s'",
                           g->tensors[i].name);
    for (int i = 0; !rc && i < g->n_tensors; i++)
        memcpy(avmit_graph_data(g, i, w, s), src_of[i]->data, g->tensors[i].count * sizeof(float));
    free(src_of);
    free(idx);
    return rc;
}

int avmit_graph_to_keras_h5(const avmit_graph *g, const float *w, const float *s,
                            const char *keras_version, avmit_keras_h5 *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    out->backend = strdup("tensorflow");
    out->keras_version = strdup(keras_version);
    out->layers = calloc((size_t)g->n_ops + 1, sizeof *out->layers);
    if (!out->backend || !out->keras_version || !out->layers) goto nomem;
    for (int i = 0; i < g->n_ops; i++, out->n_layers++) {
        const avmit_gop *op = &g->ops[i];
        avmit_keras_layer *l = &out->layers[i];
        if (!(l->name = strdup(op->layer))) goto nomem;
        if (!op->n_param) continue;
        if (!(l->weights = calloc((size_t)op->n_param, sizeof *l->weights))) goto nomem;
        for (int j = op->param0; j < op->param0 + op->n_param; j++) {
            const avmit_gtensor *t = &g->tensors[j];
            avmit_keras_weight *kw = &l->weights[l->n_weights++];
            kw->ndim = t->ndim;
            memcpy(kw->shape, t->shape, sizeof t->shape);
            kw->name = strdup(t->name);
            kw->data = malloc(t->count * sizeof(float));
            if (!kw->name || !kw->data) goto nomem;
            memcpy(kw->data, avmit_graph_data(g, j, (float *)w, (float *)s), t->count * sizeof(float));
        }
    }
    return 0;
nomem:
    avmit_keras_h5_free(out);
    return AVMIT_NOMEM(err, "Keras weights tree");
}

int avmit_graph_export_npz(const avmit_graph *g, const float *w, const float *s, const char *path,
                           avmit_error *err) {
    avmit_npz_entry *e = calloc((size_t)g->n_tensors + 1, sizeof *e);
    if (!e) return AVMIT_NOMEM(err, path);
    for (int j = 0; j < g->n_tensors; j++) {
        const avmit_gtensor *t = &g->tensors[j];
        e[j] = (avmit_npz_entry){t->name, AVMIT_DTYPE_F32, t->ndim, t->shape,
                                 avmit_graph_data(g, j, (float *)w, (float *)s)};
    }
    int rc = avmit_npz_write(path, e, (size_t)g->n_tensors, err);
    free(e);
    return rc;
}
