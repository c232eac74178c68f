/*
 * cmd_search.c — `avmit search`: the hyper-parameter random search of SPEC §5
 * (include/avmit/search.h) with the experiment-1 trainer
 * (include/avmit/search_exp1.h), in one process (--jobs trials at a time) or
 * across processes and machines under MPI (cmd_search_mpi.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/fileio.h"
#include "avmit/nn.h"
#include "avmit/parallel.h"
#include "avmit/report.h"
#include "avmit/search.h"
#include "avmit/search_exp1.h"
#include "cli.h"
#include "cmd_search_mpi.h"

static void search_usage(FILE *f) {
    fprintf(f,
            "usage: avmit search --embeddings SET --rnn RNN --train CSV [--val CSV] --tfrecords DIR\n"
            "                    --out DIR [options]\n"
            "       mpirun -n R avmit search ...   (the same command on R processes)\n"
            "       avmit search report DIR -o search.html   (one HTML page of a search)\n\n"
            "Random search of SPEC §5: per RNN, --trials configs drawn uniformly (nb, activation,\n"
            "units, dropout, lr); each trains on a bootstrap sample of the pool (the rows of\n"
            "--train and --val, with replacement, same size) with early stopping on the\n"
            "out-of-bag samples, and reports OOB loss, top-1, top-5, epochs and time.\n"
            "DIR/trials.csv is rewritten atomically after every trial; rerunning the same\n"
            "command resumes (finished trials are kept, the same configs are drawn). Configs\n"
            "and bootstraps depend only on --seed and the trial, not on --jobs or R.\n\n"
            "Writes DIR/trials.csv, DIR/leaderboard.csv, DIR/best.md (Table-5 rows) and\n"
            "DIR/train_<embeddings>_<rnn>.yaml (the best config as a ready train.yaml).\n\n"
            "options:\n"
            "  --embeddings SET   yamnet-effnet or vggish-vgg16\n"
            "  --rnn RNN          frnn, gru, lstm, a comma list, or all (default all)\n"
            "  --trials N         trials per RNN (default 300)\n"
            "  --train CSV        split CSV of the pool (MIT16_train.csv)\n"
            "  --val CSV          a second split CSV added to the pool (MIT16_validation.csv)\n"
            "  --tfrecords DIR    embedding files: DIR/<tfrecord_filename>\n"
            "  --out DIR          output directory (created)\n"
            "  --seed S           search seed (default 1)\n"
            "  --jobs J           trials at a time per process (default: cores / threads)\n"
            "  --threads N        threads per trial (default 1; the pool is shared, so\n"
            "                     J x N threads in all)\n"
            "  --max-epochs E     epochs per trial at most (default 200)\n"
            "  --patience P       early-stopping patience on OOB loss (default 8)\n"
            "  --nb LIST          bottleneck choices (default 32,64,128,256)\n"
            "  --units LIST       RNN unit choices (default 32,64,128,256)\n"
            "  --act LIST         activations (default relu,swish)\n"
            "  --dropout LIST     dropout choices (default 0.1,0.2,0.3,0.4,0.5)\n"
            "  --lr MIN:MAX       uniform learning-rate range (default 1e-5:5e-3)\n"
            "  --lr-log MIN:MAX   log-uniform learning-rate range instead\n"
            "  --fp16-data        keep the pool as float16 (half the memory)\n"
            "  --plot DIR         SVGs of OOB top-1 vs learning rate, units and bottleneck\n"
            "  -q, --quiet        no line per trial\n"
            "  -h, --help         this help\n\n"
            "Changing --seed or the ranges of an existing DIR is refused (use a new --out).\n"
            "See docs/search.md for runs across machines (hostfile) and under Slurm (srun).\n");
}

typedef struct {
    int quiet;
    cli_tb tb; /* DIR/events.out.tfevents.* (rank 0) */
} progress_ctx;

/* TensorBoard: one step per trial (its number), tags "<embeddings>_<rnn>/<metric>" with
 * the trial's OOB metrics (NaN for a diverged trial) and its hyper-parameters. */
