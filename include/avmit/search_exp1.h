/*
 * avmit/search_exp1.h — the experiment-1 trainer (avmit/train.h) as the random
 * search's trial trainer (avmit/search.h, SPEC §5 "Random search"): one pool
 * of embeddings loaded once and shared read-only by every concurrent trial;
 * each trial builds its model from the drawn config, trains on the bootstrap
 * rows with early stopping on the out-of-bag rows (patience from the trial,
 * min_delta 0.001 as in experiment 1) and reports the best epoch's OOB metrics.
 * A trial whose OOB loss never becomes finite is reported as diverged.
 *
 * Thread-safety: avmit_search_exp1_train may run concurrently on one shared
 * avmit_search_exp1 (the pool is only read). The trainer sets OpenBLAS's
 * process-wide thread count to the trial's n_threads, so concurrent trials
 * should all use the same --threads (the CLI does).
 */
#ifndef AVMIT_SEARCH_EXP1_H
#define AVMIT_SEARCH_EXP1_H

#include "avmit/error.h"
#include "avmit/model.h"
#include "avmit/search.h"
#include "avmit/train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_search_exp1 {
    const avmit_examples *pool;  /* every sample the bootstraps draw from */
    avmit_model_config base;     /* dims, T, K; rnn/units/nb/act/dropout come from the trial */
    const char *scratch_dir;     /* each trial trains into <scratch_dir>/<emb>_<rnn>_<trial>/,
                                  * removed when the trial ends */
    int batch;                   /* 16 */
    double min_delta;            /* 0.001 */
} avmit_search_exp1;

/* The experiment-1 model config of an embedding set (D_a/D_v of SPEC §3:
 * YAMNet 1024 + EfficientNetB0 1280, VGGish 128 + VGG16 512; T 7, K 16). */
avmit_model_config avmit_search_exp1_base(avmit_synth_set embeddings);

/* cfg's model on top of base. */
avmit_model_config avmit_search_exp1_model(const avmit_model_config *base,
                                           const avmit_search_config *cfg);

/* Load the pool: every row of the split CSVs in order (MIT-16 train then
 * validation: 20,240 + 2,256), from <tfrecord_dir>/<tfrecord_filename>. */
int avmit_search_exp1_load_pool(avmit_examples *out, const char *const *csv_paths, size_t n_csv,
                                const char *tfrecord_dir, const avmit_model_config *base,
                                int fp16, int n_threads, avmit_error *err);

/* avmit_search_train_fn; ctx is an avmit_search_exp1. */
int avmit_search_exp1_train(void *ctx, const avmit_search_trial *t, avmit_search_metrics *out,
                            avmit_error *err);

/* avmit_search_params_fn: trainable parameters of the trial's model (Table 5). */
long long avmit_search_exp1_params(void *ctx, const avmit_search_config *cfg);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SEARCH_EXP1_H */
