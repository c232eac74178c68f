/*
 * main.c — the avmit command-line tool: a table from subcommand name to
 * cmd_<name>(argc, argv). Each subcommand lives in its own cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef AVMIT_VERSION
#define AVMIT_VERSION "dev"
#endif

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command k_commands[] = {
    {"tfrecord", cmd_tfrecord, "inspect, validate, dump and write embedding TFRecords"},
    {"ratings", cmd_ratings, "aggregate raw ratings; per-class statistics and Fleiss' kappa"},
    {"split", cmd_split, "build balanced train/validation splits from video ratings"},
    {"check", cmd_check, "check train/validation/test splits for leaks, duplicates, gaps"},
    {"synth", cmd_synth, "write a synthetic embedding sample for listed videos"},
    {"model", cmd_model, "model summary, import/export of Keras HDF5 and TF2 checkpoints"},
    {"train", cmd_train, "train the experiment-1 classifier from a train.yaml"},
    {"eval", cmd_eval, "evaluate a trained model on a test split"},
    {"predict", cmd_predict, "class probabilities for embedding files"},
    {"savc", cmd_savc, "audiovisual correspondence: pairs, train, eval, score"},
    {"search", cmd_search, "hyper-parameter random search with bootstrap out-of-bag scoring"},
    {"similarity", cmd_similarity, "audiovisual similarity per video and class (Fig. 4 style)"},
    {"report", cmd_report, "one-page HTML report of trained models (--compare for several)"},
    {"features", cmd_features, "audio log-mel patches / visual frames from media files"},
    {"annotate", cmd_annotate, "collect ratings: the paper's rating task as a web app"},
};

static void usage(FILE *f) {
    fprintf(f,
            "avmit %s — Audiovisual Moments in Time toolkit\n\n"
            "usage: avmit <command> [options]   (avmit <command> --help for details)\n\n"
            "commands:\n",
            AVMIT_VERSION);
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
        fprintf(f, "  %-10s %s\n", k_commands[i].name, k_commands[i].summary);
    fprintf(f, "\nexit codes: 0 success, 1 bad data or failed run, 2 bad usage\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("avmit %s\n", AVMIT_VERSION);
        return CLI_OK;
    }
    cli_install_signal_cleanup();
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
        if (!strcmp(argv[1], k_commands[i].name)) return k_commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "avmit: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