static void tb_trial(cli_tb *tb, const avmit_search_config *c, const avmit_search_metrics *m) {
    static const char *const names[] = {"oob_loss", "oob_accuracy", "oob_top5", "epochs",
                                        "learning_rate", "units", "bottleneck", "dropout"};
    char tagbuf[8][96];
    const char *tags[8];
    for (int i = 0; i < 8; i++) {
        snprintf(tagbuf[i], sizeof tagbuf[i], "%s_%s/%s", avmit_synth_set_name(c->key.embeddings),
                 avmit_search_rnn_name(c->key.rnn), names[i]);
        tags[i] = tagbuf[i];
    }
    const double v[8] = {m->oob_loss, m->oob_top1, m->oob_top5, m->epochs, c->lr, c->units,
                         c->nb, c->dropout};
    cli_tb_scalars(tb, c->key.trial, 8, tags, v);
}

static void on_trial(void *ctx, const avmit_search_config *c, const avmit_search_metrics *m,
                     size_t done, size_t total) {
    progress_ctx *p = ctx;
    tb_trial(&p->tb, c, m);
    if (p->quiet) return;
    fprintf(stderr, "[%zu/%zu] %s %s trial %ld: nb %d %s units %d dropout %.2g lr %.3g -> ", done,
            total, avmit_synth_set_name(c->key.embeddings), avmit_search_rnn_name(c->key.rnn),
            c->key.trial, c->nb, avmit_search_act_name(c->act), c->units, c->dropout, c->lr);
    if (m->status == AVMIT_SEARCH_OK)
        fprintf(stderr, "OOB top-1 %.2f%% loss %.4f (%d epochs, %.1f s)\n", 100 * m->oob_top1,
                m->oob_loss, m->epochs, m->seconds);
    else
        fprintf(stderr, "%s (%d epochs, %.1f s)\n", avmit_search_status_name(m->status),
                m->epochs, m->seconds);
}

/* "all" or a comma list of RNN names. */
static int parse_rnns(const char *s, avmit_search_opts *o) {
    if (!strcmp(s, "all")) {
        o->n_rnn = 3;
        for (int i = 0; i < 3; i++) o->rnn[i] = (avmit_search_rnn)i;
        return 0;
    }
    o->n_rnn = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        avmit_search_rnn r;
        avmit_error e;
        if (avmit_search_rnn_parse(t, &r, &e) || o->n_rnn == 3) return -1;
        for (size_t i = 0; i < o->n_rnn; i++)
            if (o->rnn[i] == r) return -1;
        o->rnn[o->n_rnn++] = r;
    }
    return o->n_rnn ? 0 : -1;
}

/* Empty DIR/.trials, the scratch of trials in flight (one model folder each, removed
 * when the trial ends): a killed run leaves its unfinished trials' folders there,
 * temporary files included. Only called under the directory lock, before any trial. */
static int clear_scratch(const char *scratch, avmit_error *err) {
    DIR *d = opendir(scratch);
    if (!d) return errno == ENOENT ? 0 : avmit_error_path(err, AVMIT_E_IO, scratch, "%s", strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *sub = avmit_path_join(scratch, e->d_name);
        DIR *t = sub ? opendir(sub) : NULL;
        struct dirent *f;
        while (t && (f = readdir(t)) != NULL) {
            if (!strcmp(f->d_name, ".") || !strcmp(f->d_name, "..")) continue;
            char *file = avmit_path_join(sub, f->d_name);
            if (file && unlink(file) != 0 && errno != ENOENT)
                rc = avmit_error_path(err, AVMIT_E_IO, file, "cannot remove: %s", strerror(errno));
            free(file);
        }
        if (t) closedir(t);
        if (!rc && sub && rmdir(sub) != 0 && unlink(sub) != 0 && errno != ENOENT)
            rc = avmit_error_path(err, AVMIT_E_IO, sub, "cannot remove: %s", strerror(errno));
        free(sub);
    }
    closedir(d);
    return rc;
}

