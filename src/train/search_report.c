/*
 * search_report.c — what a finished search hands on: the leaderboard, the best
 * config per architecture as a Table-5 row (SPEC §1 Table 5 columns) and as a
 * train.yaml with the paper's keys (../data/models/action_recognition/
 * example_train.yaml), all written atomically.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/csv.h"
#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/registry.h"
#include "avmit/search.h"
#include "core/error_int.h"
#include "search_int.h"

const char *search_paper_embeddings(avmit_synth_set e) {
    return e == AVMIT_SYNTH_VGGISH_VGG16 ? "VGGish+VGG16" : "YamNet+EffNetB0";
}

const char *search_paper_rnn(avmit_search_rnn r) {
    return r == AVMIT_SEARCH_LSTM ? "LSTM" : r == AVMIT_SEARCH_GRU ? "GRU" : "FRNN";
}

void avmit_search_best_per_arch(const avmit_search_log *log,
                                const avmit_search_row *best[2][AVMIT_SEARCH_N_RNN],
                                size_t n_trials[2][AVMIT_SEARCH_N_RNN]) {
    size_t n;
    const avmit_search_row *rows = avmit_search_log_rows(log, &n);
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < AVMIT_SEARCH_N_RNN; k++) {
            best[e][k] = NULL;
            if (n_trials) n_trials[e][k] = 0;
        }
    for (size_t i = 0; i < n; i++) {
        int e = (int)rows[i].cfg.key.embeddings, k = (int)rows[i].cfg.key.rnn;
        if (e < 0 || e > 1 || k < 0 || k >= AVMIT_SEARCH_N_RNN) continue;
        if (n_trials) n_trials[e][k]++;
        if (rows[i].m.status == AVMIT_SEARCH_OK &&
            (!best[e][k] || avmit_search_row_cmp(&rows[i], best[e][k]) < 0))
            best[e][k] = &rows[i];
    }
}

static int cmp_rows(const void *a, const void *b) { return avmit_search_row_cmp(a, b); }

/* A ranked copy of the log's rows (caller frees). */
static int ranked(const avmit_search_log *log, avmit_search_row **out, size_t *n,
                  avmit_error *err) {
    const avmit_search_row *rows = avmit_search_log_rows(log, n);
    *out = malloc((*n ? *n : 1) * sizeof **out);
    if (!*out) return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, "", "out of memory");
    if (*n) memcpy(*out, rows, *n * sizeof **out);
    qsort(*out, *n, sizeof **out, cmp_rows);
    return 0;
}

int avmit_search_write_leaderboard(const avmit_search_log *log, const char *path,
                                   avmit_error *err) {
    avmit_search_row *rows;
    size_t n;
    int r = ranked(log, &rows, &n, err);
    if (r) return r;
    const char *header[AVMIT_SEARCH_N_COLS + 1] = {"rank"};
    for (int i = 0; i < AVMIT_SEARCH_N_COLS; i++) header[i + 1] = avmit_search_columns[i];
    avmit_csv_writer *w;
    if ((r = avmit_csv_writer_open(&w, path, AVMIT_SEARCH_N_COLS + 1, header, err))) goto done;
    for (size_t i = 0; i < n && !r; i++) {
        search_cells c;
        search_format_row(&rows[i], &c);
        char rank[24];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        const char *cells[AVMIT_SEARCH_N_COLS + 1] = {rank};
        for (int k = 0; k < AVMIT_SEARCH_N_COLS; k++) cells[k + 1] = c.cell[k];
        r = avmit_csv_writer_row(w, cells, err);
    }
    if (r)
        avmit_csv_writer_abort(w);
    else
        r = avmit_csv_writer_commit(w, err);
done:
    free(rows);
    return r;
}

int avmit_search_write_table5(const avmit_search_log *log, const char *path,
                              avmit_search_params_fn params, void *params_ctx, avmit_error *err) {
    const avmit_search_row *bests[2][AVMIT_SEARCH_N_RNN];
    size_t n_trials[2][AVMIT_SEARCH_N_RNN];
    avmit_search_best_per_arch(log, bests, n_trials);
    avmit_atomic_file *af;
    int r = avmit_atomic_open(&af, path, 1, err);
    if (r) return r;
    FILE *f = avmit_atomic_stream(af);
    fprintf(f, "| embeddings | RNN | units | bottleneck | act | dropout | lr | params | trial "
               "| OOB top-1 | OOB loss | trials |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < AVMIT_SEARCH_N_RNN; k++) {
            const avmit_search_row *best = bests[e][k];
            if (!best) continue;
            const avmit_search_config *c = &best->cfg;
            char np[32] = "-";
            long long p = params ? params(params_ctx, c) : -1;
            if (p >= 0) snprintf(np, sizeof np, "%lld", p);
            fprintf(f, "| %s | %s | %d | %d | %s | %.2g | %.2e | %s | %ld | %.2f%% | %.4f | %zu |\n",
                    search_paper_embeddings(c->key.embeddings), search_paper_rnn(c->key.rnn),
                    c->units, c->nb, avmit_search_act_name(c->act), c->dropout, c->lr, np,
                    c->key.trial, 100.0 * best->m.oob_top1, best->m.oob_loss, n_trials[e][k]);
        }
    return avmit_atomic_commit(af, err);
}

/* A number YAML 1.1 readers (PyYAML) take as a float: fixed notation with a
 * dot and 8 significant digits, e.g. 0.000072503118. */
static void yaml_float(char *buf, size_t size, double v) {
    int decimals = v > 0 ? 7 - (int)floor(log10(v)) : 1;
    if (decimals < 1) decimals = 1;
    if (decimals > 30) decimals = 30;
    snprintf(buf, size, "%.*f", decimals, v);
    char *dot = strchr(buf, '.');
    size_t len = strlen(buf);
    while (dot && len > (size_t)(dot - buf) + 2 && buf[len - 1] == '0') buf[--len] = '\0';
}

