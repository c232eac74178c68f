/* plot_common.c — output format and atomic rendering shared by the charts (plot_int.h). */
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
#else
typedef int avmit_plot_common_unused;
#endif
