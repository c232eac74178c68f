/*
 * report.c — the one-page HTML model report (avmit/report.h). Everything is written
 * inline: CSS in <style>, charts as <svg> elements drawn here (line charts of
 * metrics.csv, the confusion heat map, paper-vs-run bars), no script, no network.
 */
#include "avmit/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/error_int.h"
#include "avmit/csv.h"
#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/nn.h"
#include "avmit/savc_pairs.h"
#include "avmit/savc_train.h"
#include "avmit/split.h"
#include "avmit/train.h"
#include "html_int.h"

/* SPEC §1 Tables 6 and 7: [embeddings: 0 YamNet+EffNetB0, 1 VGGish+VGG16][rnn: FRNN, GRU, LSTM][AVMIT, MIT-16]. */
static const double k_table6[2][3][2] = {{{94.58, 89.79}, {95.73, 92.29}, {95.52, 92.81}},
                                         {{90.73, 84.79}, {91.04, 85.83}, {90.94, 86.98}}};
static const double k_table7[2][3][2] = {{{81.30, 73.33}, {81.82, 75.47}, {82.24, 74.17}},
                                         {{73.18, 71.09}, {72.92, 67.19}, {77.55, 58.39}}};

static int rnn_index(const char *rnn) {
    if (!strcmp(rnn, "GRU")) return 1;
    if (!strcmp(rnn, "LSTM")) return 2;
    if (!strcmp(rnn, "FRNN") || !strcmp(rnn, "SimpleRNN")) return 0;
    return -1;
}

double avmit_paper_top1(int savc, int audio_dim, const char *rnn, int mit16) {
    int e = audio_dim == 1024 ? 0 : audio_dim == 128 ? 1 : -1, r = rnn_index(rnn);
    if (e < 0 || r < 0) return NAN;
    return (savc ? k_table7 : k_table6)[e][r][mit16 ? 1 : 0];
}

