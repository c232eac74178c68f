/*
 * cmd_ratings.c — `avmit ratings aggregate` (raw per-rater rows -> video_ratings.csv) and
 * `avmit ratings stats` (per-class counts under each rule, hours, Fleiss' kappa, an
 * optional Fig. 2-style plot). Library side: avmit/ratings.h, avmit/plot.h.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/plot.h"
#include "avmit/ratings.h"
#include "avmit/split.h"
#include "cli.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: avmit ratings aggregate RAW.csv -o VIDEO_RATINGS.csv\n"
            "       avmit ratings stats FILE... [--rule RULE] [--json] [--plot OUT.svg|OUT.png]\n\n"
            "aggregate: RAW.csv has one row per rating,\n"
            "  filename,AVMIT_label,MIT_label,video_location,rating   (rating 1, 2 or 3)\n"
            "  and is turned into one row per video,\n"
            "  filename,r1,r2,r3,AVMIT_label,MIT_label,video_location\n"
            "  Videos rated fewer than 3 times are dropped; more than 3 are kept as counted.\n\n"
            "stats: FILE is any list with r1/r2/r3 (video_ratings.csv or the AVMIT split\n"
            "  layout). Prints per class: videos, how many pass each rule, the majority\n"
            "  outcome (rating 3/2/1 by strict majority, or none), hours (3 s per video),\n"
            "  totals, the rating-count histogram and Fleiss' kappa over videos with exactly\n"
            "  3 ratings.\n"
            "  --rule RULE   only videos passing RULE: present (r2+r3>=2), prominent (r3>=2),\n"
            "                unanimous (r3 == all ratings), majority (2*r3 > all ratings)\n"
            "  --json        machine-readable output\n"
            "  --plot PATH   the paper's Fig. 2 layout (.svg or .png): per class, videos stacked by\n"
            "                rating pattern (3-3-3, 3-3-2, ...), classes sorted by prominent\n"
            "                videos, with the 500-video class-selection line\n");
}

static int cmd_aggregate(int argc, char **argv) {
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o') out = optarg;
        else if (c == 'h') { usage(stdout); return CLI_OK; }
        else { usage(stderr); return CLI_USAGE; }
    }
    if (optind + 1 != argc || !out)
        return cli_usage_error("ratings aggregate", "expected RAW.csv and -o OUT.csv");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_split s;
    size_t dropped = 0;
    if (avmit_ratings_aggregate(argv[optind], &s, &dropped, &err)) return cli_report(&err);
    int rc = CLI_OK;
    if (avmit_split_write(&s, AVMIT_LAYOUT_RATINGS, out, &err))
        rc = cli_report(&err);
    else
        printf("%s: %zu videos with >= 3 ratings written to %s (%zu dropped with < 3)\n",
               argv[optind], s.n, out, dropped);
    avmit_split_free(&s);
    return rc;
}

static void print_stats_text(const avmit_ratings_stats *st, const char *rule) {
    printf("videos: %s\n\n", rule ? rule : "all");
    printf("%-24s %7s %8s %9s %9s %8s %6s %6s %6s %6s %7s\n", "class", "videos", "present",
           "prominent", "unanimous", "majority", "maj3", "maj2", "maj1", "none", "hours");
    for (size_t i = 0; i <= st->n_classes; i++) {
        const avmit_class_stats *c = i < st->n_classes ? &st->cls[i] : &st->total;
        printf("%-24s %7ld %8ld %9ld %9ld %8ld %6ld %6ld %6ld %6ld %7.2f\n", c->label,
               c->n_videos, c->n_rule[AVMIT_RULE_PRESENT], c->n_rule[AVMIT_RULE_PROMINENT],
               c->n_rule[AVMIT_RULE_UNANIMOUS], c->n_rule[AVMIT_RULE_MAJORITY],
               c->n_majority[3], c->n_majority[2], c->n_majority[1], c->n_majority[0],
               c->hours);
    }
    printf("\nratings per video:");
    for (int k = 0; k < 9; k++)
        if (st->n_sum[k]) printf(" %s%d: %ld", k == 8 ? ">=" : "", k, st->n_sum[k]);
    printf("\nFleiss' kappa (%ld videos with exactly 3 ratings, categories 1/2/3): ",
           st->n_kappa_videos);
    if (isnan(st->kappa))
        printf("undefined\n");
    else
        printf("%.6f\n", st->kappa);
}

static void print_class_json(const avmit_class_stats *c) {
    printf("{\"label\": ");
    cli_json_string(stdout, c->label);
    printf(", \"videos\": %ld", c->n_videos);
    for (int k = 0; k < AVMIT_N_RULES; k++)
        printf(", \"%s\": %ld", avmit_rule_name((avmit_rule)k), c->n_rule[k]);
    printf(", \"majority_3\": %ld, \"majority_2\": %ld, \"majority_1\": %ld, "
           "\"no_majority\": %ld, \"hours\": %.6f}",
           c->n_majority[3], c->n_majority[2], c->n_majority[1], c->n_majority[0], c->hours);
}

static void print_stats_json(const avmit_ratings_stats *st, const char *rule) {
    printf("{\"rule\": ");
    if (rule)
        cli_json_string(stdout, rule);
    else
        printf("null");
    printf(",\n\"classes\": [");
    for (size_t i = 0; i < st->n_classes; i++) {
        printf("%s\n  ", i ? "," : "");
        print_class_json(&st->cls[i]);
    }
    printf("\n],\n\"total\": ");
    print_class_json(&st->total);
    printf(",\n\"ratings_per_video\": {");
    int first = 1;
    for (int k = 0; k < 9; k++)
        if (st->n_sum[k]) {
            printf("%s\"%s%d\": %ld", first ? "" : ", ", k == 8 ? ">=" : "", k, st->n_sum[k]);
            first = 0;
        }
    printf("},\n\"kappa_videos\": %ld, \"fleiss_kappa\": ", st->n_kappa_videos);
    if (isnan(st->kappa))
        printf("null}\n");
    else
        printf("%.17g}\n", st->kappa);
}

/* The paper's Fig. 2 layout: per class (sorted by prominent videos, most first), the
 * videos stacked by rating pattern — the first three segments are the videos passing
 * `prominent` (r3 >= 2) — with the 500-video class-selection line (SPEC §1). */
