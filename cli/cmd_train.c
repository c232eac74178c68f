/*
 * cmd_train.c — `avmit train`: experiment-1 training from a train.yaml
 * (the paper's own files work) into a model directory (include/avmit/train.h).
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/config.h"
#include "avmit/fileio.h"
#include "avmit/split.h"
#include "avmit/train.h"
#include "cli.h"

static void train_usage(FILE *f) {
    fprintf(f,
            "usage: avmit train --config train.yaml --tfrecords DIR --train CSV --val CSV --out MODELDIR [options]\n"
            "       avmit train --resume MODELDIR [--threads N]\n\n"
            "Trains the experiment-1 model of train.yaml (SPEC.md §4-5) on the embedding files\n"
            "DIR/<tfrecord_filename> of the two split CSVs. MODELDIR receives model.safetensors\n"
            "(best weights, Keras names), config.json, metrics.csv, results.txt and\n"
            "train_state.safetensors (for --resume), and a TensorBoard log\n"
            "events.out.tfevents.* (per epoch: loss, accuracy, top-5, val metrics, learning rate;\n"
            "the settings as text): tensorboard --logdir MODELDIR/..\n\n"
            "options (override train.yaml):\n"
            "  --epochs N        maximum epochs (train.yaml num_epochs, 200)\n"
            "  --batch N         batch size (training_batch_size, 16)\n"
            "  --lr X            learning rate (learning_rate)\n"
            "  --lr-decay K      per-epoch decay lr0*exp(-K*epoch) (default 0 = off; the paper's\n"
            "                    released checkpoints imply 0.1, needed to reproduce Table 6)\n"
            "  --weight-decay X  decoupled weight decay (default 0)\n"
            "  --patience N      early-stopping patience (early_stopping, 20; 0 = off)\n"
            "  --min-delta X     early-stopping min_delta (0.001)\n"
            "  --seed S          random seed (1): initial weights, shuffles, dropout masks\n"
            "  --threads N       total threads: OpenBLAS and data loading (default: all cores);\n"
            "                    the same seed and thread count give bit-identical results\n"
            "  --fp16-data       keep the loaded embeddings as float16 (half the memory)\n"
            "  --limit-per-class N  use only the first N rows of each class of each CSV\n"
            "  --resume MODELDIR continue a stopped run from its last completed epoch\n"
            "  --init MODELDIR   start from MODELDIR's weights and BN statistics (e.g. from\n"
            "                    `avmit model import`) instead of seeded initial values; its\n"
            "                    model must have train.yaml's RNN, activation and shapes\n"
            "  -q, --quiet       no per-epoch lines\n"
            "  -h, --help        this help\n");
}

typedef struct {
    int tty, quiet, epochs;
    double t_epoch;
    cli_tb tb; /* MODELDIR/events.out.tfevents.* */
} progress_ctx;

static void on_step(void *ctx, int epoch, int step, int n_steps, double loss, double top1, double top5) {
    progress_ctx *p = ctx;
    if (!p->tty || p->quiet) return;
    if (step == 1) p->t_epoch = cli_now_seconds();
    if (step % 8 && step != n_steps) return;
    double el = cli_now_seconds() - p->t_epoch, eta = step ? el / step * (n_steps - step) : 0;
    int w = 24, fill = (int)((double)step / n_steps * w);
    fprintf(stderr, "\repoch %d/%d [%.*s%*s] %d/%d loss %.4f top-1 %.4f top-5 %.4f ETA %.0fs \033[K", epoch,
            p->epochs, fill, "========================", w - fill, "", step, n_steps, loss, top1, top5, eta);
}

static void on_epoch(void *ctx, const avmit_epoch_metrics *m, int replayed) {
    progress_ctx *p = ctx;
    if (!replayed) { /* a resumed run's earlier epochs are in the earlier event file */
        static const char *const tags[] = {"train/loss", "train/accuracy", "train/top5",
                                           "val/loss", "val/accuracy", "val/top5",
                                           "learning_rate", "epoch_seconds"};
        const double v[] = {m->loss, m->top1, m->top5, m->val_loss, m->val_top1, m->val_top5,
                            m->lr, m->seconds};
        cli_tb_scalars(&p->tb, m->epoch, sizeof v / sizeof v[0], tags, v);
    }
    if (p->tty && !p->quiet) fprintf(stderr, "\r\033[K");
    if (p->quiet) return;
    printf("epoch %d/%d: loss %.4f top-1 %.4f top-5 %.4f | val_loss %.4f val_top-1 %.4f val_top-5 %.4f | "
           "lr %.3g | %.1f s%s%s\n",
           m->epoch, p->epochs, m->loss, m->top1, m->top5, m->val_loss, m->val_top1, m->val_top5, m->lr,
           m->seconds, m->improved ? " [best]" : "", replayed ? " (resumed)" : "");
    fflush(stdout);
}

