/* test_ratings.c — rules, aggregation, statistics and Fleiss' kappa (avmit/ratings.h). */
#include <math.h>
#include <string.h>

#include "avmit/ratings.h"
#include "testutil.h"

static void test_rules(void) {
    avmit_rule r;
    CHECK_INT(avmit_rule_from_name("prominent", &r), 0);
    CHECK_INT(r, AVMIT_RULE_PROMINENT);
    CHECK_INT(avmit_rule_from_name("Prominent", &r), AVMIT_E_ARG);
    for (int k = 0; k < AVMIT_N_RULES; k++) {
        CHECK_INT(avmit_rule_from_name(avmit_rule_name((avmit_rule)k), &r), 0);
        CHECK_INT(r, k);
    }
    /* SPEC §2 definitions on the edge cases */
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_PRESENT, 1, 1, 1), 1);   /* r2+r3 = 2 */
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_PRESENT, 2, 0, 1), 0);   /* r2+r3 = 1 */
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_PROMINENT, 1, 0, 2), 1);
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_PROMINENT, 0, 2, 1), 0);
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_PROMINENT, 2, 0, 2), 1); /* released row 2,0,2 */
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_UNANIMOUS, 0, 0, 3), 1);
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_UNANIMOUS, 0, 0, 7), 1); /* kept as counted */
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_UNANIMOUS, 0, 1, 6), 0);
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_UNANIMOUS, 0, 0, 0), 0);
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_MAJORITY, 2, 0, 2), 0);  /* 2 of 4: not strict */
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_MAJORITY, 1, 3, 3), 0);  /* 3 of 7 */
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_MAJORITY, 1, 0, 2), 1);
    CHECK_INT(avmit_rule_pass(AVMIT_RULE_MAJORITY, -1, 0, 2), 0);
    CHECK_INT(avmit_ratings_majority(0, 0, 3), 3);
    CHECK_INT(avmit_ratings_majority(2, 1, 0), 1);
    CHECK_INT(avmit_ratings_majority(1, 2, 0), 2);
    CHECK_INT(avmit_ratings_majority(1, 1, 1), 0);
    CHECK_INT(avmit_ratings_majority(2, 0, 2), 0);
}

static void test_fleiss_wikipedia(void) {
    /* Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories;
     * P-bar = 0.378, P-e = 0.213, kappa = 0.210. */
    static const int counts[10 * 5] = {0, 0, 0, 0, 14, 0, 2, 6, 4, 2, 0, 0, 3, 5, 6, 0, 3,
                                       9, 2, 0, 2, 2, 8, 1, 1, 7, 7, 0, 0, 0, 3, 2, 6, 3, 0,
                                       2, 5, 3, 2, 2, 6, 5, 2, 1, 0, 0, 2, 2, 3, 7};
    double k;
    avmit_error err;
    CHECK_INT(avmit_fleiss_kappa(counts, 10, 5, 14, &k, &err), 0);
    CHECK(fabs(k - 0.210) < 0.0005, "kappa %.6f, expected 0.210", k);
    /* A row that does not sum to the rater count is rejected. */
    CHECK_INT(avmit_fleiss_kappa(counts, 10, 5, 13, &k, &err), AVMIT_E_ARG);
    /* All ratings in one category: undefined. */
    static const int same[2 * 3] = {0, 0, 3, 0, 0, 3};
    CHECK_INT(avmit_fleiss_kappa(same, 2, 3, 3, &k, &err), AVMIT_E_ARG);
}

static void test_fleiss_three_raters(void) {
    /* Hand-computed: (0,0,3),(0,0,3),(0,1,2),(1,1,1): P_i = 1, 1, 1/3, 0 -> P-bar = 7/12;
     * p = 1/12, 2/12, 9/12 -> P-e = 86/144; kappa = (7/12 - 86/144)/(1 - 86/144) = -1/29. */
    static const int counts[4 * 3] = {0, 0, 3, 0, 0, 3, 0, 1, 2, 1, 1, 1};
    double k;
    CHECK_INT(avmit_fleiss_kappa(counts, 4, 3, 3, &k, NULL), 0);
    CHECK(fabs(k - (-1.0 / 29.0)) < 1e-12, "kappa %.15f, expected %.15f", k, -1.0 / 29.0);
}

