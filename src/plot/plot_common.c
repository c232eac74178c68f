/* plot_common.c — output format, atomic rendering, palette, axis steps and text shared by
 * the charts (plot_int.h). */
#ifdef AVMIT_HAVE_CAIRO
#include <cairo-svg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "avmit/fileio.h"
#include "plot_int.h"

int plot_format(const char *path, int *svg, avmit_error *err) {
    size_t n = strlen(path);
    if (n >= 4 && !strcasecmp(path + n - 4, ".svg")) return *svg = 1, 0;
    if (n >= 4 && !strcasecmp(path + n - 4, ".png")) return *svg = 0, 0;
    return avmit_error_path(err, AVMIT_E_ARG, path,
                            "plot format unknown: the file name must end in .svg or .png");
}

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int n) {
    FILE *fp = avmit_atomic_stream((avmit_atomic_file *)closure);
    return fwrite(data, 1, n, fp) == n ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int plot_render(const char *path, int svg, double width, double height,
                void (*draw)(cairo_t *cr, const void *ctx), const void *ctx, avmit_error *err) {
    avmit_atomic_file *af;
    int r = avmit_atomic_open(&af, path, 0, err);
    if (r) return r;
    cairo_surface_t *surf =
        svg ? cairo_svg_surface_create_for_stream(write_cb, af, width, height)
            : cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(width), (int)ceil(height));
    cairo_t *cr = cairo_create(surf);
    draw(cr, ctx);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (!svg && st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(surf, write_cb, af);
    cairo_surface_finish(surf);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        avmit_atomic_abort(af);
        return avmit_error_path(err, AVMIT_E_IO, path, "cairo: %s", cairo_status_to_string(st));
    }
    return avmit_atomic_commit(af, err);
}

const double plot_palette[PLOT_N_COLORS][3] = {
    [PLOT_BLUE] = {0.000, 0.447, 0.698},  [PLOT_ORANGE] = {0.902, 0.624, 0.000},
    [PLOT_VERMILLION] = {0.835, 0.369, 0.000}, [PLOT_GREY] = {0.600, 0.600, 0.600},
    [PLOT_GREEN] = {0.000, 0.620, 0.451}, [PLOT_PINK] = {0.800, 0.475, 0.655},
    [PLOT_SKY] = {0.337, 0.706, 0.914},   [PLOT_YELLOW] = {0.941, 0.894, 0.259}};

void plot_set_color(cairo_t *cr, int color) {
    cairo_set_source_rgb(cr, plot_palette[color][0], plot_palette[color][1],
                         plot_palette[color][2]);
}

double plot_nice_step(double span) {
    if (span <= 0) return 1;
    double raw = span / 5.0, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

void plot_text(cairo_t *cr, double x, double y, const char *s, double align) {
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    cairo_move_to(cr, x - align * te.x_advance, y);
    cairo_show_text(cr, s);
}

double plot_text_width(const char *const *s, size_t n, double font_size) {
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(surf);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, font_size);
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        cairo_text_extents_t te;
        cairo_text_extents(cr, s[i], &te);
        if (te.x_advance > w) w = te.x_advance;
    }
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
    return w;
}
#else
typedef int avmit_plot_common_unused;
#endif
