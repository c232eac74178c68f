/*
 * nn/builders.h — the model builders (builders.c): each appends one network's
 * values, Keras-named tensors and ops to an empty graph (graph/graph.h) from
 * its validated config. tid receives the graph tensor id of each entry of the
 * public parameter enums (avmit/model.h AVMIT_P_*, then AVMIT_S_*; avmit/savc.h
 * AVMIT_SV_*), -1 for an absent modality. Returns 0 or AVMIT_E_*.
 */
#ifndef AVMIT_NN_BUILDERS_H
#define AVMIT_NN_BUILDERS_H

#include "avmit/model.h"
#include "avmit/savc.h"
#include "graph/graph.h"

#define AVMIT_EXP1_TENSORS (AVMIT_P_COUNT + AVMIT_S_COUNT)

int avmit_exp1_build(avmit_graph *g, const avmit_model_config *c, int tid[AVMIT_EXP1_TENSORS],
                     avmit_error *err);
int avmit_savc_build(avmit_graph *g, const avmit_savc_config *c, int tid[AVMIT_SV_COUNT], avmit_error *err);

#endif /* AVMIT_NN_BUILDERS_H */
