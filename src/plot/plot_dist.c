/*
 * plot_dist.c — density histograms and grouped bars through cairo (avmit/plot_dist.h),
 * rendered atomically by plot_render (plot_int.h). Layout in points (SVG) / pixels (PNG).
 */
#ifdef AVMIT_HAVE_CAIRO
#include "avmit/plot_dist.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

#define W 640.0
#define H 360.0
#define ML 64.0
#define MR 24.0
#define MT 44.0
#define MB 110.0

/* Okabe–Ito, as plot_bars.c. */
static const double k_col[4][3] = {{0.000, 0.447, 0.698}, {0.902, 0.624, 0.000},
                                   {0.000, 0.620, 0.451}, {0.800, 0.475, 0.655}};

static double nice(double span) {
    if (span <= 0) return 1;
    double raw = span / 5.0, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void text(cairo_t *cr, double x, double y, const char *s, double align, double size, int bold) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    cairo_move_to(cr, x - align * te.x_advance, y);
    cairo_show_text(cr, s);
}

/* Axes frame, y ticks from 0 to ymax, title and y label. */
static void frame_y(cairo_t *cr, const char *title, const char *ylab, double ymin, double ymax,
                    double pw, double ph) {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, ML, 24, title ? title : "", 0, 13, 1);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, ML, MT);
    cairo_line_to(cr, ML, MT + ph);
    cairo_line_to(cr, ML + pw, MT + ph);
    cairo_stroke(cr);
    double step = nice(ymax - ymin);
    for (double v = ceil(ymin / step) * step; v <= ymax * 1.0001 + 1e-12; v += step) {
        double y = MT + ph - (v - ymin) / (ymax - ymin) * ph;
        char lab[32];
        snprintf(lab, sizeof lab, "%g", fabs(v) < step * 1e-6 ? 0.0 : v);
        cairo_move_to(cr, ML - 4, y);
        cairo_line_to(cr, ML, y);
        cairo_stroke(cr);
        text(cr, ML - 6, y + 4, lab, 1, 10, 0);
    }
    if (ylab) {
        cairo_save(cr);
        cairo_move_to(cr, 16, MT + ph / 2);
        cairo_rotate(cr, -M_PI / 2);
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 11);
        cairo_text_extents_t te;
        cairo_text_extents(cr, ylab, &te);
        cairo_rel_move_to(cr, -te.x_advance / 2, 0);
        cairo_show_text(cr, ylab);
        cairo_restore(cr);
    }
}

static void legend(cairo_t *cr, size_t n, const char *const *names, double y) {
    double x = ML;
    for (size_t s = 0; s < n; s++) {
        cairo_set_source_rgb(cr, k_col[s][0], k_col[s][1], k_col[s][2]);
        cairo_rectangle(cr, x, y - 10, 12, 12);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, x + 16, y, names[s], 0, 11, 0);
        cairo_text_extents_t te;
        cairo_text_extents(cr, names[s], &te);
        x += 16 + te.x_advance + 18;
    }
}

/* ---- histogram ------------------------------------------------------------------ */
typedef struct {
    const avmit_histogram *c;
    const double *dens; /* [n_series * n_bins] */
    double ymax;
    char (*legend)[160];
} hist_ctx;

static void draw_hist(cairo_t *cr, const void *vctx) {
    const hist_ctx *h = vctx;
    const avmit_histogram *c = h->c;
    const double pw = W - ML - MR, ph = H - MT - MB, bw = pw / c->n_bins;
    frame_y(cr, c->title, "density", 0, h->ymax, pw, ph);
    for (size_t s = 0; s < c->n_series; s++) { /* translucent fill + outline per sample */
        for (int b = 0; b < c->n_bins; b++) {
            double v = h->dens[s * c->n_bins + b], y = MT + ph - v / h->ymax * ph;
            cairo_rectangle(cr, ML + b * bw, y, bw, MT + ph - y);
        }
        cairo_set_source_rgba(cr, k_col[s][0], k_col[s][1], k_col[s][2], 0.35);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, k_col[s][0], k_col[s][1], k_col[s][2]);
        cairo_set_line_width(cr, 1.5);
        cairo_move_to(cr, ML, MT + ph);
        for (int b = 0; b < c->n_bins; b++) {
            double y = MT + ph - h->dens[s * c->n_bins + b] / h->ymax * ph;
            cairo_line_to(cr, ML + b * bw, y);
            cairo_line_to(cr, ML + (b + 1) * bw, y);
        }
        cairo_line_to(cr, ML + pw, MT + ph);
        cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    double step = nice(c->hi - c->lo);
    for (double v = ceil(c->lo / step) * step; v <= c->hi + 1e-12; v += step) {
        double x = ML + (v - c->lo) / (c->hi - c->lo) * pw;
        char lab[32];
        snprintf(lab, sizeof lab, "%g", fabs(v) < step * 1e-6 ? 0.0 : v);
        cairo_move_to(cr, x, MT + ph);
        cairo_line_to(cr, x, MT + ph + 4);
        cairo_stroke(cr);
        text(cr, x, MT + ph + 16, lab, 0.5, 10, 0);
    }
    if (c->x_label) text(cr, ML + pw / 2, MT + ph + 34, c->x_label, 0.5, 11, 0);
    const char *names[4];
    for (size_t s = 0; s < c->n_series; s++) names[s] = h->legend[s];
    legend(cr, c->n_series, names, MT + ph + 60);
}

