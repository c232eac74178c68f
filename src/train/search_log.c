/*
 * search_log.c — trials.csv: strict reading for resume, sorted in-memory rows,
 * and a full atomic rewrite after every added trial (include/avmit/search.h
 * explains why a rewrite rather than O_APPEND).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/csv.h"
#include "avmit/search.h"
#include "search_int.h"

const char *const avmit_search_columns[AVMIT_SEARCH_N_COLS] = {
    "trial",    "embeddings", "rnn",      "nb",     "activation", "units",  "dropout", "lr",
    "oob_loss", "oob_top1",   "oob_top5", "epochs", "seconds",    "seed",   "status"};

enum { C_TRIAL, C_EMB, C_RNN, C_NB, C_ACT, C_UNITS, C_DROPOUT, C_LR, C_LOSS, C_TOP1, C_TOP5,
       C_EPOCHS, C_SECONDS, C_SEED, C_STATUS };

struct avmit_search_log {
    char *path;
    avmit_search_row *rows; /* sorted by key */
    size_t n, cap;
};

void search_format_row(const avmit_search_row *row, search_cells *o) {
    const avmit_search_config *c = &row->cfg;
    const avmit_search_metrics *m = &row->m;
#define PUT(i, ...) snprintf(o->buf[i], sizeof o->buf[i], __VA_ARGS__)
    PUT(C_TRIAL, "%ld", c->key.trial);
    PUT(C_EMB, "%s", avmit_synth_set_name(c->key.embeddings));
    PUT(C_RNN, "%s", avmit_search_rnn_name(c->key.rnn));
    PUT(C_NB, "%d", c->nb);
    PUT(C_ACT, "%s", avmit_search_act_name(c->act));
    PUT(C_UNITS, "%d", c->units);
    PUT(C_DROPOUT, "%.9g", c->dropout);
    PUT(C_LR, "%.9g", c->lr);
    PUT(C_LOSS, "%.9g", m->oob_loss);
    PUT(C_TOP1, "%.9g", m->oob_top1);
    PUT(C_TOP5, "%.9g", m->oob_top5);
    PUT(C_EPOCHS, "%d", m->epochs);
    PUT(C_SECONDS, "%.3f", m->seconds);
    PUT(C_SEED, "%" PRIu64, c->train_seed);
    PUT(C_STATUS, "%s", avmit_search_status_name(m->status));
#undef PUT
    for (int i = 0; i < AVMIT_SEARCH_N_COLS; i++) o->cell[i] = o->buf[i];
}

/* ---- reading ------------------------------------------------------------------------ */

typedef struct {
    const avmit_csv *t;
    size_t row;
    avmit_error *err;
} cell_ctx;

static int bad(const cell_ctx *c, int col, const char *expected) {
    return avmit_error_set(c->err, AVMIT_E_FORMAT, c->t->path, -1, c->t->line[c->row], -1,
                           avmit_search_columns[col], "'%s' is not %s",
                           avmit_csv_cell(c->t, c->row, (size_t)col), expected);
}

static int get_long(const cell_ctx *c, int col, long lo, long hi, long *out) {
    const char *s = avmit_csv_cell(c->t, c->row, (size_t)col);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) return bad(c, col, "an integer in range");
    *out = v;
    return 0;
}

/* A number; NaN is allowed only where nan_ok (metrics of diverged trials). */
static int get_double(const cell_ctx *c, int col, int nan_ok, double *out) {
    const char *s = avmit_csv_cell(c->t, c->row, (size_t)col);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno == ERANGE || isinf(v) || (isnan(v) && !nan_ok))
        return bad(c, col, nan_ok ? "a number or nan" : "a finite number");
    *out = v;
    return 0;
}

