/*
 * train/loop.h — the one training-loop skeleton of both trainers (issue 12):
 * epochs, per-step Adam over the model's flat weights block, best-weights
 * copy, per-epoch files, early stopping, cancellation and callbacks. The
 * model-specific parts (the epoch's sample order, a step's batch, forward and
 * backward, validation and what counts as an improvement, metrics.csv and the
 * training-state format) are hooks; trainer.c (experiment 1) and
 * savc_train.c (SAVC) fill them. Internal to libavmit.
 *
 * Per epoch e (from st->epoch + 1 to max_epochs):
 *   n = begin_epoch(e)                    (seed e's streams, order the samples)
 *   for each step s < n: grads = 0; step(e, s, grads) (ADDS the gradients);
 *       Adam step t = ++st->adam_t with adam(e); progress(e, s);
 *       should_stop(user) != 0: the step is finished, the files of the last
 *       completed epoch stay as they are (a consistent state), AVMIT_E_CANCELLED
 *   end_epoch(e, &improved)               (validation, the epoch's metrics row)
 *   improved: best <- (w, s); save_best()
 *   write_epoch(e, seconds)               (metrics.csv, training state)
 *   epoch_end(user, row)                  (generic metrics row, may be NULL)
 *   stop_early(e) != 0: stop
 * On return (success or not) the blocks hold the last weights; the caller
 * decides about restoring the best ones.
 *
 * Randomness: the hooks derive every stream from (seed, purpose, epoch)
 * through avmit_train_stream, so nothing random carries over between epochs
 * and a resumed run continues bit-identically.
 *
 * Thread-safety: reentrant; the BLAS thread budget is the caller's
 * (avmit/nn.h: no process-wide setting is changed here).
 */
#ifndef AVMIT_TRAIN_LOOP_H
#define AVMIT_TRAIN_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/nn.h"
#include "avmit/rng.h"
#include "avmit/train.h"

/* The loop's state: what a training-state file must hold besides the
 * model-specific counters. Blocks are n_w (m, v, best_w) / n_s (best_s) floats. */
typedef struct avmit_loop_state {
    float *adam_m, *adam_v, *best_w, *best_s;
    long long adam_t;          /* Adam steps taken */
    int epoch;                 /* completed epochs */
} avmit_loop_state;

typedef struct avmit_loop_hooks {
    void *u;                   /* the trainer's context */
    float *w;                  /* trainable block, n_w floats (Adam updates it) */
    size_t n_w;
    float *s;                  /* state block copied with the best weights (n_s may be 0) */
    size_t n_s;
    int (*begin_epoch)(void *u, int epoch, avmit_adam_params *adam);   /* -> steps (> 0) */
    void (*step)(void *u, int epoch, int step, int n_steps, float *grads);
    int (*end_epoch)(void *u, int epoch, int *improved, avmit_error *err);
    int (*save_best)(void *u, avmit_error *err);
    int (*write_epoch)(void *u, int epoch, double seconds, int improved, const avmit_loop_state *st,
                       avmit_metrics_row *row, avmit_error *err);
    int (*stop_early)(void *u, int epoch);              /* NULL: never */
    /* caller callbacks */
    int (*should_stop)(void *user);
    void (*epoch_end)(void *user, const avmit_metrics_row *row);
    void *user;
    const char *out_dir;       /* for the cancellation message */
} avmit_loop_hooks;

/* Run epochs st->epoch + 1 .. max_epochs; *stopped_early set when stop_early
 * ended the run. Returns 0, AVMIT_E_CANCELLED or a hook's error. */
int avmit_loop_run(const avmit_loop_hooks *h, avmit_loop_state *st, int max_epochs, int *stopped_early,
                   avmit_error *err);

/* Allocate st's blocks (m, v zero; best = the current w, s). */
int avmit_loop_state_alloc(avmit_loop_state *st, const avmit_loop_hooks *h, avmit_error *err);
void avmit_loop_state_free(avmit_loop_state *st);

/* The stream of `purpose` in `epoch` (avmit_rng_seed(seed, purpose OP epoch)).
 * The two trainers combined them differently before issue 12 (experiment 1:
 * purpose + epoch; SAVC: purpose ^ epoch); both are kept so that runs and
 * resumed checkpoints stay bit-identical. */
typedef enum { AVMIT_STREAM_ADD = 0, AVMIT_STREAM_XOR = 1 } avmit_stream_mix;
void avmit_train_stream(avmit_rng *rng, uint64_t seed, uint64_t purpose, int epoch, avmit_stream_mix mix);

/* CLOCK_MONOTONIC seconds. */
double avmit_train_clock(void);

#endif /* AVMIT_TRAIN_LOOP_H */