void html_esc(FILE *f, const char *s) {
    for (; s && *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static int exists(const char *dir, const char *name) {
    char *p = avmit_path_join(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0;
    free(p);
    return ok;
}

/* Rows of a CSV file, or -1. */
static long csv_rows(const char *path) {
    avmit_csv t;
    if (!path || !path[0] || avmit_csv_read(&t, path, NULL)) return -1;
    long n = (long)t.n_rows;
    avmit_csv_free(&t);
    return n;
}

/* ---- inline SVG charts ------------------------------------------------------------ */
const char *const html_colors[4] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7"};
#define k_col html_colors

/* Line chart: n_series series over x = 1..n points. */
static void svg_lines(FILE *f, const char *title, size_t n, size_t n_series, const double *const *ys,
                      const char *const *names) {
    const double W = 420, H = 240, L = 50, R = 10, T = 28, B = 48, pw = W - L - R, ph = H - T - B;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t s = 0; s < n_series; s++)
        for (size_t i = 0; i < n; i++)
            if (isfinite(ys[s][i])) lo = fmin(lo, ys[s][i]), hi = fmax(hi, ys[s][i]);
    if (!isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-9) hi = lo + 1e-3, lo -= 1e-3;
    fprintf(f, "<svg class=\"chart\" width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\" role=\"img\">"
               "<text x=\"%g\" y=\"16\" class=\"t\">", W, H, W, H, L);
    html_esc(f, title);
    fprintf(f, "</text><path d=\"M%g %gV%gH%g\" class=\"ax\"/>", L, T, T + ph, L + pw);
    for (int k = 0; k <= 4; k++) {
        double v = lo + (hi - lo) * k / 4, y = T + ph - ph * k / 4;
        fprintf(f, "<text x=\"%g\" y=\"%g\" class=\"tk\" text-anchor=\"end\">%.3g</text>", L - 4, y + 3, v);
    }
    for (size_t i = 0; i < n; i += (n > 10 ? n / 5 : 1))
        fprintf(f, "<text x=\"%g\" y=\"%g\" class=\"tk\" text-anchor=\"middle\">%zu</text>",
                L + (n > 1 ? pw * i / (n - 1) : pw / 2), T + ph + 14, i + 1);
    fprintf(f, "<text x=\"%g\" y=\"%g\" class=\"tk\" text-anchor=\"middle\">epoch</text>", L + pw / 2, T + ph + 28);
    for (size_t s = 0; s < n_series; s++) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", k_col[s]);
        for (size_t i = 0; i < n; i++)
            if (isfinite(ys[s][i]))
                fprintf(f, "%.1f,%.1f ", L + (n > 1 ? pw * i / (n - 1) : pw / 2),
                        T + ph - (ys[s][i] - lo) / (hi - lo) * ph);
        fprintf(f, "\"/><rect x=\"%g\" y=\"%g\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                   "<text x=\"%g\" y=\"%g\" class=\"tk\">", L + 130.0 * s, H - 12, k_col[s], L + 130.0 * s + 14, H - 3);
        html_esc(f, names[s]);
        fputs("</text>", f);
    }
    fputs("</svg>\n", f);
}

/* Horizontal bars: this run vs the paper (percentages). */
static void svg_vs_paper(FILE *f, const char *title, double ours, double paper) {
    const double W = 420, L = 110, pw = 280;
    fprintf(f, "<svg class=\"chart\" width=\"%g\" height=\"96\" viewBox=\"0 0 %g 96\" role=\"img\">"
               "<text x=\"4\" y=\"16\" class=\"t\">", W, W);
    html_esc(f, title);
    fputs("</text>", f);
    const char *lab[2] = {"this run", "paper"};
    double v[2] = {ours, paper};
    for (int i = 0; i < 2; i++) {
        double y = 30 + i * 28, w = isfinite(v[i]) ? pw * fmax(0, fmin(v[i], 100)) / 100 : 0;
        fprintf(f, "<text x=\"%g\" y=\"%g\" class=\"tk\" text-anchor=\"end\">%s</text>"
                   "<rect x=\"%g\" y=\"%g\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"%g\" class=\"tk\">%s</text>",
                L - 6, y + 13, lab[i], L, y, w, k_col[i], L + w + 4, y + 13, "");
        if (isfinite(v[i])) fprintf(f, "<text x=\"%.1f\" y=\"%g\" class=\"tk\">%.2f %%</text>", L + w + 4, y + 13, v[i]);
        else fprintf(f, "<text x=\"%.1f\" y=\"%g\" class=\"tk\">n/a</text>", L + 4, y + 13);
    }
    fputs("</svg>\n", f);
}

static void svg_confusion(FILE *f, const avmit_eval_result *r) {
    const int K = r->K, cell = 22, L = 80, T = 10, size = K * cell;
    fprintf(f, "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", L + size + 10,
            T + size + 80, L + size + 10, T + size + 80);
    for (int i = 0; i < K; i++) {
        const char *name = K == AVMIT_N_CLASSES ? avmit_label_name(i) : "";
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tk\" text-anchor=\"end\">%s</text>", L - 4, T + i * cell + 15, name);
        fprintf(f, "<text transform=\"translate(%d,%d) rotate(60)\" class=\"tk\">%s</text>", L + i * cell + 8,
                T + size + 4, name);
        for (int j = 0; j < K; j++) {
            size_t v = r->confusion[(size_t)i * K + j];
            double fr = r->class_n[i] ? (double)v / r->class_n[i] : 0;
            int c = (int)(255 - 200 * fr);
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,255)\"><title>%zu</title></rect>",
                    L + j * cell, T + i * cell, cell - 1, cell - 1, c, c, v);
            if (v) fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tk\" text-anchor=\"middle\"%s>%zu</text>", L + j * cell + cell / 2,
                           T + i * cell + 15, fr > 0.6 ? " fill=\"#fff\"" : "", v);
        }
    }
    fputs("</svg>\n", f);
}

/* ---- one model ------------------------------------------------------------------------ */
typedef struct {
    const char *dir;
    int savc, mit16, audio_dim, synthetic;
    char rnn[16];
    double test_top1, test_top5, test_loss, best_val; /* percentages for top-k; NaN when absent */
    size_t test_n;
} run_info;

static int synthetic_root(const char *root) { return root && root[0] && exists(root, "SYNTHETIC.txt"); }

