/*
 * ratings.c — aggregation, named rules, per-class statistics, Fleiss' kappa
 * (avmit/ratings.h, SPEC §2).
 *
 * Fleiss' kappa (Fleiss 1971), N items, n raters each, k categories, n_ij counts:
 *   P_i  = (sum_j n_ij^2 - n) / (n (n - 1))      agreement on item i
 *   Pbar = mean_i P_i
 *   p_j  = sum_i n_ij / (N n)                    share of category j
 *   Pe   = sum_j p_j^2
 *   kappa = (Pbar - Pe) / (1 - Pe)
 */
#include "avmit/ratings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/csv.h"
#include "avmit/labels.h"
#include "data/strmap_int.h"
#include "core/error_int.h"

static const char *const k_rule_names[AVMIT_N_RULES] = {"present", "prominent", "unanimous",
                                                        "majority"};
static const char *const k_rule_defs[AVMIT_N_RULES] = {
    "r2 + r3 >= 2", "r3 >= 2", "r3 == r1 + r2 + r3 (all ratings are 3)",
    "2*r3 > r1 + r2 + r3 (strict majority of 3s)"};

const char *avmit_rule_name(avmit_rule rule) {
    return (unsigned)rule < AVMIT_N_RULES ? k_rule_names[rule] : "unknown";
}

const char *avmit_rule_definition(avmit_rule rule) {
    return (unsigned)rule < AVMIT_N_RULES ? k_rule_defs[rule] : "unknown";
}

int avmit_rule_from_name(const char *name, avmit_rule *out) {
    for (int i = 0; i < AVMIT_N_RULES; i++)
        if (!strcmp(name, k_rule_names[i])) {
            *out = (avmit_rule)i;
            return 0;
        }
    return AVMIT_E_ARG;
}

int avmit_rule_pass(avmit_rule rule, int r1, int r2, int r3) {
    if (r1 < 0 || r2 < 0 || r3 < 0) return 0;
    long n = (long)r1 + r2 + r3;
    switch (rule) {
    case AVMIT_RULE_PRESENT: return (long)r2 + r3 >= 2;
    case AVMIT_RULE_PROMINENT: return r3 >= 2;
    case AVMIT_RULE_UNANIMOUS: return n > 0 && r3 == n;
    case AVMIT_RULE_MAJORITY: return 2L * r3 > n;
    default: return 0;
    }
}

int avmit_ratings_majority(int r1, int r2, int r3) {
    long n = (long)r1 + r2 + r3;
    if (2L * r1 > n) return 1;
    if (2L * r2 > n) return 2;
    if (2L * r3 > n) return 3;
    return 0;
}

int avmit_ratings_filter(avmit_split *s, avmit_rule rule, avmit_error *err) {
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].r1 < 0 || s->v[i].r2 < 0 || s->v[i].r3 < 0)
            return avmit_error_set(err, AVMIT_E_ARG, s->path, -1, s->v[i].line, -1, NULL,
                                   "%s: no r1/r2/r3 rating counts (layout %s) for rule '%s'",
                                   s->v[i].filename, avmit_layout_name(s->layout),
                                   avmit_rule_name(rule));
    unsigned char *keep = malloc(s->n ? s->n : 1);
    if (!keep) return AVMIT_NOMEM_AT(err, s->path, "ratings_filter");
    for (size_t i = 0; i < s->n; i++)
        keep[i] = (unsigned char)avmit_rule_pass(rule, s->v[i].r1, s->v[i].r2, s->v[i].r3);
    avmit_split_keep(s, keep);
    free(keep);
    return 0;
}

/* ---- aggregation -------------------------------------------------------------------- */

static const char *const k_raw_header[5] = {"filename", "AVMIT_label", "MIT_label",
                                            "video_location", "rating"};

typedef struct {
    size_t first_row;
    int count[3];
} video_acc;

