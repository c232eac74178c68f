/*
 * cmd_savc_train.c — `avmit savc train|eval|score` (include/avmit/savc_train.h),
 * dispatched from cmd_savc.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/savc_train.h"
#include "cli.h"

#define MAX_ROOTS 2

static void train_usage(FILE *f) {
    fprintf(f,
            "usage: avmit savc train --config train.yaml --out MODELDIR [options]\n\n"
            "Trains the SAVC model of a SAVC train.yaml (the paper's own files work) on pair\n"
            "CSVs (avmit savc pairs). Each epoch draws --epoch-pairs pairs, half congruent,\n"
            "shuffled; batches of --batch; Keras Adam with decoupled weight decay; the\n"
            "checkpoint with the best validation accuracy is kept in MODELDIR/model.safetensors;\n"
            "MODELDIR/metrics.csv has one row per epoch, MODELDIR/events.out.tfevents.* the same\n"
            "for TensorBoard (with the settings as text); --resume continues a stopped run.\n\n"
            "options:\n"
            "  --config PATH        SAVC train.yaml (model, epochs, lr, batch, default paths)\n"
            "  --tfrecords DIR      embedding root (repeatable, at most 2, searched in order;\n"
            "                       default: the config's tfrecords_loc1 and tfrecords_loc2)\n"
            "  --train PREFIX       PREFIX_cong.csv and PREFIX_incong.csv (default: the\n"
            "                       config's congruent_train_csv / incongruent_train_csv)\n"
            "  --val PREFIX         validation pairs likewise (default: the config's *_val_csv)\n"
            "  -o, --out MODELDIR   output directory (created)\n"
            "  --epochs N           default: training.num_epochs (200)\n"
            "  --batch N            default: training.training_batch_size (512)\n"
            "  --lr X               default: training.learning_rate (1e-4)\n"
            "  --weight-decay X     decoupled weight decay (default 1e-5)\n"
            "  --epoch-pairs N      pairs per epoch (default 12960), even\n"
            "  --val-pairs N        size of the fixed validation subset (default 12960)\n"
            "  --seed S             initial weights, pair draws and dropout (default 1)\n"
            "  --init MODELDIR      start from MODELDIR/model.safetensors (e.g. the paper's\n"
            "                       weights via `avmit model import`) instead of seeded\n"
            "                       initial weights; its model must be the config's\n"
            "  --threads N          OpenBLAS threads (default: all cores); same seed and\n"
            "                       threads give the same result bit for bit\n"
            "  --resume             continue from MODELDIR/train_state.safetensors\n"
            "  -q, --quiet          no per-epoch lines\n"
            "  -h, --help           this help\n");
}


typedef struct {
    cli_progress bar;
    int quiet;
    double lr;
    cli_tb tb; /* MODELDIR/events.out.tfevents.* */
} train_ui;

static void on_step(void *ctx, int epoch, int step, int n_steps, double loss, double acc) {
    train_ui *ui = ctx;
    (void)epoch, (void)loss, (void)acc;
    if (step == 1) cli_progress_start(&ui->bar, "epoch", n_steps);
    cli_progress_update(&ui->bar, step);
    if (step == n_steps) cli_progress_finish(&ui->bar);
}

static void on_epoch(void *ctx, const avmit_savc_epoch *e, int replayed) {
    train_ui *ui = ctx;
    if (!replayed) { /* a resumed run's earlier epochs are in the earlier event file */
        static const char *const tags[] = {"train/loss", "train/accuracy", "val/loss",
                                           "val/accuracy", "learning_rate", "epoch_seconds"};
        const double v[] = {e->loss, e->accuracy, e->val_loss, e->val_accuracy, ui->lr, e->seconds};
        cli_tb_scalars(&ui->tb, e->epoch, sizeof v / sizeof v[0], tags, v);
    }
    if (ui->quiet) return;
    printf("epoch %3d%s: loss %.4f accuracy %.4f val_loss %.4f val_accuracy %.4f (%.1f s)%s\n",
           e->epoch, replayed ? " (resumed)" : "", e->loss, e->accuracy, e->val_loss,
           e->val_accuracy, e->seconds, e->improved ? " *best" : "");
    fflush(stdout);
}