#define N_PATTERNS 8
static const char *const k_patterns[N_PATTERNS] = {"3-3-3", "3-3-2", "3-3-1", "one 3", "2-2-2",
                                                   "2-2-1 / 2-1-1", "1-1-1", "not 3 ratings"};
static int pattern_of(const avmit_video *v) {
    if (v->r1 + v->r2 + v->r3 != 3) return 7;
    if (v->r3 == 3) return 0;
    if (v->r3 == 2) return v->r2 ? 1 : 2;
    if (v->r3 == 1) return 3;
    if (v->r2 == 3) return 4;
    return v->r2 ? 5 : 6;
}

static const double *g_sort_values; /* cli/ only: qsort has no context argument */
static int cmp_prominent(const void *a, const void *b) {
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double pi = 0, pj = 0;
    for (int k = 0; k < 3; k++) pi += g_sort_values[i * N_PATTERNS + k], pj += g_sort_values[j * N_PATTERNS + k];
    return pi < pj ? 1 : pi > pj ? -1 : (i > j) - (i < j);
}

static int plot_stats(const avmit_ratings_stats *st, const avmit_split *const *lists, size_t n_lists,
                      const char *path, const char *rule, avmit_error *err) {
#ifdef AVMIT_HAVE_CAIRO
    size_t n = st->n_classes;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    double *counts = calloc((n ? n : 1) * N_PATTERNS, sizeof *counts);
    double *values = malloc((n ? n : 1) * N_PATTERNS * sizeof *values);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!names || !counts || !values || !order) {
        free(names), free(counts), free(values), free(order);
        fprintf(stderr, "avmit ratings stats: out of memory\n");
        return CLI_FAIL;
    }
    for (size_t l = 0; l < n_lists; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const avmit_video *v = &lists[l]->v[i];
            for (size_t k = 0; k < n; k++)
                if (!strcmp(st->cls[k].label, v->label)) {
                    counts[k * N_PATTERNS + pattern_of(v)] += 1;
                    break;
                }
        }
    for (size_t i = 0; i < n; i++) order[i] = i;
    g_sort_values = counts;
    qsort(order, n, sizeof *order, cmp_prominent);
    for (size_t i = 0; i < n; i++) {
        names[i] = st->cls[order[i]].label;
        memcpy(values + i * N_PATTERNS, counts + order[i] * N_PATTERNS, sizeof(double) * N_PATTERNS);
    }
    char title[256];
    snprintf(title, sizeof title, "Videos per class by rating pattern (%ld videos%s%s), as the paper's Fig. 2",
             st->total.n_videos, rule ? ", rule " : "", rule ? rule : "");
    avmit_stacked_bars chart = {title, "videos", n, names, N_PATTERNS, k_patterns, values, 500,
                                "500 videos rated 3 by at least two raters (first three segments): "
                                "the paper's class selection"};
    int r = avmit_plot_stacked_bars(&chart, path, err);
    free(names), free(counts), free(values), free(order);
    return r ? cli_report(err) : CLI_OK;