static int parse_row(const cell_ctx *c, avmit_search_row *row) {
    const avmit_csv *t = c->t;
    avmit_search_config *cfg = &row->cfg;
    avmit_search_metrics *m = &row->m;
    long v;
    int r;
    memset(row, 0, sizeof *row);
    if ((r = get_long(c, C_TRIAL, 0, 1L << 40, &cfg->key.trial))) return r;
    if (avmit_synth_set_parse(avmit_csv_cell(t, c->row, C_EMB), &cfg->key.embeddings, NULL))
        return bad(c, C_EMB, "yamnet-effnet or vggish-vgg16");
    if (avmit_search_rnn_parse(avmit_csv_cell(t, c->row, C_RNN), &cfg->key.rnn, NULL))
        return bad(c, C_RNN, "frnn, gru or lstm");
    if ((r = get_long(c, C_NB, 1, 65536, &v))) return r;
    cfg->nb = (int)v;
    const char *act = avmit_csv_cell(t, c->row, C_ACT);
    if (strcmp(act, "relu") && strcmp(act, "swish")) return bad(c, C_ACT, "relu or swish");
    cfg->act = act[0] == 's' ? AVMIT_SEARCH_SWISH : AVMIT_SEARCH_RELU;
    if ((r = get_long(c, C_UNITS, 1, 65536, &v))) return r;
    cfg->units = (int)v;
    if ((r = get_double(c, C_DROPOUT, 0, &cfg->dropout))) return r;
    if ((r = get_double(c, C_LR, 0, &cfg->lr))) return r;
    if ((r = get_double(c, C_LOSS, 1, &m->oob_loss))) return r;
    if ((r = get_double(c, C_TOP1, 1, &m->oob_top1))) return r;
    if ((r = get_double(c, C_TOP5, 1, &m->oob_top5))) return r;
    if ((r = get_long(c, C_EPOCHS, 0, 1L << 30, &v))) return r;
    m->epochs = (int)v;
    if ((r = get_double(c, C_SECONDS, 0, &m->seconds))) return r;
    const char *seed = avmit_csv_cell(t, c->row, C_SEED);
    char *end;
    errno = 0;
    cfg->train_seed = strtoull(seed, &end, 10);
    if (!*seed || *end || errno || seed[0] == '-') return bad(c, C_SEED, "a 64-bit unsigned integer");
    const char *st = avmit_csv_cell(t, c->row, C_STATUS);
    if (!strcmp(st, "ok"))
        m->status = AVMIT_SEARCH_OK;
    else if (!strcmp(st, "diverged"))
        m->status = AVMIT_SEARCH_DIVERGED;
    else
        return bad(c, C_STATUS, "ok or diverged");
    if (m->status == AVMIT_SEARCH_OK &&
        (isnan(m->oob_loss) || isnan(m->oob_top1) || isnan(m->oob_top5)))
        return avmit_error_set(c->err, AVMIT_E_FORMAT, t->path, -1, t->line[c->row], -1,
                               "status", "status ok but a metric is nan");
    return 0;
}

/* Index where key is or would go. */
static size_t lower_bound(const avmit_search_log *log, avmit_search_key key) {
    size_t lo = 0, hi = log->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (search_key_cmp(log->rows[mid].cfg.key, key) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static int insert_row(avmit_search_log *log, const avmit_search_row *row, avmit_error *err) {
    size_t at = lower_bound(log, row->cfg.key);
    if (at < log->n && !search_key_cmp(log->rows[at].cfg.key, row->cfg.key))
        return avmit_error_set(err, AVMIT_E_ARG, log->path, -1, -1, -1, "trial",
                               "trial %ld of %s %s is already recorded", row->cfg.key.trial,
                               avmit_synth_set_name(row->cfg.key.embeddings),
                               avmit_search_rnn_name(row->cfg.key.rnn));
    if (log->n == log->cap) {
        size_t cap = log->cap ? 2 * log->cap : 64;
        avmit_search_row *p = realloc(log->rows, cap * sizeof *p);
        if (!p) return avmit_error_path(err, AVMIT_E_NOMEM, log->path, "out of memory");
        log->rows = p;
        log->cap = cap;
    }
    memmove(log->rows + at + 1, log->rows + at, (log->n - at) * sizeof *log->rows);
    log->rows[at] = *row;
    log->n++;
    return 0;
}

int avmit_search_log_open(avmit_search_log **out, const char *path, avmit_error *err) {
    *out = NULL;
    avmit_search_log *log = calloc(1, sizeof *log);
    if (!log || !(log->path = strdup(path))) {
        free(log);
        return avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory");
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) {
            *out = log;
            return 0;
        }
        int e = errno;
        avmit_search_log_free(log);
        return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(e));
    }
    fclose(f);
    avmit_csv t;
    int r = avmit_csv_read(&t, path, err);
    if (r) {
        avmit_search_log_free(log);
        return r;
    }
    if (t.n_cols != AVMIT_SEARCH_N_COLS) {
        r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, 1, -1, "",
                            "%zu columns, expected the %d of trials.csv", t.n_cols,
                            AVMIT_SEARCH_N_COLS);
        goto done;
    }
    for (int i = 0; i < AVMIT_SEARCH_N_COLS; i++)
        if (strcmp(t.header[i], avmit_search_columns[i])) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, 1, -1, avmit_search_columns[i],
                                "column %d is '%s', expected '%s'", i + 1, t.header[i],
                                avmit_search_columns[i]);
            goto done;
        }
    for (size_t i = 0; i < t.n_rows && !r; i++) {
        cell_ctx c = {&t, i, err};
        avmit_search_row row;
        if (!(r = parse_row(&c, &row)) && (r = insert_row(log, &row, err)))
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, t.line[i], -1, "trial",
                                "trial %ld of %s %s appears twice", row.cfg.key.trial,
                                avmit_synth_set_name(row.cfg.key.embeddings),
                                avmit_search_rnn_name(row.cfg.key.rnn));
    }
done:
    avmit_csv_free(&t);
    if (r) {
        avmit_search_log_free(log);
        return r;
    }
    *out = log;
    return 0;
}

void avmit_search_log_free(avmit_search_log *log) {
    if (!log) return;
    free(log->rows);
    free(log->path);
    free(log);
}

