/*
 * search_plot.c — `--plot DIR` of the random search (avmit/search.h): OOB
 * top-1 against learning rate (log x), against RNN units and against the
 * bottleneck size (log2 x with a small sideways jitter so the four columns of
 * points spread out), one colour per RNN, one set of files per embedding set.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/search.h"
#include "search_int.h"

#ifdef AVMIT_HAVE_CAIRO
#include "avmit/plot_scatter.h"

/* Deterministic jitter factor 2^(+-0.15) from the trial's key. */
static double jitter(avmit_search_key k) {
    uint64_t h = (uint64_t)k.trial * 0x9E3779B97F4A7C15ull + (uint64_t)k.rnn * 0xD1B54A32D192ED03ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    double u = (double)(h >> 11) * 0x1.0p-53;
    return exp2(0.3 * (u - 0.5));
}

enum { PLOT_LR, PLOT_UNITS, PLOT_NB, N_PLOTS };

static int plot_set(const avmit_search_row *rows, size_t n, avmit_synth_set e, const char *dir,
                    double *buf, avmit_error *err) {
    static const char *const k_file[N_PLOTS] = {"lr", "units", "bottleneck"};
    static const char *const k_xlabel[N_PLOTS] = {"learning rate", "RNN units",
                                                  "bottleneck size (nb)"};
    static const double k_pow2[4] = {32, 64, 128, 256};
    for (int p = 0; p < N_PLOTS; p++) {
        avmit_scatter_series series[AVMIT_SEARCH_N_RNN];
        size_t n_series = 0, used = 0;
        for (int k = 0; k < AVMIT_SEARCH_N_RNN; k++) {
            avmit_scatter_series *s = &series[n_series];
            s->name = search_paper_rnn((avmit_search_rnn)k);
            s->x = buf + used;
            s->y = buf + n + used;
            s->n = 0;
            for (size_t i = 0; i < n; i++) {
                const avmit_search_row *r = &rows[i];
                if (r->cfg.key.embeddings != e || (int)r->cfg.key.rnn != k ||
                    r->m.status != AVMIT_SEARCH_OK)
                    continue;
                double x = p == PLOT_LR      ? r->cfg.lr
                           : p == PLOT_UNITS ? r->cfg.units * jitter(r->cfg.key)
                                             : r->cfg.nb * jitter(r->cfg.key);
                buf[used + s->n] = x;
                buf[n + used + s->n] = 100.0 * r->m.oob_top1;
                s->n++;
            }
            used += s->n;
            if (s->n) n_series++;
        }
        if (!n_series) return 0;
        char title[128], name[96];
        snprintf(title, sizeof title, "%s: OOB top-1 vs %s", search_paper_embeddings(e),
                 k_xlabel[p]);
        snprintf(name, sizeof name, "search_%s_top1_vs_%s.svg", avmit_synth_set_name(e),
                 k_file[p]);
        char *path = avmit_path_join(dir, name);
        if (!path) return avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
        avmit_scatter c = {.title = title,
                           .x_label = k_xlabel[p],
                           .y_label = "OOB top-1 (%)",
                           .x_log = 1,
                           .n_x_ticks = p == PLOT_LR ? 0 : 4,
                           .x_ticks = k_pow2,
                           .n_series = n_series,
                           .series = series};
        int r = avmit_plot_scatter(&c, path, err);
        free(path);
        if (r) return r;
    }
    return 0;
}

int avmit_search_plot(const avmit_search_log *log, const char *dir, avmit_error *err) {
    size_t n;
    const avmit_search_row *rows = avmit_search_log_rows(log, &n);
    int r = avmit_mkdirs(dir, err);
    if (r) return r;
    double *buf = malloc(2 * (n ? n : 1) * sizeof *buf);
    if (!buf) return avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
    for (int e = 0; e < 2 && !r; e++) r = plot_set(rows, n, (avmit_synth_set)e, dir, buf, err);
    free(buf);
    return r;
}
#else
int avmit_search_plot(const avmit_search_log *log, const char *dir, avmit_error *err) {
    (void)log;
    return avmit_error_path(err, AVMIT_E_UNSUPPORTED, dir, "plots need cairo (AVMIT_WITH_CAIRO)");
}
#endif