/* Leaderboard, Table-5 rows, one train.yaml per architecture, plots. */
static int write_reports(const avmit_search_log *log, const char *out_dir, const char *plot_dir,
                         const char *tfrecords, const char *train_csv, const char *val_csv,
                         avmit_search_exp1 *ex, avmit_error *err) {
    char *lb = avmit_path_join(out_dir, "leaderboard.csv"), *md = avmit_path_join(out_dir, "best.md");
    int r = !lb || !md ? avmit_error_path(err, AVMIT_E_NOMEM, out_dir, "out of memory") : 0;
    if (!r) r = avmit_search_write_leaderboard(log, lb, err);
    if (!r) r = avmit_search_write_table5(log, md, avmit_search_exp1_params, ex, err);
    avmit_search_yaml_paths yp = {tfrecords, train_csv, val_csv, NULL};
    if (!r) r = avmit_search_write_best_yamls(log, out_dir, &yp, err);
    if (!r && plot_dir) r = avmit_search_plot(log, plot_dir, err);
    if (!r) {
        unsigned char *txt;
        size_t len;
        if (!avmit_read_file(md, &txt, &len, NULL)) {
            printf("best config per architecture (%s):\n", md);
            fwrite(txt, 1, len, stdout);
            free(txt);
        }
    }
    free(lb);
    free(md);
    return r;
}

/* Table-5 parameter count of a trial's model, whatever its embeddings. */
static long long params_of(void *ctx, const avmit_search_config *cfg) {
    (void)ctx;
    avmit_search_exp1 ex = {NULL, avmit_search_exp1_base(cfg->key.embeddings), NULL, 16, 0.001};
    return avmit_search_exp1_params(&ex, cfg);
}

/* `avmit search report DIR -o search.html`: the finished (or running) search as one page. */
static int cmd_search_report(int argc, char **argv) {
    const char *out = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: avmit search report DIR -o search.html\n\n"
                   "One self-contained HTML page of DIR/trials.csv: trials per architecture, the best\n"
                   "config of each as a Table-5 row, OOB top-1 against learning rate, units and\n"
                   "bottleneck (inline SVG), and the 25 best trials.\n");
            return CLI_OK;
        } else if (!dir && argv[i][0] != '-') dir = argv[i];
        else return cli_usage_error("search report", "unexpected argument '%s'", argv[i]);
    }
    if (!dir || !out) return cli_usage_error("search report", "expected DIR and -o OUT.html");
    avmit_error err;
    avmit_error_clear(&err);
    char *csv = avmit_path_join(dir, "trials.csv");
    avmit_search_log *log = NULL;
    int rc = CLI_OK;
    if (!csv || access(csv, R_OK)) {
        fprintf(stderr, "avmit: %s: no trials.csv (not a search directory)\n", dir);
        rc = CLI_FAIL;
    } else if (avmit_search_log_open(&log, csv, &err)) {
        rc = cli_report(&err);
    } else {
        size_t n = 0;
        const avmit_search_row *rows = avmit_search_log_rows(log, &n);
        (void)rows;
        if (avmit_search_report_html(log, dir, params_of, NULL, out, &err)) rc = cli_report(&err);
        else printf("search report of %zu trials written to %s\n", n, out);
    }
    avmit_search_log_free(log);
    free(csv);
    return rc;
}

