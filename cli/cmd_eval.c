/*
 * cmd_eval.c — `avmit eval` (loss, top-1, top-5, per-class accuracy, confusion
 * matrix of a model directory on a split) and `avmit predict` (per-video class
 * probabilities as CSV). Library: include/avmit/train.h.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/split.h"
#include "avmit/train.h"
#include "cli.h"

static const char *class_name(int k, char *buf, size_t cap) {
    const char *n = avmit_label_name(k);
    if (n) return n;
    snprintf(buf, cap, "class_%d", k);
    return buf;
}

static void print_json(const char *model, const avmit_eval_result *r) {
    char b[32];
    printf("{\"model\": ");
    cli_json_string(stdout, model);
    printf(", \"n\": %zu, \"loss\": %.9g, \"top1\": %.9g, \"top5\": %.9g, \"per_class\": {", r->n, r->loss, r->top1,
           r->top5);
    for (int k = 0; k < r->K; k++) {
        printf("%s", k ? ", " : "");
        cli_json_string(stdout, class_name(k, b, sizeof b));
        if (isnan(r->class_acc[k])) printf(": {\"n\": 0, \"top1\": null}");
        else printf(": {\"n\": %zu, \"top1\": %.9g}", r->class_n[k], r->class_acc[k]);
    }
    printf("}, \"confusion\": [");
    for (int i = 0; i < r->K; i++) {
        printf("%s[", i ? ", " : "");
        for (int j = 0; j < r->K; j++) printf("%s%zu", j ? ", " : "", r->confusion[(size_t)i * r->K + j]);
        printf("]");
    }
    printf("]}\n");
}

static void print_text(const char *model, const avmit_eval_result *r) {
    char b[32];
    printf("model: %s\nvideos: %zu\nloss: %.6f\ntop-1: %.2f%%\ntop-5: %.2f%%\nper-class top-1:\n", model, r->n,
           r->loss, 100 * r->top1, 100 * r->top5);
    for (int k = 0; k < r->K; k++) {
        if (isnan(r->class_acc[k])) printf("  %-10s %5zu      -\n", class_name(k, b, sizeof b), r->class_n[k]);
        else printf("  %-10s %5zu %6.2f%%\n", class_name(k, b, sizeof b), r->class_n[k], 100 * r->class_acc[k]);
    }
    printf("confusion matrix (rows: true class, columns: predicted, ids 0..%d):\n", r->K - 1);
    for (int i = 0; i < r->K; i++) {
        printf("  %2d", i);
        for (int j = 0; j < r->K; j++) printf(" %4zu", r->confusion[(size_t)i * r->K + j]);
        printf("\n");
    }
}

int cmd_eval(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"test", required_argument, NULL, 't'},
        {"tfrecords", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
        {"plot-confusion", required_argument, NULL, 'p'}, {"threads", required_argument, NULL, 'T'},
        {"batch", required_argument, NULL, 'b'}, {"limit-per-class", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *model = NULL, *test = NULL, *tfrec = NULL, *plot = NULL;
    int json = 0, c;
    long long threads = 0, batch = 16, limit = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 't': test = optarg; break;
        case 'r': tfrec = optarg; break;
        case 'j': json = 1; break;
        case 'p': plot = optarg; break;
        case 'T': if (cli_parse_int("eval", "--threads", optarg, 0, 4096, &threads)) return CLI_USAGE; break;
        case 'b': if (cli_parse_int("eval", "--batch", optarg, 1, 1 << 20, &batch)) return CLI_USAGE; break;
        case 'l': if (cli_parse_int("eval", "--limit-per-class", optarg, 1, 1 << 30, &limit)) return CLI_USAGE; break;
        case 'h':
            printf("usage: avmit eval --model MODELDIR --test CSV --tfrecords DIR [--json] [--plot-confusion cm.svg]\n"
                   "                  [--threads N] [--batch N] [--limit-per-class N]\n\n"
                   "Evaluates a model directory on a split (any released CSV layout; the embedding\n"
                   "files are DIR/<tfrecord_filename>): loss, top-1, top-5, per-class accuracy and\n"
                   "the confusion matrix, in inference mode (BN moving statistics, no dropout).\n");
            return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (!model || !test || !tfrec || optind != argc)
        return cli_usage_error("eval", "--model, --test and --tfrecords are required");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_model *m = NULL;
    avmit_split s = {0};
    avmit_examples ex = {0};
    avmit_eval_result r = {0};
    int rc = CLI_OK, nth = cli_threads(threads);
    avmit_nn_set_threads(nth);
    if (avmit_modeldir_open(&m, model, &err) || avmit_split_read(&s, test, &err) || avmit_split_validate(&s, &err) ||
        avmit_train_limit_per_class(&s, (long)limit, &err) || avmit_examples_load_split(&ex, &s, tfrec, &m->cfg, 0, nth, &err) ||
        avmit_evaluate(m, &ex, (int)batch, 0, &r, &err) || (plot && avmit_confusion_write_svg(&r, plot, &err))) {
        rc = cli_report(&err);
        goto done;
    }
    if (json) print_json(model, &r);
    else print_text(model, &r);
done:
    avmit_eval_result_free(&r);
    avmit_examples_free(&ex);
    avmit_split_free(&s);
    avmit_model_free(m);
    return rc;
}

int cmd_predict(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"tfrecords", required_argument, NULL, 'r'},
        {"out", required_argument, NULL, 'o'}, {"threads", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *model = NULL, *out = NULL;
    const char *inputs[256];
    size_t n_in = 0;
    long long threads = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'r':
            if (n_in == 256) return cli_usage_error("predict", "at most 256 --tfrecords arguments");
            inputs[n_in++] = optarg;
            break;
        case 'o': out = optarg; break;
        case 'T': if (cli_parse_int("predict", "--threads", optarg, 0, 4096, &threads)) return CLI_USAGE; break;
        case 'h':
            printf("usage: avmit predict --model MODELDIR --tfrecords FILE|DIR [--tfrecords ...] --out preds.csv\n\n"
                   "Writes one row per embedding file (directories are searched for *.tfrecord):\n"
                   "filename,label,predicted,<one probability column per class in label-id order>\n"
                   "(barking=0 ... whistling=15); filename and label are the record's own.\n");
            return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (!model || !n_in || !out || optind != argc)
        return cli_usage_error("predict", "--model, --tfrecords and --out are required");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_model *m = NULL;
    avmit_pathlist pl = {0};
    avmit_examples ex = {0};
    avmit_eval_result r = {0};
    avmit_atomic_file *f = NULL;
    int rc = CLI_OK, nth = cli_threads(threads);
    char b[32];
    avmit_nn_set_threads(nth);
    if (avmit_modeldir_open(&m, model, &err) || avmit_pathlist_expand(&pl, inputs, n_in, ".tfrecord", &err) ||
        avmit_examples_load_files(&ex, (const char *const *)pl.paths, pl.n, &m->cfg, 0, nth, &err) ||
        avmit_evaluate(m, &ex, 16, 1, &r, &err) || cli_atomic_open(&f, out, 1, &err)) {
        rc = cli_report(&err);
        goto done;
    }
    FILE *s = avmit_atomic_stream(f);
    fprintf(s, "filename,label,predicted");
    for (int k = 0; k < r.K; k++) fprintf(s, ",%s", class_name(k, b, sizeof b));
    fprintf(s, "\n");
    for (size_t i = 0; i < ex.n; i++) {
        const float *p = r.probs + i * r.K;
        int top = 0;
        for (int k = 1; k < r.K; k++)
            if (p[k] > p[top]) top = k;
        int quote = strpbrk(ex.filenames[i], ",\"\n") != NULL;
        fprintf(s, "%s%s%s,%s,%s", quote ? "\"" : "", ex.filenames[i], quote ? "\"" : "",
                class_name(ex.labels[i], b, sizeof b), avmit_label_name(top) ? avmit_label_name(top) : "?");
        for (int k = 0; k < r.K; k++) fprintf(s, ",%.7g", (double)p[k]);
        fprintf(s, "\n");
    }
    if (cli_atomic_commit(f, &err)) rc = cli_report(&err);
    else printf("predicted %zu videos (top-1 against the records' labels %.2f%%) -> %s\n", ex.n, 100 * r.top1, out);
done:
    avmit_eval_result_free(&r);
    avmit_examples_free(&ex);
    avmit_pathlist_free(&pl);
    avmit_model_free(m);
    return rc;
}
