/*
 * avmit/plot.h — charts as SVG or PNG through cairo (SPEC §10 "plots"). Built only when
 * cairo is available (AVMIT_HAVE_CAIRO is then defined for users of the library); callers
 * guard their calls with #ifdef AVMIT_HAVE_CAIRO.
 *
 * Output is atomic: the image is rendered into a temporary file beside the target and
 * renamed into place only when complete (avmit/fileio.h). The format follows the path's
 * extension: ".svg" or ".png" (case-insensitive); anything else is AVMIT_E_ARG.
 *
 * Thread-safety: reentrant (cairo surfaces are per call).
 */
#ifndef AVMIT_PLOT_H
#define AVMIT_PLOT_H

#include <stddef.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A horizontal stacked bar chart: one bar per category (e.g. per class, like the paper's
 * Fig. 2), each bar split into n_series stacked segments (e.g. majority rating 3 / 2 / 1 /
 * no majority), with category names on the vertical axis, a count axis, a legend and a
 * title. Values must be finite and >= 0. */
typedef struct avmit_stacked_bars {
    const char *title;
    const char *value_axis_label;     /* e.g. "videos"; may be NULL */
    size_t n_bars;
    const char *const *bar_names;     /* [n_bars] */
    size_t n_series;                  /* 1..8 */
    const char *const *series_names;  /* [n_series] legend entries */
    const double *values;             /* [n_bars * n_series], row-major by bar */
    double threshold;                 /* > 0: a dashed reference line at this value (e.g.
                                       * the paper's 500-video class-selection line) */
    const char *threshold_label;      /* its legend text (may be NULL) */
} avmit_stacked_bars;

int avmit_plot_stacked_bars(const avmit_stacked_bars *chart, const char *path,
                            avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_PLOT_H */
