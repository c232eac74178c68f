/*
 * cmd_tfrecord.c — `avmit tfrecord info|validate` (and dispatch of
 * `dump|write` to cmd_tfrecord_io.c). Both walk directories for *.tfrecord.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"
#include "avmit/fileio.h"
#include "avmit/parallel.h"
#include "avmit/tfrecord.h"
#include "cli.h"

static void usage_main(FILE *f) {
    fprintf(f,
            "usage: avmit tfrecord <command> [options]\n\n"
            "commands:\n"
            "  info      print label, filename and shapes of embedding files\n"
            "  validate  check every record of every file strictly (FORMATS.md §10)\n"
            "  dump      print a file's records\n"
            "  write     write an embedding file\n\n"
            "avmit tfrecord <command> --help for details.\n");
}

static void usage_info(FILE *f) {
    fprintf(f,
            "usage: avmit tfrecord info [--json] [--allow-nonfinite] FILE|DIR...\n\n"
            "Reads each AVMIT embedding file (exactly one SequenceExample record, GZIP or\n"
            "uncompressed; directories are searched recursively for *.tfrecord) and prints\n"
            "one line per file, tab-separated:\n"
            "  <path> <filename> <label> audio <T_a>x<D_a> visual <T_v>x<D_v>\n"
            "Labels and dimensions are not checked (use validate); NaN/Inf values are an\n"
            "error unless --allow-nonfinite. Context keys and feature lists other than the\n"
            "AVMIT ones (e.g. 'fps', per-frame logits) are ignored, as\n"
            "tf.io.parse_sequence_example with a fixed spec ignores them, and named on\n"
            "stderr: \"avmit: info: <path>: ignored extra context key(s) ...\".\n\n"
            "  --json             one JSON object per line: {\"path\", \"filename\", \"label\",\n"
            "                     \"audio_timesteps\", \"audio_dim\", \"visual_timesteps\",\n"
            "                     \"visual_dim\"}, plus \"extra_context\" and\n"
            "                     \"extra_feature_lists\" (arrays of keys) when present\n"
            "  --allow-nonfinite  accept NaN/Inf values\n"
            "  -h, --help         this help\n\n"
            "A file that cannot be read is reported on stderr and skipped.\n"
            "exit: 0 all files read, 1 some file bad, 2 bad usage\n");
}

static void usage_validate(FILE *f) {
    fprintf(f,
            "usage: avmit tfrecord validate [options] FILE|DIR...\n\n"
            "Checks every file (directories are searched recursively for *.tfrecord) as an\n"
            "AVMIT embedding file: gzip stream, both CRCs of every record, exactly one\n"
            "record, every rule of FORMATS.md §10 (all context keys, one value each,\n"
            "timesteps matching the lists, equal rows, a label among the 16 classes, audio\n"
            "dimension 128 or 1024 paired with visual 512 or 1280, finite values).\n"
            "Prints one line per bad file, in input order:\n"
            "  BAD <path>: <reason>\n"
            "then a summary line:\n"
            "  validated <N> files: <G> good, <B> bad\n\n"
            "  --threads N          worker threads (default: all cores)\n"
            "  --max-timesteps T    also reject T_a or T_v > T\n"
            "  --allow-nonfinite    accept NaN/Inf values\n"
            "  --strict             context keys / feature lists other than the AVMIT ones\n"
            "                       are an error (by default they are ignored, as\n"
            "                       tf.io.parse_sequence_example with a fixed spec does, and\n"
            "                       each such good file gets a line INFO <path>: <keys>)\n"
            "  --json               JSON lines instead: {\"path\", \"ok\": false, \"code\",\n"
            "                       \"error\"} per bad file, {\"path\", \"ok\": true, \"info\"}\n"
            "                       per good file with extra keys, then {\"files\", \"good\",\n"
            "                       \"bad\"} (+ \"with_extra_fields\" when any)\n"
            "  -q, --quiet          print only the summary (no per-file lines, no progress)\n"
            "  -h, --help           this help\n\n"
            "exit: 0 all files good, 1 some file bad, 2 bad usage\n");
}

/* Expand the arguments into *.tfrecord paths; a bad argument is reported through
 * on_bad(ctx, arg, err) and skipped. Returns the number of bad arguments. */
