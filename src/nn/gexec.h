/*
 * nn/gexec.h — the one executor of graph/graph.h's training op kinds (issue
 * 12): workspace planner, forward, backward, and Keras initial values.
 * Internal to libavmit; the public wrappers are avmit/model.h and avmit/savc.h.
 *
 * Rows: an op over a value of shape [d0, ..., C] (no batch) works on
 * N = B * d0 * ... rows of C floats, n = b*T + t for time-distributed values.
 * Values are (pointer, row stride) pairs: INPUT values are bound by the caller
 * (avmit_gexec_bind; the stride lets two inputs share one [N, D_a + D_v]
 * array), IDENTITY outputs alias their input, every other value owns a
 * buffer of max_batch * count floats in the workspace.
 *
 * Forward (training != 0): BN uses batch statistics and updates the state
 * block; the RNN applies the dropout mask [B, D_rnn_in] when one is given.
 * Backward follows the forward in reverse op order: every gradient buffer is
 * zeroed, then each op ADDS d(mean loss)/d(...) into its input's gradient and
 * its parameters' gradients (grads: n_weights floats, weights layout), from
 * the graph's loss over the final SOFTMAX. Results are the same bits as the
 * layer calls of avmit/nn.h in the same order.
 *
 * Thread-safety: one exec per thread; the graph and weights are shared
 * read-only (the training forward writes the state block).
 */
#ifndef AVMIT_NN_GEXEC_H
#define AVMIT_NN_GEXEC_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "graph/graph.h"

typedef struct avmit_gexec avmit_gexec;

/* Plan and allocate the workspace for batches of up to max_batch samples. */
int avmit_gexec_create(avmit_gexec **out, const avmit_graph *g, int max_batch, avmit_error *err);
void avmit_gexec_free(avmit_gexec *ex);
int avmit_gexec_max_batch(const avmit_gexec *ex);
/* Floats the planner gives a workspace of max_batch (for tests and docs). */
size_t avmit_gexec_plan_size(const avmit_graph *g, int max_batch);

/* Bind INPUT value v to rows of x with stride ld floats (>= its last dim). */
void avmit_gexec_bind(avmit_gexec *ex, int v, const float *x, size_t ld);
/* The buffer of value v (contiguous rows) after a forward. */
float *avmit_gexec_value(const avmit_gexec *ex, int v);

/* Run the ops with run[i] != 0 (run NULL: all) over B samples (1..max_batch).
 * w, s: the parameter blocks (s updated by a training BN). mask: the RNN input
 * dropout mask [B, D] (copied; NULL = none), used only when training.
 * Returns 0, or AVMIT_E_ARG when B is out of range. */
int avmit_gexec_forward(avmit_gexec *ex, const float *w, float *s, int B, int training,
                        const float *mask, const unsigned char *run);
/* Backward of the last forward over all ops: labels [B]. */
void avmit_gexec_backward(avmit_gexec *ex, const float *w, const int *labels, float *grads);

/* run[i] = 1 for every op value v depends on (v's producer included), else 0
 * (run: g->n_ops entries). Returns 0 or AVMIT_E_NOMEM. */
int avmit_graph_ancestors(const avmit_graph *g, int v, unsigned char *run, avmit_error *err);

/* Keras initial values of every tensor (avmit_ginit) into (w, s); tensor t
 * draws from avmit_rng_seed(seed, avmit_hash64(name)). constants_only: ones
 * for AVMIT_INIT_ONES, zeros everywhere else (no random draws). Returns 0 or
 * AVMIT_E_NOMEM. */
int avmit_graph_init_params(const avmit_graph *g, float *w, float *s, uint64_t seed,
                            int constants_only, avmit_error *err);

#endif /* AVMIT_NN_GEXEC_H */
