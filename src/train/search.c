/*
 * search.c — the random-search space, the per-trial draws and bootstrap, one
 * trial's run and the ranking (include/avmit/search.h, SPEC §5).
 *
 * Every random stream is seeded by a name ("search/config/<emb>/<rnn>/<t>",
 * ...) hashed with avmit_hash64, so a trial's draws depend on what it is, never
 * on when or where it runs.
 */
#include "avmit/search.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avmit/rng.h"
#include "search_int.h"

static const char *const k_rnn_names[AVMIT_SEARCH_N_RNN] = {"frnn", "gru", "lstm"};

int avmit_search_rnn_parse(const char *name, avmit_search_rnn *out, avmit_error *err) {
    for (int i = 0; i < AVMIT_SEARCH_N_RNN; i++)
        if (name && !strcmp(name, k_rnn_names[i])) {
            *out = (avmit_search_rnn)i;
            return 0;
        }
    return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "rnn",
                           "unknown RNN '%s' (expected frnn, gru or lstm)", name ? name : "");
}

const char *avmit_search_rnn_name(avmit_search_rnn r) {
    return (unsigned)r < AVMIT_SEARCH_N_RNN ? k_rnn_names[r] : "?";
}

const char *avmit_search_act_name(avmit_search_act a) {
    return a == AVMIT_SEARCH_SWISH ? "swish" : "relu";
}

const char *avmit_search_status_name(avmit_search_status s) {
    return s == AVMIT_SEARCH_DIVERGED ? "diverged" : "ok";
}

avmit_search_space avmit_search_default_space(void) {
    avmit_search_space s;
    memset(&s, 0, sizeof s);
    static const int sizes[4] = {32, 64, 128, 256};
    s.n_nb = s.n_units = 4;
    for (int i = 0; i < 4; i++) s.nb[i] = s.units[i] = sizes[i];
    s.n_act = 2;
    s.act[0] = AVMIT_SEARCH_RELU;
    s.act[1] = AVMIT_SEARCH_SWISH;
    s.n_dropout = 5;
    for (int i = 0; i < 5; i++) s.dropout[i] = 0.1 * (i + 1);
    s.lr_min = 1e-5;
    s.lr_max = 5e-3;
    return s;
}

/* Split "a,b,c" into at most AVMIT_SEARCH_MAX_CHOICES numbers. */
static int parse_list(const char *key, const char *value, double *out, size_t *n,
                      avmit_error *err) {
    size_t k = 0;
    const char *p = value ? value : "";
    for (;;) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !isfinite(v) || (*end && *end != ','))
            return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, key,
                                   "'%s' is not a comma-separated list of numbers", value);
        if (k == AVMIT_SEARCH_MAX_CHOICES)
            return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, key,
                                   "'%s' has more than %d choices", value,
                                   AVMIT_SEARCH_MAX_CHOICES);
        out[k++] = v;
        if (!*end) break;
        p = end + 1;
    }
    *n = k;
    return 0;
}

