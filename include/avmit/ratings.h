/*
 * avmit/ratings.h — human ratings of videos (SPEC §2): aggregation of raw per-rater rows
 * into per-video counts r1/r2/r3, the named selection rules, per-class statistics as in
 * the paper's Fig. 2 (majority outcome per class, hours at 3 s per video) and Fleiss'
 * kappa.
 *
 * Raw per-rater layout (the paper repository's README, raw_video_ratings.csv; one row per
 * rating, the 3 ratings of a video anywhere in the file):
 *   filename,AVMIT_label,MIT_label,video_location,rating        (rating 1, 2 or 3)
 * Rating scale: 1 = labelled event absent, 2 = present but not the most prominent,
 * 3 = present and most prominent.
 *
 * Thread-safety: reentrant; no shared state.
 */
#ifndef AVMIT_RATINGS_H
#define AVMIT_RATINGS_H

#include <stddef.h>

#include "avmit/error.h"
#include "avmit/split.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Named rules (SPEC §2). n = r1 + r2 + r3, the number of ratings a video got. */
typedef enum avmit_rule {
    AVMIT_RULE_PRESENT = 0, /* r2 + r3 >= 2 */
    AVMIT_RULE_PROMINENT,   /* r3 >= 2 (the rule the released AVMIT split files follow) */
    AVMIT_RULE_UNANIMOUS,   /* r3 == n (and n > 0) */
    AVMIT_RULE_MAJORITY,    /* strict majority of 3s: r3 > n/2, i.e. 2*r3 > n */
    AVMIT_N_RULES
} avmit_rule;

/* "present", "prominent", "unanimous", "majority". */
const char *avmit_rule_name(avmit_rule rule);
/* One-line definition, e.g. "r3 >= 2". */
const char *avmit_rule_definition(avmit_rule rule);
/* AVMIT_E_ARG when `name` is not one of the four names. */
int avmit_rule_from_name(const char *name, avmit_rule *out);
/* 1 when the counts pass the rule, else 0 (negative counts never pass). */
int avmit_rule_pass(avmit_rule rule, int r1, int r2, int r3);

/* Keep only the rows of s that pass `rule`. AVMIT_E_ARG (file:line, s unchanged) when a
 * row has no rating counts. */
int avmit_ratings_filter(avmit_split *s, avmit_rule rule, avmit_error *err);

/* Aggregate raw per-rater rows (layout above) into per-video rows in the RATINGS layout
 * (avmit/split.h), in order of each video's first row. Videos with fewer than 3 ratings
 * are dropped (*n_dropped counts them; may be NULL); more than 3 are kept as counted.
 * Rejects (file:line:column) a wrong header, a rating not 1/2/3, an empty filename, and a
 * video whose AVMIT_label, MIT_label or video_location differs between its rows. */
int avmit_ratings_aggregate(const char *raw_path, avmit_split *out, size_t *n_dropped,
                            avmit_error *err);

/* Majority outcome of one video: 1, 2 or 3 when that rating has a strict majority
 * (2*count > n), 0 when none does. */
int avmit_ratings_majority(int r1, int r2, int r3);

/* Fleiss' kappa for n_items items, each rated by exactly n_raters raters into n_cat
 * categories; counts[i*n_cat + j] = raters putting item i in category j. AVMIT_E_ARG when
 * a row does not sum to n_raters, n_items == 0, n_raters < 2, or the expected agreement
 * is 1 (kappa undefined). */
int avmit_fleiss_kappa(const int *counts, size_t n_items, int n_cat, int n_raters,
                       double *kappa, avmit_error *err);

/* Per-class statistics. */
typedef struct avmit_class_stats {
    char *label;              /* class as written in the file (owned) */
    long n_videos;
    long n_rule[AVMIT_N_RULES]; /* videos passing each rule */
    long n_majority[4];       /* [0] no strict majority, [k] majority rating k = 1..3 */
    double hours;             /* n_videos * 3 s / 3600 */
} avmit_class_stats;

typedef struct avmit_ratings_stats {
    size_t n_classes;
    avmit_class_stats *cls;   /* [n_classes], sorted by label (bytewise) */
    avmit_class_stats total;  /* label "total" */
    long n_sum[9];            /* videos whose r1+r2+r3 == k (k = 0..7), [8]: >= 8 */
    long n_kappa_videos;      /* videos with exactly 3 ratings, used for kappa */
    double kappa;             /* Fleiss' kappa over those videos; NaN when undefined */
} avmit_ratings_stats;

/* Statistics of the videos of one or several lists (each with r1/r2/r3, e.g. the RATINGS or
 * AVMIT layout). AVMIT_E_ARG (file:line) when a row has no rating counts. */
int avmit_ratings_stats_compute(const avmit_split *const *lists, size_t n_lists,
                                avmit_ratings_stats *out, avmit_error *err);
void avmit_ratings_stats_free(avmit_ratings_stats *s);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_RATINGS_H */