/* Read PREFIX_cong.csv / PREFIX_incong.csv (or two explicit paths) into v. */
static int read_pair_files(avmit_savc_videos *v, const char *prefix, const char *cong_path,
                           const char *incong_path, avmit_savc_pairs *cong,
                           avmit_savc_pairs *incong, avmit_error *err) {
    char a[4096], b[4096];
    if (prefix) {
        snprintf(a, sizeof a, "%s_cong.csv", prefix);
        snprintf(b, sizeof b, "%s_incong.csv", prefix);
        cong_path = a, incong_path = b;
    }
    int r = avmit_savc_pairs_read(v, cong_path, cong, err);
    if (!r && (r = avmit_savc_pairs_read(v, incong_path, incong, err))) avmit_savc_pairs_free(cong);
    return r;
}

static int load_model_dir(const char *dir, avmit_savc_model **m, avmit_error *err);

/* --init: m takes the weights of dir's model, which must have m's parameter table. */
static int init_from(avmit_savc_model *m, const char *dir, avmit_error *err) {
    avmit_savc_model *src = NULL;
    int rc = load_model_dir(dir, &src, err);
    for (int i = 0; !rc && i < AVMIT_SV_COUNT; i++) {
        const avmit_param_info *a = &m->params[i], *b = &src->params[i];
        if (strcmp(a->name, b->name) || a->ndim != b->ndim || a->shape[0] != b->shape[0] ||
            (a->ndim > 1 && a->shape[1] != b->shape[1]))
            rc = avmit_error_set(err, AVMIT_E_FORMAT, dir, -1, -1, -1, b->name,
                                 "--init model has '%s' %lldx%lld where the config's model has '%s' "
                                 "%lldx%lld",
                                 b->name, (long long)b->shape[0], (long long)(b->ndim > 1 ? b->shape[1] : 1),
                                 a->name, (long long)a->shape[0], (long long)(a->ndim > 1 ? a->shape[1] : 1));
    }
    if (!rc) memcpy(m->weights, src->weights, sizeof(float) * m->n_weights);
    avmit_savc_free(src);
    return rc;
}