/* metrics.csv as curves. */
static void section_curves(FILE *f, const char *dir, run_info *ri) {
    char *p = avmit_path_join(dir, "metrics.csv");
    avmit_csv t;
    int r = p ? avmit_csv_read(&t, p, NULL) : -1;
    free(p);
    if (r) {
        fputs("<p class=\"warn\">no metrics.csv</p>\n", f);
        return;
    }
    const char *cols[2][2] = {{"loss", "val_loss"}, {ri->savc ? "accuracy" : "top1", ri->savc ? "val_accuracy" : "val_top1"}};
    double *ys[2][2] = {{0}};
    for (int c = 0; c < 2; c++)
        for (int s = 0; s < 2; s++) {
            int k = avmit_csv_col(&t, cols[c][s]);
            ys[c][s] = calloc(t.n_rows ? t.n_rows : 1, sizeof(double));
            for (size_t i = 0; ys[c][s] && i < t.n_rows; i++)
                ys[c][s][i] = k >= 0 ? strtod(avmit_csv_cell(&t, i, (size_t)k), NULL) : NAN;
        }
    ri->best_val = NAN;
    for (size_t i = 0; ys[1][1] && i < t.n_rows; i++)
        if (isnan(ri->best_val) || ys[1][1][i] > ri->best_val) ri->best_val = ys[1][1][i];
    fprintf(f, "<h3>Training curves (metrics.csv, %zu epochs)</h3><div class=\"row\">\n", t.n_rows);
    if (ys[0][0] && ys[0][1] && ys[1][0] && ys[1][1]) {
        const double *l[2] = {ys[0][0], ys[0][1]}, *a[2] = {ys[1][0], ys[1][1]};
        const char *ln[2] = {"training loss", "validation loss"}, *an[2] = {"training accuracy", "validation accuracy"};
        svg_lines(f, "loss", t.n_rows, 2, l, ln);
        svg_lines(f, ri->savc ? "accuracy" : "top-1 accuracy", t.n_rows, 2, a, an);
    }
    fputs("</div>\n", f);
    for (int c = 0; c < 2; c++)
        for (int s = 0; s < 2; s++) free(ys[c][s]);
    avmit_csv_free(&t);
}

static int section_test(FILE *f, run_info *ri, avmit_model *m, const avmit_report_opts *o, avmit_error *err) {
    avmit_split s = {0};
    avmit_examples ex = {0};
    avmit_eval_result r = {0};
    avmit_nn_set_threads(o->n_threads);
    int rc = avmit_split_read(&s, o->test_csv, err);
    if (!rc) rc = avmit_split_validate(&s, err);
    if (!rc) rc = avmit_examples_load_split(&ex, &s, o->tfrecords, &m->cfg, 0, o->n_threads, err);
    if (!rc) rc = avmit_evaluate(m, &ex, 64, 0, &r, err);
    if (!rc) {
        ri->test_top1 = 100 * r.top1, ri->test_top5 = 100 * r.top5, ri->test_loss = r.loss, ri->test_n = r.n;
        fprintf(f, "<h3>Test set</h3><p>");
        html_esc(f, o->test_csv);
        fprintf(f, " (%zu videos; embeddings ", r.n);
        html_esc(f, o->tfrecords);
        fprintf(f, "%s)</p>\n<table class=\"num test\"><tr><th>loss</th><th>top-1 %%</th><th>top-5 %%</th></tr>"
                   "<tr><td class=\"loss\">%.6f</td><td class=\"top1\">%.2f</td><td class=\"top5\">%.2f</td></tr></table>\n",
                synthetic_root(o->tfrecords) ? ", <b class=\"synth\">SYNTHETIC</b>" : "", r.loss,
                100 * r.top1, 100 * r.top5);
        fputs("<div class=\"row\"><div><h4>Confusion matrix (rows true, columns predicted)</h4>\n", f);
        svg_confusion(f, &r);
        fputs("</div><div><h4>Per class</h4><table class=\"num perclass\"><tr><th>class</th><th>n</th>"
              "<th>accuracy %</th><th>precision %</th><th>recall %</th></tr>\n", f);
        for (int k = 0; k < r.K; k++) {
            size_t tp = r.confusion[(size_t)k * r.K + k], col = 0;
            for (int i = 0; i < r.K; i++) col += r.confusion[(size_t)i * r.K + k];
            double acc = r.class_n[k] ? 100.0 * tp / r.class_n[k] : NAN, prec = col ? 100.0 * tp / col : NAN;
            fprintf(f, "<tr><td>%s</td><td>%zu</td>", r.K == AVMIT_N_CLASSES ? avmit_label_name(k) : "?", r.class_n[k]);
            double v[3] = {acc, prec, acc};
            for (int j = 0; j < 3; j++)
                if (isnan(v[j])) fputs("<td>—</td>", f); /* no videos of / predicted as the class */
                else fprintf(f, "<td>%.2f</td>", v[j]);
            fputs("</tr>\n", f);
        }
        fputs("</table><p class=\"note\">Recall is the per-class accuracy (top-1 among the class's videos).</p>"
              "</div></div>\n", f);
    }
    avmit_eval_result_free(&r);
    avmit_examples_free(&ex);
    avmit_split_free(&s);
    return rc;
}

