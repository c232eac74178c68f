/*
 * confusion_svg.c — the confusion matrix of an evaluation as a small SVG heat
 * map (include/avmit/train.h). Plain SVG text, no dependencies.
 */
#include <stdio.h>

#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/train.h"

int avmit_confusion_write_svg(const avmit_eval_result *r, const char *path, avmit_error *err) {
    avmit_atomic_file *f;
    int rc = avmit_atomic_open(&f, path, 1, err);
    if (rc) return rc;
    FILE *s = avmit_atomic_stream(f);
    const int K = r->K, cell = 28, left = 90, top = 40, size = K * cell;
    fprintf(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
               "font-size=\"10\">\n", left + size + 20, top + size + 100);
    fprintf(s, "<text x=\"%d\" y=\"20\" font-size=\"13\">Confusion matrix (%zu videos, top-1 %.2f%%): rows true, "
               "columns predicted</text>\n", left, r->n, 100 * r->top1);
    for (int i = 0; i < K; i++) {
        char num[16];
        const char *name = K == AVMIT_N_CLASSES ? avmit_label_name(i) : NULL;
        if (!name) snprintf(num, sizeof num, "%d", i), name = num;
        fprintf(s, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 4, top + i * cell + cell / 2 + 4, name);
        fprintf(s, "<text transform=\"translate(%d,%d) rotate(60)\">%s</text>\n", left + i * cell + cell / 2,
                top + size + 6, name);
        for (int j = 0; j < K; j++) {
            size_t v = r->confusion[(size_t)i * K + j];
            double frac = r->class_n[i] ? (double)v / r->class_n[i] : 0;
            int shade = (int)(255 - 200 * frac);
            fprintf(s, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,255)\" stroke=\"#ccc\"/>\n",
                    left + j * cell, top + i * cell, cell, cell, shade, shade);
            if (v)
                fprintf(s, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%zu</text>\n",
                        left + j * cell + cell / 2, top + i * cell + cell / 2 + 4, frac > 0.5 ? "white" : "black", v);
        }
    }
    fprintf(s, "</svg>\n");
    return avmit_atomic_commit(f, err);
}
