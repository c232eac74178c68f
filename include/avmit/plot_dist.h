/*
 * avmit/plot_dist.h — distributions and per-category comparisons as SVG or PNG through
 * cairo (SPEC §10 "similarity histograms"; used by `avmit similarity`). Built only when
 * cairo is available (AVMIT_HAVE_CAIRO); output is atomic and the format follows the
 * extension, as for avmit/plot.h.
 *
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_PLOT_DIST_H
#define AVMIT_PLOT_DIST_H

#include <stddef.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Overlaid histograms (1..4 samples), each normalised to a density so that samples of
 * different sizes compare; n_bins equal bins over [lo, hi] (values outside are counted
 * in the end bins). Each sample is named in the legend with its size and mean. */
typedef struct avmit_histogram {
    const char *title;
    const char *x_label;
    double lo, hi;
    int n_bins;                     /* 2..200 */
    size_t n_series;                /* 1..4 */
    const char *const *names;       /* [n_series] */
    const size_t *n;                /* [n_series] sample sizes (>= 1) */
    const double *const *values;    /* [n_series][n[s]] finite */
} avmit_histogram;
int avmit_plot_histogram(const avmit_histogram *c, const char *path, avmit_error *err);

/* Grouped vertical bars: per category one bar per series (1..4), an optional error bar
 * (err may be NULL), and an optional note above each category (e.g. "***"). */
typedef struct avmit_grouped_bars {
    const char *title;
    const char *y_label;
    size_t n_categories;
    const char *const *categories;   /* [n_categories] */
    size_t n_series;                 /* 1..4 */
    const char *const *series_names; /* [n_series] */
    const double *values;            /* [n_categories * n_series], finite */
    const double *errors;            /* same shape (half-length), or NULL */
    const char *const *notes;        /* [n_categories] or NULL; entries may be NULL */
} avmit_grouped_bars;
int avmit_plot_grouped_bars(const avmit_grouped_bars *c, const char *path, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_PLOT_DIST_H */