/* SAVC: the test pairs of `avmit savc eval` (seed 0: every test video's audio once
 * congruent, once incongruent) and their accuracy and confusion. */
static int section_savc_test(FILE *f, run_info *ri, const avmit_savc_model *m, const avmit_report_opts *o,
                             avmit_error *err) {
    avmit_savc_videos vids = {0};
    avmit_savc_pairs cong = {0}, incong = {0};
    avmit_savc_data data = {0};
    avmit_savc_eval ev;
    const char *roots[1] = {o->tfrecords};
    avmit_nn_set_threads(o->n_threads);
    int rc = avmit_savc_videos_read(&vids, o->test_csv, NULL, err);
    if (!rc) rc = avmit_savc_make_test_pairs(&vids, 0, &cong, &incong, err);
    if (!rc) rc = avmit_savc_data_load(&data, &vids, roots, 1, &m->cfg, o->n_threads, err);
    if (!rc) rc = avmit_savc_evaluate(m, &data, &cong, &incong, 512, &ev, err);
    if (!rc) {
        ri->test_top1 = 100 * ev.accuracy, ri->test_loss = ev.loss, ri->test_n = ev.n;
        ri->synthetic |= synthetic_root(o->tfrecords); /* a SAVC model dir does not record its data */
        fputs("<h3>SAVC test pairs</h3><p>", f);
        html_esc(f, o->test_csv);
        fprintf(f, ": %zu pairs (%zu congruent, %zu incongruent, seed 0 as <code>avmit savc eval</code>)%s</p>\n"
                   "<table class=\"num savctest\"><tr><th>loss</th><th>accuracy %%</th></tr><tr><td>%.6f</td>"
                   "<td>%.2f</td></tr></table>\n<table class=\"num\"><tr><th>true / predicted</th><th>incongruent</th>"
                   "<th>congruent</th></tr><tr><th>incongruent</th><td>%zu</td><td>%zu</td></tr><tr><th>congruent</th>"
                   "<td>%zu</td><td>%zu</td></tr></table>\n",
                ev.n, cong.n, incong.n, synthetic_root(o->tfrecords) ? ", embeddings <b class=\"synth\">SYNTHETIC</b>" : "",
                ev.loss, 100 * ev.accuracy, ev.confusion[0][0], ev.confusion[0][1], ev.confusion[1][0],
                ev.confusion[1][1]);
    }
    avmit_savc_data_free(&data);
    avmit_savc_pairs_free(&cong);
    avmit_savc_pairs_free(&incong);
    avmit_savc_videos_free(&vids);
    return rc;
}

