/*
 * annotate/stats.c — the experimenter's view of a study (avmit_annotate_status_json,
 * issue 15 item 6): progress per rater and class, agreement, ground-truth accuracy,
 * attention and reaction-time statistics, screening and headphone results.
 *
 * Agreement:
 *  - Fleiss' kappa (avmit_fleiss_kappa, src/data/ratings.c) over the `rate` videos that have
 *    exactly raters_per_video ratings, categories 1/2/3.
 *  - Krippendorff's alpha, ORDINAL metric (the ratings 1 < 2 < 3 are ordered), over every
 *    `rate` video with at least 2 ratings (Krippendorff 2011, "Computing Krippendorff's
 *    alpha-reliability"): coincidences o_ck = sum_u n_uc (n_uk - [c=k]) / (m_u - 1),
 *    n_c = sum_k o_ck, n = sum_c n_c,
 *    alpha = 1 - (n - 1) sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck, with
 *    ordinal d2_ck = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2, nominal d2_ck = [c != k].
 * Reaction-time outliers: modified z-score (Iglewicz & Hoaglin 1993) of log RT over all
 * ratings, |0.6745 (x - median) / MAD| > 3.5.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotate/annotate_int.h"
#include "avmit/ratings.h"
#include "core/error_int.h"

double ann_krippendorff_alpha(const int *counts, size_t n_units, int n_cat, int ordinal) {
    if (n_cat < 2 || n_cat > 64) return NAN;
    double o[64 * 64] = {0}, nc[64] = {0};
    for (size_t u = 0; u < n_units; u++) {
        const int *c = counts + u * (size_t)n_cat;
        long m = 0;
        for (int j = 0; j < n_cat; j++) m += c[j];
        if (m < 2) continue;
        for (int a = 0; a < n_cat; a++)
            for (int b = 0; b < n_cat; b++)
                o[a * n_cat + b] += (double)c[a] * (double)(c[b] - (a == b)) / (double)(m - 1);
    }
    double n = 0;
    for (int a = 0; a < n_cat; a++) {
        for (int b = 0; b < n_cat; b++) nc[a] += o[a * n_cat + b];
        n += nc[a];
    }
    if (n < 2) return NAN;
    double num = 0, den = 0;
    for (int a = 0; a < n_cat; a++)
        for (int b = 0; b < n_cat; b++) {
            double d2;
            if (!ordinal) {
                d2 = a != b;
            } else {
                int lo = a < b ? a : b, hi = a < b ? b : a;
                double s = 0;
                for (int g = lo; g <= hi; g++) s += nc[g];
                s -= (nc[a] + nc[b]) / 2;
                d2 = s * s;
            }
            num += o[a * n_cat + b] * d2;
            den += nc[a] * nc[b] * d2;
        }
    if (den == 0) return NAN;
    return 1.0 - (n - 1) * num / den;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v); NaN when n == 0. */
static double median(double *v, size_t n) {
    if (!n) return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static json_t *num_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* Agreement over the `rate` videos. */
static json_t *agreement(sqlite3 *db, int n_raters) {
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT video_id, sum(rating=1), sum(rating=2), sum(rating=3)"
                           " FROM ratings WHERE kind='rate' GROUP BY video_id ORDER BY video_id",
                           -1, &st, NULL);
    size_t cap = 1024, n = 0, n_exact = 0;
    int *all = malloc(cap * 3 * sizeof *all), *exact = malloc(cap * 3 * sizeof *exact);
    while (all && exact && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap *= 2;
            int *a2 = realloc(all, cap * 3 * sizeof *all), *e2 = realloc(exact, cap * 3 * sizeof *exact);
            if (a2) all = a2;
            if (e2) exact = e2;
            if (!a2 || !e2) break;
        }
        int c[3] = {sqlite3_column_int(st, 1), sqlite3_column_int(st, 2), sqlite3_column_int(st, 3)};
        memcpy(all + 3 * n++, c, sizeof c);
        if (c[0] + c[1] + c[2] == n_raters) memcpy(exact + 3 * n_exact++, c, sizeof c);
    }
    sqlite3_finalize(st);
    double kappa = NAN, alpha = NAN, alpha_nom = NAN;
    if (all && exact) {
        avmit_error e;
        if (n_exact && n_raters >= 2 && avmit_fleiss_kappa(exact, n_exact, 3, n_raters, &kappa, &e))
            kappa = NAN;
        alpha = ann_krippendorff_alpha(all, n, 3, 1);
        alpha_nom = ann_krippendorff_alpha(all, n, 3, 0);
    }
    free(all);
    free(exact);
    return json_pack("{s:o,s:I,s:o,s:o,s:I,s:s}", "fleiss_kappa", num_or_null(kappa),
                     "fleiss_kappa_videos", (json_int_t)n_exact, "krippendorff_alpha_ordinal",
                     num_or_null(alpha), "krippendorff_alpha_nominal", num_or_null(alpha_nom),
                     "alpha_videos", (json_int_t)n,
                     "note", "kappa: videos with exactly raters_per_video ratings; alpha: "
                             "ordinal metric over videos with >= 2 ratings");
}

