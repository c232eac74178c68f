/*
 * avmit/savc_train.h — SAVC training, evaluation and scoring (SPEC.md §5
 * experiment 2; the paper's SAVC/train_with_euclidean_distance.py).
 *
 * Data: every video any pair names is loaded once into padded arrays
 * [n, T, D_a] and [n, T, D_v] (zero-padded at the end to T steps, not masked; a
 * longer stream is an error, as padded_batch fails on it). Pairs are index
 * pairs into this store (avmit/savc_pairs.h): no embedding is copied per pair
 * except into the current batch. A file is looked up under each root in turn
 * (the config's tfrecords_loc1, then tfrecords_loc2, as the reference does).
 *
 * Training: an epoch draws `epoch_pairs` (12,960) pairs, half from the
 * congruent list and half from the incongruent one (each half without
 * replacement), shuffles them, and runs batches of 512 (the last one smaller),
 * with the RNN input dropout mask per sample, binary cross-entropy, Keras Adam
 * (lr 1e-4) with decoupled weight decay 1e-5 applied before each step.
 * Validation: a fixed subset of up to `val_pairs` (12,960) validation pairs,
 * half of each kind, drawn once from the seed (the reference takes the first
 * 12,960 of its interleaved validation stream every epoch); each video is
 * embedded once per pass since the weights are frozen there. The checkpoint
 * with the best validation accuracy (strictly greater, as Keras's
 * ModelCheckpoint mode 'max') is kept. Randomness comes from avmit_rng streams
 * (seed, epoch), so a run resumed from its last completed epoch ends
 * bit-identical to an uninterrupted one with the same seed and thread count.
 *
 * MODELDIR: model.safetensors (best weights, Keras names, the model config in
 * its metadata), metrics.csv (epoch,loss,accuracy,val_loss,val_accuracy,seconds,
 * best), train_state.safetensors (last epoch's weights, Adam m/v and counters).
 * Every file is written atomically.
 *
 * Threads: as avmit/train.h (no process-wide setting is changed).
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_SAVC_TRAIN_H
#define AVMIT_SAVC_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/savc.h"
#include "avmit/savc_pairs.h"
#include "avmit/train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_savc_data {
    size_t n;       /* videos (the avmit_savc_videos entries) */
    int T, Da, Dv;
    float *audio;   /* [n, T, Da] */
    float *visual;  /* [n, T, Dv] */
} avmit_savc_data;

/* Load every video of v: the first of <roots[r]>/<tfrecord> that exists (roots
 * "" or NULL entries are skipped). Errors name the file: missing under every
 * root, D_a/D_v not the model's, T_a or T_v above cfg->timesteps, not finite. */
int avmit_savc_data_load(avmit_savc_data *out, const avmit_savc_videos *v,
                         const char *const *roots, size_t n_roots, const avmit_savc_config *cfg,
                         int n_threads, avmit_error *err);
void avmit_savc_data_free(avmit_savc_data *d);

/* ---- evaluation and scoring ------------------------------------------------------ */
typedef struct avmit_savc_eval {
    size_t n;
    double loss;            /* mean binary cross-entropy */
    double accuracy;        /* Keras binary_accuracy */
    size_t confusion[2][2]; /* [true][predicted], 0 incongruent, 1 congruent; predicted
                             * = congruent when p_congruent > 0.5 */
} avmit_savc_eval;

/* Probabilities of congruence (probs[i] = p[i][1]) for pairs (audio[i], visual[i])
 * of data, each involved video embedded once; labels may be NULL (scoring),
 * else out is filled. probs may be NULL. */
int avmit_savc_predict(const avmit_savc_model *m, const avmit_savc_data *data,
                       const avmit_savc_pairs *pairs, const int *labels, int batch, float *probs,
                       avmit_savc_eval *out, avmit_error *err);
/* Evaluate congruent (label 1) and incongruent (label 0) pairs together. */
int avmit_savc_evaluate(const avmit_savc_model *m, const avmit_savc_data *data,
                        const avmit_savc_pairs *cong, const avmit_savc_pairs *incong, int batch,
                        avmit_savc_eval *out, avmit_error *err);

/* ---- the model file ---------------------------------------------------------- */
/* MODELDIR/model.safetensors with the config in its metadata. */
int avmit_savc_model_save(const avmit_savc_model *m, const char *path, avmit_error *err);
int avmit_savc_model_load(avmit_savc_model **out, const char *path, avmit_error *err);

/* ---- training ------------------------------------------------------------------ */
typedef struct avmit_savc_train_params {
    int epochs;           /* 200 */
    int batch;            /* 512 */
    double lr;            /* 1e-4 */
    double weight_decay;  /* 1e-5 */
    size_t epoch_pairs;   /* 12,960 (even) */
    size_t val_pairs;     /* 12,960 */
    uint64_t seed;        /* 1 */
    int n_threads;        /* <= 0: all cores */
} avmit_savc_train_params;
avmit_savc_train_params avmit_savc_train_default_params(void);

typedef struct avmit_savc_epoch {
    int epoch;            /* 1-based */
    double loss, accuracy, val_loss, val_accuracy, seconds;
    int improved;         /* new best validation accuracy (checkpoint written) */
} avmit_savc_epoch;

typedef struct avmit_savc_train_callbacks {
    void (*on_step)(void *ctx, int epoch, int step, int n_steps, double loss, double acc);
    /* replayed = 1 for the epochs a resume restores from metrics.csv */
    void (*on_epoch)(void *ctx, const avmit_savc_epoch *e, int replayed);
    /* checked after every step: non-zero finishes the step and returns
     * AVMIT_E_CANCELLED; the directory keeps the last completed epoch's files */
    int (*should_stop)(void *ctx);
    void *ctx;
    /* after every completed epoch: its metrics row (loss, accuracy, val_loss,
     * val_accuracy, seconds) */
    void (*epoch_end)(void *ctx, const avmit_metrics_row *row);
} avmit_savc_train_callbacks;

typedef struct avmit_savc_train_result {
    int epochs_run;
    int best_epoch;
    avmit_savc_epoch best;
} avmit_savc_train_result;

/* Train m (created and initialised by the caller) into out_dir (created).
 * resume != 0: continue from out_dir/train_state.safetensors (same config and
 * seed required). cb may be NULL. On return m holds the best weights. */
int avmit_savc_train(avmit_savc_model *m, const avmit_savc_data *data,
                     const avmit_savc_pairs *train_cong, const avmit_savc_pairs *train_incong,
                     const avmit_savc_pairs *val_cong, const avmit_savc_pairs *val_incong,
                     const avmit_savc_train_params *p, const char *out_dir, int resume,
                     const avmit_savc_train_callbacks *cb, avmit_savc_train_result *res,
                     avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SAVC_TRAIN_H */
