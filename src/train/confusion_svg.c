/*
 * confusion_svg.c — the confusion matrix of an evaluation as a heat map
 * (include/avmit/train.h), drawn by the cairo charts of avmit/plot.h: rows true,
 * columns predicted, each cell shaded by its share of the row's videos.
 */
#include <stdio.h>
#include <stdlib.h>

#include "avmit/labels.h"
#include "avmit/plot.h"
#include "avmit/train.h"
#include "core/error_int.h"

int avmit_confusion_write_svg(const avmit_eval_result *r, const char *path, avmit_error *err) {
#ifdef AVMIT_HAVE_CAIRO
    const size_t K = (size_t)r->K;
    char(*num)[24] = calloc(K ? K : 1, sizeof *num);
    const char **names = calloc(K ? K : 1, sizeof *names);
    double *shade = calloc(K ? K * K : 1, sizeof *shade);
    if (!num || !names || !shade) {
        free(num), free(names), free(shade);
        return AVMIT_NOMEM_AT(err, path, "confusion matrix");
    }
    for (size_t i = 0; i < K; i++) {
        names[i] = K == AVMIT_N_CLASSES ? avmit_label_name((int)i) : NULL;
        if (!names[i]) snprintf(num[i], sizeof num[i], "%zu", i), names[i] = num[i];
        for (size_t j = 0; j < K; j++)
            shade[i * K + j] =
                r->class_n[i] ? (double)r->confusion[i * K + j] / (double)r->class_n[i] : 0;
    }
    char title[160];
    snprintf(title, sizeof title,
             "Confusion matrix (%zu videos, top-1 %.2f%%): rows true, columns predicted", r->n,
             100 * r->top1);
    avmit_heatmap h = {title, K, K, names, names, shade, r->confusion};
    int rc = avmit_plot_heatmap(&h, path, err);
    free(num), free(names), free(shade);
    return rc;
#else
    (void)r;
    return AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, "",
                     "plots need cairo (this avmit was built with AVMIT_WITH_CAIRO=OFF)");
#endif
}
