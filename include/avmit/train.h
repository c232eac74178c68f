/*
 * avmit/train.h — experiment-1 training, evaluation and prediction (SPEC.md §5)
 * and the model directory they read and write.
 *
 * Data: a split's embedding files are loaded once into one contiguous padded
 * array [n, T, D] (D = D_a + D_v, audio columns first, zero-padded at the end
 * to T steps as Keras padded_batch does; float32 or, with fp16, IEEE halves
 * that are widened per batch). The label is the record's context 'label'
 * (FORMATS.md §3.4; an unknown one is an error, never class 0).
 *
 * Training: Keras Adam, batch 16, reshuffled every epoch, RNN input dropout,
 * early stopping on validation loss (patience, min_delta: improvement means
 * val_loss < best - min_delta), the best weights written to
 * MODELDIR/model.safetensors at each improvement and restored at the end;
 * optional per-epoch learning-rate decay lr0 * exp(-decay * epoch) (needed to
 * reproduce Table 6, SPEC.md §5) and decoupled weight decay. Randomness comes
 * from avmit_rng streams (seed, epoch), so an epoch's shuffle and dropout
 * masks do not depend on earlier epochs: a run resumed from its last
 * completed epoch (MODELDIR/train_state.safetensors) ends bit-identical to an
 * uninterrupted one with the same seed and thread count.
 *
 * MODELDIR: model.safetensors (weights named like the Keras layers,
 * include/avmit/model.h, plus BN moving statistics), config.json (model,
 * training parameters, data paths), metrics.csv (one row per epoch),
 * results.txt (best epoch's validation metrics), train_state.safetensors.
 * Every file is written atomically.
 *
 * Threads: n_threads is the run's budget. The library never changes
 * OpenBLAS's process-wide thread count; a run gives OpenBLAS its budget for
 * the calling thread only where OpenBLAS offers a thread-local setting (see
 * avmit/nn.h "Threads"). Concurrent runs do not change each other's results
 * (tests/unit/test_train_threads.c).
 *
 * Thread-safety: functions are reentrant.
 */
#ifndef AVMIT_TRAIN_H
#define AVMIT_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/model.h"
#include "avmit/split.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- data -------------------------------------------------------------------- */
typedef struct avmit_examples {
    size_t n;          /* samples */
    int T, D;          /* timesteps, floats per row */
    int fp16;          /* x holds uint16 halves instead of floats */
    void *x;           /* [n, T, D] */
    int *labels;       /* [n] class ids from the records */
    char **files;      /* [n] path of each embedding file */
    char **filenames;  /* [n] context 'filename' of each record */
    /* NULL, or an index view (search trials): sample i is row rows[i] of x, and x,
     * rows belong to someone else (avmit_examples_free leaves them); labels stay [n]. */
    const uint32_t *rows;
} avmit_examples;

/* Load every video of `split` from <tfrecord_dir>/<tfrecord_filename> using
 * n_threads threads (<= 0: all cores). Checks per file (errors name the file):
 * exactly one record, D_a/D_v equal to the model's, T_a and T_v <= T, a label
 * of the 16 classes, finite values. On error nothing is kept. */
int avmit_examples_load_split(avmit_examples *out, const avmit_split *split,
                              const char *tfrecord_dir, const avmit_model_config *cfg, int fp16,
                              int n_threads, avmit_error *err);
/* The same for a list of embedding files. */
int avmit_examples_load_files(avmit_examples *out, const char *const *paths, size_t n_paths,
                              const avmit_model_config *cfg, int fp16, int n_threads,
                              avmit_error *err);
/* Keep only the first n rows of each label_id of s (n <= 0: keep all); used for
 * quick runs on a sample. Returns 0 or AVMIT_E_NOMEM. */
int avmit_train_limit_per_class(avmit_split *s, long n, avmit_error *err);
/* x_out [B, T, D] float = samples idx[0..B) (halves widened). */
void avmit_examples_gather(const avmit_examples *e, const uint32_t *idx, int B, float *x_out);
/* Bytes held by e->x. */
size_t avmit_examples_bytes(const avmit_examples *e);
void avmit_examples_free(avmit_examples *e);

/* ---- evaluation ------------------------------------------------------------------ */
typedef struct avmit_eval_result {
    size_t n;
    int K;
    double loss;          /* mean clipped cross-entropy */
    double top1, top5;    /* fractions; top-k: fewer than k classes score above the
                           * true one (tf.math.in_top_k), top-1: first argmax */
    size_t *class_n;      /* [K] samples per true class */
    double *class_acc;    /* [K] top-1 per true class (NaN when class_n is 0) */
    size_t *confusion;    /* [K, K] row = true class, column = predicted */
    float *probs;         /* [n, K] when requested, else NULL */
} avmit_eval_result;

/* Inference-mode pass (BN moving statistics, no dropout) in batches. */
int avmit_evaluate(avmit_model *m, const avmit_examples *data, int batch, int keep_probs,
                   avmit_eval_result *out, avmit_error *err);
