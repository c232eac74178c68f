/*
 * avmit/search.h — hyper-parameter random search with bootstrap out-of-bag
 * validation (SPEC §5 "Random search", the paper's "Hyperparameter search").
 *
 * For one embedding set and one or more RNN kinds, trial t (0-based) of RNN r
 *   - draws a config uniformly from the space: bottleneck nb, activation, RNN
 *     units, dropout, learning rate (SPEC §5 ranges by default, overridable);
 *   - trains on a bootstrap sample of the pool (n draws with replacement from
 *     n samples) and is scored on the out-of-bag (OOB) samples, the ones the
 *     bootstrap never drew (about n/e of them), with early stopping on them.
 *
 * Determinism: every random choice of a trial depends only on (seed,
 * embeddings, rnn, trial): the config on stream "search/config/<emb>/<rnn>/<t>",
 * the training seed on "search/train/<emb>/<rnn>/<t>", the bootstrap on
 * "search/bootstrap/<t>" (the same sample for every RNN and embedding set at a
 * given trial index, so architectures are compared on paired resamples). None
 * of them depends on the number of jobs, threads or MPI ranks, nor on the
 * order trials run in or on a resume.
 *
 * Training itself is a callback (avmit_search_train_fn): the search does not
 * know the model; the CLI plugs in the experiment-1 trainer, tests a fake.
 *
 * Results: one row per finished trial in trials.csv (avmit_search_log). The
 * file is rewritten in full into a temporary file and renamed over the old one
 * after every trial (avmit_write_file_atomic): a reader, or a search restarted
 * after kill -9 or a power cut, sees either the old or the new complete file,
 * never a torn row, on any POSIX filesystem including NFS (where O_APPEND is
 * not atomic). The rewrite costs O(rows) — at most ~0.3 MB for 6 x 300 trials —
 * against trials that take seconds to minutes. Rows are kept sorted by
 * (embeddings, rnn, trial), so the file is the same whatever the order trials
 * finished in (only the `seconds` column is timing).
 *
 * Thread-safety: the space, draws and bootstrap are pure functions. An
 * avmit_search_log is not thread-safe (avmit_search_run serialises its use).
 * avmit_search_run_trial is reentrant. avmit_search_run runs n_jobs trials
 * at a time on its own threads.
 */
#ifndef AVMIT_SEARCH_H
#define AVMIT_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/synth.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The RNN layer of experiment 1 (SPEC §4). */
typedef enum avmit_search_rnn {
    AVMIT_SEARCH_FRNN = 0, /* Keras SimpleRNN */
    AVMIT_SEARCH_GRU = 1,
    AVMIT_SEARCH_LSTM = 2
} avmit_search_rnn;
#define AVMIT_SEARCH_N_RNN 3

/* "frnn" / "gru" / "lstm" -> kind; AVMIT_E_ARG otherwise. */
int avmit_search_rnn_parse(const char *name, avmit_search_rnn *out, avmit_error *err);
const char *avmit_search_rnn_name(avmit_search_rnn r); /* "frnn", "gru", "lstm" */

/* Bottleneck activation. */
typedef enum avmit_search_act { AVMIT_SEARCH_RELU = 0, AVMIT_SEARCH_SWISH = 1 } avmit_search_act;
const char *avmit_search_act_name(avmit_search_act a); /* "relu", "swish" */

#define AVMIT_SEARCH_MAX_CHOICES 16

/* The space configs are drawn from; every choice list is drawn uniformly. */
typedef struct avmit_search_space {
    size_t n_nb;
    int nb[AVMIT_SEARCH_MAX_CHOICES];          /* bottleneck sizes */
    size_t n_units;
    int units[AVMIT_SEARCH_MAX_CHOICES];       /* RNN units */
    size_t n_act;
    avmit_search_act act[2];
    size_t n_dropout;
    double dropout[AVMIT_SEARCH_MAX_CHOICES];  /* each in [0, 1) */
    double lr_min, lr_max;                     /* lr ~ U[lr_min, lr_max] (lr_log = 0) */
    int lr_log;                                /* 1: log-uniform instead (not the paper's) */
} avmit_search_space;

