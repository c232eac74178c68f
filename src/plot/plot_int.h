/* plot_int.h — what the cairo charts in src/plot/ share: the output format from the
 * file name and the atomic render (surface -> draw -> temp file -> rename). */
#ifndef AVMIT_PLOT_INT_H
#define AVMIT_PLOT_INT_H
#ifdef AVMIT_HAVE_CAIRO
#include <cairo.h>

#include "avmit/error.h"

/* *svg = 1 for ".svg", 0 for ".png" (case-insensitive); AVMIT_E_ARG otherwise. */
int plot_format(const char *path, int *svg, avmit_error *err);

/* Render draw(cr, ctx) on a width x height SVG or PNG surface into path, atomically. */
int plot_render(const char *path, int svg, double width, double height,
                void (*draw)(cairo_t *cr, const void *ctx), const void *ctx, avmit_error *err);
#endif
#endif