int cmd_savc_train(int argc, char **argv) {
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},   {"tfrecords", required_argument, NULL, 'r'},
        {"train", required_argument, NULL, 'T'},    {"val", required_argument, NULL, 'V'},
        {"out", required_argument, NULL, 'o'},      {"epochs", required_argument, NULL, 'e'},
        {"batch", required_argument, NULL, 'b'},    {"lr", required_argument, NULL, 'l'},
        {"weight-decay", required_argument, NULL, 'w'},
        {"epoch-pairs", required_argument, NULL, 'p'},
        {"val-pairs", required_argument, NULL, 'P'}, {"seed", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 't'},  {"resume", no_argument, NULL, 'R'},
        {"quiet", no_argument, NULL, 'q'},          {"init", required_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *config = NULL, *train = NULL, *val = NULL, *out = NULL, *init = NULL;
    const char *roots[MAX_ROOTS] = {NULL, NULL};
    size_t n_roots = 0;
    int resume = 0, epochs = 0, batch = 0;
    double lr = 0;
    train_ui ui = {0};
    avmit_savc_train_params tp = avmit_savc_train_default_params();
    long long v;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'r':
            if (n_roots == MAX_ROOTS) return cli_usage_error("savc train", "at most 2 --tfrecords");
            roots[n_roots++] = optarg;
            break;
        case 'T': train = optarg; break;
        case 'V': val = optarg; break;
        case 'o': out = optarg; break;
        case 'e':
            if (cli_parse_int("savc train", "--epochs", optarg, 1, 100000, &v)) return CLI_USAGE;
            epochs = (int)v;
            break;
        case 'b':
            if (cli_parse_int("savc train", "--batch", optarg, 1, 1 << 16, &v)) return CLI_USAGE;
            batch = (int)v;
            break;
        case 'l':
            if (cli_parse_double("savc train", "--lr", optarg, &lr) || !(lr > 0))
                return cli_usage_error("savc train", "--lr: expected a positive number");
            break;
        case 'w':
            if (cli_parse_double("savc train", "--weight-decay", optarg, &tp.weight_decay) ||
                tp.weight_decay < 0)
                return cli_usage_error("savc train", "--weight-decay: expected a number >= 0");
            break;
        case 'p':
            if (cli_parse_int("savc train", "--epoch-pairs", optarg, 2, 1 << 30, &v) || v % 2)
                return cli_usage_error("savc train", "--epoch-pairs: expected an even number >= 2");
            tp.epoch_pairs = (size_t)v;
            break;
        case 'P':
            if (cli_parse_int("savc train", "--val-pairs", optarg, 2, 1 << 30, &v)) return CLI_USAGE;
            tp.val_pairs = (size_t)v;
            break;
        case 'S':
            if (cli_parse_int("savc train", "--seed", optarg, 0, INT64_MAX, &v)) return CLI_USAGE;
            tp.seed = (uint64_t)v;
            break;
        case 't':
            if (cli_parse_int("savc train", "--threads", optarg, 0, 4096, &v)) return CLI_USAGE;
            tp.n_threads = cli_threads(v);
            break;
        case 'R': resume = 1; break;
        case 'I': init = optarg; break;
        case 'q': ui.quiet = 1; break;
        case 'h': train_usage(stdout); return CLI_OK;
        default: train_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error("savc train", "unexpected argument '%s'", argv[optind]);
    if (!config) return cli_usage_error("savc train", "--config train.yaml is required");
    if (!out) return cli_usage_error("savc train", "--out MODELDIR is required");
    if (init && resume)
        return cli_usage_error("savc train", "--init and --resume exclude each other");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_savc_file_config fc;
    if (avmit_savc_config_load(&fc, config, &err)) return cli_report(&err);
    tp.epochs = epochs ? epochs : fc.num_epochs;
    tp.batch = batch ? batch : fc.batch_size;
    tp.lr = lr > 0 ? lr : fc.learning_rate;
    if (!n_roots) {
        roots[0] = fc.tfrecords_loc1, roots[1] = fc.tfrecords_loc2;
        n_roots = 2;
    }
    avmit_savc_videos vids = {0};
    avmit_savc_pairs tc = {0}, ti = {0}, vc = {0}, vi = {0};
    avmit_savc_data data = {0};
    avmit_savc_model *m = NULL;
    int rc = CLI_FAIL;
    if (read_pair_files(&vids, train, fc.cong_train, fc.incong_train, &tc, &ti, &err) ||
        read_pair_files(&vids, val, fc.cong_val, fc.incong_val, &vc, &vi, &err)) {
        cli_report(&err);
        goto done;
    }
    if (!ui.quiet)
        printf("pairs: train %zu congruent + %zu incongruent, validation %zu + %zu; %zu videos\n",
               tc.n, ti.n, vc.n, vi.n, vids.n);
    if (avmit_savc_data_load(&data, &vids, roots, n_roots, &fc.model, tp.n_threads, &err) ||
        avmit_savc_create(&m, &fc.model, &err) ||
        (init ? init_from(m, init, &err) : avmit_savc_init(m, tp.seed, &err))) {
        cli_report(&err);
        goto done;
    }
    if (!ui.quiet)
        printf("model: %s %d units, T %d, D %d/%d, %zu parameters; %d epochs of %zu pairs, "
               "batch %d, lr %g, weight decay %g\n",
               avmit_rnn_name(fc.model.rnn), fc.model.units, fc.model.timesteps,
               fc.model.audio_dim, fc.model.visual_dim, m->n_weights, tp.epochs, tp.epoch_pairs,
               tp.batch, tp.lr, tp.weight_decay);
    if (resume && avmit_remove_stale_temps(out, NULL, &err)) { /* left by a killed write */
        cli_report(&err);
        goto done;
    }
    cli_signals_install(); /* first signal: stop after this step, keep the last epoch */
    avmit_savc_train_callbacks cb = {on_step, on_epoch, cli_stop_hook, &ui, NULL};
    avmit_nn_set_threads(tp.n_threads); /* the program's OpenBLAS count; the library never sets it */
    avmit_savc_train_result res;
    char cfg_text[8192];
    snprintf(cfg_text, sizeof cfg_text,
             "| setting | value |\n|---|---|\n| model | SAVC, %s |\n| units | %d |\n| timesteps | %d |\n"
             "| audio/visual dim | %d/%d |\n| epochs | %d |\n| pairs per epoch | %zu |\n| batch | %d |\n"
             "| lr | %g |\n| weight decay | %g |\n| seed | %llu |\n| config | %s |\n| resumed | %s |\n",
             avmit_rnn_name(fc.model.rnn), fc.model.units, fc.model.timesteps, fc.model.audio_dim,
             fc.model.visual_dim, tp.epochs, tp.epoch_pairs, tp.batch, tp.lr, tp.weight_decay,
             (unsigned long long)tp.seed, config, resume ? "yes" : "no");
    ui.lr = tp.lr;
    if (cli_tb_open(&ui.tb, out, cfg_text, &err)) {
        cli_report(&err);
        goto done;
    }
    int trc = avmit_savc_train(m, &data, &tc, &ti, &vc, &vi, &tp, out, resume, &cb, &res, &err);
    cli_tb_close(&ui.tb);
    if (trc) {
        if (err.code == AVMIT_E_CANCELLED && cli_stop_requested())
            rc = cli_stop_exit("savc train", "the last completed epoch is in "
                               "MODELDIR/train_state.safetensors; rerun the same command with "
                               "--resume to continue");
        else
            cli_report(&err);
        goto done;
    }
    printf("best epoch %d: val_loss %.4f val_accuracy %.4f -> %s/model.safetensors\n",
           res.best_epoch, res.best.val_loss, res.best.val_accuracy, out);
    rc = CLI_OK;
done:
    avmit_savc_free(m);
    avmit_savc_data_free(&data);
    avmit_savc_pairs_free(&tc);
    avmit_savc_pairs_free(&ti);
    avmit_savc_pairs_free(&vc);
    avmit_savc_pairs_free(&vi);
    avmit_savc_videos_free(&vids);
    return rc;
}