const avmit_search_row *avmit_search_log_rows(const avmit_search_log *log, size_t *n_rows) {
    *n_rows = log->n;
    return log->rows;
}

const avmit_search_row *avmit_search_log_find(const avmit_search_log *log, avmit_search_key key) {
    size_t at = lower_bound(log, key);
    return at < log->n && !search_key_cmp(log->rows[at].cfg.key, key) ? &log->rows[at] : NULL;
}

static int write_all(const avmit_search_log *log, avmit_error *err) {
    avmit_csv_writer *w;
    int r = avmit_csv_writer_open(&w, log->path, AVMIT_SEARCH_N_COLS, avmit_search_columns, err);
    if (r) return r;
    for (size_t i = 0; i < log->n; i++) {
        search_cells c;
        search_format_row(&log->rows[i], &c);
        if ((r = avmit_csv_writer_row(w, c.cell, err))) {
            avmit_csv_writer_abort(w);
            return r;
        }
    }
    return avmit_csv_writer_commit(w, err);
}

int avmit_search_log_add(avmit_search_log *log, const avmit_search_row *row, avmit_error *err) {
    int r = insert_row(log, row, err);
    if (r) return r;
    if ((r = write_all(log, err))) {
        /* Keep memory and disk in step: the row is not recorded. */
        size_t at = lower_bound(log, row->cfg.key);
        memmove(log->rows + at, log->rows + at + 1, (log->n - at - 1) * sizeof *log->rows);
        log->n--;
    }
    return r;
}

static int in_search(const avmit_search_opts *o, avmit_search_key k) {
    if (k.embeddings != o->embeddings || k.trial >= o->n_trials) return 0;
    for (size_t i = 0; i < o->n_rnn; i++)
        if (o->rnn[i] == k.rnn) return 1;
    return 0;
}

static int same(double a, double b) { return fabs(a - b) <= 1e-8 * fabs(b); }

int avmit_search_log_check(const avmit_search_log *log, const avmit_search_opts *opts,
                           avmit_error *err) {
    for (size_t i = 0; i < log->n; i++) {
        const avmit_search_config *got = &log->rows[i].cfg;
        if (!in_search(opts, got->key)) continue;
        avmit_search_config want;
        avmit_search_draw(&opts->space, opts->seed, got->key, &want);
        const char *field = NULL;
        char a[48] = "", b[48] = "";
        if (got->nb != want.nb) {
            field = "nb";
            snprintf(a, sizeof a, "%d", got->nb);
            snprintf(b, sizeof b, "%d", want.nb);
        } else if (got->act != want.act) {
            field = "activation";
            snprintf(a, sizeof a, "%s", avmit_search_act_name(got->act));
            snprintf(b, sizeof b, "%s", avmit_search_act_name(want.act));
        } else if (got->units != want.units) {
            field = "units";
            snprintf(a, sizeof a, "%d", got->units);
            snprintf(b, sizeof b, "%d", want.units);
        } else if (!same(got->dropout, want.dropout) || !same(got->lr, want.lr)) {
            field = same(got->dropout, want.dropout) ? "lr" : "dropout";
            int d = field[0] == 'd';
            snprintf(a, sizeof a, "%.9g", d ? got->dropout : got->lr);
            snprintf(b, sizeof b, "%.9g", d ? want.dropout : want.lr);
        } else if (got->train_seed != want.train_seed) {
            field = "seed";
            snprintf(a, sizeof a, "%" PRIu64, got->train_seed);
            snprintf(b, sizeof b, "%" PRIu64, want.train_seed);
        }
        if (field)
            return avmit_error_set(err, AVMIT_E_ARG, log->path, -1, -1, -1, field,
                                   "trial %ld of %s %s was run with %s %s but this search draws "
                                   "%s (another --seed or search space? use a new --out)",
                                   got->key.trial, avmit_synth_set_name(got->key.embeddings),
                                   avmit_search_rnn_name(got->key.rnn), field, a, b);
    }
    return 0;
}

int avmit_search_pending(const avmit_search_log *log, const avmit_search_opts *opts,
                         avmit_search_key **keys, size_t *n, avmit_error *err) {
    *keys = NULL;
    *n = 0;
    if (opts->n_trials < 0 || opts->n_rnn < 1 || opts->n_rnn > AVMIT_SEARCH_N_RNN)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "trials",
                               "%ld trials over %zu RNN kinds", opts->n_trials, opts->n_rnn);
    size_t total = (size_t)opts->n_trials * opts->n_rnn;
    avmit_search_key *k = malloc((total ? total : 1) * sizeof *k);
    if (!k) return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, "", "out of memory");
    size_t m = 0;
    for (long t = 0; t < opts->n_trials; t++)
        for (size_t i = 0; i < opts->n_rnn; i++) {
            avmit_search_key key = {opts->embeddings, opts->rnn[i], t};
            if (!avmit_search_log_find(log, key)) k[m++] = key;
        }
    *keys = k;
    *n = m;
    return 0;
}