static int section_run(FILE *f, const char *dir, const avmit_report_opts *o, run_info *ri, avmit_error *err) {
    memset(ri, 0, sizeof *ri);
    ri->dir = dir;
    ri->test_top1 = ri->test_top5 = ri->test_loss = ri->best_val = NAN;
    ri->savc = !exists(dir, "config.json");
    avmit_model_config mc;
    avmit_train_params tp;
    avmit_data_paths dp;
    memset(&dp, 0, sizeof dp);
    avmit_savc_model *sm = NULL;
    int rc = 0;
    if (!ri->savc) {
        if ((rc = avmit_modeldir_read_config(dir, &mc, &tp, &dp, err))) return rc;
        ri->audio_dim = mc.audio_dim;
        snprintf(ri->rnn, sizeof ri->rnn, "%s", avmit_rnn_name(mc.rnn));
        ri->synthetic = synthetic_root(dp.tfrecords);
    } else {
        char *p = avmit_path_join(dir, "model.safetensors");
        rc = p ? avmit_savc_model_load(&sm, p, err) : AVMIT_NOMEM(err, "path");
        free(p);
        if (rc) return rc;
        ri->audio_dim = sm->cfg.audio_dim;
        snprintf(ri->rnn, sizeof ri->rnn, "%s", avmit_rnn_name(sm->cfg.rnn));
    }
    ri->mit16 = strstr(dir, "MIT16") || strstr(dir, "mit16") || strstr(dp.train_csv, "MIT16") ||
                strstr(dp.train_csv, "mit16");
    fprintf(f, "<section><h2>");
    html_esc(f, dir);
    fprintf(f, " — %s %s, %s%s</h2>\n", ri->savc ? "SAVC (experiment 2)" : "experiment 1",
            ri->audio_dim == 1024 ? "YamNet+EffNetB0" : ri->audio_dim == 128 ? "VGGish+VGG16" : "?", ri->rnn,
            ri->synthetic ? " <b class=\"synth\">SYNTHETIC DATA</b>" : "");
    fputs("<h3>Configuration and provenance</h3><table>", f);
    if (!ri->savc) {
        fprintf(f, "<tr><th>model</th><td>%s, %d units, bottleneck %d %s, dropout %g, inputs %d/%d, T %d</td></tr>",
                avmit_rnn_name(mc.rnn), mc.units, mc.bottleneck, avmit_act_name(mc.act), (double)mc.dropout,
                mc.audio_dim, mc.visual_dim, mc.timesteps);
        fprintf(f, "<tr><th>training</th><td>up to %d epochs, batch %d, lr %g (decay %g), patience %d, seed %llu</td></tr>",
                tp.epochs, tp.batch, tp.lr, tp.lr_decay, tp.patience, (unsigned long long)tp.seed);
        const char *names[3] = {"embeddings", "train split", "validation split"};
        const char *vals[3] = {dp.tfrecords, dp.train_csv, dp.val_csv};
        for (int i = 0; i < 3; i++) {
            fprintf(f, "<tr><th>%s</th><td>", names[i]);
            html_esc(f, vals[i]);
            long rows = i ? csv_rows(vals[i]) : -1;
            if (i && rows >= 0) fprintf(f, " (%ld rows)", rows);
            if (!i) fputs(ri->synthetic ? " — <b class=\"synth\">SYNTHETIC</b> (avmit synth marker SYNTHETIC.txt)"
                                        : " (no SYNTHETIC marker)", f);
            fputs("</td></tr>", f);
        }
    } else {
        fprintf(f, "<tr><th>model</th><td>SAVC %s, %d units, dropout %g, inputs %d/%d, E %d, T %d, %zu parameters</td></tr>",
                avmit_rnn_name(sm->cfg.rnn), sm->cfg.units, (double)sm->cfg.dropout, sm->cfg.audio_dim,
                sm->cfg.visual_dim, sm->cfg.embed, sm->cfg.timesteps, sm->n_weights);
        fputs("<tr><th>data</th><td>pair files are not recorded in a SAVC model directory; see the training log</td></tr>", f);
    }
    static const char *const files[] = {"model.safetensors", "config.json", "metrics.csv", "results.txt",
                                        "train_state.safetensors"};
    fputs("<tr><th>files</th><td>", f);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (exists(dir, files[i])) fprintf(f, "%s ", files[i]);
    fputs("</td></tr></table>\n", f);
    section_curves(f, dir, ri);
    if (!ri->savc && o->test_csv && o->tfrecords) {
        avmit_model *m = NULL;
        rc = avmit_modeldir_open(&m, dir, err);
        if (!rc) rc = section_test(f, ri, m, o, err);
        avmit_model_free(m);
    } else if (ri->savc && o->test_csv && o->tfrecords) {
        rc = section_savc_test(f, ri, sm, o, err);
    } else {
        fputs("<p class=\"note\">No test evaluation: give --test and --tfrecords.</p>\n", f);
    }
    double paper = avmit_paper_top1(ri->savc, ri->audio_dim, ri->rnn, ri->mit16);
    double ours = ri->test_top1;
    fprintf(f, "<h3>Against the paper (%s, %s-trained)</h3><div class=\"row\">", ri->savc ? "Table 7" : "Table 6",
            ri->mit16 ? "MIT-16" : "AVMIT");
    svg_vs_paper(f, ri->savc ? "SAVC accuracy % on the test pairs: this run vs paper"
                             : "top-1 % on the test set: this run vs paper", ours, paper);
    fprintf(f, "<p class=\"note\">Paper: real embeddings, up to 200 epochs (SPEC §1).%s</p></div></section>\n",
            ri->synthetic ? " This run used SYNTHETIC embeddings: its numbers say nothing about the real dataset." : "");
    avmit_savc_free(sm);
    return rc;
}