static int expand_args(avmit_pathlist *list, char **args, int n,
                       void (*on_bad)(void *, const char *, const avmit_error *), void *ctx) {
    int n_bad = 0;
    for (int i = 0; i < n; i++) {
        avmit_error err;
        avmit_error_clear(&err);
        const char *one[1] = {args[i]};
        if (avmit_pathlist_expand(list, one, 1, ".tfrecord", &err)) {
            on_bad(ctx, args[i], &err);
            n_bad++;
        }
    }
    return n_bad;
}

static void report_stderr(void *ctx, const char *arg, const avmit_error *err) {
    (void)ctx;
    (void)arg;
    cli_report(err);
}

/* "ignored extra context key(s) 'fps'; feature list(s) 'logits'" into buf ("" if none). */
static void extras_text(const avmit_embedding_extras *x, char *buf, size_t size) {
    size_t o = 0;
    buf[0] = '\0';
    for (int list = 0; list < 2; list++) {
        size_t n = list ? x->n_lists : x->n_context;
        char **k = list ? x->lists : x->context;
        if (!n) continue;
        o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%s", o ? "; " : "ignored extra ",
                              list ? "feature list(s)" : "context key(s)");
        for (size_t i = 0; i < n; i++)
            o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s'%s'", i ? ", " : " ", k[i]);
    }
    if (o >= size && size > 4) memcpy(buf + size - 4, "...", 4);
}

static void extras_json(FILE *f, const avmit_embedding_extras *x) {
    for (int list = 0; list < 2; list++) {
        size_t n = list ? x->n_lists : x->n_context;
        if (!n) continue;
        fputs(list ? ",\"extra_feature_lists\":[" : ",\"extra_context\":[", f);
        for (size_t i = 0; i < n; i++) {
            if (i) fputc(',', f);
            cli_json_string(f, list ? x->lists[i] : x->context[i]);
        }
        fputc(']', f);
    }
}

/* ---- info ------------------------------------------------------------------------- */

static int cmd_info(int argc, char **argv) {
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"allow-nonfinite", no_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, c;
    avmit_embedding_opts eo = avmit_embedding_default_opts();
    avmit_embedding_extras extras = {0, NULL, 0, NULL};
    eo.check_dims = 0;
    eo.check_label = 0;
    eo.extras = &extras;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'n': eo.allow_nonfinite = 1; break;
        case 'h': usage_info(stdout); return CLI_OK;
        default: usage_info(stderr); return CLI_USAGE;
        }
    }
    if (optind >= argc) return cli_usage_error("tfrecord info", "expected FILE or DIR arguments");
    avmit_pathlist list = {NULL, 0, 0};
    int n_bad = expand_args(&list, argv + optind, argc - optind, report_stderr, NULL);
    if (list.n == 0 && n_bad == 0) {
        fprintf(stderr, "avmit: tfrecord info: no *.tfrecord files found\n");
        n_bad++;
    }
    for (size_t i = 0; i < list.n; i++) {
        avmit_embedding e;
        avmit_error err;
        avmit_error_clear(&err);
        if (avmit_embedding_read_file(&e, list.paths[i], &eo, &err)) {
            fflush(stdout);
            cli_report(&err);
            n_bad++;
            continue;
        }
        if (json) {
            fputs("{\"path\":", stdout);
            cli_json_string(stdout, list.paths[i]);
            fputs(",\"filename\":", stdout);
            cli_json_string(stdout, e.filename);
            fputs(",\"label\":", stdout);
            cli_json_string(stdout, e.label);
            printf(",\"audio_timesteps\":%lld,\"audio_dim\":%lld,\"visual_timesteps\":%lld,"
                   "\"visual_dim\":%lld",
                   (long long)e.n_audio_steps, (long long)e.audio_dim,
                   (long long)e.n_visual_steps, (long long)e.visual_dim);
            extras_json(stdout, &extras);
            fputs("}\n", stdout);
        } else {
            printf("%s\t%s\t%s\taudio %lldx%lld\tvisual %lldx%lld\n", list.paths[i], e.filename,
                   e.label, (long long)e.n_audio_steps, (long long)e.audio_dim,
                   (long long)e.n_visual_steps, (long long)e.visual_dim);
        }
        if (extras.n_context || extras.n_lists) {
            char note[1024];
            extras_text(&extras, note, sizeof note);
            fflush(stdout);
            fprintf(stderr, "avmit: info: %s: %s\n", list.paths[i], note);
        }
        avmit_embedding_free(&e);
    }
    avmit_embedding_extras_free(&extras);
    avmit_pathlist_free(&list);
    return n_bad ? CLI_FAIL : CLI_OK;
}

