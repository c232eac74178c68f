/*
 * cmd_savc.c — `avmit savc pairs|train|eval|score|summary`: the Supervised
 * Audiovisual Correspondence task (SPEC.md §4 experiment 2, §5, §6). This file
 * dispatches and implements `pairs` (include/avmit/savc_pairs.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/savc.h"
#include "avmit/savc_pairs.h"
#include "cli.h"

static void savc_usage(FILE *f) {
    fprintf(f,
            "usage: avmit savc COMMAND [options]   (avmit savc COMMAND --help for details)\n\n"
            "Supervised Audiovisual Correspondence (paper Table 7): does an audio stream\n"
            "come from the same action class as a visual stream?\n\n"
            "commands:\n"
            "  pairs     write congruent/incongruent pair CSVs from a split (SPEC §6)\n"
            "  train     train the AVE-Net-style Euclidean fusion model on pair CSVs\n"
            "  eval      loss, accuracy and confusion on the 1,920 test-set pairs\n"
            "  score     congruence probability of every pair of a pair CSV\n"
            "  summary   layers and variable shapes of a SAVC train.yaml's model\n");
}

static void pairs_usage(FILE *f) {
    fprintf(f,
            "usage: avmit savc pairs --split CSV --per-class K --seed S -o PREFIX [options]\n"
            "       avmit savc pairs --split test_set.csv --test --seed S -o PREFIX\n\n"
            "Writes PREFIX_cong.csv and PREFIX_incong.csv (header audio_tfrecord,visual_tfrecord,\n"
            "values tfrecord_filename) atomically.\n\n"
            "  K videos are sampled per class (paper: AVMIT train 405, validation 45; MIT-16\n"
            "  train 600, validation 60). Congruent: every ordered same-class pair, each video\n"
            "  with itself included (K^2 per class), or N per video (--congruent N).\n"
            "  Incongruent: for every video as audio, K/(C-1) visual videos from each of the\n"
            "  C-1 other classes (K must be divisible by C-1).\n"
            "  --test: the SAVC test pairs (paper: 1,920 on the 960-video test set): every\n"
            "  video's audio once in a congruent and once in an incongruent pair.\n\n"
            "options:\n"
            "  --split CSV          split CSV (any released layout) with tfrecord_filename\n"
            "  --label-col NAME     class column (default: label, AVMIT label or AVMIT_label)\n"
            "  --per-class K        videos sampled per class\n"
            "  --congruent all|N    all K^2 congruent pairs per class (default) or N per video\n"
            "  --test               test-set pairs instead (no --per-class)\n"
            "  --seed S             random seed (default 0)\n"
            "  --drop-silent        first remove videos whose audio is silent, judged from\n"
            "                       their TFRecord (needs --tfrecords): no audio rows, all\n"
            "                       values 0, or every audio row equal to the first within\n"
            "                       1e-5*(1+|x|) -- what 3 s of digital silence embeds to\n"
            "  --tfrecords DIR      embedding root for --drop-silent\n"
            "  --threads N          threads for --drop-silent (default: all cores)\n"
            "  --count              print the pair counts only, write nothing\n"
            "  -o, --out PREFIX     output prefix\n"
            "  -h, --help           this help\n");
}

static int write_pair_file(const avmit_savc_videos *v, const avmit_savc_pairs *p,
                           const char *prefix, const char *suffix, avmit_error *err) {
    size_t n = strlen(prefix) + strlen(suffix) + 1;
    char *path = malloc(n);
    if (!path) return avmit_error_path(err, AVMIT_E_NOMEM, prefix, "out of memory");
    snprintf(path, n, "%s%s", prefix, suffix);
    int r = avmit_savc_pairs_write(v, p, path, err);
    if (!r) printf("wrote %zu pairs to %s\n", p->n, path);
    free(path);
    return r;
}

static int cmd_savc_pairs(int argc, char **argv) {
    static const struct option longopts[] = {
        {"split", required_argument, NULL, 's'},
        {"label-col", required_argument, NULL, 'l'},
        {"per-class", required_argument, NULL, 'k'},
        {"congruent", required_argument, NULL, 'c'},
        {"test", no_argument, NULL, 'T'},
        {"seed", required_argument, NULL, 'S'},
        {"drop-silent", no_argument, NULL, 'd'},
        {"tfrecords", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'},
        {"count", no_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *split = NULL, *label_col = NULL, *tfdir = NULL, *prefix = NULL;
    int test = 0, drop_silent = 0, count_only = 0, threads = 0;
    avmit_savc_pair_opts o = {0, 0, 0};
    long long v;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': split = optarg; break;
        case 'l': label_col = optarg; break;
        case 'k':
            if (cli_parse_int("savc pairs", "--per-class", optarg, 1, 1000000, &v))
                return CLI_USAGE;
            o.per_class = (long)v;
            break;
        case 'c':
            if (strcmp(optarg, "all") == 0) {
                o.congruent = 0;
            } else {
                if (cli_parse_int("savc pairs", "--congruent", optarg, 1, 1000000, &v))
                    return CLI_USAGE;
                o.congruent = (long)v;
            }
            break;
        case 'T': test = 1; break;
        case 'S':
            if (cli_parse_int("savc pairs", "--seed", optarg, 0, INT64_MAX, &v)) return CLI_USAGE;
            o.seed = (uint64_t)v;
            break;
        case 'd': drop_silent = 1; break;
        case 'r': tfdir = optarg; break;
        case 't':
            if (cli_parse_int("savc pairs", "--threads", optarg, 0, 4096, &v)) return CLI_USAGE;
            threads = cli_threads(v);
            break;
        case 'n': count_only = 1; break;
        case 'o': prefix = optarg; break;
        case 'h': pairs_usage(stdout); return CLI_OK;
        default: pairs_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error("savc pairs", "unexpected argument '%s'", argv[optind]);
    if (!split) return cli_usage_error("savc pairs", "--split CSV is required");
    if (!test && !o.per_class)
        return cli_usage_error("savc pairs", "--per-class K is required (or --test)");
    if (test && o.per_class)
        return cli_usage_error("savc pairs", "--test uses every video: no --per-class");
    if (!prefix && !count_only) return cli_usage_error("savc pairs", "-o PREFIX is required");
    if (drop_silent && !tfdir)
        return cli_usage_error("savc pairs", "--drop-silent needs --tfrecords DIR");

    avmit_error err;
    avmit_error_clear(&err);
    avmit_savc_videos vids;
    if (avmit_savc_videos_read(&vids, split, label_col, &err)) return cli_report(&err);
    int rc = CLI_FAIL;
    unsigned char *silent = NULL;
    avmit_savc_pairs cong = {0}, incong = {0};
    if (drop_silent) {
        silent = malloc(vids.n ? vids.n : 1);
        if (!silent) goto done;
        if (avmit_savc_find_silent(&vids, tfdir, threads, silent, &err)) {
            cli_report(&err);
            goto done;
        }
        size_t n_silent = 0;
        for (size_t i = 0; i < vids.n; i++) {
            n_silent += silent[i];
            silent[i] = !silent[i];
        }
        if (avmit_savc_videos_keep(&vids, silent, &err)) {
            cli_report(&err);
            goto done;
        }
        printf("dropped %zu videos with silent audio; %zu left\n", n_silent, vids.n);
    }
    if (count_only && !test) {
        size_t nc, ni;
        if (avmit_savc_pair_counts(vids.n_classes, &o, &nc, &ni, &err)) {
            cli_report(&err);
            goto done;
        }
        printf("%zu classes, %ld per class: %zu congruent, %zu incongruent pairs\n",
               vids.n_classes, o.per_class, nc, ni);
        rc = CLI_OK;
        goto done;
    }
    int r = test ? avmit_savc_make_test_pairs(&vids, o.seed, &cong, &incong, &err)
                 : avmit_savc_make_pairs(&vids, &o, &cong, &incong, &err);
    if (r) {
        cli_report(&err);
        goto done;
    }
    if (count_only) {
        printf("%zu classes, test pairs: %zu congruent, %zu incongruent pairs\n",
               vids.n_classes, cong.n, incong.n);
        rc = CLI_OK;
        goto done;
    }
    if (write_pair_file(&vids, &cong, prefix, "_cong.csv", &err) ||
        write_pair_file(&vids, &incong, prefix, "_incong.csv", &err)) {
        cli_report(&err);
        goto done;
    }
    rc = CLI_OK;
done:
    free(silent);
    avmit_savc_pairs_free(&cong);
    avmit_savc_pairs_free(&incong);
    avmit_savc_videos_free(&vids);
    return rc;
}

#ifdef AVMIT_HAVE_BLAS /* else cmd_nonn.c answers */
int cmd_savc_summary(int argc, char **argv) {
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *config = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'h':
            printf("usage: avmit savc summary --config train.yaml\n\n"
                   "Prints the SAVC model of a SAVC train.yaml (the paper's own files work):\n"
                   "layers in Keras order with output shapes and parameters, then every\n"
                   "variable with its Keras name and shape, in the order of the paper's\n"
                   "random_seed.h5 files.\n");
            return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (!config || optind != argc)
        return cli_usage_error("savc summary", "--config train.yaml is required");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_savc_file_config fc;
    if (avmit_savc_config_load(&fc, config, &err)) return cli_report(&err);
    const avmit_savc_config *m = &fc.model;
    avmit_layer_row rows[AVMIT_SAVC_MAX_LAYERS];
    int n = avmit_savc_layers(m, rows);
    char a[32];
    printf("Model: %s (SAVC %s, units %d, dropout %g, T %d, D_a %d, D_v %d, E %d)\n", config,
           avmit_rnn_name(m->rnn), m->units, (double)m->dropout, m->timesteps, m->audio_dim,
           m->visual_dim, m->embed);
    printf("%-50s %-18s %10s\n", "Layer (type)", "Output Shape", "Param #");
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        char lt[96];
        snprintf(lt, sizeof lt, "%.31s (%.47s)", rows[i].name, rows[i].type);
        printf("%-50s %-18s %10s\n", lt, rows[i].output, cli_thousands(rows[i].n_params, a, sizeof a));
        total += rows[i].n_params;
    }
    avmit_param_info params[AVMIT_SV_COUNT];
    size_t n_weights;
    avmit_savc_layout(m, params, &n_weights);
    if (total != n_weights) {
        fprintf(stderr, "avmit: internal error: layer table and parameter block disagree\n");
        return CLI_FAIL;
    }
    printf("Total params: %s\n", cli_thousands(total, a, sizeof a));
    printf("Trainable params: %s\nNon-trainable params: 0\nVariables:\n", a);
    for (int i = 0; i < AVMIT_SV_COUNT; i++) {
        const avmit_param_info *p = &params[i];
        if (p->ndim == 1)
            printf("  %s (%lld,)\n", p->name, (long long)p->shape[0]);
        else
            printf("  %s (%lld, %lld)\n", p->name, (long long)p->shape[0], (long long)p->shape[1]);
    }
    return CLI_OK;
}
#endif

int cmd_savc(int argc, char **argv) {
    if (argc < 2) {
        savc_usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
        savc_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(sub, "pairs") == 0) return cmd_savc_pairs(argc - 1, argv + 1);
    if (strcmp(sub, "train") == 0) return cmd_savc_train(argc - 1, argv + 1);
    if (strcmp(sub, "eval") == 0) return cmd_savc_eval(argc - 1, argv + 1);
    if (strcmp(sub, "score") == 0) return cmd_savc_score(argc - 1, argv + 1);
    if (strcmp(sub, "summary") == 0) return cmd_savc_summary(argc - 1, argv + 1);
    return cli_usage_error("savc", "unknown command '%s' (pairs, train, eval, score, summary)",
                           sub);
}
