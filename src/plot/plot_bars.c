/*
 * plot_bars.c — stacked bar charts through cairo (avmit/plot.h).
 *
 * SVG goes through cairo_svg_surface_create_for_stream with a write callback into an
 * avmit_atomic_file, PNG through an image surface and cairo_surface_write_to_png_stream
 * into the same kind of stream, so nothing is half-written. Layout in points (SVG) /
 * pixels (PNG): a left margin sized to the longest bar name, one row of BAR_H per bar,
 * the legend below the value axis.
 */
#ifdef AVMIT_HAVE_CAIRO
#include "avmit/plot.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "avmit/fileio.h"
#include "plot_int.h"

#define BAR_H 16.0
#define BAR_GAP 4.0
#define FONT_SIZE 11.0
#define TITLE_SIZE 14.0
#define PLOT_W 520.0
#define MAX_SERIES 8

/* Colour-blind-safe palette (Okabe–Ito). */
static const double k_colors[MAX_SERIES][3] = {
    {0.000, 0.447, 0.698}, {0.902, 0.624, 0.000}, {0.835, 0.369, 0.000},
    {0.600, 0.600, 0.600}, {0.000, 0.620, 0.451}, {0.800, 0.475, 0.655},
    {0.337, 0.706, 0.914}, {0.941, 0.894, 0.259}};

/* A "nice" axis step (1, 2, 5 x 10^k) giving about 5 ticks up to max. */
static double nice_step(double max) {
    if (max <= 0) return 1;
    double raw = max / 5.0, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

typedef struct {
    double left, top, width, height, max_value;
} frame;

static void draw_chart(cairo_t *cr, const avmit_stacked_bars *c, const frame *f) {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, TITLE_SIZE);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, f->left, f->top - 12);
    cairo_show_text(cr, c->title ? c->title : "");
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, FONT_SIZE);
    double scale = f->max_value > 0 ? PLOT_W / f->max_value : 0;
    for (size_t b = 0; b < c->n_bars; b++) {
        double y = f->top + (double)b * (BAR_H + BAR_GAP), x = f->left;
        cairo_text_extents_t te;
        cairo_text_extents(cr, c->bar_names[b], &te);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, f->left - 6 - te.x_advance, y + BAR_H * 0.75);
        cairo_show_text(cr, c->bar_names[b]);
        for (size_t s = 0; s < c->n_series; s++) {
            double w = c->values[b * c->n_series + s] * scale;
            cairo_set_source_rgb(cr, k_colors[s][0], k_colors[s][1], k_colors[s][2]);
            cairo_rectangle(cr, x, y, w, BAR_H);
            cairo_fill(cr);
            x += w;
        }
    }
    /* value axis with ticks */
    double axis_y = f->top + f->height + 2;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, f->left, axis_y);
    cairo_line_to(cr, f->left + PLOT_W, axis_y);
    cairo_move_to(cr, f->left, f->top - 2);
    cairo_line_to(cr, f->left, axis_y);
    cairo_stroke(cr);
    double step = nice_step(f->max_value);
    for (double v = 0; f->max_value > 0 && v <= f->max_value * 1.0001; v += step) {
        double x = f->left + v * scale;
        char lab[32];
        snprintf(lab, sizeof lab, "%g", v);
        cairo_text_extents_t te;
        cairo_text_extents(cr, lab, &te);
        cairo_move_to(cr, x, axis_y);
        cairo_line_to(cr, x, axis_y + 4);
        cairo_stroke(cr);
        cairo_move_to(cr, x - te.x_advance / 2, axis_y + 16);
        cairo_show_text(cr, lab);
    }
    if (c->threshold > 0 && f->max_value > 0) { /* dashed reference line, labelled in the legend */
        double x = f->left + c->threshold * scale;
        double dash[2] = {5, 3};
        cairo_save(cr);
        cairo_set_source_rgb(cr, 0.8, 0, 0);
        cairo_set_line_width(cr, 1.5);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, x, f->top - 6);
        cairo_line_to(cr, x, axis_y);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
    if (c->value_axis_label) {
        cairo_move_to(cr, f->left + PLOT_W / 2 - 20, axis_y + 32);
        cairo_show_text(cr, c->value_axis_label);
    }
    /* legend */
    double lx = f->left, ly = axis_y + 44;
    for (size_t s = 0; s < c->n_series; s++) {
        cairo_set_source_rgb(cr, k_colors[s][0], k_colors[s][1], k_colors[s][2]);
        cairo_rectangle(cr, lx, ly, 12, 12);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, lx + 16, ly + 10);
        cairo_show_text(cr, c->series_names[s]);
        cairo_text_extents_t te;
        cairo_text_extents(cr, c->series_names[s], &te);
        lx += 16 + te.x_advance + 18;
        if (s % 4 == 3 && s + 1 < c->n_series) lx = f->left, ly += 18; /* 4 entries per row */
    }
    if (c->threshold > 0) {
        double dash[2] = {5, 3};
        ly += 18;
        cairo_save(cr);
        cairo_set_source_rgb(cr, 0.8, 0, 0);
        cairo_set_line_width(cr, 1.5);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, f->left, ly + 6);
        cairo_line_to(cr, f->left + 24, ly + 6);
        cairo_stroke(cr);
        cairo_restore(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, f->left + 30, ly + 10);
        cairo_show_text(cr, c->threshold_label ? c->threshold_label : "");
    }
}