int avmit_search_space_set(avmit_search_space *s, const char *key, const char *value,
                           avmit_error *err) {
    avmit_search_space t = *s;
    double v[AVMIT_SEARCH_MAX_CHOICES];
    size_t n = 0;
    int r;
    if (!strcmp(key, "nb") || !strcmp(key, "units")) {
        if ((r = parse_list(key, value, v, &n, err))) return r;
        int *dst = key[0] == 'n' ? t.nb : t.units;
        for (size_t i = 0; i < n; i++) {
            if (v[i] < 1 || v[i] > 65536 || v[i] != floor(v[i]))
                return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, key,
                                       "%g is not an integer in [1, 65536]", v[i]);
            dst[i] = (int)v[i];
        }
        if (key[0] == 'n') t.n_nb = n; else t.n_units = n;
    } else if (!strcmp(key, "dropout")) {
        if ((r = parse_list(key, value, v, &n, err))) return r;
        for (size_t i = 0; i < n; i++) {
            if (v[i] < 0 || v[i] >= 1)
                return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, key,
                                       "%g is not in [0, 1)", v[i]);
            t.dropout[i] = v[i];
        }
        t.n_dropout = n;
    } else if (!strcmp(key, "act")) {
        const char *p = value ? value : "";
        t.n_act = 0;
        int seen[2] = {0, 0};
        while (*p) {
            size_t len = strcspn(p, ",");
            int a = len == 4 && !strncmp(p, "relu", 4) ? 0
                    : len == 5 && !strncmp(p, "swish", 5) ? 1 : -1;
            if (a < 0 || seen[a])
                return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, key,
                                       "'%s': expected relu and/or swish, each once", value);
            seen[a] = 1;
            t.act[t.n_act++] = (avmit_search_act)a;
            p += len + (p[len] == ',');
        }
    } else if (!strcmp(key, "lr") || !strcmp(key, "lr-log")) {
        char *end, *end2;
        errno = 0;
        double lo = strtod(value ? value : "", &end), hi = lo;
        if (*end == ':') hi = strtod(end + 1, &end2); else end2 = end;
        if (end == value || *end2 || errno || !(lo > 0) || !(hi >= lo) || !isfinite(hi))
            return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, key,
                                   "'%s': expected MIN:MAX with 0 < MIN <= MAX", value);
        t.lr_min = lo;
        t.lr_max = hi;
        t.lr_log = key[2] == '-';
    } else {
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, key,
                               "unknown search dimension (expected nb, units, act, dropout, "
                               "lr or lr-log)");
    }
    if ((r = avmit_search_space_check(&t, err))) return r;
    *s = t;
    return 0;
}

int avmit_search_space_check(const avmit_search_space *s, avmit_error *err) {
    if (!s->n_nb || s->n_nb > AVMIT_SEARCH_MAX_CHOICES || !s->n_units ||
        s->n_units > AVMIT_SEARCH_MAX_CHOICES || !s->n_act || s->n_act > 2 || !s->n_dropout ||
        s->n_dropout > AVMIT_SEARCH_MAX_CHOICES)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "space",
                               "every dimension needs 1..%d choices (nb %zu, units %zu, act "
                               "%zu, dropout %zu)",
                               AVMIT_SEARCH_MAX_CHOICES, s->n_nb, s->n_units, s->n_act,
                               s->n_dropout);
    if (!(s->lr_min > 0) || !(s->lr_max >= s->lr_min) || !isfinite(s->lr_max))
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "lr",
                               "range [%g, %g]: expected 0 < min <= max", s->lr_min, s->lr_max);
    return 0;
}

/* Seed r on the named stream "search/<what>/<emb>/<rnn>/<trial>". */
static void seed_stream(avmit_rng *r, uint64_t seed, const char *what, avmit_search_key key) {
    char name[96];
    snprintf(name, sizeof name, "search/%s/%s/%s/%ld", what,
             avmit_synth_set_name(key.embeddings), avmit_search_rnn_name(key.rnn), key.trial);
    avmit_rng_seed(r, seed, avmit_hash64(name));
}

void avmit_search_draw(const avmit_search_space *s, uint64_t seed, avmit_search_key key,
                       avmit_search_config *out) {
    avmit_rng r;
    seed_stream(&r, seed, "config", key);
    memset(out, 0, sizeof *out);
    out->key = key;
    /* Fixed draw order: nb, activation, units, dropout, lr. */
    out->nb = s->nb[avmit_rng_below(&r, s->n_nb)];
    out->act = s->act[avmit_rng_below(&r, s->n_act)];
    out->units = s->units[avmit_rng_below(&r, s->n_units)];
    out->dropout = s->dropout[avmit_rng_below(&r, s->n_dropout)];
    double u = avmit_rng_uniform(&r);
    out->lr = s->lr_log ? exp(log(s->lr_min) + u * (log(s->lr_max) - log(s->lr_min)))
                        : s->lr_min + u * (s->lr_max - s->lr_min);
    seed_stream(&r, seed, "train", key);
    out->train_seed = avmit_rng_u64(&r);
}