#else
    (void)st, (void)lists, (void)n_lists, (void)rule, (void)err;
    fprintf(stderr, "avmit ratings stats: --plot %s: this build has no cairo (plots disabled)\n", path);
    return CLI_FAIL;
#endif
}

static int cmd_stats(int argc, char **argv) {
    static const struct option opts[] = {{"rule", required_argument, 0, 'r'},
                                         {"json", no_argument, 0, 'j'},
                                         {"plot", required_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *rule_name = NULL, *plot = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rule_name = optarg; break;
        case 'j': json = 1; break;
        case 'p': plot = optarg; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    avmit_rule rule = AVMIT_RULE_PROMINENT;
    if (rule_name && avmit_rule_from_name(rule_name, &rule))
        return cli_usage_error("ratings stats",
                               "--rule: expected present, prominent, unanimous or majority, "
                               "got '%s'", rule_name);
    size_t n = (size_t)(argc - optind);
    if (n == 0) return cli_usage_error("ratings stats", "expected at least one FILE");
    avmit_split *lists = calloc(n, sizeof *lists);
    const avmit_split **ptrs = calloc(n, sizeof *ptrs);
    if (!lists || !ptrs) {
        free(lists);
        free(ptrs);
        return CLI_FAIL;
    }
    avmit_error err;
    avmit_error_clear(&err);
    int rc = CLI_OK;
    size_t n_read = 0;
    for (; n_read < n; n_read++) {
        avmit_split *s = &lists[n_read];
        if (avmit_split_read(s, argv[optind + (int)n_read], &err)) {
            rc = cli_report(&err);
            break;
        }
        ptrs[n_read] = s;
        if (rule_name && avmit_ratings_filter(s, rule, &err)) {
            rc = cli_report(&err);
            n_read++;
            break;
        }
    }
    avmit_ratings_stats st;
    char rule_desc[160];
    if (rule_name)
        snprintf(rule_desc, sizeof rule_desc, "%s (%s)", avmit_rule_name(rule),
                 avmit_rule_definition(rule));
    if (rc == CLI_OK) {
        if (avmit_ratings_stats_compute(ptrs, n, &st, &err)) {
            rc = cli_report(&err);
        } else {
            if (json)
                print_stats_json(&st, rule_name ? rule_desc : NULL);
            else
                print_stats_text(&st, rule_name ? rule_desc : NULL);
            if (plot) {
                rc = plot_stats(&st, ptrs, n, plot, rule_name ? avmit_rule_name(rule) : NULL, &err);
                if (rc == CLI_OK && !json) printf("plot written to %s\n", plot);
            }
            avmit_ratings_stats_free(&st);
        }
    }
    for (size_t i = 0; i < n_read; i++) avmit_split_free(&lists[i]);
    free(lists);
    free(ptrs);
    return rc;
}

int cmd_ratings(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "aggregate")) return cmd_aggregate(argc - 1, argv + 1);
    if (!strcmp(argv[1], "stats")) return cmd_stats(argc - 1, argv + 1);
    return cli_usage_error("ratings", "unknown subcommand '%s' (aggregate, stats)", argv[1]);
}