int avmit_plot_histogram(const avmit_histogram *c, const char *path, avmit_error *err) {
    int svg, r = plot_format(path, &svg, err);
    if (r) return r;
    if (c->n_series < 1 || c->n_series > 4 || c->n_bins < 2 || c->n_bins > 200 || !(c->hi > c->lo))
        return avmit_error_path(err, AVMIT_E_ARG, path,
                                "histogram: %zu series (1..4), %d bins (2..200), range [%g, %g]",
                                c->n_series, c->n_bins, c->lo, c->hi);
    double *dens = calloc(c->n_series * (size_t)c->n_bins, sizeof *dens);
    char(*leg)[160] = calloc(c->n_series, sizeof *leg);
    if (!dens || !leg) {
        free(dens), free(leg);
        return avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory");
    }
    double ymax = 0, bw = (c->hi - c->lo) / c->n_bins;
    for (size_t s = 0; s < c->n_series && !r; s++) {
        double sum = 0;
        if (c->n[s] < 1) r = avmit_error_path(err, AVMIT_E_ARG, path, "series '%s' is empty", c->names[s]);
        for (size_t i = 0; !r && i < c->n[s]; i++) {
            double v = c->values[s][i];
            if (!isfinite(v)) {
                r = avmit_error_path(err, AVMIT_E_ARG, path, "series '%s' value %zu is not finite", c->names[s], i);
                break;
            }
            int b = (int)floor((v - c->lo) / bw);
            b = b < 0 ? 0 : b >= c->n_bins ? c->n_bins - 1 : b;
            dens[s * c->n_bins + b] += 1;
            sum += v;
        }
        for (int b = 0; !r && b < c->n_bins; b++) {
            double *d = &dens[s * c->n_bins + b];
            *d /= (double)c->n[s] * bw;
            if (*d > ymax) ymax = *d;
        }
        if (!r) snprintf(leg[s], sizeof leg[s], "%s (n = %zu, mean %.3f)", c->names[s], c->n[s], sum / c->n[s]);
    }
    if (!r) {
        hist_ctx h = {c, dens, ymax > 0 ? ymax * 1.05 : 1, leg};
        r = plot_render(path, svg, W, H, draw_hist, &h, err);
    }
    free(dens);
    free(leg);
    return r;
}

/* ---- grouped bars ---------------------------------------------------------------- */
typedef struct {
    const avmit_grouped_bars *c;
    double ymin, ymax, width;
} bars_ctx;

static void draw_grouped(cairo_t *cr, const void *vctx) {
    const bars_ctx *g = vctx;
    const avmit_grouped_bars *c = g->c;
    const double pw = g->width - ML - MR, ph = H - MT - MB;
    frame_y(cr, c->title, c->y_label, g->ymin, g->ymax, pw, ph);
    const double cw = pw / c->n_categories, bw = cw * 0.8 / c->n_series;
    const double y0 = MT + ph - (0 - g->ymin) / (g->ymax - g->ymin) * ph;
    for (size_t k = 0; k < c->n_categories; k++) {
        double top = MT + ph;
        for (size_t s = 0; s < c->n_series; s++) {
            double v = c->values[k * c->n_series + s], x = ML + k * cw + cw * 0.1 + s * bw;
            double y = MT + ph - (v - g->ymin) / (g->ymax - g->ymin) * ph;
            cairo_set_source_rgb(cr, k_col[s][0], k_col[s][1], k_col[s][2]);
            cairo_rectangle(cr, x, fmin(y, y0), bw, fabs(y0 - y));
            cairo_fill(cr);
            top = fmin(top, fmin(y, y0));
            if (c->errors) {
                double e = c->errors[k * c->n_series + s] / (g->ymax - g->ymin) * ph;
                cairo_set_source_rgb(cr, 0, 0, 0);
                cairo_set_line_width(cr, 1);
                cairo_move_to(cr, x + bw / 2, y - e);
                cairo_line_to(cr, x + bw / 2, y + e);
                cairo_stroke(cr);
                top = fmin(top, y - e);
            }
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        if (c->notes && c->notes[k]) text(cr, ML + k * cw + cw / 2, top - 4, c->notes[k], 0.5, 10, 1);
        cairo_save(cr);
        cairo_move_to(cr, ML + k * cw + cw / 2 - 3, MT + ph + 8);
        cairo_rotate(cr, M_PI / 3);
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 10);
        cairo_show_text(cr, c->categories[k]);
        cairo_restore(cr);
    }
    legend(cr, c->n_series, c->series_names, H - 12);
}

int avmit_plot_grouped_bars(const avmit_grouped_bars *c, const char *path, avmit_error *err) {
    int svg, r = plot_format(path, &svg, err);
    if (r) return r;
    if (c->n_series < 1 || c->n_series > 4 || c->n_categories < 1)
        return avmit_error_path(err, AVMIT_E_ARG, path, "grouped bars: %zu series (1..4), %zu categories",
                                c->n_series, c->n_categories);
    double lo = 0, hi = 0;
    for (size_t i = 0; i < c->n_categories * c->n_series; i++) {
        double v = c->values[i], e = c->errors ? c->errors[i] : 0;
        if (!isfinite(v) || !isfinite(e))
            return avmit_error_path(err, AVMIT_E_ARG, path, "category '%s': value %g is not finite",
                                    c->categories[i / c->n_series], v);
        lo = fmin(lo, v - e), hi = fmax(hi, v + e);
    }
    if (hi <= lo) hi = lo + 1;
    double pad = (hi - lo) * 0.08;
    bars_ctx g = {c, lo < 0 ? lo - pad : 0, hi + pad, fmax(W, ML + MR + 34.0 * c->n_categories)};
    return plot_render(path, svg, g.width, H, draw_grouped, &g, err);
}
#else
typedef int avmit_plot_dist_unused;
#endif