const char html_css[] =
    "body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}"
    "h1{font-size:22px}h2{font-size:18px;border-top:2px solid #ccc;padding-top:12px}h3{font-size:15px}"
    "table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}"
    "table.num td{text-align:right}.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}"
    ".synth{color:#b00;background:#fee;padding:1px 4px}.warn{color:#b00}.note{color:#555;font-size:12px}"
    "svg .t{font-size:13px;font-weight:bold}svg .tk{font-size:10px}svg .ax{stroke:#000;fill:none}";

int avmit_report_write(const char *const *dirs, size_t n, const avmit_report_opts *o, const char *path,
                       avmit_error *err) {
    AVMIT_RETURN_IF(n < 1, err, AVMIT_E_ARG, path, NULL, "no model directory");
    run_info *ri = calloc(n, sizeof *ri);
    if (!ri) return AVMIT_NOMEM(err, "report");
    avmit_atomic_file *af;
    int rc = avmit_atomic_open(&af, path, 1, err);
    if (rc) {
        free(ri);
        return rc;
    }
    FILE *f = avmit_atomic_stream(af);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>avmit report</title>"
               "<style>%s</style></head><body>\n<h1>avmit model report (%zu run%s)</h1>\n", html_css, n, n > 1 ? "s" : "");
    for (size_t i = 0; i < n && !rc; i++) rc = section_run(f, dirs[i], o, &ri[i], err);
    if (!rc) { /* the comparison table (Table 6/7 style) */
        fputs("<section><h2>Summary (Table 6/7 style)</h2><table class=\"num\" id=\"summary\"><tr><th>run</th><th>task</th>"
              "<th>embeddings</th><th>RNN</th><th>trained on</th><th>data</th><th>test top-1 % (SAVC: accuracy)</th><th>test top-5 %</th>"
              "<th>best val accuracy %</th><th>paper %</th></tr>\n", f);
        for (size_t i = 0; i < n; i++) {
            fputs("<tr><td>", f);
            html_esc(f, ri[i].dir);
            fprintf(f, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>", ri[i].savc ? "SAVC" : "exp. 1",
                    ri[i].audio_dim == 1024 ? "YamNet+EffNetB0" : "VGGish+VGG16", ri[i].rnn,
                    ri[i].mit16 ? "MIT-16" : "AVMIT", ri[i].synthetic ? "<b class=\"synth\">SYNTHETIC</b>" : "");
            double v[4] = {ri[i].test_top1, ri[i].test_top5, 100 * ri[i].best_val,
                           avmit_paper_top1(ri[i].savc, ri[i].audio_dim, ri[i].rnn, ri[i].mit16)};
            for (int k = 0; k < 4; k++)
                if (isfinite(v[k])) fprintf(f, "<td>%.2f</td>", v[k]);
                else fputs("<td>—</td>", f);
            fputs("</tr>\n", f);
        }
        fputs("</table><p class=\"note\">Paper: Table 6 (experiment 1, test top-1) and Table 7 (SAVC accuracy), "
              "SPEC §1. Written by avmit; self-contained (inline SVG and CSS, no scripts).</p></section>\n", f);
        fputs("</body></html>\n", f);
    }
    if (rc) avmit_atomic_abort(af);
    else rc = avmit_atomic_commit(af, err);
    free(ri);
    return rc;
}
