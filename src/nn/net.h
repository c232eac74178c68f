/*
 * nn/net.h — what the public model wrappers (avmit/model.h, avmit/savc.h)
 * share around a graph built by nn/builders.h: building it on the heap, the
 * public parameter tables, the parameter blocks, the summary rows, and the
 * graph's INPUT values. Internal to libavmit.
 */
#ifndef AVMIT_NN_NET_H
#define AVMIT_NN_NET_H

#include <stddef.h>

#include "avmit/model.h"
#include "graph/graph.h"

/* A builder of nn/builders.h with its config type erased. */
typedef int (*avmit_net_builder)(avmit_graph *g, const void *cfg, int *tid, avmit_error *err);

/* A new heap graph built by b from cfg (tid as the builder's). */
int avmit_net_build(avmit_graph **out, avmit_net_builder b, const void *cfg, int *tid, avmit_error *err);
void avmit_net_free(avmit_graph *g);
/* info[i] for tid[i] (n entries, all of one block): name, shape, offset,
 * count from the graph; an absent tensor (tid -1) gets count 0 and the
 * running offset. */
void avmit_net_tables(const avmit_graph *g, const int *tid, int n, avmit_param_info *info);
/* Blocks of g->n_weights and max(g->n_state, 1) floats with the constant
 * initial values (ones where Keras starts at one, else zeros). */
int avmit_net_alloc(const avmit_graph *g, float **w, float **s, avmit_error *err);
/* Summary rows of the graph b builds from cfg (0 when cfg does not build). */
int avmit_net_layers(avmit_net_builder b, const void *cfg, avmit_layer_row *rows, int max);
/* The values of the INPUT ops in op order (at most max); returns their count. */
int avmit_net_inputs(const avmit_graph *g, int *in, int max);

#endif /* AVMIT_NN_NET_H */