static int load_split_data(const char *csv, const char *dir, const avmit_model_config *c, int fp16, int threads,
                           long limit, avmit_examples *out, avmit_error *err) {
    avmit_split s;
    int rc = avmit_split_read(&s, csv, err);
    if (rc) return rc;
    if (!(rc = avmit_split_validate(&s, err)) && !(rc = avmit_train_limit_per_class(&s, limit, err)))
        rc = avmit_examples_load_split(out, &s, dir, c, fp16, threads, err);
    avmit_split_free(&s);
    return rc;
}

/* --init MODELDIR: its weights and BN statistics replace the seeded initial
 * values (the seed still drives shuffles and dropout). The weight shapes are
 * checked tensor by tensor by avmit_model_load_weights. */
static int load_init(avmit_model *m, const char *dir, avmit_error *err) {
    avmit_model_config ic;
    int rc = avmit_modeldir_read_config(dir, &ic, NULL, NULL, err);
    if (rc) return rc;
    if (ic.rnn != m->cfg.rnn || ic.act != m->cfg.act)
        return avmit_error_set(err, AVMIT_E_ARG, dir, -1, -1, -1, "config.json",
                               "--init model is a %s with %s activations, train.yaml asks for a %s with %s",
                               avmit_rnn_name(ic.rnn), avmit_act_name(ic.act), avmit_rnn_name(m->cfg.rnn),
                               avmit_act_name(m->cfg.act));
    char *path = avmit_path_join(dir, "model.safetensors");
    rc = path ? avmit_model_load_weights(m, path, err)
              : avmit_error_set(err, AVMIT_E_NOMEM, dir, -1, -1, -1, NULL, "out of memory");
    free(path);
    return rc;
}