/* SPEC §5: nb {32,64,128,256}, act {relu,swish}, units {32,64,128,256},
 * dropout {0.1,...,0.5}, lr U[1e-5, 5e-3]. */
avmit_search_space avmit_search_default_space(void);

/* Override one dimension from text: key "nb" / "units" (comma-separated
 * positive integers), "act" ("relu,swish"), "dropout" (comma-separated numbers
 * in [0,1)), "lr" ("MIN:MAX", 0 < MIN <= MAX), "lr-log" ("MIN:MAX", log-uniform).
 * On error the space is unchanged; the message names the key and the value. */
int avmit_search_space_set(avmit_search_space *s, const char *key, const char *value,
                           avmit_error *err);

/* Check a space (non-empty lists, ranges); AVMIT_E_ARG naming what is wrong. */
int avmit_search_space_check(const avmit_search_space *s, avmit_error *err);

/* One trial's identity. */
typedef struct avmit_search_key {
    avmit_synth_set embeddings;
    avmit_search_rnn rnn;
    long trial;
} avmit_search_key;

/* One drawn config. */
typedef struct avmit_search_config {
    avmit_search_key key;
    int nb;
    avmit_search_act act;
    int units;
    double dropout;
    double lr;
    uint64_t train_seed; /* seeds the trial's weight init, shuffling and dropout */
} avmit_search_config;

/* Draw trial key.trial's config (pure function of seed, key, space). */
void avmit_search_draw(const avmit_search_space *s, uint64_t seed, avmit_search_key key,
                       avmit_search_config *out);

/* The bootstrap of trial `trial` over a pool of n samples: boot[0..n) = n
 * indices drawn uniformly with replacement (draw order); oob = the indices in
 * [0, n) never drawn, ascending, *n_oob of them (the caller gives room for n).
 * Pure function of (seed, trial, n). */
void avmit_search_bootstrap(uint64_t seed, long trial, size_t n, uint32_t *boot, uint32_t *oob,
                            size_t *n_oob);

/* What a trial reports. */
typedef enum avmit_search_status {
    AVMIT_SEARCH_OK = 0,       /* trained; metrics are the early-stopping best epoch's */
    AVMIT_SEARCH_DIVERGED = 1  /* the loss became NaN/Inf; metrics are NaN */
} avmit_search_status;
const char *avmit_search_status_name(avmit_search_status s); /* "ok", "diverged" */

typedef struct avmit_search_metrics {
    double oob_loss;  /* categorical cross-entropy on the OOB samples */
    double oob_top1;  /* fraction in [0, 1] */
    double oob_top5;
    int epochs;       /* epochs trained (including the patience tail) */
    double seconds;   /* wall time of the trial (set by avmit_search_run_trial) */
    avmit_search_status status;
} avmit_search_metrics;

/* A trial handed to the trainer. */
typedef struct avmit_search_trial {
    avmit_search_config cfg;
    const uint32_t *boot_idx; /* [n_boot] pool indices to train on (repeats allowed) */
    size_t n_boot;
    const uint32_t *oob_idx;  /* [n_oob] pool indices to validate / early-stop on */
    size_t n_oob;
    int n_threads;            /* threads this trial may use (>= 1) */
    int max_epochs;
    int patience;             /* early-stopping patience on OOB loss (SPEC §5: 8) */
    /* Polled between batches or epochs: non-zero means stop now and return
     * AVMIT_E_CANCELLED. May be NULL. */
    int (*should_abort)(void *ctx);
    void *abort_ctx;
} avmit_search_trial;

/* Train one trial; fill *out (status OK or DIVERGED) and return 0, or return a
 * negative AVMIT_E_* (the search then stops and reports it). Called from
 * several threads at once when n_jobs > 1: ctx (e.g. the loaded dataset) must
 * be read-only or synchronised by the callee. */
