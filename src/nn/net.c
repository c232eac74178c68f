/*
 * net.c — the shared plumbing of the model wrappers (nn/net.h).
 */
#include "nn/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error_int.h"
#include "graph/graph_io.h"
#include "nn/gexec.h"

int avmit_net_build(avmit_graph **out, avmit_net_builder b, const void *cfg, int *tid, avmit_error *err) {
    *out = malloc(sizeof **out);
    if (!*out) return AVMIT_NOMEM(err, "model graph");
    avmit_graph_init(*out);
    int rc = b(*out, cfg, tid, err);
    if (rc) {
        avmit_net_free(*out);
        *out = NULL;
    }
    return rc;
}

void avmit_net_free(avmit_graph *g) {
    avmit_graph_free(g);
    free(g);
}

void avmit_net_tables(const avmit_graph *g, const int *tid, int n, avmit_param_info *info) {
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        avmit_param_info *p = &info[i];
        memset(p, 0, sizeof *p);
        if (tid[i] < 0) { /* absent: the running offset */
            p->offset = off;
            continue;
        }
        const avmit_gtensor *t = &g->tensors[tid[i]];
        snprintf(p->name, sizeof p->name, "%.*s", (int)sizeof p->name - 1, t->name);
        p->ndim = t->ndim;
        memcpy(p->shape, t->shape, sizeof p->shape);
        p->offset = t->offset;
        p->count = t->count;
        off = t->offset + t->count;
    }
}

int avmit_net_alloc(const avmit_graph *g, float **w, float **s, avmit_error *err) {
    *w = calloc(g->n_weights ? g->n_weights : 1, sizeof(float));
    *s = calloc(g->n_state ? g->n_state : 1, sizeof(float));
    if (!*w || !*s) {
        free(*w), free(*s);
        *w = *s = NULL;
        return AVMIT_NOMEM(err, "model parameters");
    }
    return avmit_graph_init_params(g, *w, *s, 0, 1, err);
}

int avmit_net_layers(avmit_net_builder b, const void *cfg, avmit_layer_row *rows, int max) {
    int tid[64];
    avmit_graph *g;
    if (avmit_net_build(&g, b, cfg, tid, NULL)) return 0;
    int n = avmit_graph_layers(g, rows, max);
    avmit_net_free(g);
    return n;
}

int avmit_net_inputs(const avmit_graph *g, int *in, int max) {
    int n = 0;
    for (int i = 0; i < g->n_ops && n < max; i++)
        if (g->ops[i].kind == AVMIT_OP_INPUT) in[n++] = g->ops[i].out;
    return n;
}
