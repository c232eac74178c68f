/*
 * cmd_annotate.c — `avmit annotate init|serve|raters add|token|status|export|bonus|stimulus`:
 * collecting new ratings with the paper's protocol as a web app (SPEC §9, issue 15).
 * Library side: avmit/annotate.h.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/annotate.h"
#include "avmit/fileio.h"
#include "cli.h"

#if !defined(AVMIT_HAVE_ANNOTATE)
int cmd_annotate(int argc, char **argv) {
    (void)argc, (void)argv;
    fprintf(stderr, "avmit annotate: built without libmicrohttpd/SQLite (AVMIT_WITH_ANNOTATE=OFF)\n");
    return CLI_FAIL;
}
#else

static void usage(FILE *f) {
    fprintf(f,
        "usage: avmit annotate init --db STUDY.sqlite --queue QUEUE.csv [study options]\n"
        "       avmit annotate serve --db STUDY.sqlite --videos DIR [--listen ADDR:PORT]\n"
        "                            [--threads N] [--rate-limit R] [--port-file PATH]\n"
        "       avmit annotate raters add --db STUDY.sqlite NAME [--url BASE]\n"
        "       avmit annotate token --db STUDY.sqlite [--url BASE]\n"
        "       avmit annotate status --db STUDY.sqlite [--json]\n"
        "       avmit annotate export --db STUDY.sqlite -o raw_video_ratings.csv\n"
        "       avmit annotate bonus --db STUDY.sqlite -o bonus.csv [--batch N]\n"
        "       avmit annotate stimulus --kind huggins|antiphase --target 1..3 [--seed S] -o X.wav\n\n"
        "QUEUE.csv: filename,AVMIT_label,MIT_label,video_location,role,expected,explanation\n"
        "  role rate (a video to rate), gt (hidden ground truth: expected earns a bonus),\n"
        "  training (expected + explanation shown after the answer), screening (scored).\n"
        "Study options (init): --raters-per-video N (3) --pass-mark N (38/41 of the screening\n"
        "  clips) --lease-seconds S (600) --gt-every N (10) --bonus-per-match X (0.05)\n"
        "  --headphone-check (Huggins pitch + anti-phase before training) --headphone-trials N (6)\n"
        "  --headphone-pass N (5) --break-every N (60)\n"
        "serve: binds 127.0.0.1:8080 unless --listen says otherwise (port 0: any free port,\n"
        "  written to --port-file); stops cleanly on SIGINT/SIGTERM.\n"
        "export: the paper's raw layout filename,AVMIT_label,MIT_label,video_location,rating\n"
        "  (feed it to `avmit ratings aggregate`). bonus: each earned bonus exported once.\n");
}

static volatile int g_stop;
static void on_signal(int sig) { (void)sig, g_stop = 1; }

typedef struct {
    const char *port_file;
} listen_ctx;

static void on_listen(void *ctx, int port) {
    listen_ctx *lc = ctx;
    fprintf(stderr, "avmit annotate: serving on port %d\n", port);
    if (lc->port_file) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d\n", port);
        avmit_error err;
        if (avmit_write_file_atomic(lc->port_file, buf, (size_t)n, 0, &err)) cli_report(&err);
    }
}

enum { O_DB = 256, O_QUEUE, O_VIDEOS, O_LISTEN, O_THREADS, O_RATE, O_PORTFILE, O_RPV, O_PASS,
       O_LEASE, O_GT, O_BONUS, O_HP, O_HPT, O_HPP, O_BREAK, O_JSON, O_URL, O_BATCH, O_KIND,
       O_TARGET, O_SEED };

static const struct option k_opts[] = {
    {"db", required_argument, 0, O_DB}, {"queue", required_argument, 0, O_QUEUE},
    {"videos", required_argument, 0, O_VIDEOS}, {"listen", required_argument, 0, O_LISTEN},
    {"threads", required_argument, 0, O_THREADS}, {"rate-limit", required_argument, 0, O_RATE},
    {"port-file", required_argument, 0, O_PORTFILE},
    {"raters-per-video", required_argument, 0, O_RPV}, {"pass-mark", required_argument, 0, O_PASS},
    {"lease-seconds", required_argument, 0, O_LEASE}, {"gt-every", required_argument, 0, O_GT},
    {"bonus-per-match", required_argument, 0, O_BONUS}, {"headphone-check", no_argument, 0, O_HP},
    {"headphone-trials", required_argument, 0, O_HPT}, {"headphone-pass", required_argument, 0, O_HPP},
    {"break-every", required_argument, 0, O_BREAK}, {"json", no_argument, 0, O_JSON},
    {"url", required_argument, 0, O_URL}, {"batch", required_argument, 0, O_BATCH},
    {"kind", required_argument, 0, O_KIND}, {"target", required_argument, 0, O_TARGET},
    {"seed", required_argument, 0, O_SEED},
    {"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};

int cmd_annotate(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    int sub_add = 0;
    int shift = 1;
    if (!strcmp(sub, "raters")) {
        if (argc < 3 || strcmp(argv[2], "add"))
            return cli_usage_error("annotate raters", "expected 'raters add NAME'");
        sub_add = 1;
        shift = 2;
    }
    argc -= shift;
    argv += shift;
    const char *db = NULL, *queue = NULL, *videos = NULL, *listen = NULL, *out = NULL;
    const char *port_file = NULL, *url = "http://127.0.0.1:8080", *kind = NULL;
    long long threads = 4, batch = 0, target = 0, seed = 1, v;
    double rate = 50, dv;
    int json = 0;
    avmit_annotate_config cfg = avmit_annotate_default_config();
    char cmdname[48];
    snprintf(cmdname, sizeof cmdname, "annotate %s", sub);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", k_opts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_QUEUE: queue = optarg; break;
        case O_VIDEOS: videos = optarg; break;
        case O_LISTEN: listen = optarg; break;
        case O_PORTFILE: port_file = optarg; break;
        case O_URL: url = optarg; break;
        case O_KIND: kind = optarg; break;
        case O_JSON: json = 1; break;
        case O_HP: cfg.headphone_check = 1; break;
        case 'o': out = optarg; break;
        case O_THREADS: if (cli_parse_int(cmdname, "--threads", optarg, 1, 256, &threads)) return CLI_USAGE; break;
        case O_BATCH: if (cli_parse_int(cmdname, "--batch", optarg, 1, 1LL << 40, &batch)) return CLI_USAGE; break;
        case O_TARGET: if (cli_parse_int(cmdname, "--target", optarg, 1, 3, &target)) return CLI_USAGE; break;
        case O_SEED: if (cli_parse_int(cmdname, "--seed", optarg, 0, 1LL << 62, &seed)) return CLI_USAGE; break;
        case O_RATE:
            if (cli_parse_double(cmdname, "--rate-limit", optarg, &rate) || rate <= 0)
                return cli_usage_error(cmdname, "--rate-limit must be a positive number");
            break;
        case O_BONUS:
            if (cli_parse_double(cmdname, "--bonus-per-match", optarg, &dv) || dv < 0)
                return cli_usage_error(cmdname, "--bonus-per-match must be >= 0");
            cfg.bonus_per_match = dv;
            break;
        case O_RPV: case O_PASS: case O_LEASE: case O_GT: case O_HPT: case O_HPP: case O_BREAK:
            if (cli_parse_int(cmdname, "option", optarg, 1, 1000000, &v)) return CLI_USAGE;
            if (c == O_RPV) cfg.raters_per_video = (int)v;
            if (c == O_PASS) cfg.pass_mark = (int)v;
            if (c == O_LEASE) cfg.lease_seconds = (int)v;
            if (c == O_GT) cfg.gt_every = (int)v;
            if (c == O_HPT) cfg.headphone_trials = (int)v;
            if (c == O_HPP) cfg.headphone_pass = (int)v;
            if (c == O_BREAK) cfg.break_every = (int)v;
            break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    avmit_error err;
    avmit_error_clear(&err);
    char token[128];
    if (!strcmp(sub, "stimulus")) {
        int k = kind && !strcmp(kind, "huggins") ? 0 : kind && !strcmp(kind, "antiphase") ? 1 : -1;
        if (k < 0 || !target || !out)
            return cli_usage_error(cmdname, "expected --kind huggins|antiphase --target 1..3 -o X.wav");
        unsigned char *wav = NULL;
        size_t n = 0;
        if (avmit_annotate_headphone_wav(k, (int)target, (unsigned long long)seed, &wav, &n, &err) ||
            avmit_write_file_atomic(out, wav, n, 1, &err)) {
            free(wav);
            return cli_report(&err);
        }
        free(wav);
        return CLI_OK;
    }
    if (!db) return cli_usage_error(cmdname, "--db STUDY.sqlite is required");
    if (!strcmp(sub, "init")) {
        if (!queue || optind != argc) return cli_usage_error(cmdname, "expected --queue QUEUE.csv");
        if (avmit_annotate_init(db, queue, &cfg, token, sizeof token, &err)) return cli_report(&err);
        printf("%s: study created from %s\nexperimenter token: %s\ndashboard: %s/admin#t=%s\n",
               db, queue, token, url, token);
        return CLI_OK;
    }
    if (sub_add) {
        if (optind + 1 != argc) return cli_usage_error("annotate raters add", "expected one NAME");
        if (avmit_annotate_rater_add(db, argv[optind], token, sizeof token, &err)) return cli_report(&err);
        printf("rater %s: %s/#t=%s\n", argv[optind], url, token);
        return CLI_OK;
    }
    if (optind != argc) return cli_usage_error(cmdname, "unexpected argument '%s'", argv[optind]);
    if (!strcmp(sub, "token")) {
        if (avmit_annotate_admin_token(db, token, sizeof token, &err)) return cli_report(&err);
        printf("experimenter token: %s\ndashboard: %s/admin#t=%s\n", token, url, token);
        return CLI_OK;
    }
    if (!strcmp(sub, "status")) {
        char *doc = NULL;
        if ((json ? avmit_annotate_status_json : avmit_annotate_status_text)(db, &doc, &err))
            return cli_report(&err);
        fputs(doc, stdout);
        if (json) fputc('\n', stdout);
        free(doc);
        return CLI_OK;
    }
    if (!strcmp(sub, "export")) {
        if (!out) return cli_usage_error(cmdname, "-o raw_video_ratings.csv is required");
        size_t n = 0;
        if (avmit_annotate_export(db, out, &n, &err)) return cli_report(&err);
        printf("%s: %zu ratings written to %s\n", db, n, out);
        return CLI_OK;
    }
    if (!strcmp(sub, "bonus")) {
        if (!out) return cli_usage_error(cmdname, "-o bonus.csv is required");
        long b = 0;
        size_t n = 0;
        if (avmit_annotate_bonus(db, out, (long)batch, &b, &n, &err)) return cli_report(&err);
        if (b) printf("%s: bonus batch %ld, %zu raters, written to %s\n", db, b, n, out);
        else printf("%s: no bonus earned since the last batch; %s has the header only\n", db, out);
        return CLI_OK;
    }
    if (!strcmp(sub, "serve")) {
        if (!videos) return cli_usage_error(cmdname, "--videos DIR is required");
        listen_ctx lc = {port_file};
        avmit_annotate_serve_opts so = {0};
        so.db_path = db;
        so.videos_dir = videos;
        so.listen = listen;
        so.threads = (int)threads;
        so.rate_per_s = rate;
        so.rate_burst = 2 * rate;
        so.on_listen = on_listen;
        so.ctx = &lc;
        so.stop = &g_stop;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        if (avmit_annotate_serve(&so, &err)) return cli_report(&err);
        fprintf(stderr, "avmit annotate: stopped\n");
        return CLI_OK;
    }
    return cli_usage_error("annotate", "unknown subcommand '%s'", sub);
}
#endif
