/*
 * cmd_split.c — `avmit split`: balanced train/validation lists from per-video ratings,
 * as the released AVMIT files were built (avmit/dataset.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/dataset.h"
#include "avmit/split.h"
#include "cli.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: avmit split --ratings CSV --out-train TRAIN.csv --out-val VAL.csv\n"
            "                   [--rule prominent] [--min-class-size 500] [--exclude TEST.csv]\n"
            "                   [--val-fraction 0.1] [--seed 0] [--per-class N]\n"
            "                   [--avmit-classes] [--layout avmit|mit16|test|ratings]\n\n"
            "Builds the dataset the way the released AVMIT files were built (SPEC §2):\n"
            "  1. keep videos passing --rule: present (r2+r3>=2), prominent (r3>=2),\n"
            "     unanimous (r3 == all ratings), majority (2*r3 > all ratings)\n"
            "  2. keep classes with >= --min-class-size passing videos (--avmit-classes:\n"
            "     also only the 16 AVMIT classes)\n"
            "  3. remove the videos listed in --exclude (any layout; matched by filename)\n"
            "  4. take the largest equal number per class (or --per-class if smaller),\n"
            "     sampled deterministically from --seed\n"
            "  5. put round(n * --val-fraction) of each class in validation, the rest in train\n"
            "--ratings is any list with r1/r2/r3 (video_ratings.csv or the AVMIT layout).\n"
            "Outputs are written atomically in --layout (default avmit, the released\n"
            "AVMIT_train.csv layout; mit16 adds the unnamed index column).\n");
}

int cmd_split(int argc, char **argv) {
    static const struct option opts[] = {{"ratings", required_argument, 0, 'r'},
                                         {"rule", required_argument, 0, 'u'},
                                         {"min-class-size", required_argument, 0, 'm'},
                                         {"exclude", required_argument, 0, 'x'},
                                         {"val-fraction", required_argument, 0, 'f'},
                                         {"seed", required_argument, 0, 's'},
                                         {"per-class", required_argument, 0, 'p'},
                                         {"avmit-classes", no_argument, 0, 'a'},
                                         {"out-train", required_argument, 0, 't'},
                                         {"out-val", required_argument, 0, 'v'},
                                         {"layout", required_argument, 0, 'l'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *ratings_path = NULL, *exclude_path = NULL, *out_train = NULL, *out_val = NULL;
    avmit_build_opts o = avmit_build_default_opts();
    avmit_layout layout = AVMIT_LAYOUT_AVMIT;
    long long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': ratings_path = optarg; break;
        case 'u':
            if (avmit_rule_from_name(optarg, &o.rule))
                return cli_usage_error(argv[0], "--rule: expected present, prominent, "
                                       "unanimous or majority, got '%s'", optarg);
            break;
        case 'm':
            if (cli_parse_int(argv[0], "--min-class-size", optarg, 0, 1LL << 40, &v)) return CLI_USAGE;
            o.min_class_size = (long)v;
            break;
        case 'x': exclude_path = optarg; break;
        case 'f':
            if (cli_parse_double(argv[0], "--val-fraction", optarg, &o.val_fraction))
                return CLI_USAGE;
            if (o.val_fraction < 0 || o.val_fraction >= 1)
                return cli_usage_error(argv[0], "--val-fraction: expected [0, 1), got %s",
                                       optarg);
            break;
        case 's':
            if (cli_parse_int(argv[0], "--seed", optarg, 0, (1LL << 62), &v)) return CLI_USAGE;
            o.seed = (uint64_t)v;
            break;
        case 'p':
            if (cli_parse_int(argv[0], "--per-class", optarg, 1, 1LL << 40, &v)) return CLI_USAGE;
            o.per_class = (long)v;
            break;
        case 'a': o.only_avmit_classes = 1; break;
        case 't': out_train = optarg; break;
        case 'v': out_val = optarg; break;
        case 'l':
            if (avmit_layout_from_name(optarg, &layout))
                return cli_usage_error(argv[0], "--layout: expected avmit, mit16, test or "
                                       "ratings, got '%s'", optarg);
            break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
    if (!ratings_path || !out_train || !out_val) {
        usage(stderr);
        return cli_usage_error(argv[0], "--ratings, --out-train and --out-val are required");
    }
    avmit_error err;
    avmit_error_clear(&err);
    avmit_split ratings = {0}, exclude = {0};
    avmit_build_result res = {0};
    int rc = CLI_OK;
    if (avmit_split_read(&ratings, ratings_path, &err) ||
        (exclude_path && avmit_split_read(&exclude, exclude_path, &err))) {
        rc = cli_report(&err);
        goto done;
    }
    if (exclude_path) o.exclude = &exclude;
    if (avmit_dataset_build(&ratings, &o, &res, &err) ||
        avmit_split_write(&res.train, layout, out_train, &err) ||
        avmit_split_write(&res.val, layout, out_val, &err)) {
        rc = cli_report(&err);
        goto done;
    }
    printf("rule: %s (%s); classes with >= %ld passing videos%s\n", avmit_rule_name(o.rule),
           avmit_rule_definition(o.rule), o.min_class_size,
           o.only_avmit_classes ? ", AVMIT classes only" : "");
    if (exclude_path) printf("excluded: videos of %s (%zu)\n", exclude_path, exclude.n);
    printf("%-24s %8s %8s %5s\n", "class", "passing", "excluded", "kept");
    for (size_t i = 0; i < res.n_classes; i++)
        printf("%-24s %8ld %8ld %5s\n", res.cls[i].label, res.cls[i].n_passing,
               res.cls[i].n_excluded, res.cls[i].kept ? "yes" : "no");
    printf("%zu classes x %ld videos = %ld train + %ld validation per class (seed %llu)\n",
           res.n_kept, res.per_class, res.per_class - res.n_val_per_class, res.n_val_per_class,
           (unsigned long long)o.seed);
    printf("wrote %s (%zu rows) and %s (%zu rows), layout %s\n", out_train, res.train.n,
           out_val, res.val.n, avmit_layout_name(layout));
done:
    avmit_build_result_free(&res);
    avmit_split_free(&ratings);
    avmit_split_free(&exclude);
    return rc;
}
