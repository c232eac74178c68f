/*
 * avmit/plot_scatter.h — scatter plots as SVG or PNG through cairo (SPEC §10
 * "plots"; used by the random search, avmit/search.h). Built only when cairo
 * is available (AVMIT_HAVE_CAIRO); callers guard their calls with
 * #ifdef AVMIT_HAVE_CAIRO. Output is atomic and the format follows the
 * extension, as for avmit/plot.h.
 *
 * Thread-safety: reentrant (cairo surfaces are per call).
 */
#ifndef AVMIT_PLOT_SCATTER_H
#define AVMIT_PLOT_SCATTER_H

#include <stddef.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One set of points drawn in one colour, named in the legend. */
typedef struct avmit_scatter_series {
    const char *name;
    size_t n;
    const double *x; /* [n] finite; > 0 on a log axis */
    const double *y; /* [n] finite */
} avmit_scatter_series;

typedef struct avmit_scatter {
    const char *title;
    const char *x_label; /* may be NULL */
    const char *y_label; /* may be NULL */
    int x_log;           /* 1: logarithmic x axis */
    double y_min, y_max; /* fixed y range when y_min < y_max; else fitted to the data */
    size_t n_x_ticks;    /* 0: ticks chosen automatically */
    const double *x_ticks;
    size_t n_series;     /* 1..8 */
    const avmit_scatter_series *series;
} avmit_scatter;

/* Draw the chart into path (".svg" or ".png"). AVMIT_E_ARG for a bad
 * extension, series count, or a non-finite (or, on a log axis, non-positive)
 * coordinate, naming the series and point. */
int avmit_plot_scatter(const avmit_scatter *chart, const char *path, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_PLOT_SCATTER_H */