/* ---- validate --------------------------------------------------------------------- */

typedef struct vresult {
    int code;   /* 0 good, else AVMIT_E_* */
    char *msg;  /* malloc'd: the error when bad; when good, the ignored extra keys (or NULL) */
} vresult;

typedef struct vjob {
    char *const *paths;
    vresult *res;
    const avmit_embedding_opts *opts;
} vjob;

static void validate_one(void *ctx, size_t i, int tid) {
    (void)tid;
    vjob *j = ctx;
    avmit_embedding e;
    avmit_error err;
    avmit_error_clear(&err);
    avmit_embedding_opts o = *j->opts; /* a private extras sink per call */
    avmit_embedding_extras extras = {0, NULL, 0, NULL};
    o.extras = &extras;
    int rc = avmit_embedding_read_file(&e, j->paths[i], &o, &err);
    j->res[i].code = rc;
    j->res[i].msg = NULL;
    if (rc) {
        j->res[i].msg = strdup(err.msg[0] ? err.msg : avmit_strerror(rc)); /* NULL: code name */
    } else {
        if (extras.n_context || extras.n_lists) {
            char note[1024];
            extras_text(&extras, note, sizeof note);
            j->res[i].msg = strdup(note); /* NULL (no memory): the note is lost, not the result */
        }
        avmit_embedding_free(&e);
    }
    avmit_embedding_extras_free(&extras);
}

typedef struct vout {
    int json, quiet;
} vout;

static void print_bad(const vout *o, const char *path, int code, const char *msg) {
    if (o->quiet) return;
    if (o->json) {
        fputs("{\"path\":", stdout);
        cli_json_string(stdout, path);
        printf(",\"ok\":false,\"code\":\"%s\",\"error\":", avmit_strerror(code));
        cli_json_string(stdout, msg ? msg : avmit_strerror(code));
        fputs("}\n", stdout);
    } else {
        /* the library message starts with the path; do not repeat it */
        size_t pl = strlen(path);
        const char *m = msg ? msg : avmit_strerror(code);
        if (!strncmp(m, path, pl) && !strncmp(m + pl, ": ", 2)) m += pl + 2;
        printf("BAD %s: %s\n", path, m);
    }
}

/* A good file that carries extra (ignored) keys: an info line. */
static void print_info(const vout *o, const char *path, const char *note) {
    if (o->quiet) return;
    if (o->json) {
        fputs("{\"path\":", stdout);
        cli_json_string(stdout, path);
        fputs(",\"ok\":true,\"info\":", stdout);
        cli_json_string(stdout, note);
        fputs("}\n", stdout);
    } else {
        printf("INFO %s: %s\n", path, note);
    }
}

static void bad_arg(void *ctx, const char *arg, const avmit_error *err) {
    print_bad(ctx, arg, err->code, err->msg);
}

