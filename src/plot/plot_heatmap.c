/*
 * plot_heatmap.c — matrix heat maps through cairo (avmit/plot.h), e.g. the confusion
 * matrix of an evaluation. Rendered atomically through plot_render (plot_int.h). Layout
 * in points: a left margin sized to the longest row name, CELL x CELL cells, column
 * names rotated 60 degrees below the matrix, the title above.
 */
#ifdef AVMIT_HAVE_CAIRO
#include "avmit/plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>

#include "plot_int.h"

#define CELL 28.0
#define FONT_SIZE 10.0
#define TITLE_SIZE 13.0
#define TOP 40.0
#define BOTTOM 100.0 /* room for the rotated column names */

typedef struct {
    const avmit_heatmap *c;
    double left;
} heat_ctx;

static void draw_heatmap(cairo_t *cr, const void *vctx) {
    const heat_ctx *h = vctx;
    const avmit_heatmap *c = h->c;
    double left = h->left;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, TITLE_SIZE);
    plot_text(cr, left, 20, c->title ? c->title : "", 0);
    cairo_set_font_size(cr, FONT_SIZE);
    cairo_set_line_width(cr, 1);
    for (size_t i = 0; i < c->n_rows; i++) {
        double y = TOP + (double)i * CELL;
        cairo_set_source_rgb(cr, 0, 0, 0);
        plot_text(cr, left - 4, y + CELL / 2 + 4, c->row_names[i], 1);
        for (size_t j = 0; j < c->n_cols; j++) {
            double x = left + (double)j * CELL, v = c->shade[i * c->n_cols + j];
            double g = 1 - 200.0 / 255.0 * v; /* white -> rgb(55, 55, 255) */
            cairo_rectangle(cr, x, y, CELL, CELL);
            cairo_set_source_rgb(cr, g, g, 1);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
            cairo_stroke(cr);
            size_t n = c->counts ? c->counts[i * c->n_cols + j] : 0;
            if (n) {
                char num[24];
                snprintf(num, sizeof num, "%zu", n);
                cairo_set_source_rgb(cr, v > 0.5, v > 0.5, v > 0.5);
                plot_text(cr, x + CELL / 2, y + CELL / 2 + 4, num, 0.5);
            }
        }
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t j = 0; j < c->n_cols; j++) {
        cairo_save(cr);
        cairo_translate(cr, left + (double)j * CELL + CELL / 2, TOP + (double)c->n_rows * CELL + 6);
        cairo_rotate(cr, M_PI / 3);
        plot_text(cr, 0, 0, c->col_names[j], 0);
        cairo_restore(cr);
    }
}

int avmit_plot_heatmap(const avmit_heatmap *c, const char *path, avmit_error *err) {
    int svg, r = plot_format(path, &svg, err);
    if (r) return r;
    if (c->n_rows < 1 || c->n_cols < 1)
        return avmit_error_path(err, AVMIT_E_ARG, path, "heat map of %zu x %zu cells", c->n_rows,
                                c->n_cols);
    for (size_t k = 0; k < c->n_rows * c->n_cols; k++)
        if (!(c->shade[k] >= 0 && c->shade[k] <= 1))
            return avmit_error_path(err, AVMIT_E_ARG, path,
                                    "cell (%s, %s): shade %g is not in [0, 1]",
                                    c->row_names[k / c->n_cols], c->col_names[k % c->n_cols],
                                    c->shade[k]);
    heat_ctx h = {c, 16 + plot_text_width(c->row_names, c->n_rows, FONT_SIZE) + 8};
    double width = fmax(h.left + (double)c->n_cols * CELL + 20, h.left + 400);
    double height = TOP + (double)c->n_rows * CELL + BOTTOM;
    return plot_render(path, svg, width, height, draw_heatmap, &h, err);
}
#else
/* Without cairo this translation unit is empty (CMake also leaves src/plot/ out). */
typedef int avmit_plot_heatmap_unused;
#endif
