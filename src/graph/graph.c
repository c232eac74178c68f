/*
 * graph.c — tables of the one model description (graph/graph.h): append
 * values, tensors and ops; find tensors by name or (layer, position).
 * No BLAS, no oneDNN: executors live with their ops (src/nn, src/cnn).
 */
#include "graph/graph.h"

#include "core/error_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void avmit_graph_init(avmit_graph *g) { memset(g, 0, sizeof *g); g->output = -1; }

void avmit_graph_free(avmit_graph *g) {
    if (!g) return;
    free(g->tensors);
    free(g->values);
    free(g->ops);
    avmit_graph_init(g);
}

/* Grow a table to hold one more element of `size` bytes. */
static int grow(void **p, int *cap, int n, size_t size, avmit_error *err) {
    if (n < *cap) return 0;
    int nc = *cap ? *cap * 2 : 16;
    void *q = realloc(*p, (size_t)nc * size);
    if (!q) return AVMIT_NOMEM(err, "model graph");
    *p = q;
    *cap = nc;
    return 0;
}

int avmit_graph_value(avmit_graph *g, int ndim, const int64_t *shape, avmit_error *err) {
    if (ndim < 0 || ndim > AVMIT_G_MAX_DIMS)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "", "graph value with %d dimensions (at most %d)", ndim, AVMIT_G_MAX_DIMS);
    int rc = grow((void **)&g->values, &g->cap_values, g->n_values, sizeof *g->values, err);
    if (rc) return rc;
    avmit_gvalue *v = &g->values[g->n_values];
    memset(v, 0, sizeof *v);
    v->ndim = ndim;
    v->count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1)
            return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "", "graph value dimension %d is %lld", i, (long long)shape[i]);
        v->shape[i] = shape[i];
        v->count *= (size_t)shape[i];
    }
    return g->n_values++;
}

int avmit_graph_tensor(avmit_graph *g, const char *layer, const char *name, int index,
                       avmit_gblock block, int ndim, const int64_t *shape, avmit_error *err) {
    if (ndim < 0 || ndim > 4)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, name, "parameter tensor with %d dimensions (at most 4)", ndim);
    int rc = grow((void **)&g->tensors, &g->cap_tensors, g->n_tensors, sizeof *g->tensors, err);
    if (rc) return rc;
    avmit_gtensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    snprintf(t->layer, sizeof t->layer, "%s", layer);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->index = index;
    t->block = block;
    t->ndim = ndim;
    t->count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1)
            return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, name, "parameter dimension %d is %lld", i, (long long)shape[i]);
        t->shape[i] = shape[i];
        t->count *= (size_t)shape[i];
    }
    size_t *n = block == AVMIT_GB_WEIGHTS ? &g->n_weights : &g->n_state;
    t->offset = *n;
    *n += t->count;
    return g->n_tensors++;
}

int avmit_graph_op(avmit_graph *g, const avmit_gop *op, avmit_error *err) {
    if (op->kind < 0 || op->kind >= AVMIT_OP_KIND_COUNT || op->n_in < 0 || op->n_in > AVMIT_G_MAX_IN)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, op->layer, "bad graph op");
    for (int i = 0; i < op->n_in; i++)
        if (op->in[i] < 0 || op->in[i] >= g->n_values)
            return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, op->layer, "op input %d is not a value", i);
    if (op->out < 0 || op->out >= g->n_values || op->param0 < 0 || op->n_param < 0 ||
        op->param0 + op->n_param > g->n_tensors)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, op->layer, "op output or parameter slice out of range");
    int rc = grow((void **)&g->ops, &g->cap_ops, g->n_ops, sizeof *g->ops, err);
    if (rc) return rc;
    g->ops[g->n_ops] = *op;
    g->output = op->out;
    return g->n_ops++;
}

int avmit_graph_find(const avmit_graph *g, const char *name) {
    for (int i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0) return i;
    return -1;
}

int avmit_graph_find_layer(const avmit_graph *g, const char *layer, int index) {
    for (int i = 0; i < g->n_tensors; i++)
        if (g->tensors[i].index == index && strcmp(g->tensors[i].layer, layer) == 0) return i;
    return -1;
}