/* ---- eval and score ------------------------------------------------------------ */

static int load_model_dir(const char *dir, avmit_savc_model **m, avmit_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    return avmit_savc_model_load(m, path, err);
}

static void eval_usage(FILE *f) {
    fprintf(f,
            "usage: avmit savc eval --model MODELDIR --test test_set.csv --tfrecords DIR [options]\n\n"
            "Builds the SAVC test pairs of the test split (paper: 1,920 on the 960-video test\n"
            "set: every video's audio once in a congruent and once in an incongruent pair,\n"
            "seeded) and prints loss, accuracy and the confusion matrix.\n\n"
            "options:\n"
            "  --model MODELDIR     a trained model (MODELDIR/model.safetensors)\n"
            "  --test CSV           the test split (any released layout)\n"
            "  --tfrecords DIR      embedding root\n"
            "  --seed S             test-pair seed (default 0)\n"
            "  --threads N          threads (default: all cores)\n"
            "  --json               JSON on stdout\n"
            "  -h, --help           this help\n");
}

int cmd_savc_eval(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"test", required_argument, NULL, 'T'},
        {"tfrecords", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 't'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *model = NULL, *test = NULL, *root = NULL;
    uint64_t seed = 0;
    int threads = 0, json = 0;
    long long v;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'T': test = optarg; break;
        case 'r': root = optarg; break;
        case 'S':
            if (cli_parse_int("savc eval", "--seed", optarg, 0, INT64_MAX, &v)) return CLI_USAGE;
            seed = (uint64_t)v;
            break;
        case 't':
            if (cli_parse_int("savc eval", "--threads", optarg, 0, 4096, &v)) return CLI_USAGE;
            threads = cli_threads(v);
            break;
        case 'j': json = 1; break;
        case 'h': eval_usage(stdout); return CLI_OK;
        default: eval_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error("savc eval", "unexpected argument '%s'", argv[optind]);
    if (!model || !test || !root)
        return cli_usage_error("savc eval", "--model, --test and --tfrecords are required");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_savc_model *m = NULL;
    avmit_savc_videos vids = {0};
    avmit_savc_pairs cong = {0}, incong = {0};
    avmit_savc_data data = {0};
    avmit_savc_eval ev;
    int rc = CLI_FAIL;
    const char *roots[1] = {root};
    avmit_nn_set_threads(threads);
    if (load_model_dir(model, &m, &err) || avmit_savc_videos_read(&vids, test, NULL, &err) ||
        avmit_savc_make_test_pairs(&vids, seed, &cong, &incong, &err) ||
        avmit_savc_data_load(&data, &vids, roots, 1, &m->cfg, threads, &err) ||
        avmit_savc_evaluate(m, &data, &cong, &incong, 512, &ev, &err)) {
        cli_report(&err);
        goto done;
    }
    if (json) {
        printf("{\"pairs\": %zu, \"congruent\": %zu, \"incongruent\": %zu, \"loss\": %.9g, "
               "\"accuracy\": %.9g, \"confusion\": [[%zu, %zu], [%zu, %zu]], "
               "\"confusion_rows\": \"true incongruent, congruent\", \"seed\": %llu}\n",
               ev.n, cong.n, incong.n, ev.loss, ev.accuracy, ev.confusion[0][0],
               ev.confusion[0][1], ev.confusion[1][0], ev.confusion[1][1],
               (unsigned long long)seed);
    } else {
        printf("SAVC test pairs: %zu (%zu congruent, %zu incongruent), seed %llu\n", ev.n, cong.n,
               incong.n, (unsigned long long)seed);
        printf("loss %.4f\naccuracy %.4f\n", ev.loss, ev.accuracy);
        printf("confusion (rows true, columns predicted):\n");
        printf("              incongruent  congruent\n");
        printf("  incongruent %11zu %10zu\n", ev.confusion[0][0], ev.confusion[0][1]);
        printf("  congruent   %11zu %10zu\n", ev.confusion[1][0], ev.confusion[1][1]);
    }
    rc = CLI_OK;
done:
    avmit_savc_free(m);
    avmit_savc_data_free(&data);
    avmit_savc_pairs_free(&cong);
    avmit_savc_pairs_free(&incong);
    avmit_savc_videos_free(&vids);
    return rc;
}