int avmit_ratings_aggregate(const char *raw_path, avmit_split *out, size_t *n_dropped,
                            avmit_error *err) {
    avmit_csv t;
    avmit_strmap map = {0};
    video_acc *acc = NULL;
    size_t n_acc = 0;
    memset(out, 0, sizeof *out);
    if (n_dropped) *n_dropped = 0;
    int r = avmit_csv_read(&t, raw_path, err);
    if (r) return r;
    int ok = t.n_cols == 5;
    for (size_t j = 0; ok && j < 5; j++) ok = !strcmp(t.header[j], k_raw_header[j]);
    if (!ok) {
        r = avmit_error_set(err, AVMIT_E_FORMAT, raw_path, -1, 1, -1, NULL,
                            "header is not the raw ratings layout "
                            "'filename,AVMIT_label,MIT_label,video_location,rating'");
        goto done;
    }
    acc = calloc(t.n_rows ? t.n_rows : 1, sizeof *acc);
    out->path = strdup(raw_path);
    if (!acc || !out->path || avmit_strmap_init(&map, t.n_rows)) {
        r = AVMIT_NOMEM_AT(err, raw_path, "ratings_aggregate");
        goto done;
    }
    out->layout = AVMIT_LAYOUT_RATINGS;
    for (size_t i = 0; i < t.n_rows; i++) {
        const char *name = avmit_csv_cell(&t, i, 0);
        const char *rating = avmit_csv_cell(&t, i, 4);
        long line = t.line[i];
        if (!*name) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, raw_path, -1, line, -1, "filename",
                                "empty video filename");
            goto done;
        }
        if (strlen(rating) != 1 || rating[0] < '1' || rating[0] > '3') {
            r = avmit_error_set(err, AVMIT_E_FORMAT, raw_path, -1, line, -1, "rating",
                                "%s: expected a rating 1, 2 or 3, found '%s'", name, rating);
            goto done;
        }
        size_t k;
        int found = avmit_strmap_put(&map, name, n_acc, &k);
        if (found < 0) {
            r = AVMIT_NOMEM_AT(err, raw_path, "ratings_aggregate");
            goto done;
        }
        if (!found) {
            k = n_acc++;
            acc[k].first_row = i;
        }
        for (size_t j = 1; j <= 3; j++) {
            const char *a = avmit_csv_cell(&t, acc[k].first_row, j);
            const char *b = avmit_csv_cell(&t, i, j);
            if (strcmp(a, b)) {
                r = avmit_error_set(err, AVMIT_E_FORMAT, raw_path, -1, line, -1,
                                    k_raw_header[j], "%s: '%s' but line %ld says '%s'", name,
                                    b, t.line[acc[k].first_row], a);
                goto done;
            }
        }
        acc[k].count[rating[0] - '1']++;
    }
    for (size_t k = 0; k < n_acc; k++) {
        const video_acc *a = &acc[k];
        if (a->count[0] + a->count[1] + a->count[2] < 3) {
            if (n_dropped) (*n_dropped)++;
            continue;
        }
        size_t i = a->first_row;
        avmit_video v = {
            .filename = (char *)avmit_csv_cell(&t, i, 0),
            .label = (char *)avmit_csv_cell(&t, i, 1),
            .mit_label = (char *)avmit_csv_cell(&t, i, 2),
            .video_location = (char *)avmit_csv_cell(&t, i, 3),
            .tfrecord = "",
            .new_filename = "",
            .r1 = a->count[0],
            .r2 = a->count[1],
            .r3 = a->count[2],
            .line = t.line[i],
        };
        v.label_id = avmit_label_id(v.label);
        if ((r = avmit_split_push(out, &v, err))) goto done;
    }
done:
    if (r) avmit_split_free(out);
    avmit_strmap_free(&map);
    free(acc);
    avmit_csv_free(&t);
    return r;
}

/* ---- Fleiss' kappa ---------------------------------------------------------------------- */

int avmit_fleiss_kappa(const int *counts, size_t n_items, int n_cat, int n_raters,
                       double *kappa, avmit_error *err) {
    *kappa = NAN;
    if (n_items == 0 || n_raters < 2 || n_cat < 1)
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "Fleiss' kappa needs >= 1 item and >= 2 raters "
                                "(got %zu items, %d raters)", n_items, n_raters);
    double *p_cat = calloc((size_t)n_cat, sizeof *p_cat);
    if (!p_cat) return AVMIT_NOMEM(err, "fleiss_kappa");
    double n = n_raters, sum_pi = 0.0;
    for (size_t i = 0; i < n_items; i++) {
        long row = 0, sq = 0;
        for (int j = 0; j < n_cat; j++) {
            int c = counts[i * (size_t)n_cat + (size_t)j];
            row += c;
            sq += (long)c * c;
            p_cat[j] += c;
        }
        if (row != n_raters) {
            free(p_cat);
            return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                    "Fleiss' kappa: item %zu has %ld ratings, expected %d", i,
                                    row, n_raters);
        }
        sum_pi += ((double)sq - n) / (n * (n - 1.0));
    }
    double p_bar = sum_pi / (double)n_items, p_e = 0.0;
    for (int j = 0; j < n_cat; j++) {
        double pj = p_cat[j] / ((double)n_items * n);
        p_e += pj * pj;
    }
    free(p_cat);
    if (p_e >= 1.0)
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "Fleiss' kappa is undefined: every rating is in one category");
    *kappa = (p_bar - p_e) / (1.0 - p_e);
    return 0;
}

