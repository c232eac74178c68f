/*
 * search_html.c — the random search as one self-contained HTML page
 * (avmit_search_report_html, avmit/report.h): inline SVG scatter plots and tables, the
 * style sheet of the model report, no script, no network.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error_int.h"
#include "avmit/fileio.h"
#include "avmit/report.h"
#include "avmit/synth.h"
#include "html_int.h"

static int cmp_rows(const void *a, const void *b) { return avmit_search_row_cmp(a, b); }

/* OOB top-1 (%) of every finished trial against x(cfg), one colour per RNN. */
static void svg_scatter(FILE *f, const char *title, const avmit_search_row *rows, size_t n, int what) {
    const double W = 380, H = 250, L = 48, R = 10, T = 28, B = 52, pw = W - L - R, ph = H - T - B;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].m.status != AVMIT_SEARCH_OK) continue;
        double x = what == 0 ? log10(rows[i].cfg.lr) : what == 1 ? log2(rows[i].cfg.units) : log2(rows[i].cfg.nb);
        double y = 100 * rows[i].m.oob_top1;
        xlo = fmin(xlo, x), xhi = fmax(xhi, x), ylo = fmin(ylo, y), yhi = fmax(yhi, y);
    }
    if (!isfinite(xlo)) xlo = 0, xhi = 1, ylo = 0, yhi = 100;
    if (xhi - xlo < 1e-9) xlo -= 0.5, xhi += 0.5;
    if (yhi - ylo < 1e-9) ylo -= 1, yhi += 1;
    fprintf(f, "<svg class=\"chart\" width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\" role=\"img\">"
               "<text x=\"%g\" y=\"16\" class=\"t\">", W, H, W, H, L);
    html_esc(f, title);
    fprintf(f, "</text><path d=\"M%g %gV%gH%g\" class=\"ax\"/>", L, T, T + ph, L + pw);
    for (int k = 0; k <= 4; k++)
        fprintf(f, "<text x=\"%g\" y=\"%g\" class=\"tk\" text-anchor=\"end\">%.1f</text>", L - 4,
                T + ph - ph * k / 4 + 3, ylo + (yhi - ylo) * k / 4);
    for (int k = 0; k <= 4; k++) {
        double xv = xlo + (xhi - xlo) * k / 4;
        fprintf(f, "<text x=\"%g\" y=\"%g\" class=\"tk\" text-anchor=\"middle\">%.3g</text>", L + pw * k / 4,
                T + ph + 14, what == 0 ? pow(10, xv) : pow(2, xv));
    }
    static const char *const xl[3] = {"learning rate (log)", "RNN units (log2)", "bottleneck (log2)"};
    fprintf(f, "<text x=\"%g\" y=\"%g\" class=\"tk\" text-anchor=\"middle\">%s; y: OOB top-1 %%</text>", L + pw / 2,
            T + ph + 28, xl[what]);
    for (size_t i = 0; i < n; i++) {
        if (rows[i].m.status != AVMIT_SEARCH_OK) continue;
        double x = what == 0 ? log10(rows[i].cfg.lr) : what == 1 ? log2(rows[i].cfg.units) : log2(rows[i].cfg.nb);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" fill-opacity=\"0.7\"/>",
                L + (x - xlo) / (xhi - xlo) * pw, T + ph - (100 * rows[i].m.oob_top1 - ylo) / (yhi - ylo) * ph,
                html_colors[rows[i].cfg.key.rnn % 3]);
    }
    for (int k = 0; k < AVMIT_SEARCH_N_RNN; k++)
        fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%g\" y=\"%g\" "
                   "class=\"tk\">%s</text>", L + 70.0 * k, H - 14, html_colors[k], L + 70.0 * k + 14, H - 5,
                avmit_search_rnn_name((avmit_search_rnn)k));
    fputs("</svg>\n", f);
}

static void row_cells(FILE *f, const avmit_search_row *r) {
    fprintf(f, "<td>%s</td><td>%s</td><td>%ld</td><td>%d</td><td>%s</td><td>%d</td><td>%.2g</td><td>%.3g</td>",
            avmit_synth_set_name(r->cfg.key.embeddings), avmit_search_rnn_name(r->cfg.key.rnn), r->cfg.key.trial,
            r->cfg.nb, avmit_search_act_name(r->cfg.act), r->cfg.units, r->cfg.dropout, r->cfg.lr);
    if (r->m.status == AVMIT_SEARCH_OK)
        fprintf(f, "<td>%.4f</td><td>%.2f</td><td>%.2f</td><td>%d</td>", r->m.oob_loss, 100 * r->m.oob_top1,
                100 * r->m.oob_top5, r->m.epochs);
    else
        fprintf(f, "<td colspan=\"3\">%s</td><td>%d</td>", avmit_search_status_name(r->m.status), r->m.epochs);
}

