/* cmd_model.c — `avmit model <summary|import|export|inspect>` dispatch, and
 * `avmit model summary` (the Keras-style layer table of include/avmit/model.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "avmit/config.h"
#include "avmit/model.h"
#include "cli.h"

static int cmd_model_summary(int argc, char **argv) {
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *config = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'h':
            printf("usage: avmit model summary --config train.yaml\n\n"
                   "Prints the experiment-1 model of a train.yaml (the paper's own files work):\n"
                   "layers in Keras order, output shapes, parameters, and the trainable count\n"
                   "as Keras (and the paper's Table 5) count it. A SAVC train.yaml (one with\n"
                   "congruent_*_csv / tfrecords_loc1 keys) prints `avmit savc summary`: the\n"
                   "SAVC model's layers and every variable's Keras name and shape.\n");
            return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (!config || optind != argc) return cli_usage_error("model summary", "--config train.yaml is required");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_config_kind kind;
    if (avmit_config_detect(config, &kind, &err)) return cli_report(&err);
    if (kind == AVMIT_CONFIG_SAVC) return cmd_savc_summary(argc, argv);
    avmit_exp1_config cfg;
    if (avmit_exp1_config_load(&cfg, config, &err)) return cli_report(&err);
    const avmit_model_config *m = &cfg.model;
    avmit_layer_row rows[AVMIT_MODEL_MAX_LAYERS];
    int n = avmit_model_layers(m, rows);
    char a[32], b[32], t[32];
    printf("Model: %s (%s, units %d, bottleneck %d %s, dropout %g, T %d, D_a %d%s, D_v %d%s)\n", config,
           avmit_rnn_name(m->rnn), m->units, m->bottleneck, avmit_act_name(m->act), (double)m->dropout,
           m->timesteps, m->audio_dim, m->use_audio ? "" : " (off)", m->visual_dim, m->use_visual ? "" : " (off)");
    printf("%-62s %-22s %10s\n", "Layer (type)", "Output Shape", "Param #");
    size_t total = 0, trainable = 0;
    for (int i = 0; i < n; i++) {
        char lt[96];
        snprintf(lt, sizeof lt, "%.31s (%.47s)", rows[i].name, rows[i].type);
        printf("%-62s %-22s %10s\n", lt, rows[i].output, cli_thousands(rows[i].n_params, a, sizeof a));
        total += rows[i].n_params;
        trainable += rows[i].n_trainable;
    }
    if (trainable != avmit_model_trainable_count(m)) {
        fprintf(stderr, "avmit: internal error: layer table and parameter block disagree\n");
        return CLI_FAIL;
    }
    printf("Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n", cli_thousands(total, a, sizeof a),
           cli_thousands(trainable, b, sizeof b), cli_thousands(total - trainable, t, sizeof t));
    return CLI_OK;
}

int cmd_model(int argc, char **argv) {
    static const cli_subcommand subs[] = {{"summary", cmd_model_summary},
                                          {"import", cmd_model_import},
                                          {"export", cmd_model_export},
                                          {"inspect", cmd_model_inspect}};
    static const char usage[] =
        "usage: avmit model summary --config train.yaml\n"
        "       avmit model import --config train.yaml --weights PATH --out MODELDIR\n"
        "       avmit model export --model MODELDIR --format keras-h5|npz -o OUT\n"
        "       avmit model inspect PATH   (Keras HDF5 file or TF2 checkpoint prefix)\n";
    return cli_dispatch("model", usage, subs, sizeof subs / sizeof *subs, argc, argv);
}
