/*
 * plot_scatter.c — scatter plots through cairo (avmit/plot_scatter.h).
 *
 * Rendered atomically through plot_render (plot_int.h), like the bar charts. Layout in
 * points: a fixed plot box, axes with ticks, the legend to the right. Points are
 * translucent discs so overlaps show density.
 */
#ifdef AVMIT_HAVE_CAIRO
#include "avmit/plot_scatter.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plot_int.h"

#define SC_LEFT 64.0
#define SC_TOP 40.0
#define SC_W 440.0
#define SC_H 300.0
#define SC_LEGEND_W 140.0
#define SC_MAX_SERIES 8
#define SC_MAX_TICKS 64

/* Okabe–Ito colours (plot_int.h), in the scatter plots' order. */
static const int k_sc_colors[SC_MAX_SERIES] = {PLOT_BLUE,  PLOT_VERMILLION, PLOT_GREEN,
                                               PLOT_PINK,  PLOT_ORANGE,     PLOT_SKY,
                                               PLOT_GREY,  PLOT_YELLOW};

typedef struct {
    double x0, x1, y0, y1; /* data range (log10 units on a log x axis) */
    int x_log;
} sc_axes;

static double sc_px(const sc_axes *a, double x) {
    double v = a->x_log ? log10(x) : x;
    return SC_LEFT + (v - a->x0) / (a->x1 - a->x0) * SC_W;
}

static double sc_py(const sc_axes *a, double y) {
    return SC_TOP + SC_H - (y - a->y0) / (a->y1 - a->y0) * SC_H;
}


/* Tick values for the x axis (data units, not log units). */
static size_t sc_x_ticks(const avmit_scatter *c, const sc_axes *a, double *t) {
    size_t n = 0;
    if (c->n_x_ticks) {
        for (size_t i = 0; i < c->n_x_ticks && n < SC_MAX_TICKS; i++) t[n++] = c->x_ticks[i];
    } else if (a->x_log) {
        int dense = a->x1 - a->x0 < 2.5;
        for (int k = (int)floor(a->x0); k <= (int)ceil(a->x1) && n + 3 <= SC_MAX_TICKS; k++) {
            static const double mult[3] = {1, 2, 5};
            for (int m = 0; m < (dense ? 3 : 1); m++) t[n++] = mult[m] * pow(10.0, k);
        }
    } else {
        double s = plot_nice_step(a->x1 - a->x0);
        for (double v = ceil(a->x0 / s) * s; v <= a->x1 + 1e-9 * s && n < SC_MAX_TICKS; v += s)
            t[n++] = v;
    }
    size_t k = 0; /* keep the ones inside the axis */
    for (size_t i = 0; i < n; i++) {
        double v = a->x_log ? (t[i] > 0 ? log10(t[i]) : -INFINITY) : t[i];
        if (v >= a->x0 - 1e-9 && v <= a->x1 + 1e-9) t[k++] = t[i];
    }
    return k;
}

static void sc_draw(cairo_t *cr, const avmit_scatter *c, const sc_axes *a) {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 14);
    plot_text(cr, SC_LEFT, SC_TOP - 16, c->title ? c->title : "", 0);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, SC_LEFT, SC_TOP, SC_W, SC_H);
    cairo_stroke(cr);
    double ticks[SC_MAX_TICKS];
    size_t nt = sc_x_ticks(c, a, ticks);
    for (size_t i = 0; i < nt; i++) {
        double x = sc_px(a, ticks[i]);
        char lab[32];
        snprintf(lab, sizeof lab, "%g", ticks[i]);
        cairo_move_to(cr, x, SC_TOP + SC_H);
        cairo_line_to(cr, x, SC_TOP + SC_H + 4);
        cairo_stroke(cr);
        plot_text(cr, x, SC_TOP + SC_H + 16, lab, 0.5);
    }
    double s = plot_nice_step(a->y1 - a->y0);
    for (double v = ceil(a->y0 / s) * s; v <= a->y1 + 1e-9 * s; v += s) {
        double y = sc_py(a, v);
        char lab[32];
        snprintf(lab, sizeof lab, "%g", fabs(v) < 1e-12 * s ? 0.0 : v);
        cairo_move_to(cr, SC_LEFT - 4, y);
        cairo_line_to(cr, SC_LEFT, y);
        cairo_stroke(cr);
        plot_text(cr, SC_LEFT - 6, y + 4, lab, 1);
    }
    if (c->x_label) plot_text(cr, SC_LEFT + SC_W / 2, SC_TOP + SC_H + 34, c->x_label, 0.5);
    if (c->y_label) {
        cairo_save(cr);
        cairo_translate(cr, 16, SC_TOP + SC_H / 2);
        cairo_rotate(cr, -M_PI / 2);
        plot_text(cr, 0, 0, c->y_label, 0.5);
        cairo_restore(cr);
    }
    for (size_t k = 0; k < c->n_series; k++) {
        const avmit_scatter_series *se = &c->series[k];
        const double *col = plot_palette[k_sc_colors[k]];
        cairo_set_source_rgba(cr, col[0], col[1], col[2], 0.55);
        for (size_t i = 0; i < se->n; i++) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, sc_px(a, se->x[i]), sc_py(a, se->y[i]), 3.0, 0, 2 * M_PI);
        }
        cairo_fill(cr);
        double ly = SC_TOP + 8 + 18.0 * (double)k;
        cairo_set_source_rgb(cr, col[0], col[1], col[2]);
        cairo_arc(cr, SC_LEFT + SC_W + 20, ly, 4.0, 0, 2 * M_PI);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        plot_text(cr, SC_LEFT + SC_W + 30, ly + 4, se->name ? se->name : "", 0);
    }
}