void avmit_search_bootstrap(uint64_t seed, long trial, size_t n, uint32_t *boot, uint32_t *oob,
                            size_t *n_oob) {
    char name[64];
    snprintf(name, sizeof name, "search/bootstrap/%ld", trial);
    avmit_rng r;
    avmit_rng_seed(&r, seed, avmit_hash64(name));
    /* oob[] first serves as the "drawn" flag array, then is compacted in place
     * (write position k never passes read position i). */
    memset(oob, 0, n * sizeof *oob);
    for (size_t i = 0; i < n; i++) {
        boot[i] = (uint32_t)avmit_rng_below(&r, n);
        oob[boot[i]] = 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!oob[i]) oob[k++] = (uint32_t)i;
    *n_oob = k;
}

avmit_search_opts avmit_search_default_opts(void) {
    avmit_search_opts o;
    memset(&o, 0, sizeof o);
    o.space = avmit_search_default_space();
    o.n_rnn = 1;
    o.rnn[0] = AVMIT_SEARCH_GRU;
    o.n_trials = 300;
    o.n_jobs = 1;
    o.n_threads = 1;
    o.max_epochs = 200;
    o.patience = 8;
    return o;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int avmit_search_run_trial(const avmit_search_opts *opts, avmit_search_key key, int n_threads,
                           avmit_search_row *row, avmit_error *err) {
    size_t n = opts->n_pool;
    if (n < 2 || n > UINT32_MAX || !opts->train)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "pool",
                               "a search needs a trainer and a pool of 2..%u samples (got %zu)",
                               UINT32_MAX, n);
    uint32_t *boot = malloc(n * sizeof *boot), *oob = malloc(n * sizeof *oob);
    if (!boot || !oob) {
        free(boot);
        free(oob);
        return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, "pool",
                               "out of memory for a bootstrap of %zu samples", n);
    }
    avmit_search_trial t;
    memset(&t, 0, sizeof t);
    memset(row, 0, sizeof *row);
    avmit_search_draw(&opts->space, opts->seed, key, &t.cfg);
    avmit_search_bootstrap(opts->seed, key.trial, n, boot, oob, &t.n_oob);
    t.boot_idx = boot;
    t.n_boot = n;
    t.oob_idx = oob;
    t.n_threads = n_threads > 0 ? n_threads : 1;
    t.max_epochs = opts->max_epochs;
    t.patience = opts->patience;
    t.should_abort = opts->should_abort;
    t.abort_ctx = opts->abort_ctx;
    double t0 = now_seconds();
    int r = opts->train(opts->train_ctx, &t, &row->m, err);
    row->m.seconds = now_seconds() - t0;
    row->cfg = t.cfg;
    if (!r && row->m.status == AVMIT_SEARCH_DIVERGED)
        row->m.oob_loss = row->m.oob_top1 = row->m.oob_top5 = NAN;
    free(boot);
    free(oob);
    return r;
}

/* Order of keys in trials.csv and in ties. */
int search_key_cmp(avmit_search_key a, avmit_search_key b) {
    if (a.embeddings != b.embeddings) return a.embeddings < b.embeddings ? -1 : 1;
    if (a.rnn != b.rnn) return a.rnn < b.rnn ? -1 : 1;
    return a.trial < b.trial ? -1 : a.trial > b.trial;
}

int avmit_search_row_cmp(const avmit_search_row *a, const avmit_search_row *b) {
    int ao = a->m.status == AVMIT_SEARCH_OK, bo = b->m.status == AVMIT_SEARCH_OK;
    if (ao != bo) return ao ? -1 : 1;
    if (ao) {
        if (a->m.oob_top1 != b->m.oob_top1) return a->m.oob_top1 > b->m.oob_top1 ? -1 : 1;
        if (a->m.oob_loss != b->m.oob_loss) return a->m.oob_loss < b->m.oob_loss ? -1 : 1;
    }
    return search_key_cmp(a->cfg.key, b->cfg.key);
}