void avmit_eval_result_free(avmit_eval_result *r);
/* The confusion matrix as a heat map (avmit_plot_heatmap: row-normalised shading,
 * counts in the cells, class names for K = 16), written atomically as SVG or PNG by
 * the path's extension. Needs cairo: AVMIT_E_UNSUPPORTED without it. */
int avmit_confusion_write_svg(const avmit_eval_result *r, const char *path, avmit_error *err);

/* ---- training ---------------------------------------------------------------------- */
typedef struct avmit_train_params {
    int epochs;            /* 200 */
    int batch;             /* 16 */
    double lr;             /* learning rate (train.yaml training.learning_rate) */
    double lr_decay;       /* per-epoch exponential decay k: lr0 * exp(-k * epoch); 0 = off */
    double weight_decay;   /* decoupled, 0 = off */
    int patience;          /* 20; 0 = no early stopping */
    double min_delta;      /* 0.001 */
    uint64_t seed;         /* 1 */
    int n_threads;         /* <= 0: all cores */
    int fp16_data;         /* keep the loaded data as halves */
    long limit_per_class;  /* > 0: only the first N rows of each class of each CSV */
} avmit_train_params;
avmit_train_params avmit_train_default_params(void);

/* Where the data came from, kept in config.json so --resume needs nothing else. */
#define AVMIT_TRAIN_PATH_MAX 1024
typedef struct avmit_data_paths {
    char tfrecords[AVMIT_TRAIN_PATH_MAX];
    char train_csv[AVMIT_TRAIN_PATH_MAX];
    char val_csv[AVMIT_TRAIN_PATH_MAX];
} avmit_data_paths;

typedef struct avmit_epoch_metrics {
    int epoch;             /* 1-based */
    double lr;
    double loss, top1, top5;             /* training (mean over the epoch's batches) */
    double val_loss, val_top1, val_top5;
    double seconds;
    int improved;          /* validation loss improved by more than min_delta */
} avmit_epoch_metrics;

typedef struct avmit_train_result {
    int epochs_run;        /* including epochs of a resumed run */
    int best_epoch;        /* 1-based */
    int stopped_early;
    avmit_epoch_metrics best;
} avmit_train_result;

/* One epoch's metrics as names and values, for writers that do not know the
 * trainer (e.g. TensorBoard event files). Valid during the callback only. */
typedef struct avmit_metrics_row {
    int epoch;                 /* 1-based */
    int n;                     /* entries */
    const char *const *names;  /* "lr", "loss", "top1", ..., "seconds" */
    const double *values;
} avmit_metrics_row;

typedef struct avmit_train_callbacks {
    /* after every batch: epoch (1-based), steps done / total, running means */
    void (*on_step)(void *ctx, int epoch, int step, int n_steps, double loss, double top1,
                    double top5);
    /* after every epoch (also called for epochs restored by a resume, with
     * replayed = 1, so a caller can print the history) */
    void (*on_epoch)(void *ctx, const avmit_epoch_metrics *m, int replayed);
    /* checked after every step: non-zero finishes the step and returns
     * AVMIT_E_CANCELLED; the directory keeps the last completed epoch's files
     * (--resume continues from there) */
    int (*should_stop)(void *ctx);
    void *ctx;
    /* after every completed epoch (not for replayed ones): the epoch's metrics row */
    void (*epoch_end)(void *ctx, const avmit_metrics_row *row);
} avmit_train_callbacks;

/* Train m (created and initialised by the caller) into out_dir, which is created.
 * resume != 0: continue from out_dir/train_state.safetensors (its config must
 * equal m's; m's weights are replaced). At the end m holds the best weights. */
int avmit_train_run(avmit_model *m, const avmit_examples *train, const avmit_examples *val,
                    const avmit_train_params *p, const avmit_data_paths *paths,
                    const char *out_dir, int resume, const avmit_train_callbacks *cb,
                    avmit_train_result *res, avmit_error *err);

/* ---- model directory --------------------------------------------------------------- */
/* model.safetensors: every weight and BN moving statistic under its Keras name. */
int avmit_model_save(const avmit_model *m, const char *path, avmit_error *err);
/* Load weights into m: every tensor of m's layout must be present with its
 * exact shape and F32 dtype, and no other tensor may be present (errors name
 * the tensor and both shapes). */
int avmit_model_load_weights(avmit_model *m, const char *path, avmit_error *err);
/* config.json */
int avmit_modeldir_write_config(const char *dir, const avmit_model_config *c,
                                const avmit_train_params *p, const avmit_data_paths *paths,
                                avmit_error *err);
int avmit_modeldir_read_config(const char *dir, avmit_model_config *c, avmit_train_params *p,
                               avmit_data_paths *paths, avmit_error *err);
/* Create a model from dir/config.json and dir/model.safetensors. */
int avmit_modeldir_open(avmit_model **out, const char *dir, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_TRAIN_H */
