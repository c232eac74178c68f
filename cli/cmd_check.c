/*
 * cmd_check.c — `avmit check`: leaks, duplicates, label and rating anomalies, missing
 * TFRecords across the train/validation/test lists given together (avmit/check.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/check.h"
#include "avmit/labels.h"
#include "avmit/split.h"
#include "cli.h"

static const char k_sev_names[3][8] = {"error", "warning", "info"};

static void usage(FILE *f) {
    fprintf(f,
            "usage: avmit check [--train CSV] [--val CSV] [--test CSV] [--tfrecords DIR]\n"
            "                   [--json] [--quiet]\n\n"
            "Checks the split CSVs given together (any of the released layouts: AVMIT,\n"
            "MIT16, TEST, RATINGS) and prints every finding as\n"
            "  FILE:LINE: VIDEO: WHAT [SEVERITY KIND]\n"
            "then per-file counts per class and a summary.\n\n"
            "  errors:   duplicate filename/tfrecord_filename in a file; a video in more than\n"
            "            one file (leak); one tfrecord_filename for different videos in two\n"
            "            files; TFRecord missing under --tfrecords DIR (DIR/tfrecord_filename)\n"
            "  warnings: unknown label; r1+r2+r3 != 3; tfrecord directory != label\n"
            "  info:     rating 3 is not a strict majority (2*r3 <= r1+r2+r3)\n\n"
            "  --json       machine-readable report on stdout\n"
            "  -q, --quiet  print only warnings and errors, not info findings\n\n"
            "Only files given together are compared (AVMIT and MIT16 experiments overlap on\n"
            "purpose). Exit: 0 no errors (warnings allowed), 1 errors or unreadable input,\n"
            "2 bad usage.\n");
}

static void print_text(const avmit_check_report *rep, const avmit_split *const *lists,
                       const char *const *roles, size_t n, int quiet) {
    for (size_t i = 0; i < rep->n_findings; i++) {
        const avmit_finding *f = &rep->findings[i];
        avmit_severity sev = avmit_finding_kind_severity(f->kind);
        if (quiet && sev == AVMIT_SEV_INFO) continue;
        printf("%s:%ld: %s: %s [%s %s]\n", lists[f->file]->path, f->line, f->video, f->what,
               k_sev_names[sev], avmit_finding_kind_name(f->kind));
    }
    printf("\n");
    for (size_t fi = 0; fi < n; fi++) {
        const avmit_check_file *cf = &rep->files[fi];
        printf("%s: %s: %zu rows, layout %s\n", roles[fi], lists[fi]->path, cf->n_rows,
               avmit_layout_name(lists[fi]->layout));
        if (cf->n_with_ratings) {
            printf("  rating sums:");
            for (int k = 0; k < 9; k++)
                if (cf->n_sum[k]) printf(" %s%d: %ld", k == 8 ? ">=" : "", k, cf->n_sum[k]);
            printf("\n");
        }
        for (int k = 0; k < AVMIT_N_FINDING_KINDS; k++)
            if (cf->n_kind[k])
                printf("  %s: %ld\n", avmit_finding_kind_name((avmit_finding_kind)k),
                       cf->n_kind[k]);
    }
    printf("\n%-12s", "class");
    for (size_t fi = 0; fi < n; fi++) printf(" %10s", roles[fi]);
    printf("\n");
    for (int c = 0; c < AVMIT_N_CLASSES; c++) {
        printf("%-12s", avmit_label_name(c));
        for (size_t fi = 0; fi < n; fi++) printf(" %10ld", rep->files[fi].n_per_class[c]);
        printf("\n");
    }
    printf("%-12s", "(unknown)");
    for (size_t fi = 0; fi < n; fi++) printf(" %10ld", rep->files[fi].n_unknown_label);
    printf("\n\n%ld errors, %ld warnings, %ld info\n", rep->n_by_severity[AVMIT_SEV_ERROR],
           rep->n_by_severity[AVMIT_SEV_WARNING], rep->n_by_severity[AVMIT_SEV_INFO]);
}

static void print_json(const avmit_check_report *rep, const avmit_split *const *lists,
                       const char *const *roles, size_t n) {
    printf("{\"files\": [");
    for (size_t fi = 0; fi < n; fi++) {
        const avmit_check_file *cf = &rep->files[fi];
        printf("%s\n  {\"role\": ", fi ? "," : "");
        cli_json_string(stdout, roles[fi]);
        printf(", \"path\": ");
        cli_json_string(stdout, lists[fi]->path);
        printf(", \"layout\": \"%s\", \"rows\": %zu, \"per_class\": {",
               avmit_layout_name(lists[fi]->layout), cf->n_rows);
        for (int c = 0; c < AVMIT_N_CLASSES; c++)
            printf("%s\"%s\": %ld", c ? ", " : "", avmit_label_name(c), cf->n_per_class[c]);
        printf("}, \"unknown_label\": %ld, \"rating_sums\": {", cf->n_unknown_label);
        int first = 1;
        for (int k = 0; k < 9; k++)
            if (cf->n_sum[k]) {
                printf("%s\"%s%d\": %ld", first ? "" : ", ", k == 8 ? ">=" : "", k, cf->n_sum[k]);
                first = 0;
            }
        printf("}, \"counts\": {");
        for (int k = 0; k < AVMIT_N_FINDING_KINDS; k++)
            printf("%s\"%s\": %ld", k ? ", " : "", avmit_finding_kind_name((avmit_finding_kind)k),
                   cf->n_kind[k]);
        printf("}}");
    }
    printf("\n],\n\"findings\": [");
    for (size_t i = 0; i < rep->n_findings; i++) {
        const avmit_finding *f = &rep->findings[i];
        printf("%s\n  {\"severity\": \"%s\", \"kind\": \"%s\", \"path\": ", i ? "," : "",
               k_sev_names[avmit_finding_kind_severity(f->kind)],
               avmit_finding_kind_name(f->kind));
        cli_json_string(stdout, lists[f->file]->path);
        printf(", \"line\": %ld, \"video\": ", f->line);
        cli_json_string(stdout, f->video);
        printf(", \"what\": ");
        cli_json_string(stdout, f->what);
        printf("}");
    }
    printf("\n],\n\"errors\": %ld, \"warnings\": %ld, \"info\": %ld}\n",
           rep->n_by_severity[AVMIT_SEV_ERROR], rep->n_by_severity[AVMIT_SEV_WARNING],
           rep->n_by_severity[AVMIT_SEV_INFO]);
}

int cmd_check(int argc, char **argv) {
    static const struct option opts[] = {{"train", required_argument, 0, 't'},
                                         {"val", required_argument, 0, 'v'},
                                         {"validation", required_argument, 0, 'v'},
                                         {"test", required_argument, 0, 's'},
                                         {"tfrecords", required_argument, 0, 'd'},
                                         {"json", no_argument, 0, 'j'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *paths[3] = {0}, *dir = NULL;
    int json = 0, quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 't': paths[0] = optarg; break;
        case 'v': paths[1] = optarg; break;
        case 's': paths[2] = optarg; break;
        case 'd': dir = optarg; break;
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
    static const char *const k_roles[3] = {"train", "validation", "test"};
    avmit_split splits[3];
    const avmit_split *lists[3];
    const char *roles[3];
    size_t n = 0;
    int rc = CLI_OK;
    avmit_error err;
    avmit_error_clear(&err);
    for (int i = 0; i < 3; i++) {
        if (!paths[i]) continue;
        if (avmit_split_read(&splits[n], paths[i], &err)) {
            rc = cli_report(&err);
            break;
        }
        lists[n] = &splits[n];
        roles[n] = k_roles[i];
        n++;
    }
    if (rc == CLI_OK && n == 0) {
        usage(stderr);
        rc = cli_usage_error(argv[0], "give at least one of --train, --val, --test");
    }
    if (rc == CLI_OK) {
        avmit_check_report rep;
        if (avmit_check_splits(lists, roles, n, dir, &rep, &err)) {
            rc = cli_report(&err);
        } else {
            if (json)
                print_json(&rep, lists, roles, n);
            else
                print_text(&rep, lists, roles, n, quiet);
            if (rep.n_by_severity[AVMIT_SEV_ERROR]) rc = CLI_FAIL;
            avmit_check_report_free(&rep);
        }
    }
    for (size_t i = 0; i < n; i++) avmit_split_free(&splits[i]);
    return rc;
}