int cmd_search(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "report")) return cmd_search_report(argc - 1, argv + 1);
    static const struct option longopts[] = {
        {"embeddings", required_argument, NULL, 'e'}, {"rnn", required_argument, NULL, 'r'},
        {"trials", required_argument, NULL, 'n'},     {"train", required_argument, NULL, 'T'},
        {"val", required_argument, NULL, 'V'},        {"tfrecords", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},        {"seed", required_argument, NULL, 'S'},
        {"jobs", required_argument, NULL, 'j'},       {"threads", required_argument, NULL, 't'},
        {"max-epochs", required_argument, NULL, 'E'}, {"patience", required_argument, NULL, 'P'},
        {"nb", required_argument, NULL, 1},           {"units", required_argument, NULL, 2},
        {"act", required_argument, NULL, 3},          {"dropout", required_argument, NULL, 4},
        {"lr", required_argument, NULL, 5},           {"lr-log", required_argument, NULL, 6},
        {"fp16-data", no_argument, NULL, 'F'},        {"plot", required_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},            {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const k_dims[] = {"", "nb", "units", "act", "dropout", "lr", "lr-log"};
    avmit_search_opts o = avmit_search_default_opts();
    parse_rnns("all", &o);
    o.seed = 1;
    const char *train_csv = NULL, *val_csv = NULL, *tfrecords = NULL, *out_dir = NULL;
    const char *plot_dir = NULL;
    int have_emb = 0, fp16 = 0, jobs = 0;
    progress_ctx pc = {0, {NULL}};
    int quiet = 0;
    long long v;
    avmit_error err;
    avmit_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'e':
            if (avmit_synth_set_parse(optarg, &o.embeddings, &err))
                return cli_usage_error("search", "--embeddings: %s", err.msg);
            have_emb = 1;
            break;
        case 'r':
            if (parse_rnns(optarg, &o))
                return cli_usage_error("search", "--rnn: expected frnn, gru, lstm, a comma "
                                                 "list of them or all, got '%s'", optarg);
            break;
        case 'n':
            if (cli_parse_int("search", "--trials", optarg, 0, 1000000, &v)) return CLI_USAGE;
            o.n_trials = (long)v;
            break;
        case 'T': train_csv = optarg; break;
        case 'V': val_csv = optarg; break;
        case 'd': tfrecords = optarg; break;
        case 'o': out_dir = optarg; break;
        case 'S':
            if (cli_parse_int("search", "--seed", optarg, 0, INT64_MAX, &v)) return CLI_USAGE;
            o.seed = (uint64_t)v;
            break;
        case 'j':
            if (cli_parse_int("search", "--jobs", optarg, 1, 4096, &v)) return CLI_USAGE;
            jobs = (int)v;
            break;
        case 't':
            if (cli_parse_int("search", "--threads", optarg, 1, 4096, &v)) return CLI_USAGE;
            o.n_threads = (int)v;
            break;
        case 'E':
            if (cli_parse_int("search", "--max-epochs", optarg, 1, 100000, &v)) return CLI_USAGE;
            o.max_epochs = (int)v;
            break;
        case 'P':
            if (cli_parse_int("search", "--patience", optarg, 0, 100000, &v)) return CLI_USAGE;
            o.patience = (int)v;
            break;
        case 1: case 2: case 3: case 4: case 5: case 6:
            if (avmit_search_space_set(&o.space, k_dims[c], optarg, &err))
                return cli_usage_error("search", "--%s: %s", k_dims[c], err.msg);
            break;
        case 'F': fp16 = 1; break;
        case 'p': plot_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': search_usage(stdout); return CLI_OK;
        default: search_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error("search", "unexpected argument '%s'", argv[optind]);
    if (!have_emb || !out_dir)
        return cli_usage_error("search", "--embeddings and --out are required (see --help)");
    o.n_jobs = jobs ? jobs : (avmit_cpu_count() / o.n_threads > 0 ? avmit_cpu_count() / o.n_threads : 1);
    o.progress = on_trial;
    o.progress_ctx = &pc;
    /* First SIGINT/SIGTERM: running trials are abandoned (never recorded), finished
     * ones stay in trials.csv, and rerunning the same command resumes. */
    cli_signals_install();
    o.should_abort = cli_stop_hook;
    o.abort_ctx = NULL;

    int rank = 0, size = 1, mpi = search_mpi_launched();
    if (mpi && search_mpi_init(&rank, &size, &err)) return cli_report(&err);
    pc.quiet = quiet || rank;

    /* Rank 0 opens the log, checks it against this search and counts what is left. */
    avmit_search_log *log = NULL;
    char *csv = avmit_path_join(out_dir, "trials.csv"), *scratch = avmit_path_join(out_dir, ".trials");
    int rc = CLI_OK, st = 0, lock_fd = -1;
    long long n_pending = 0;
    if (!csv || !scratch) st = avmit_error_path(&err, AVMIT_E_NOMEM, out_dir, "out of memory");
    if (!st && rank == 0) {
        avmit_search_key *keys = NULL;
        size_t nk = 0;
        st = avmit_mkdirs(out_dir, &err);
        /* two searches writing one trials.csv would each rewrite it without the other's rows */
        if (!st && (lock_fd = avmit_dir_lock(out_dir, ".search.lock", "avmit search", &err)) < 0)
            st = err.code;
        /* under the lock: temporaries of a killed run (trials.csv rewrites) go */
        if (!st) st = avmit_remove_stale_temps(out_dir, NULL, &err);
        if (!st) st = clear_scratch(scratch, &err);
        if (!st) st = avmit_search_log_open(&log, csv, &err);
        if (!st) st = avmit_search_space_check(&o.space, &err);
        if (!st) st = avmit_search_log_check(log, &o, &err);
        if (!st) st = avmit_search_pending(log, &o, &keys, &nk, &err);
        n_pending = (long long)nk;
        free(keys);
        if (!st && nk > 0) {
            char text[512];
            snprintf(text, sizeof text,
                     "| setting | value |\n|---|---|\n| search | SPEC §5 random search |\n"
                     "| embeddings | %s |\n| trials per RNN | %ld |\n| seed | %llu |\n"
                     "| max epochs | %d |\n| patience | %d |\n| train | %s |\n| val | %s |\n",
                     avmit_synth_set_name(o.embeddings), o.n_trials, (unsigned long long)o.seed,
                     o.max_epochs, o.patience, train_csv ? train_csv : "", val_csv ? val_csv : "");
            st = cli_tb_open(&pc.tb, out_dir, text, &err);
        }
    }
    if (size > 1) {
        int s = st ? 1 : 0, np = (int)n_pending;
        search_mpi_bcast_int(&s);
        search_mpi_bcast_int(&np);
        if (s && rank) st = AVMIT_E_ARG; /* rank 0 reports it */
        n_pending = np;
    }
    if (st) {
        rc = rank == 0 ? cli_report(&err) : CLI_FAIL;
        goto done;
    }

    avmit_examples pool;
    memset(&pool, 0, sizeof pool);
    avmit_search_exp1 ex = {&pool, avmit_search_exp1_base(o.embeddings), scratch, 16, 0.001};
    if (n_pending > 0) {
        avmit_nn_set_threads(o.n_threads); /* every trial's OpenBLAS count (process-wide) */
        if (!train_csv || !tfrecords) {
            rc = rank == 0 ? cli_usage_error("search", "--train and --tfrecords are required "
                                                       "while trials remain (%lld)", n_pending)
                           : CLI_USAGE;
            goto done;
        }
        const char *csvs[2] = {train_csv, val_csv};
        st = avmit_search_exp1_load_pool(&pool, csvs, val_csv ? 2 : 1, tfrecords, &ex.base, fp16,
                                         o.n_jobs * o.n_threads, &err);
        if (st) cli_report(&err);
        long long n = st ? -1 : (long long)pool.n;
        if (size > 1 && (search_mpi_max(st ? 1 : 0) || search_mpi_min(n) != search_mpi_max(n))) {
            if (!st && rank == 0)
                fprintf(stderr, "avmit: the ranks loaded different pools (or one failed)\n");
            st = st ? st : AVMIT_E_FORMAT;
        }
        if (st) {
            rc = CLI_FAIL;
            goto free_pool;
        }
        o.n_pool = pool.n;
        o.train = avmit_search_exp1_train;
        o.train_ctx = &ex;
        if (rank == 0 && !pc.quiet)
            fprintf(stderr, "search: %lld trials to run on %d process%s x %d jobs x %d threads; "
                            "pool %zu samples (%zu MB)\n",
                    n_pending, size, size > 1 ? "es" : "", o.n_jobs, o.n_threads, pool.n,
                    avmit_examples_bytes(&pool) >> 20);
        st = size > 1 ? search_mpi_run(&o, log, rank, size, &err) : avmit_search_run(&o, log, &err);
        if (st && !cli_stop_requested()) cli_report(&err);
        if (size > 1) {
            int s0 = st ? 1 : 0;
            search_mpi_bcast_int(&s0);
            if (s0 && !st) st = AVMIT_E_ARG;
        }
        rmdir(scratch);
        if (st) {
            rc = CLI_FAIL;
            if (cli_stop_requested())
                rc = rank == 0 ? cli_stop_exit("search", "every finished trial is in trials.csv; "
                                                         "rerun the same command to resume")
                               : 128 + cli_stop_requested();
            goto free_pool;
        }
    }
    if (rank == 0 && write_reports(log, out_dir, plot_dir, tfrecords, train_csv, val_csv, &ex, &err))
        rc = cli_report(&err);
free_pool:
    avmit_examples_free(&pool);
done:
    cli_tb_close(&pc.tb);
    avmit_search_log_free(log);
    avmit_dir_unlock(lock_fd);
    free(csv);
    free(scratch);
    if (mpi) search_mpi_finalize();
    return rc;
}