typedef int (*avmit_search_train_fn)(void *ctx, const avmit_search_trial *trial,
                                     avmit_search_metrics *out, avmit_error *err);

/* Everything that defines a search. */
typedef struct avmit_search_opts {
    avmit_search_space space;
    uint64_t seed;
    avmit_synth_set embeddings;
    size_t n_rnn;                          /* 1..3 */
    avmit_search_rnn rnn[AVMIT_SEARCH_N_RNN];
    long n_trials;                         /* per RNN (SPEC §5: 300) */
    size_t n_pool;                         /* samples in the pool (bootstrap size) */
    int n_jobs;                            /* trials at a time (>= 1) */
    int n_threads;                         /* threads per trial (>= 1) */
    int max_epochs;                        /* default 200 */
    int patience;                          /* default 8 */
    avmit_search_train_fn train;
    void *train_ctx;
    /* Called after each recorded trial (under the search's lock, one at a
     * time): done counts finished trials of this search including resumed ones. */
    void (*progress)(void *ctx, const avmit_search_config *cfg, const avmit_search_metrics *m,
                     size_t done, size_t total);
    void *progress_ctx;
    int (*should_abort)(void *ctx);        /* see avmit_search_trial; may be NULL */
    void *abort_ctx;
} avmit_search_opts;

/* Defaults: SPEC §5 space, seed 0, one RNN (GRU), 300 trials, 1 job,
 * 1 thread, 200 epochs, patience 8, no callbacks. */
avmit_search_opts avmit_search_default_opts(void);

/* ---- trials.csv ---------------------------------------------------------------- */

/* Column names, in order:
 * trial,embeddings,rnn,nb,activation,units,dropout,lr,oob_loss,oob_top1,oob_top5,
 * epochs,seconds,seed,status */
#define AVMIT_SEARCH_N_COLS 15
extern const char *const avmit_search_columns[AVMIT_SEARCH_N_COLS];

typedef struct avmit_search_row {
    avmit_search_config cfg;
    avmit_search_metrics m;
} avmit_search_row;

/* The trials of a search directory, in memory and on disk. */
typedef struct avmit_search_log avmit_search_log;

/* Open `path`: read its rows when it exists (strict: header, every field,
 * no duplicate key; errors name the line and column), else start empty. */
int avmit_search_log_open(avmit_search_log **out, const char *path, avmit_error *err);
void avmit_search_log_free(avmit_search_log *log);

/* The rows, sorted by (embeddings, rnn, trial); valid until the next add. */
const avmit_search_row *avmit_search_log_rows(const avmit_search_log *log, size_t *n_rows);

/* The row of `key`, or NULL. */
const avmit_search_row *avmit_search_log_find(const avmit_search_log *log, avmit_search_key key);

/* Add a finished trial and rewrite the file atomically. AVMIT_E_ARG if the key
 * is already there (the row is then not added). */
int avmit_search_log_add(avmit_search_log *log, const avmit_search_row *row, avmit_error *err);

/* Check the rows of this search (opts' embeddings, RNNs, trials < n_trials)
 * against fresh draws: a row whose config differs (another --seed or space)
 * is AVMIT_E_ARG naming the trial, the field and both values. */
int avmit_search_log_check(const avmit_search_log *log, const avmit_search_opts *opts,
                           avmit_error *err);

/* The keys of this search not yet in the log, in run order (trial-major, then
 * RNN in opts order). *keys is malloc'd (free()); *n may be 0. */
int avmit_search_pending(const avmit_search_log *log, const avmit_search_opts *opts,
                         avmit_search_key **keys, size_t *n, avmit_error *err);

/* ---- running -------------------------------------------------------------------- */

/* Draw, bootstrap, train and time one trial with n_threads threads
 * (row->m.seconds is the wall time). Reentrant. */