/* ---- per-class statistics ------------------------------------------------------------------ */

static void class_add(avmit_class_stats *c, const avmit_video *v) {
    c->n_videos++;
    for (int k = 0; k < AVMIT_N_RULES; k++)
        c->n_rule[k] += avmit_rule_pass((avmit_rule)k, v->r1, v->r2, v->r3);
    c->n_majority[avmit_ratings_majority(v->r1, v->r2, v->r3)]++;
    c->hours = (double)c->n_videos * 3.0 / 3600.0;
}

static int cmp_class(const void *a, const void *b) {
    return strcmp(((const avmit_class_stats *)a)->label, ((const avmit_class_stats *)b)->label);
}

int avmit_ratings_stats_compute(const avmit_split *const *lists, size_t n_lists,
                                avmit_ratings_stats *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    out->kappa = NAN;
    size_t n_total = 0;
    for (size_t l = 0; l < n_lists; l++) n_total += lists[l]->n;
    avmit_strmap map;
    int *counts = malloc((n_total ? n_total : 1) * 3 * sizeof *counts);
    out->cls = calloc(n_total ? n_total : 1, sizeof *out->cls);
    out->total.label = strdup("total");
    int r = 0;
    if (!counts || !out->cls || !out->total.label || avmit_strmap_init(&map, 64)) {
        free(counts);
        avmit_ratings_stats_free(out);
        return AVMIT_NOMEM(err, "ratings_stats_compute");
    }
    size_t n_kappa = 0;
    for (size_t l = 0; l < n_lists && !r; l++) {
        const avmit_split *s = lists[l];
        for (size_t i = 0; i < s->n && !r; i++) {
            const avmit_video *v = &s->v[i];
            if (v->r1 < 0 || v->r2 < 0 || v->r3 < 0) {
                r = avmit_error_set(err, AVMIT_E_ARG, s->path, -1, v->line, -1, NULL,
                                    "%s: no r1/r2/r3 rating counts (layout %s)", v->filename,
                                    avmit_layout_name(s->layout));
                break;
            }
            size_t k;
            int found = avmit_strmap_put(&map, v->label, out->n_classes, &k);
            if (found < 0) {
                r = AVMIT_NOMEM(err, "ratings_stats_compute");
                break;
            }
            if (!found) {
                k = out->n_classes++;
                if (!(out->cls[k].label = strdup(v->label))) {
                    r = AVMIT_NOMEM(err, "ratings_stats_compute");
                    break;
                }
            }
            class_add(&out->cls[k], v);
            class_add(&out->total, v);
            long sum = (long)v->r1 + v->r2 + v->r3;
            out->n_sum[sum < 8 ? sum : 8]++;
            if (sum == 3) {
                counts[n_kappa * 3 + 0] = v->r1;
                counts[n_kappa * 3 + 1] = v->r2;
                counts[n_kappa * 3 + 2] = v->r3;
                n_kappa++;
            }
        }
    }
    avmit_strmap_free(&map);
    if (!r) {
        qsort(out->cls, out->n_classes, sizeof *out->cls, cmp_class);
        out->n_kappa_videos = (long)n_kappa;
        if (n_kappa && avmit_fleiss_kappa(counts, n_kappa, 3, 3, &out->kappa, NULL))
            out->kappa = NAN; /* all ratings in one category: undefined, not an error */
    }
    free(counts);
    if (r) avmit_ratings_stats_free(out);
    return r;
}

void avmit_ratings_stats_free(avmit_ratings_stats *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n_classes; i++) free(s->cls[i].label);
    free(s->cls);
    free(s->total.label);
    memset(s, 0, sizeof *s);
}