int avmit_search_report_html(const avmit_search_log *log, const char *title, avmit_search_params_fn params,
                             void *params_ctx, const char *path, avmit_error *err) {
    size_t n;
    const avmit_search_row *src = avmit_search_log_rows(log, &n);
    avmit_search_row *rows = malloc(sizeof *rows * (n ? n : 1));
    if (!rows) return AVMIT_NOMEM(err, "search report");
    if (n) memcpy(rows, src, sizeof *rows * n);
    qsort(rows, n, sizeof *rows, cmp_rows);
    avmit_atomic_file *af;
    int rc = avmit_atomic_open(&af, path, 1, err);
    if (rc) {
        free(rows);
        return rc;
    }
    FILE *f = avmit_atomic_stream(af);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>avmit search report</title>"
               "<style>%s</style></head><body>\n<h1>avmit random search: ", html_css);
    html_esc(f, title);
    fprintf(f, "</h1>\n<p>%zu trials (SPEC §5: bootstrap training, out-of-bag scoring, early stopping).</p>\n", n);
    fputs("<h2>Best config per architecture (Table 5 style)</h2><table class=\"num\" id=\"best\"><tr><th>embeddings</th>"
          "<th>RNN</th><th>trials</th><th>diverged</th><th>units</th><th>bottleneck</th><th>act</th><th>dropout</th>"
          "<th>lr</th><th>params</th><th>OOB top-1 %</th></tr>\n", f);
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < AVMIT_SEARCH_N_RNN; k++) {
            const avmit_search_row *best = NULL;
            size_t cnt = 0, div = 0;
            for (size_t i = 0; i < n; i++)
                if ((int)rows[i].cfg.key.embeddings == e && (int)rows[i].cfg.key.rnn == k) {
                    cnt++;
                    if (rows[i].m.status != AVMIT_SEARCH_OK) div++;
                    else if (!best) best = &rows[i]; /* rows are ranked */
                }
            if (!cnt) continue;
            fprintf(f, "<tr><td>%s</td><td>%s</td><td>%zu</td><td>%zu</td>", avmit_synth_set_name((avmit_synth_set)e),
                    avmit_search_rnn_name((avmit_search_rnn)k), cnt, div);
            if (best)
                fprintf(f, "<td>%d</td><td>%d</td><td>%s</td><td>%.2g</td><td>%.3g</td><td>%lld</td><td>%.2f</td></tr>\n",
                        best->cfg.units, best->cfg.nb, avmit_search_act_name(best->cfg.act), best->cfg.dropout,
                        best->cfg.lr, params ? params(params_ctx, &best->cfg) : -1LL, 100 * best->m.oob_top1);
            else
                fputs("<td colspan=\"7\">no finished trial</td></tr>\n", f);
        }
    fputs("</table>\n<h2>OOB top-1 against the hyper-parameters</h2><div class=\"row\">\n", f);
    svg_scatter(f, "OOB top-1 vs learning rate", rows, n, 0);
    svg_scatter(f, "OOB top-1 vs RNN units", rows, n, 1);
    svg_scatter(f, "OOB top-1 vs bottleneck", rows, n, 2);
    fputs("</div>\n<h2>Leaderboard (25 best)</h2><table class=\"num\" id=\"leaderboard\"><tr><th>rank</th>"
          "<th>embeddings</th><th>RNN</th><th>trial</th><th>bottleneck</th><th>act</th><th>units</th><th>dropout</th>"
          "<th>lr</th><th>OOB loss</th><th>OOB top-1 %</th><th>OOB top-5 %</th><th>epochs</th></tr>\n", f);
    for (size_t i = 0; i < n && i < 25; i++) {
        fprintf(f, "<tr><td>%zu</td>", i + 1);
        row_cells(f, &rows[i]);
        fputs("</tr>\n", f);
    }
    fputs("</table><p class=\"note\">Written by avmit search report; self-contained (inline SVG and CSS, no "
          "scripts).</p></body></html>\n", f);
    free(rows);
    return avmit_atomic_commit(af, err);
}
