/*
 * avmit/report.h — one self-contained HTML page per set of trained models (SPEC §10;
 * the paper's Tables 6-7): for each model directory (experiment 1: config.json; SAVC:
 * model.safetensors + metrics.csv without config.json) the configuration, the data
 * provenance (files, split rows, "SYNTHETIC" wherever the embedding root holds the
 * SYNTHETIC.txt marker `avmit synth` writes), training curves from metrics.csv, and
 * with a test split (experiment 1) the test loss, top-1, top-5, the confusion matrix
 * and per-class accuracy / precision / recall, next to the paper's numbers for the same
 * configuration (SPEC §1 Tables 6-7). Several models: one comparison table on top.
 * Inline SVG and CSS only: no script, no network.
 *
 * Thread-safety: reentrant (sets OpenBLAS's thread count while evaluating).
 */
#ifndef AVMIT_REPORT_H
#define AVMIT_REPORT_H

#include <stddef.h>

#include "avmit/error.h"
#include "avmit/search.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_report_opts {
    const char *test_csv;   /* test split for experiment-1 models, or NULL (no test section) */
    const char *tfrecords;  /* embedding root of the test split */
    int n_threads;          /* <= 0: all cores */
} avmit_report_opts;

/* Write the page for model_dirs[0..n) to html_path atomically. */
int avmit_report_write(const char *const *model_dirs, size_t n, const avmit_report_opts *o,
                       const char *html_path, avmit_error *err);

/* The search's page (`avmit search report`): trials and status counts per architecture,
 * the best config per architecture as a Table-5 row (params(ctx, cfg) gives the trainable
 * parameters; may be NULL), OOB top-1 against learning rate, units and bottleneck as
 * inline SVG scatter plots, and the 25 best trials; written atomically. */
int avmit_search_report_html(const avmit_search_log *log, const char *title,
                             avmit_search_params_fn params, void *params_ctx, const char *html_path,
                             avmit_error *err);

/* The paper's numbers (SPEC §1): Table 6 top-1 (%) for experiment 1, Table 7 accuracy (%)
 * for SAVC, by embeddings (audio width 128 = VGGish+VGG16, 1024 = YamNet+EffNetB0), RNN
 * ("FRNN"/"SimpleRNN", "GRU", "LSTM") and training set (mit16 = 0/1). NaN when unknown. */
double avmit_paper_top1(int savc, int audio_dim, const char *rnn, int mit16);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_REPORT_H */