static int cmd_validate(int argc, char **argv) {
    static const struct option opts[] = {{"threads", required_argument, NULL, 't'},
                                         {"allow-nonfinite", no_argument, NULL, 'n'},
                                         {"max-timesteps", required_argument, NULL, 'm'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"strict", no_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    avmit_embedding_opts eo = avmit_embedding_default_opts();
    long long threads = 0, v;
    vout o = {0, 0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (cli_parse_int("tfrecord validate", "--threads", optarg, 0, 4096, &threads))
                return CLI_USAGE;
            break;
        case 'm':
            if (cli_parse_int("tfrecord validate", "--max-timesteps", optarg, 1, 1000000000,
                              &v))
                return CLI_USAGE;
            eo.max_timesteps = v;
            break;
        case 'n': eo.allow_nonfinite = 1; break;
        case 'j': o.json = 1; break;
        case 'q': o.quiet = 1; break;
        case 's': eo.reject_extra = 1; break;
        case 'h': usage_validate(stdout); return CLI_OK;
        default: usage_validate(stderr); return CLI_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error("tfrecord validate", "expected FILE or DIR arguments");
    avmit_pathlist list = {NULL, 0, 0};
    long long n_bad = expand_args(&list, argv + optind, argc - optind, bad_arg, &o);
    long long n_files = n_bad, n_extra = 0;
    if (list.n == 0 && n_bad == 0) fprintf(stderr, "avmit: tfrecord validate: no *.tfrecord files found\n");
    vresult *res = calloc(list.n ? list.n : 1, sizeof *res);
    if (!res) {
        avmit_pathlist_free(&list);
        fprintf(stderr, "avmit: out of memory\n");
        return CLI_FAIL;
    }
    int n_threads = cli_threads(threads);
    vjob job = {list.paths, res, &eo};
    cli_progress prog;
    cli_progress_start(&prog, "validate", (long long)list.n);
    if (o.quiet) prog.tty = 0;
    /* Chunks keep the output streaming, in input order, whatever the thread count. */
    size_t chunk = (size_t)n_threads * 64;
    int rc = 0;
    for (size_t lo = 0; lo < list.n && !rc; lo += chunk) {
        size_t n = list.n - lo < chunk ? list.n - lo : chunk;
        vjob sub = {job.paths + lo, job.res + lo, job.opts};
        rc = avmit_parallel_for(n_threads, n, validate_one, &sub);
        if (rc) break;
        for (size_t i = lo; i < lo + n; i++) {
            n_files++;
            if (res[i].code) {
                n_bad++;
                if (prog.tty) fputc('\r', stderr);
                print_bad(&o, list.paths[i], res[i].code, res[i].msg);
            } else if (res[i].msg) {
                n_extra++;
                if (prog.tty) fputc('\r', stderr);
                print_info(&o, list.paths[i], res[i].msg);
            }
            free(res[i].msg);
        }
        fflush(stdout);
        cli_progress_update(&prog, (long long)(lo + n));
    }
    cli_progress_finish(&prog);
    if (rc) fprintf(stderr, "avmit: tfrecord validate: cannot start %d threads\n", n_threads);
    if (o.json)
        printf("{\"files\":%lld,\"good\":%lld,\"bad\":%lld%s%.0lld}\n", n_files,
               n_files - n_bad, n_bad, n_extra ? ",\"with_extra_fields\":" : "", n_extra);
    else if (n_extra)
        printf("validated %lld files: %lld good, %lld bad (%lld good with ignored extra fields)\n",
               n_files, n_files - n_bad, n_bad, n_extra);
    else
        printf("validated %lld files: %lld good, %lld bad\n", n_files, n_files - n_bad, n_bad);
    free(res);
    avmit_pathlist_free(&list);
    return (rc || n_bad || n_files == 0) ? CLI_FAIL : CLI_OK;
}

int cmd_tfrecord(int argc, char **argv) {
    if (argc < 2) {
        usage_main(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        usage_main(stdout);
        return CLI_OK;
    }
    if (!strcmp(sub, "info")) return cmd_info(argc - 1, argv + 1);
    if (!strcmp(sub, "validate")) return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(sub, "dump")) return cmd_tfrecord_dump(argc - 1, argv + 1);
    if (!strcmp(sub, "write")) return cmd_tfrecord_write(argc - 1, argv + 1);
    cli_usage_error("tfrecord", "unknown command '%s'", sub);
    usage_main(stderr);
    return CLI_USAGE;
}