/* RT outliers over all ratings with an RT; appends per-rater counts to `per_rater`
 * (object name -> count) and returns the list. */
static json_t *rt_outliers(sqlite3 *db, json_t *per_rater, json_t **summary) {
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT r.rt_ms, k.name, v.filename, r.kind FROM ratings r JOIN"
                           " raters k ON k.id=r.rater_id JOIN videos v ON v.id=r.video_id"
                           " WHERE r.rt_ms IS NOT NULL AND r.rt_ms > 0 ORDER BY r.id", -1, &st, NULL);
    size_t cap = 1024, n = 0;
    double *x = malloc(cap * sizeof *x);
    while (x && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            double *x2 = realloc(x, 2 * cap * sizeof *x);
            if (!x2) break;
            x = x2, cap *= 2;
        }
        x[n++] = log(sqlite3_column_double(st, 0));
    }
    json_t *list = json_array();
    double *s = x ? malloc((n ? n : 1) * sizeof *s) : NULL;
    double med = NAN, mad = NAN;
    if (s) {
        memcpy(s, x, n * sizeof *s);
        med = median(s, n);
        for (size_t i = 0; i < n; i++) s[i] = fabs(x[i] - med);
        mad = median(s, n);
    }
    if (s && n >= 3 && mad > 0) {
        sqlite3_reset(st);
        for (size_t i = 0; sqlite3_step(st) == SQLITE_ROW && i < n; i++) {
            double z = 0.6745 * (x[i] - med) / mad;
            if (fabs(z) <= 3.5) continue;
            const char *name = (const char *)sqlite3_column_text(st, 1);
            json_t *c = json_object_get(per_rater, name);
            json_object_set_new(per_rater, name, json_integer(c ? json_integer_value(c) + 1 : 1));
            if (json_array_size(list) < 100)
                json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:f,s:f}", "rater", name,
                                                      "filename", (const char *)sqlite3_column_text(st, 2),
                                                      "kind", (const char *)sqlite3_column_text(st, 3),
                                                      "rt_ms", sqlite3_column_double(st, 0),
                                                      "modified_z", z));
        }
    }
    sqlite3_finalize(st);
    *summary = json_pack("{s:I,s:o,s:o,s:s}", "ratings_with_rt", (json_int_t)n, "median_ms",
                         num_or_null(exp(med)), "mad_log", num_or_null(mad), "rule",
                         "|0.6745 (log rt - median) / MAD| > 3.5");
    free(s);
    free(x);
    return list;
}

