/*
 * cmd_synth.c — `avmit synth`: write a SYNTHETIC embedding file for every
 * video of the given split CSVs (include/avmit/synth.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/synth.h"
#include "cli.h"

#define SYNTH_MAX_SPLITS 64

static void synth_usage(FILE *f) {
    fprintf(f,
            "usage: avmit synth --split CSV [--split CSV ...] --out DIR [options]\n\n"
            "Writes DIR/<tfrecord_filename> for every video listed in the split CSVs (any\n"
            "released layout), in the real embedding-file layout (GZIP SequenceExample).\n"
            "The values are SYNTHETIC (class prototypes + noise), NOT real AVMIT embeddings\n"
            "(DIR/SYNTHETIC.txt says so, for `avmit report`);\n"
            "they exist so the pipeline can run without the real files.\n\n"
            "options:\n"
            "  --split CSV            a split CSV (repeatable; rows are deduplicated by\n"
            "                         tfrecord_filename)\n"
            "  --out DIR              output root (created; existing files are replaced)\n"
            "  --embeddings SET       yamnet-effnet (D 1024/1280, T 6/6-7, default) or\n"
            "                         vggish-vgg16 (D 128/512, T 3/4)\n"
            "  --seed S               random seed (default 1); output depends only on the\n"
            "                         seed and each video's row, not on --threads or order\n"
            "  --noise X              per-timestep noise std (default 1.0)\n"
            "  --signal X             class signal: prototypes scaled by X/sqrt(D) (default\n"
            "                         3.5; larger = more class structure per timestep)\n"
            "  --mismatch-prob P      probability that an unrated (MIT-16 layout) video gets\n"
            "                         a weak or mismatched stream (default 0.35); rated rows\n"
            "                         get one exactly when r3 < 2\n"
            "  --limit-per-class N    from each CSV keep only the first N rows of each label\n"
            "  --threads N            worker threads (default: all cores)\n"
            "  -q, --quiet            do not list label notes\n"
            "  -h, --help             this help\n");
}

static void synth_progress(void *ctx, size_t done, size_t total) {
    cli_progress *bar = ctx;
    bar->total = (long long)total;
    cli_progress_update(bar, (long long)done);
}

int cmd_synth(int argc, char **argv) {
    static const struct option longopts[] = {
        {"split", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {"embeddings", required_argument, NULL, 'e'},
        {"seed", required_argument, NULL, 'S'},
        {"noise", required_argument, NULL, 'n'},
        {"signal", required_argument, NULL, 'g'},
        {"mismatch-prob", required_argument, NULL, 'm'},
        {"limit-per-class", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *splits[SYNTH_MAX_SPLITS];
    size_t n_splits = 0;
    const char *out_dir = NULL;
    int quiet = 0;
    long long v;
    avmit_synth_opts o = avmit_synth_default_opts();
    avmit_error err;
    avmit_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (n_splits == SYNTH_MAX_SPLITS)
                return cli_usage_error("synth", "at most %d --split files", SYNTH_MAX_SPLITS);
            splits[n_splits++] = optarg;
            break;
        case 'o': out_dir = optarg; break;
        case 'e':
            if (avmit_synth_set_parse(optarg, &o.set, &err))
                return cli_usage_error("synth", "--embeddings: %s", err.msg);
            break;
        case 'S':
            if (cli_parse_int("synth", "--seed", optarg, 0, INT64_MAX, &v)) return CLI_USAGE;
            o.seed = (uint64_t)v;
            break;
        case 'n':
            if (cli_parse_double("synth", "--noise", optarg, &o.noise)) return CLI_USAGE;
            if (o.noise < 0 || o.noise > 100)
                return cli_usage_error("synth", "--noise: expected a value in [0, 100]");
            break;
        case 'g':
            if (cli_parse_double("synth", "--signal", optarg, &o.signal)) return CLI_USAGE;
            if (!(o.signal >= 0 && o.signal <= 100))
                return cli_usage_error("synth", "--signal: expected a value in [0, 100]");
            break;
        case 'm':
            if (cli_parse_double("synth", "--mismatch-prob", optarg, &o.mismatch_prob))
                return CLI_USAGE;
            if (o.mismatch_prob < 0 || o.mismatch_prob > 1)
                return cli_usage_error("synth", "--mismatch-prob: expected a value in [0, 1]");
            break;
        case 'l':
            if (cli_parse_int("synth", "--limit-per-class", optarg, 1, 1000000000, &v))
                return CLI_USAGE;
            o.limit_per_class = (long)v;
            break;
        case 't':
            if (cli_parse_int("synth", "--threads", optarg, 0, 4096, &v)) return CLI_USAGE;
            o.n_threads = cli_threads(v);
            break;
        case 'q': quiet = 1; break;
        case 'h': synth_usage(stdout); return CLI_OK;
        default: synth_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error("synth", "unexpected argument '%s'", argv[optind]);
    if (!n_splits) return cli_usage_error("synth", "at least one --split CSV is required");
    if (!out_dir) return cli_usage_error("synth", "--out DIR is required");

    double t0 = cli_now_seconds();
    cli_progress bar;
    cli_progress_start(&bar, "synth", 0);
    o.progress = synth_progress;
    o.progress_ctx = &bar;
    avmit_synth_report rep;
    int rc = avmit_synth_run(splits, n_splits, out_dir, &o, &rep, &err);
    if (!rc)
        cli_progress_finish(&bar);
    else if (bar.tty && bar.done > 0)
        fputc('\n', stderr);
    if (rc) return cli_report(&err);
    /* The marker `avmit report` (and any reader) uses to label results SYNTHETIC. */
    char marker[4200], note[512];
    snprintf(marker, sizeof marker, "%s/SYNTHETIC.txt", out_dir);
    int nn = snprintf(note, sizeof note,
                      "The embedding files in this directory are SYNTHETIC (avmit synth, %s, seed %llu):\n"
                      "class prototypes plus noise, NOT real AVMIT embeddings.\n",
                      avmit_synth_set_name(o.set), (unsigned long long)o.seed);
    if (avmit_write_file_atomic(marker, note, (size_t)nn, 1, &err)) return cli_report(&err);
    if (!quiet)
        for (size_t i = 0; i < rep.n_notes; i++) fprintf(stderr, "avmit synth: note: %s\n", rep.notes[i]);
    printf("wrote %zu synthetic embedding files (NOT real AVMIT embeddings) to %s in %.1f s\n",
           rep.n_written, out_dir, cli_now_seconds() - t0);
    printf("  embeddings %s, seed %llu, noise %g, signal %g, mismatch-prob %g%s\n",
           avmit_synth_set_name(o.set), (unsigned long long)o.seed, o.noise, o.signal,
           o.mismatch_prob,
           o.limit_per_class > 0 ? " (limited per class)" : "");
    printf("  %zu CSV rows, %zu duplicate tfrecord_filename rows merged\n", rep.n_rows,
           rep.n_duplicates);
    printf("  congruent %zu, audio from another class %zu, weak audio %zu, weak visual %zu\n",
           rep.n_kind[AVMIT_SYNTH_CONGRUENT], rep.n_kind[AVMIT_SYNTH_AUDIO_OTHER],
           rep.n_kind[AVMIT_SYNTH_AUDIO_WEAK], rep.n_kind[AVMIT_SYNTH_VISUAL_WEAK]);
    if (rep.n_label_fallback)
        printf("  %zu files store the CSV label because their tfrecord directory is not an "
               "AVMIT class\n",
               rep.n_label_fallback);
    avmit_synth_report_free(&rep);
    return CLI_OK;
}