int cmd_train(int argc, char **argv) {
    enum { O_EPOCHS = 256, O_BATCH, O_LR, O_LRDECAY, O_WD, O_PATIENCE, O_MINDELTA, O_SEED, O_THREADS, O_FP16,
           O_RESUME, O_TFREC, O_TRAIN, O_VAL, O_OUT, O_CONFIG, O_LIMIT, O_INIT };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, O_CONFIG}, {"tfrecords", required_argument, NULL, O_TFREC},
        {"train", required_argument, NULL, O_TRAIN},   {"val", required_argument, NULL, O_VAL},
        {"out", required_argument, NULL, O_OUT},       {"epochs", required_argument, NULL, O_EPOCHS},
        {"batch", required_argument, NULL, O_BATCH},   {"lr", required_argument, NULL, O_LR},
        {"lr-decay", required_argument, NULL, O_LRDECAY}, {"weight-decay", required_argument, NULL, O_WD},
        {"patience", required_argument, NULL, O_PATIENCE}, {"min-delta", required_argument, NULL, O_MINDELTA},
        {"seed", required_argument, NULL, O_SEED},     {"threads", required_argument, NULL, O_THREADS},
        {"fp16-data", no_argument, NULL, O_FP16},      {"resume", required_argument, NULL, O_RESUME},
        {"limit-per-class", required_argument, NULL, O_LIMIT}, {"init", required_argument, NULL, O_INIT},
        {"quiet", no_argument, NULL, 'q'},             {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *config = NULL, *out = NULL, *resume = NULL, *init = NULL;
    avmit_data_paths paths;
    memset(&paths, 0, sizeof paths);
    /* overrides: < 0 / NAN = not given */
    long long epochs = -1, batch = -1, patience = -1, threads = -1, seed = -1, limit = 0;
    double lr = NAN, lr_decay = NAN, wd = NAN, min_delta = NAN;
    int fp16 = 0, quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_CONFIG: config = optarg; break;
        case O_OUT: out = optarg; break;
        case O_RESUME: resume = optarg; break;
        case O_INIT: init = optarg; break;
        case O_TFREC: snprintf(paths.tfrecords, sizeof paths.tfrecords, "%s", optarg); break;
        case O_TRAIN: snprintf(paths.train_csv, sizeof paths.train_csv, "%s", optarg); break;
        case O_VAL: snprintf(paths.val_csv, sizeof paths.val_csv, "%s", optarg); break;
        case O_EPOCHS: if (cli_parse_int("train", "--epochs", optarg, 1, 1000000, &epochs)) return CLI_USAGE; break;
        case O_BATCH: if (cli_parse_int("train", "--batch", optarg, 1, 1 << 20, &batch)) return CLI_USAGE; break;
        case O_PATIENCE: if (cli_parse_int("train", "--patience", optarg, 0, 1000000, &patience)) return CLI_USAGE; break;
        case O_THREADS: if (cli_parse_int("train", "--threads", optarg, 0, 4096, &threads)) return CLI_USAGE; break;
        case O_SEED: if (cli_parse_int("train", "--seed", optarg, 0, 0x7fffffffffffffffLL, &seed)) return CLI_USAGE; break;
        case O_LR: if (cli_parse_double("train", "--lr", optarg, &lr) || !(lr > 0)) return cli_usage_error("train", "--lr must be > 0"); break;
        case O_LRDECAY: if (cli_parse_double("train", "--lr-decay", optarg, &lr_decay) || lr_decay < 0) return cli_usage_error("train", "--lr-decay must be >= 0"); break;
        case O_WD: if (cli_parse_double("train", "--weight-decay", optarg, &wd) || wd < 0) return cli_usage_error("train", "--weight-decay must be >= 0"); break;
        case O_MINDELTA: if (cli_parse_double("train", "--min-delta", optarg, &min_delta) || min_delta < 0) return cli_usage_error("train", "--min-delta must be >= 0"); break;
        case O_FP16: fp16 = 1; break;
        case O_LIMIT: if (cli_parse_int("train", "--limit-per-class", optarg, 1, 1 << 30, &limit)) return CLI_USAGE; break;
        case 'q': quiet = 1; break;
        case 'h': train_usage(stdout); return CLI_OK;
        default: train_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind != argc) return cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
    avmit_error err;
    avmit_error_clear(&err);
    avmit_model_config mc;
    avmit_train_params p = avmit_train_default_params();
    if (resume) {
        if (config || out || init)
            return cli_usage_error("train", "--resume takes its settings and weights from MODELDIR");
        if (avmit_modeldir_read_config(resume, &mc, &p, &paths, &err)) return cli_report(&err);
        out = resume;
        /* a run killed inside a checkpoint write left its temporary file: drop it */
        if (avmit_remove_stale_temps(resume, NULL, &err)) return cli_report(&err);
        if (threads >= 0) p.n_threads = (int)threads;
        limit = p.limit_per_class;
    } else {
        if (!config || !out || !paths.tfrecords[0] || !paths.train_csv[0] || !paths.val_csv[0])
            return cli_usage_error("train", "--config, --tfrecords, --train, --val and --out are required");
        avmit_exp1_config ec;
        if (avmit_exp1_config_load(&ec, config, &err)) return cli_report(&err);
        mc = ec.model;
        p.epochs = ec.num_epochs, p.batch = ec.batch_size, p.lr = ec.learning_rate, p.patience = ec.patience;
        if (epochs > 0) p.epochs = (int)epochs;
        if (batch > 0) p.batch = (int)batch;
        if (patience >= 0) p.patience = (int)patience;
        if (seed >= 0) p.seed = (uint64_t)seed;
        if (!isnan(lr)) p.lr = lr;
        if (!isnan(lr_decay)) p.lr_decay = lr_decay;
        if (!isnan(wd)) p.weight_decay = wd;
        if (!isnan(min_delta)) p.min_delta = min_delta;
        p.fp16_data = fp16;
        p.limit_per_class = (long)limit;
        p.n_threads = threads > 0 ? (int)threads : 0;
    }
    int nth = cli_threads(p.n_threads);
    avmit_examples tr, va;
    double t0 = cli_now_seconds();
    if (load_split_data(paths.train_csv, paths.tfrecords, &mc, p.fp16_data, nth, (long)limit, &tr, &err)) return cli_report(&err);
    if (load_split_data(paths.val_csv, paths.tfrecords, &mc, p.fp16_data, nth, (long)limit, &va, &err)) {
        avmit_examples_free(&tr);
        return cli_report(&err);
    }
    if (!quiet)
        printf("data: %zu train + %zu validation videos, [%d x %d] each, %.1f MB in memory%s, loaded in %.1f s\n",
               tr.n, va.n, tr.T, tr.D, (avmit_examples_bytes(&tr) + avmit_examples_bytes(&va)) / 1e6,
               p.fp16_data ? " (fp16)" : "", cli_now_seconds() - t0);
    avmit_model *m = NULL;
    int rc = CLI_OK;
    if (avmit_model_create(&m, &mc, &err) || avmit_model_init(m, p.seed, &err) ||
        (init && load_init(m, init, &err))) {
        rc = cli_report(&err);
        goto done;
    }
    if (!quiet)
        printf("model: %s units %d, bottleneck %d %s, dropout %g: %zu trainable parameters; %s%d epochs, batch %d, "
               "lr %g%s, seed %llu, %d threads%s%s\n",
               avmit_rnn_name(mc.rnn), mc.units, mc.bottleneck, avmit_act_name(mc.act), (double)mc.dropout,
               m->n_weights, resume ? "resuming, " : "", p.epochs, p.batch, p.lr,
               p.lr_decay > 0 ? " (decayed per epoch)" : "", (unsigned long long)p.seed, nth,
               init ? "; initial weights from " : "", init ? init : "");
    fflush(stdout);
    progress_ctx pc = {isatty(2), quiet, p.epochs, 0, {NULL}};
    char cfg_text[8192];
    snprintf(cfg_text, sizeof cfg_text,
             "| setting | value |\n|---|---|\n| model | experiment 1, %s |\n| units | %d |\n"
             "| bottleneck | %d |\n| activation | %s |\n| dropout | %g |\n| lr | %g |\n"
             "| lr decay | %g |\n| batch | %d |\n| epochs | %d |\n| patience | %d |\n"
             "| seed | %llu |\n| threads | %d |\n| tfrecords | %s |\n| train | %s |\n| val | %s |\n"
             "| resumed | %s |\n",
             avmit_rnn_name(mc.rnn), mc.units, mc.bottleneck, avmit_act_name(mc.act), (double)mc.dropout,
             p.lr, p.lr_decay, p.batch, p.epochs, p.patience, (unsigned long long)p.seed, nth, paths.tfrecords,
             paths.train_csv, paths.val_csv, resume ? "yes" : "no");
    if (cli_tb_open(&pc.tb, out, cfg_text, &err)) {
        rc = cli_report(&err);
        goto done;
    }
    cli_signals_install(); /* first signal: stop after this step, keep the last epoch */
    avmit_train_callbacks cb = {on_step, on_epoch, cli_stop_hook, &pc, NULL};
    avmit_train_result res;
    p.n_threads = nth;
    avmit_nn_set_threads(nth); /* the program's OpenBLAS count; the library never sets it */
    int trc = avmit_train_run(m, &tr, &va, &p, &paths, out, resume != NULL, &cb, &res, &err);
    cli_tb_close(&pc.tb);
    if (trc) {
        if (err.code == AVMIT_E_CANCELLED && cli_stop_requested()) {
            char hint[4200];
            snprintf(hint, sizeof hint, "the last completed epoch is in %s; continue with: "
                     "avmit train --resume %s", out, out);
            rc = cli_stop_exit("train", hint);
        } else {
            rc = cli_report(&err);
        }
        goto done;
    }
    printf("best epoch %d of %d%s: val_loss %.4f val_top-1 %.4f val_top-5 %.4f -> %s/model.safetensors\n",
           res.best_epoch, res.epochs_run, res.stopped_early ? " (early stop)" : "", res.best.val_loss,
           res.best.val_top1, res.best.val_top5, out);
done:
    avmit_model_free(m);
    avmit_examples_free(&tr);
    avmit_examples_free(&va);
    return rc;
}