static json_t *raters_json(sqlite3 *db, const avmit_annotate_config *cfg, json_t *outl) {
    json_t *arr = json_array();
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db,
        "SELECT k.id, k.name, k.phase, k.screening_correct, k.screening_total, k.hp_huggins,"
        " k.hp_antiphase,"
        " (SELECT count(*) FROM ratings r WHERE r.rater_id=k.id AND r.kind='rate'),"
        " (SELECT count(*) FROM ratings r WHERE r.rater_id=k.id AND r.kind='gt'),"
        " (SELECT count(*) FROM ratings r WHERE r.rater_id=k.id AND r.kind='gt' AND r.correct=1),"
        " (SELECT coalesce(sum(early_presses),0) FROM ratings r WHERE r.rater_id=k.id),"
        " (SELECT avg(replays) FROM ratings r WHERE r.rater_id=k.id),"
        " (SELECT count(*) FROM ratings r WHERE r.rater_id=k.id AND r.kind='training'),"
        " (SELECT coalesce(sum(matches),0) FROM bonus_paid p WHERE p.rater_id=k.id),"
        " (SELECT count(*) FROM trials t WHERE t.rater_id=k.id AND t.state='leased' AND"
        "  t.kind IN ('rate','gt') AND t.lease_expires>?),"
        " (SELECT count(*) FROM ratings r WHERE r.rater_id=k.id AND r.clock='rvfc')"
        " FROM raters k ORDER BY k.id", -1, &st, NULL);
    sqlite3_bind_double(st, 1, ann_now());
    while (sqlite3_step(st) == SQLITE_ROW) {
        long id = (long)sqlite3_column_int64(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        long gt = (long)sqlite3_column_int64(st, 8), gt_ok = (long)sqlite3_column_int64(st, 9);
        json_t *scr = json_null(), *hp = json_null();
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            int c = sqlite3_column_int(st, 3), t = sqlite3_column_int(st, 4);
            scr = json_pack("{s:i,s:i,s:i,s:b}", "correct", c, "total", t, "pass_mark",
                            cfg->pass_mark, "passed", c >= cfg->pass_mark);
        }
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
            int h = sqlite3_column_int(st, 5), a = sqlite3_column_int(st, 6);
            hp = json_pack("{s:i,s:i,s:i,s:i,s:b}", "huggins_correct", h, "antiphase_correct", a,
                           "trials_each", cfg->headphone_trials, "pass_each", cfg->headphone_pass,
                           "passed", h >= cfg->headphone_pass && a >= cfg->headphone_pass);
        }
        /* median RT of this rater */
        sqlite3_stmt *q = NULL;
        sqlite3_prepare_v2(db, "SELECT rt_ms FROM ratings WHERE rater_id=? AND rt_ms IS NOT NULL",
                           -1, &q, NULL);
        sqlite3_bind_int64(q, 1, id);
        double *v = NULL;
        size_t nv = 0, cv = 0;
        while (sqlite3_step(q) == SQLITE_ROW) {
            if (nv == cv) {
                double *v2 = realloc(v, (cv = cv ? 2 * cv : 256) * sizeof *v);
                if (!v2) break;
                v = v2;
            }
            v[nv++] = sqlite3_column_double(q, 0);
        }
        sqlite3_finalize(q);
        json_t *oc = json_object_get(outl, name);
        long n_all = (long)sqlite3_column_int64(st, 7) + gt + (long)sqlite3_column_int64(st, 12);
        json_array_append_new(arr, json_pack(
            "{s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:{s:I,s:o,s:o,s:I,s:I},s:I,s:I}",
            "name", name, "phase", (const char *)sqlite3_column_text(st, 2),
            "ratings", (json_int_t)sqlite3_column_int64(st, 7), "gt_rated", (json_int_t)gt,
            "gt_correct", (json_int_t)gt_ok,
            "gt_accuracy", gt ? json_real((double)gt_ok / (double)gt) : json_null(),
            "screening", scr, "headphones", hp, "attention",
            "early_presses", (json_int_t)sqlite3_column_int64(st, 10),
            "replays_per_trial", n_all ? json_real(sqlite3_column_double(st, 11)) : json_null(),
            "rt_median_ms", num_or_null(median(v, nv)),
            "rt_outliers", (json_int_t)(oc ? json_integer_value(oc) : 0),
            "frame_timed", (json_int_t)sqlite3_column_int64(st, 15),
            "bonus_paid_matches", (json_int_t)sqlite3_column_int64(st, 13),
            "leases_held", (json_int_t)sqlite3_column_int64(st, 14)));
        free(v);
    }
    sqlite3_finalize(st);
    return arr;
}

