/*
 * cmd_report.c — `avmit report`: one self-contained HTML page for one or several
 * trained models (avmit/report.h).
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/report.h"
#include "cli.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: avmit report --model DIR -o report.html [--test CSV --tfrecords DIR] [--threads N]\n"
            "       avmit report --compare DIR DIR ... -o report.html [--test CSV --tfrecords DIR]\n\n"
            "One self-contained HTML page (inline SVG and CSS, no scripts, no network) per\n"
            "experiment-1 or SAVC model directory: configuration, data provenance (split rows,\n"
            "SYNTHETIC wherever the embeddings came from `avmit synth`), training curves from\n"
            "metrics.csv and, with --test and --tfrecords (experiment 1), the test loss, top-1,\n"
            "top-5, confusion matrix and per-class accuracy/precision/recall; each beside the\n"
            "paper's number for the same configuration (Table 6 or 7). --compare puts several\n"
            "runs on one page with a Table-6-style summary (e.g. AVMIT- vs MIT-16-trained).\n");
}

int cmd_report(int argc, char **argv) {
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"compare", no_argument, 0, 'c'},
        {"out", required_argument, 0, 'o'},   {"test", required_argument, 0, 'T'},
        {"tfrecords", required_argument, 0, 'd'}, {"threads", required_argument, 0, 't'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    const char *dirs[64], *out = NULL;
    size_t n = 0;
    int compare = 0, c;
    long long threads = 0;
    avmit_report_opts o = {NULL, NULL, 0};
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (n == 64) return cli_usage_error("report", "at most 64 models");
            dirs[n++] = optarg;
            break;
        case 'c': compare = 1; break;
        case 'o': out = optarg; break;
        case 'T': o.test_csv = optarg; break;
        case 'd': o.tfrecords = optarg; break;
        case 't': if (cli_parse_int("report", "--threads", optarg, 0, 4096, &threads)) return CLI_USAGE; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    for (; compare && optind < argc && n < 64; optind++) dirs[n++] = argv[optind];
    if (optind < argc) return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (!out || !n) return cli_usage_error("report", "--model DIR (or --compare DIR ...) and -o are required");
    if (!o.test_csv != !o.tfrecords) return cli_usage_error("report", "--test and --tfrecords go together");
    o.n_threads = cli_threads(threads);
    avmit_error err;
    avmit_error_clear(&err);
    if (avmit_report_write(dirs, n, &o, out, &err)) return cli_report(&err);
    char *abs = realpath(out, NULL);
    printf("report of %zu model%s written to %s (open it in a browser: file://%s)\n", n, n > 1 ? "s" : "", out,
           abs ? abs : out);
    free(abs);
    return CLI_OK;
}