int avmit_search_write_train_yaml(const avmit_search_config *c,
                                  const avmit_search_yaml_paths *paths, const char *path,
                                  avmit_error *err) {
    int vgg = c->key.embeddings == AVMIT_SYNTH_VGGISH_VGG16;
    static const char *const k_fn[AVMIT_SEARCH_N_RNN] = {"SimpleRNN", "GRU", "LSTM"};
    char model[96];
    snprintf(model, sizeof model, "%s_%s_MIT_16/", vgg ? "VGGish_VGG16" : "YamNet_EffNetB0",
             search_paper_rnn(c->key.rnn));
    avmit_search_yaml_paths p = {vgg ? "MIT16_VGGish_VGG16/" : "MIT16_YamNet_EffNetB0/",
                                 "MIT16_train.csv", "MIT16_validation.csv", model};
    if (paths) {
        if (paths->tfrecords_loc) p.tfrecords_loc = paths->tfrecords_loc;
        if (paths->train_csv) p.train_csv = paths->train_csv;
        if (paths->val_csv) p.val_csv = paths->val_csv;
        if (paths->model_path) p.model_path = paths->model_path;
    }
    const char *const given[4] = {p.tfrecords_loc, p.train_csv, p.val_csv, p.model_path};
    for (int i = 0; i < 4; i++)
        if (strpbrk(given[i], "\"\\\n"))
            return avmit_error_path(err, AVMIT_E_ARG, path,
                                    "path '%s' has a quote, backslash or newline", given[i]);
    char lr[64], dropout[64];
    yaml_float(lr, sizeof lr, c->lr);
    yaml_float(dropout, sizeof dropout, c->dropout);
    avmit_atomic_file *af;
    int r = avmit_atomic_open(&af, path, 1, err);
    if (r) return r;
    FILE *f = avmit_atomic_stream(af);
    const avmit_embedding_set_info *k_vgg = avmit_embedding_set_get(AVMIT_SET_VGGISH_VGG16);
    const avmit_embedding_set_info *k_mob = avmit_embedding_set_get(AVMIT_SET_YAMNET_EFFNET);
    fprintf(f,
            "# avmit search: best OOB config of %s %s (trial %ld, train seed %llu)\n"
            "# filepaths\n"
            "tfrecords_loc: \"%s\"\n\n"
            "train_csv: \"%s\"\n"
            "val_csv: \"%s\"\n\n"
            "model_path: &dest \"%s\"\n\n"
            "log_dir: *dest\n\n"
            "# RNN function and args\n"
            "rnn:\n"
            "  function: tf.keras.layers.%s\n"
            "  units: %d\n"
            "  dropout: %s\n"
            "  unroll: False\n"
            "  return_sequences: False\n\n"
            "# Multimodal squeeze unit details\n"
            "audio: True\n"
            "visual: True\n"
            "bottleneck_size: %d\n"
            "bottleneck_activation: %s\n\n"
            "# Sample details\n"
            "data:\n"
            "  VGG_style:\n"
            "    enabled: %s\n"
            "    audio_size: %d\n"
            "    visual_size: %d\n\n"
            "  mobilenet_style:\n"
            "    enabled: %s\n"
            "    audio_size: %d\n"
            "    visual_size: %d\n\n"
            "  timesteps: 7 # timesteps to pad to\n"
            "  num_classes: 16\n\n"
            "# Cell containing training arguments\n"
            "training:\n"
            "  num_epochs: 200\n"
            "  learning_rate: %s\n"
            "  training_batch_size: 16\n"
            "  validation_batch_size: 16\n"
            "  test_batch_size: 16\n"
            "  early_stopping: 20\n"
            "  buffer_size: 5000 # number of elements to sample from for shuffling\n\n"
            "# Can be used to translate for string label to integer\n"
            "label_to_int:\n",
            avmit_synth_set_name(c->key.embeddings), avmit_search_rnn_name(c->key.rnn),
            c->key.trial, (unsigned long long)c->train_seed, p.tfrecords_loc, p.train_csv,
            p.val_csv, p.model_path, k_fn[c->key.rnn], c->units, dropout, c->nb,
            avmit_search_act_name(c->act), vgg ? "True" : "False", k_vgg->audio_dim,
            k_vgg->visual_dim, vgg ? "False" : "True", k_mob->audio_dim, k_mob->visual_dim, lr);
    for (int i = 0; i < AVMIT_N_CLASSES; i++) fprintf(f, "  %s: %d\n", avmit_label_name(i), i);
    return avmit_atomic_commit(af, err);
}

int avmit_search_write_best_yamls(const avmit_search_log *log, const char *dir,
                                  const avmit_search_yaml_paths *paths, avmit_error *err) {
    const avmit_search_row *best[2][AVMIT_SEARCH_N_RNN];
    avmit_search_best_per_arch(log, best, NULL);
    int r = 0;
    for (int e = 0; e < 2 && !r; e++)
        for (int k = 0; k < AVMIT_SEARCH_N_RNN && !r; k++) {
            if (!best[e][k]) continue;
            char name[96];
            snprintf(name, sizeof name, "train_%s_%s.yaml", avmit_synth_set_name((avmit_synth_set)e),
                     avmit_search_rnn_name((avmit_search_rnn)k));
            char *path = avmit_path_join(dir, name);
            r = path ? avmit_search_write_train_yaml(&best[e][k]->cfg, paths, path, err)
                     : AVMIT_NOMEM(err, "path");
            free(path);
        }
    return r;
}