static void score_usage(FILE *f) {
    fprintf(f,
            "usage: avmit savc score --model MODELDIR --pairs CSV --tfrecords DIR --out scores.csv\n\n"
            "Writes audio_tfrecord,visual_tfrecord,p_congruent (9 significant digits) for\n"
            "every pair of a pair CSV (header audio_tfrecord,visual_tfrecord), in input\n"
            "order, atomically.\n\n"
            "options:\n"
            "  --threads N          threads (default: all cores)\n"
            "  -h, --help           this help\n");
}

int cmd_savc_score(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"pairs", required_argument, NULL, 'p'},
        {"tfrecords", required_argument, NULL, 'r'}, {"out", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *model = NULL, *pairs_path = NULL, *root = NULL, *out = NULL;
    int threads = 0;
    long long v;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'p': pairs_path = optarg; break;
        case 'r': root = optarg; break;
        case 'o': out = optarg; break;
        case 't':
            if (cli_parse_int("savc score", "--threads", optarg, 0, 4096, &v)) return CLI_USAGE;
            threads = cli_threads(v);
            break;
        case 'h': score_usage(stdout); return CLI_OK;
        default: score_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error("savc score", "unexpected argument '%s'", argv[optind]);
    if (!model || !pairs_path || !root || !out)
        return cli_usage_error("savc score", "--model, --pairs, --tfrecords and --out are required");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_savc_model *m = NULL;
    avmit_savc_videos vids = {0};
    avmit_savc_pairs pairs = {0};
    avmit_savc_data data = {0};
    float *probs = NULL;
    int rc = CLI_FAIL;
    const char *roots[1] = {root};
    avmit_nn_set_threads(threads);
    if (load_model_dir(model, &m, &err) || avmit_savc_pairs_read(&vids, pairs_path, &pairs, &err) ||
        avmit_savc_data_load(&data, &vids, roots, 1, &m->cfg, threads, &err)) {
        cli_report(&err);
        goto done;
    }
    probs = malloc(sizeof(float) * (pairs.n ? pairs.n : 1));
    if (!probs) goto done;
    if (avmit_savc_predict(m, &data, &pairs, NULL, 512, probs, NULL, &err)) {
        cli_report(&err);
        goto done;
    }
    avmit_atomic_file *f;
    if (cli_atomic_open(&f, out, 1, &err)) {
        cli_report(&err);
        goto done;
    }
    FILE *s = avmit_atomic_stream(f);
    fprintf(s, "audio_tfrecord,visual_tfrecord,p_congruent\n");
    for (size_t i = 0; i < pairs.n; i++)
        fprintf(s, "%s,%s,%.9g\n", vids.tfrecord[pairs.audio[i]], vids.tfrecord[pairs.visual[i]],
                (double)probs[i]);
    if (cli_atomic_commit(f, &err)) {
        cli_report(&err);
        goto done;
    }
    printf("scored %zu pairs -> %s\n", pairs.n, out);
    rc = CLI_OK;
done:
    free(probs);
    avmit_savc_free(m);
    avmit_savc_data_free(&data);
    avmit_savc_pairs_free(&pairs);
    avmit_savc_videos_free(&vids);
    return rc;
}