typedef struct {
    const avmit_stacked_bars *c;
    const frame *f;
} bars_ctx;

static void draw_bars(cairo_t *cr, const void *ctx) {
    const bars_ctx *b = ctx;
    draw_chart(cr, b->c, b->f);
}

/* Width of the longest bar name at FONT_SIZE. */
static double label_width(const avmit_stacked_bars *c) {
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(s);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, FONT_SIZE);
    double w = 0;
    for (size_t b = 0; b < c->n_bars; b++) {
        cairo_text_extents_t te;
        cairo_text_extents(cr, c->bar_names[b], &te);
        if (te.x_advance > w) w = te.x_advance;
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return w;
}

int avmit_plot_stacked_bars(const avmit_stacked_bars *c, const char *path, avmit_error *err) {
    int svg, r = plot_format(path, &svg, err);
    if (r) return r;
    if (c->n_series < 1 || c->n_series > MAX_SERIES)
        return avmit_error_path(err, AVMIT_E_ARG, path, "%zu series, expected 1..%d",
                                c->n_series, MAX_SERIES);
    frame f = {0};
    for (size_t b = 0; b < c->n_bars; b++) {
        double sum = 0;
        for (size_t s = 0; s < c->n_series; s++) {
            double v = c->values[b * c->n_series + s];
            if (!isfinite(v) || v < 0)
                return avmit_error_path(err, AVMIT_E_ARG, path,
                                        "bar '%s' series '%s': value %g is not finite and >= 0",
                                        c->bar_names[b], c->series_names[s], v);
            sum += v;
        }
        if (sum > f.max_value) f.max_value = sum;
    }
    if (c->threshold > f.max_value) f.max_value = c->threshold;
    f.left = 16 + label_width(c) + 8;
    f.top = 40;
    f.height = (double)c->n_bars * (BAR_H + BAR_GAP);
    double width = f.left + PLOT_W + 40, height = f.top + f.height + 80 + 18.0 * (double)((c->n_series - 1) / 4) +
                                                  (c->threshold > 0 ? 18 : 0);

    bars_ctx bc = {c, &f};
    return plot_render(path, svg, width, height, draw_bars, &bc, err);
}
#else
/* Without cairo this translation unit is empty (CMake also leaves src/plot/ out). */
typedef int avmit_plot_bars_unused;
#endif