static void test_aggregate(void) {
    const char *raw = test_path("raw.csv");
    const char *text =
        "filename,AVMIT_label,MIT_label,video_location,rating\n"
        "barking/a.mp4,barking,barking,training,3\n"
        "cooking/b.mp4,frying,cooking,validation,1\n"
        "barking/a.mp4,barking,barking,training,3\n"
        "barking/c.mp4,barking,barking,training,2\n" /* only 2 ratings: dropped */
        "cooking/b.mp4,frying,cooking,validation,3\n"
        "barking/a.mp4,barking,barking,training,2\n"
        "cooking/b.mp4,frying,cooking,validation,3\n"
        "barking/c.mp4,barking,barking,training,2\n"
        "cooking/b.mp4,frying,cooking,validation,3\n"; /* a 4th rating: kept */
    test_write_bytes(raw, text, strlen(text));
    avmit_split s;
    size_t dropped = 99;
    avmit_error err;
    CHECK_INT(avmit_ratings_aggregate(raw, &s, &dropped, &err), 0);
    CHECK_INT(dropped, 1);
    CHECK_INT(s.n, 2);
    CHECK_INT(s.layout, AVMIT_LAYOUT_RATINGS);
    CHECK_STR(s.v[0].filename, "barking/a.mp4");
    CHECK(s.v[0].r1 == 0 && s.v[0].r2 == 1 && s.v[0].r3 == 2, "a: 0,1,2 got %d,%d,%d",
          s.v[0].r1, s.v[0].r2, s.v[0].r3);
    CHECK_STR(s.v[1].label, "frying");
    CHECK_STR(s.v[1].mit_label, "cooking");
    CHECK_STR(s.v[1].video_location, "validation");
    CHECK(s.v[1].r1 == 1 && s.v[1].r2 == 0 && s.v[1].r3 == 3, "b: 1,0,3 got %d,%d,%d",
          s.v[1].r1, s.v[1].r2, s.v[1].r3);
    CHECK_INT(s.v[1].line, 3);
    /* statistics over the aggregated rows */
    avmit_ratings_stats st;
    const avmit_split *lists[1] = {&s};
    CHECK_INT(avmit_ratings_stats_compute(lists, 1, &st, &err), 0);
    CHECK_INT(st.n_classes, 2);
    CHECK_STR(st.cls[0].label, "barking");
    CHECK_INT(st.cls[1].n_rule[AVMIT_RULE_PROMINENT], 1);
    CHECK_INT(st.cls[1].n_rule[AVMIT_RULE_MAJORITY], 1);
    CHECK_INT(st.cls[0].n_majority[3], 1);
    CHECK_INT(st.total.n_videos, 2);
    CHECK(fabs(st.total.hours - 6.0 / 3600.0) < 1e-12, "hours %g", st.total.hours);
    CHECK_INT(st.n_sum[3], 1);
    CHECK_INT(st.n_sum[4], 1);
    CHECK_INT(st.n_kappa_videos, 1);
    avmit_ratings_stats_free(&st);
    /* filtering by rule */
    CHECK_INT(avmit_ratings_filter(&s, AVMIT_RULE_UNANIMOUS, &err), 0);
    CHECK_INT(s.n, 0);
    avmit_split_free(&s);

    /* rejections, with file:line:column */
    const char *bad[][3] = {
        {"filename,AVMIT_label,MIT_label,video_location,rating\na.mp4,x,x,training,4\n", "rating",
         "expected a rating 1, 2 or 3"},
        {"filename,AVMIT_label,MIT_label,video_location,rating\na.mp4,x,x,training,1\n"
         "a.mp4,y,x,training,1\n",
         "AVMIT_label", "but line 2 says 'x'"},
        {"filename,rating\na.mp4,1\n", "", "raw ratings layout"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_write_bytes(raw, bad[i][0], strlen(bad[i][0]));
        avmit_error_clear(&err);
        CHECK_INT(avmit_ratings_aggregate(raw, &s, NULL, &err), AVMIT_E_FORMAT);
        CHECK_STR(err.field, bad[i][1]);
        CHECK(test_contains(err.msg, bad[i][2]), "'%s' lacks '%s'", err.msg, bad[i][2]);
    }
}

int main(void) {
    test_rules();
    test_fleiss_wikipedia();
    test_fleiss_three_raters();
    test_aggregate();
    return test_finish("test_ratings");
}
