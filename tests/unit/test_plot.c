/* test_plot.c — the cairo heat map (avmit_plot_heatmap, avmit/plot.h): SVG and PNG
 * output, and the arguments it rejects, naming the cell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/plot.h"
#include "testutil.h"

/* fontconfig (loaded by cairo's text API) keeps a process-wide cache it never frees; not
 * an avmit leak (as in test_search.c and tests/cli/lsan-fontconfig.supp). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

int main(void) {
#ifndef AVMIT_HAVE_CAIRO
    printf("skipped: built without cairo (AVMIT_WITH_CAIRO=OFF)\n");
    return 77;
#else
    static const char *const names[3] = {"barking", "bouncing", "pouring"};
    double shade[9] = {1, 0, 0, 0.25, 0.75, 0, 0, 0, 0};
    size_t counts[9] = {4, 0, 0, 1, 3, 0, 0, 0, 0};
    avmit_heatmap h = {"test", 3, 3, names, names, shade, counts};
    avmit_error err;
    unsigned char *buf;
    size_t n;

    CHECK_INT(avmit_plot_heatmap(&h, test_path("cm.svg"), &err), 0);
    int rc = avmit_read_file(test_path("cm.svg"), &buf, &n, &err);
    CHECK_INT(rc, 0);
    if (!rc) {
        CHECK(n > 100 && strstr((char *)buf, "<svg"), "an SVG document (%zu bytes)", n);
        free(buf);
    }
    CHECK_INT(avmit_plot_heatmap(&h, test_path("cm.png"), &err), 0);
    rc = avmit_read_file(test_path("cm.png"), &buf, &n, &err);
    CHECK_INT(rc, 0);
    if (!rc) {
        CHECK(n > 8 && !memcmp(buf, "\x89PNG", 4), "a PNG file (%zu bytes)", n);
        free(buf);
    }

    shade[4] = 1.5;
    CHECK_INT(avmit_plot_heatmap(&h, test_path("bad.svg"), &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "(bouncing, bouncing): shade 1.5"), "names the cell: %s",
          err.msg);
    shade[4] = 0.75;
    CHECK_INT(avmit_plot_heatmap(&h, test_path("cm.gif"), &err), AVMIT_E_ARG);
    h.n_rows = 0;
    CHECK_INT(avmit_plot_heatmap(&h, test_path("cm.svg"), &err), AVMIT_E_ARG);
    return test_finish("test_plot");
#endif
}