int avmit_search_run_trial(const avmit_search_opts *opts, avmit_search_key key, int n_threads,
                           avmit_search_row *row, avmit_error *err);

/* Run every pending trial of opts, n_jobs at a time, each with n_threads,
 * recording each into log as it finishes (so a killed search loses at most
 * the trials in flight). Checks the log first (avmit_search_log_check). On a
 * trainer error, no new trial starts, the ones running finish and are
 * recorded, and the first error is returned. */
int avmit_search_run(const avmit_search_opts *opts, avmit_search_log *log, avmit_error *err);

/* ---- reports ------------------------------------------------------------------ */

/* Ranking: higher OOB top-1 first, then lower OOB loss, then (embeddings,
 * rnn, trial); diverged trials last. */
int avmit_search_row_cmp(const avmit_search_row *a, const avmit_search_row *b);

/* The best OK trial of each architecture (embeddings set e, rnn k) by
 * avmit_search_row_cmp: best[e][k] points into the log's rows, NULL when none of
 * its trials is OK; n_trials[e][k] (n_trials may be NULL) counts its rows of any
 * status. */
void avmit_search_best_per_arch(const avmit_search_log *log,
                                const avmit_search_row *best[2][AVMIT_SEARCH_N_RNN],
                                size_t n_trials[2][AVMIT_SEARCH_N_RNN]);

/* leaderboard.csv: rank + the trials.csv columns, ranked per avmit_search_row_cmp. */
int avmit_search_write_leaderboard(const avmit_search_log *log, const char *path,
                                   avmit_error *err);

/* Parameter count of a config's model (experiment 1, SPEC §4), for the Table-5
 * column; returns < 0 when unknown. */
typedef long long (*avmit_search_params_fn)(void *ctx, const avmit_search_config *cfg);

/* best.md: the best OK trial per (embeddings, rnn) as a Markdown Table-5 row
 * (| embeddings | RNN | units | bottleneck | act | dropout | lr | params |
 * plus trial, OOB top-1 and loss). params may be NULL ("-" is printed). */
int avmit_search_write_table5(const avmit_search_log *log, const char *path,
                              avmit_search_params_fn params, void *params_ctx, avmit_error *err);

/* Paths written into a train.yaml (the paper's keys: tfrecords_loc, train_csv,
 * val_csv, model_path, log_dir). NULL fields get the paper's MIT-16 names. */
typedef struct avmit_search_yaml_paths {
    const char *tfrecords_loc;
    const char *train_csv;
    const char *val_csv;
    const char *model_path;
} avmit_search_yaml_paths;

/* A ready train.yaml for cfg, with the same keys and layout as the paper's
 * (../data/models/action_recognition/example_train.yaml): rnn function/units/
 * dropout, bottleneck size/activation, the embedding sizes, 200 epochs, lr,
 * batch 16, early stopping 20, label_to_int. */
int avmit_search_write_train_yaml(const avmit_search_config *cfg,
                                  const avmit_search_yaml_paths *paths, const char *path,
                                  avmit_error *err);

/* One train.yaml per architecture with an OK trial, its best config
 * (avmit_search_best_per_arch), as dir/train_<embeddings>_<rnn>.yaml
 * (e.g. train_yamnet-effnet_gru.yaml). */
int avmit_search_write_best_yamls(const avmit_search_log *log, const char *dir,
                                  const avmit_search_yaml_paths *paths, avmit_error *err);

/* With cairo: SVG scatter plots into dir (created if missing), one point per
 * OK trial, one colour per RNN, one file per embedding set E present:
 * search_<E>_top1_vs_lr.svg (log x), search_<E>_top1_vs_units.svg and
 * search_<E>_top1_vs_bottleneck.svg (log2 x, points jittered sideways by a
 * hash of the trial). Without cairo: AVMIT_E_UNSUPPORTED. */
int avmit_search_plot(const avmit_search_log *log, const char *dir, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SEARCH_H */
