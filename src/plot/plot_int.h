/* plot_int.h — what the cairo charts in src/plot/ share: the output format from the
 * file name, the atomic render (surface -> draw -> temp file -> rename), the palette,
 * axis steps and aligned text. */
#ifndef AVMIT_PLOT_INT_H
#define AVMIT_PLOT_INT_H
#ifdef AVMIT_HAVE_CAIRO
#include <cairo.h>
#include <stddef.h>

#include "avmit/error.h"

/* *svg = 1 for ".svg", 0 for ".png" (case-insensitive); AVMIT_E_ARG otherwise. */
int plot_format(const char *path, int *svg, avmit_error *err);

/* Render draw(cr, ctx) on a width x height SVG or PNG surface into path, atomically. */
int plot_render(const char *path, int svg, double width, double height,
                void (*draw)(cairo_t *cr, const void *ctx), const void *ctx, avmit_error *err);

/* The colour-blind-safe Okabe–Ito palette (RGB in [0, 1]); each chart picks its order. */
enum {
    PLOT_BLUE, PLOT_ORANGE, PLOT_VERMILLION, PLOT_GREY, PLOT_GREEN, PLOT_PINK, PLOT_SKY,
    PLOT_YELLOW, PLOT_N_COLORS
};
extern const double plot_palette[PLOT_N_COLORS][3];
void plot_set_color(cairo_t *cr, int color); /* one of the PLOT_* above */

/* A "nice" axis step (1, 2, 5 x 10^k) giving about 5 ticks over span (1 when span <= 0). */
double plot_nice_step(double span);

/* Show s with its baseline at y, x at the left (align 0), centre (0.5) or right (1). */
void plot_text(cairo_t *cr, double x, double y, const char *s, double align);

/* Advance width of the widest of s[0..n) in the normal sans-serif face at font_size. */
double plot_text_width(const char *const *s, size_t n, double font_size);
#endif
#endif