typedef struct {
    const avmit_scatter *c;
    const sc_axes *a;
} sc_ctx;

static void sc_draw_cb(cairo_t *cr, const void *ctx) {
    const sc_ctx *s = ctx;
    sc_draw(cr, s->c, s->a);
}

/* Fit the axes to the data (with 5% margins) after validating every point. */
static int sc_fit(const avmit_scatter *c, const char *path, sc_axes *a, avmit_error *err) {
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t k = 0; k < c->n_series; k++)
        for (size_t i = 0; i < c->series[k].n; i++) {
            double x = c->series[k].x[i], y = c->series[k].y[i];
            if (!isfinite(x) || !isfinite(y) || (c->x_log && x <= 0))
                return avmit_error_path(err, AVMIT_E_ARG, path,
                                        "series '%s' point %zu: (%g, %g) cannot be drawn%s",
                                        c->series[k].name ? c->series[k].name : "", i, x, y,
                                        c->x_log ? " on a log x axis" : "");
            double v = c->x_log ? log10(x) : x;
            x0 = fmin(x0, v), x1 = fmax(x1, v), y0 = fmin(y0, y), y1 = fmax(y1, y);
        }
    for (size_t i = 0; i < c->n_x_ticks; i++) {
        double t = c->x_ticks[i];
        if (!isfinite(t) || (c->x_log && t <= 0))
            return avmit_error_path(err, AVMIT_E_ARG, path, "x tick %zu (%g) cannot be drawn", i, t);
        double v = c->x_log ? log10(t) : t;
        x0 = fmin(x0, v), x1 = fmax(x1, v);
    }
    if (!isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1; /* no points: an empty frame */
    if (x1 - x0 < 1e-12) x0 -= 0.5, x1 += 0.5;
    double mx = 0.05 * (x1 - x0);
    a->x0 = x0 - mx, a->x1 = x1 + mx, a->x_log = c->x_log;
    if (c->y_min < c->y_max) {
        a->y0 = c->y_min, a->y1 = c->y_max;
    } else {
        if (y1 - y0 < 1e-12) y0 -= 0.5, y1 += 0.5;
        double my = 0.05 * (y1 - y0);
        a->y0 = y0 - my, a->y1 = y1 + my;
    }
    return 0;
}

int avmit_plot_scatter(const avmit_scatter *c, const char *path, avmit_error *err) {
    int svg, r = plot_format(path, &svg, err);
    if (r) return r;
    if (c->n_series < 1 || c->n_series > SC_MAX_SERIES)
        return avmit_error_path(err, AVMIT_E_ARG, path, "%zu series, expected 1..%d",
                                c->n_series, SC_MAX_SERIES);
    sc_axes a;
    r = sc_fit(c, path, &a, err);
    if (r) return r;
    double width = SC_LEFT + SC_W + SC_LEGEND_W, height = SC_TOP + SC_H + 50;
    sc_ctx sc = {c, &a};
    return plot_render(path, svg, width, height, sc_draw_cb, &sc, err);
}
#else
typedef int avmit_plot_scatter_unused;
#endif