static json_t *classes_json(sqlite3 *db, int n_raters) {
    json_t *arr = json_array();
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT v.label, count(*), sum(c.n >= ?), sum(c.n > 0), sum(c.n)"
                           " FROM videos v JOIN (SELECT v2.id AS id, (SELECT count(*) FROM"
                           " ratings r WHERE r.video_id=v2.id AND r.kind='rate') AS n FROM"
                           " videos v2 WHERE v2.role='rate') c ON c.id=v.id GROUP BY v.label"
                           " ORDER BY v.label", -1, &st, NULL);
    sqlite3_bind_int(st, 1, n_raters);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:I,s:I}", "label",
                                             (const char *)sqlite3_column_text(st, 0), "videos",
                                             (json_int_t)sqlite3_column_int64(st, 1), "complete",
                                             (json_int_t)sqlite3_column_int64(st, 2), "started",
                                             (json_int_t)sqlite3_column_int64(st, 3), "ratings",
                                             (json_int_t)sqlite3_column_int64(st, 4)));
    sqlite3_finalize(st);
    return arr;
}

static json_int_t count_of(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st = NULL;
    json_int_t v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The status document from an open connection (the server's dashboard uses it too). */
json_t *ann_status(sqlite3 *db, const avmit_annotate_config *cfg) {
    json_t *per_rater = json_object(), *rt_summary = NULL;
    json_t *outliers = rt_outliers(db, per_rater, &rt_summary);
    json_t *doc = json_pack(
        "{s:{s:i,s:i,s:I,s:I,s:I,s:I,s:b,s:f},s:{s:I,s:I,s:I},s:o,s:o,s:o,s:o,s:o}",
        "study", "raters_per_video", cfg->raters_per_video, "pass_mark", cfg->pass_mark,
        "videos", count_of(db, "SELECT count(*) FROM videos WHERE role='rate'"),
        "ground_truth_clips", count_of(db, "SELECT count(*) FROM videos WHERE role='gt'"),
        "training_clips", count_of(db, "SELECT count(*) FROM videos WHERE role='training'"),
        "screening_clips", count_of(db, "SELECT count(*) FROM videos WHERE role='screening'"),
        "headphone_check", cfg->headphone_check, "bonus_per_match", cfg->bonus_per_match,
        "progress", "ratings", count_of(db, "SELECT count(*) FROM ratings WHERE kind='rate'"),
        "videos_complete",
        count_of(db, "SELECT count(*) FROM (SELECT video_id FROM ratings WHERE kind='rate'"
                     " GROUP BY video_id HAVING count(*) >= (SELECT CAST(value AS INTEGER) FROM"
                     " meta WHERE key='raters_per_video'))"),
        "videos_started", count_of(db, "SELECT count(DISTINCT video_id) FROM ratings WHERE kind='rate'"),
        "classes", classes_json(db, cfg->raters_per_video), "raters",
        raters_json(db, cfg, per_rater), "agreement", agreement(db, cfg->raters_per_video),
        "reaction_time", rt_summary, "rt_outliers", outliers);
    json_decref(per_rater);
    return doc;
}

/* Open the study, build its status document, close it; *cfg gets the study parameters. */
static int load_status(const char *db_path, avmit_annotate_config *cfg, json_t **doc,
                       avmit_error *err) {
    sqlite3 *db = NULL;
    *doc = NULL;
    int r = ann_db_open(db_path, 0, &db, err);
    if (r) return r;
    ann_load_config(db, cfg, err);
    *doc = ann_status(db, cfg);
    sqlite3_close(db);
    return *doc ? 0 : AVMIT_ERR(err, AVMIT_E_NOMEM, db_path, "", "cannot build the status document");
}

int avmit_annotate_status_json(const char *db_path, char **json, avmit_error *err) {
    avmit_annotate_config cfg;
    json_t *doc;
    *json = NULL;
    int r = load_status(db_path, &cfg, &doc, err);
    if (r) return r;
    *json = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return *json ? 0 : AVMIT_NOMEM(err, "status json");
}

/* Append printf-formatted text to a growing buffer; -1 when out of memory. */
static int cat(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int cat(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return -1;
        if (*buf && *len + (size_t)n < *cap) {
            *len += (size_t)n;
            return 0;
        }
        size_t nc = (*cap ? *cap : 1024) * 2 + (size_t)n;
        char *b = realloc(*buf, nc);
        if (!b) return -1;
        *buf = b, *cap = nc;
    }
}

static double num(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

int avmit_annotate_status_text(const char *db_path, char **text, avmit_error *err) {
    avmit_annotate_config cfg;
    json_t *doc;
    *text = NULL;
    int r = load_status(db_path, &cfg, &doc, err);
    if (r) return r;
    json_t *st = json_object_get(doc, "study"), *pg = json_object_get(doc, "progress");
    json_t *ag = json_object_get(doc, "agreement");
    char *b = NULL;
    size_t len = 0, cap = 0;
    int e = cat(&b, &len, &cap,
                "study: %.0f videos, %d raters each; %.0f hidden ground-truth clips; %.0f training,"
                " %.0f screening clips (pass mark %d); headphone check %s\n"
                "progress: %.0f ratings; %.0f videos complete, %.0f started\n"
                "agreement: Fleiss' kappa %.4f (%.0f videos with %d ratings); Krippendorff's alpha"
                " (ordinal) %.4f, (nominal) %.4f (%.0f videos)\n\n",
                num(st, "videos"), cfg.raters_per_video, num(st, "ground_truth_clips"),
                num(st, "training_clips"), num(st, "screening_clips"), cfg.pass_mark,
                cfg.headphone_check ? "on" : "off", num(pg, "ratings"), num(pg, "videos_complete"),
                num(pg, "videos_started"), num(ag, "fleiss_kappa"), num(ag, "fleiss_kappa_videos"),
                cfg.raters_per_video, num(ag, "krippendorff_alpha_ordinal"),
                num(ag, "krippendorff_alpha_nominal"), num(ag, "alpha_videos"));
    e |= cat(&b, &len, &cap, "%-20s %-12s %7s %9s %9s %10s %7s %8s %9s %8s\n", "rater", "phase",
             "ratings", "gt", "accuracy", "screening", "early", "replays", "rt_median", "outliers");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(doc, "raters"), i, x) {
        json_t *sc = json_object_get(x, "screening"), *at = json_object_get(x, "attention");
        char scr[32] = "-";
        if (json_is_object(sc))
            snprintf(scr, sizeof scr, "%.0f/%.0f%s", num(sc, "correct"), num(sc, "total"),
                     json_is_true(json_object_get(sc, "passed")) ? "" : " x");
        char gt[32];
        snprintf(gt, sizeof gt, "%.0f/%.0f", num(x, "gt_correct"), num(x, "gt_rated"));
        e |= cat(&b, &len, &cap, "%-20s %-12s %7.0f %9s %9.3f %10s %7.0f %8.2f %9.0f %8.0f\n",
                 json_string_value(json_object_get(x, "name")),
                 json_string_value(json_object_get(x, "phase")), num(x, "ratings"), gt,
                 num(x, "gt_accuracy"), scr, num(at, "early_presses"), num(at, "replays_per_trial"),
                 num(at, "rt_median_ms"), num(at, "rt_outliers"));
    }
    e |= cat(&b, &len, &cap, "\n%-24s %7s %9s %8s %8s\n", "class", "videos", "complete", "started", "ratings");
    json_array_foreach(json_object_get(doc, "classes"), i, x)
        e |= cat(&b, &len, &cap, "%-24s %7.0f %9.0f %8.0f %8.0f\n",
                 json_string_value(json_object_get(x, "label")), num(x, "videos"), num(x, "complete"),
                 num(x, "started"), num(x, "ratings"));
    json_decref(doc);
    if (e) {
        free(b);
        return AVMIT_NOMEM(err, "status text");
    }
    *text = b;
    return 0;
}
