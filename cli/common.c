/* common.c — helpers shared by the subcommands (cli.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "avmit/fileio.h"
#include "avmit/parallel.h"
#include "cli.h"

int cli_report(const avmit_error *err) {
    fprintf(stderr, "avmit: %s\n", err->msg[0] ? err->msg : avmit_strerror(err->code));
    return CLI_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "avmit %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return CLI_USAGE;
}

int cli_dispatch(const char *cmd, const char *usage, const cli_subcommand *subs, size_t n,
                 int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (!strcmp(argv[1], subs[i].name)) return subs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "avmit %s: unknown subcommand '%s' (", cmd, argv[1]);
    for (size_t i = 0; i < n; i++) fprintf(stderr, "%s%s", i ? ", " : "", subs[i].name);
    fprintf(stderr, ")\n");
    return CLI_USAGE;
}

int cli_parse_int(const char *cmd, const char *opt, const char *s, long long lo, long long hi,
                  long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s ? s : "", &end, 10);
    if (!s || !*s || *end || errno || v < lo || v > hi) {
        cli_usage_error(cmd, "%s: expected an integer in [%lld, %lld], got '%s'", opt, lo, hi,
                        s ? s : "");
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s ? s : "", &end);
    if (!s || !*s || *end || errno || !isfinite(v)) {
        cli_usage_error(cmd, "%s: expected a number, got '%s'", opt, s ? s : "");
        return -1;
    }
    *out = v;
    return 0;
}

int cli_threads(long long requested) {
    return requested > 0 ? (int)requested : avmit_cpu_count();
}

/* ---- temp-file cleanup on signals ------------------------------------------------ */
#define CLI_MAX_TEMPS 64
static char *volatile g_temps[CLI_MAX_TEMPS]; /* display/cleanup globals live in cli/ only */

void cli_track_temp(const char *tmp_path) {
    for (int i = 0; i < CLI_MAX_TEMPS; i++)
        if (!g_temps[i]) {
            g_temps[i] = strdup(tmp_path);
            return;
        }
}

void cli_untrack_temp(const char *tmp_path) {
    for (int i = 0; i < CLI_MAX_TEMPS; i++)
        if (g_temps[i] && !strcmp(g_temps[i], tmp_path)) {
            char *p = g_temps[i];
            g_temps[i] = NULL;
            free(p);
            return;
        }
}

void cli_track_atomic(const struct avmit_atomic_file *f) {
    if (f) cli_track_temp(avmit_atomic_temp_path(f));
}

void cli_untrack_atomic(const struct avmit_atomic_file *f) {
    if (f) cli_untrack_temp(avmit_atomic_temp_path(f));
}

int cli_atomic_open(avmit_atomic_file **f, const char *path, int make_dirs, avmit_error *err) {
    int rc = avmit_atomic_open(f, path, make_dirs, err);
    if (!rc) cli_track_atomic(*f);
    return rc;
}

int cli_atomic_commit(avmit_atomic_file *f, avmit_error *err) {
    cli_untrack_atomic(f);
    return avmit_atomic_commit(f, err);
}

void cli_atomic_abort(avmit_atomic_file *f) {
    cli_untrack_atomic(f);
    avmit_atomic_abort(f);
}

static volatile sig_atomic_t g_graceful; /* cli_signals_install was called */
static volatile sig_atomic_t g_stop_sig; /* first signal received in graceful mode */

static void write_str(const char *s) {
    ssize_t r = write(STDERR_FILENO, s, strlen(s));
    (void)r;
}

/* Async-signal-safe: only unlink, write, sigaction, raise. */
static void on_signal(int sig) {
    if (g_graceful && !g_stop_sig) {
        g_stop_sig = sig;
        write_str("\navmit: stopping after the current step (signal again to stop at once)\n");
        return;
    }
    for (int i = 0; i < CLI_MAX_TEMPS; i++)
        if (g_temps[i]) unlink(g_temps[i]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    raise(sig);
}

void cli_install_signal_cleanup(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void cli_signals_install(void) {
    g_stop_sig = 0;
    g_graceful = 1;
    cli_install_signal_cleanup();
}

int cli_stop_requested(void) {
    return g_stop_sig;
}

int cli_stop_hook(void *ignored) {
    (void)ignored;
    return g_stop_sig != 0;
}

int cli_stop_exit(const char *cmd, const char *resume_hint) {
    int sig = g_stop_sig ? g_stop_sig : SIGINT;
    const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
    fflush(stdout);
    fprintf(stderr, "avmit %s: stopped by %s; %s\n", cmd, name, resume_hint);
    return 128 + sig;
}

/* ---- progress ----------------------------------------------------------------------- */
double cli_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_start(cli_progress *p, const char *label, long long total) {
    p->label = label;
    p->total = total;
    p->done = 0;
    p->t_start = p->t_last = cli_now_seconds();
    p->tty = isatty(STDERR_FILENO);
}

void cli_progress_update(cli_progress *p, long long done) {
    p->done = done;
    if (!p->tty) return;
    double now = cli_now_seconds();
    if (now - p->t_last < 0.1 && done < p->total) return;
    p->t_last = now;
    double frac = p->total > 0 ? (double)done / (double)p->total : 1.0;
    int width = 30, fill = (int)(frac * width);
    double el = now - p->t_start;
    double eta = frac > 0 ? el / frac - el : 0;
    fprintf(stderr, "\r%s [", p->label);
    for (int i = 0; i < width; i++) fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %lld/%lld %5.1f%% ETA %4.0fs ", done, p->total, 100 * frac, eta);
    fflush(stderr);
}

void cli_progress_finish(cli_progress *p) {
    if (!p->tty) return;
    p->t_last = 0;
    cli_progress_update(p, p->total);
    fputc('\n', stderr);
}

void cli_json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
        switch (*c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*c < 0x20)
                fprintf(f, "\\u%04x", *c);
            else
                fputc(*c, f);
        }
    }
    fputc('"', f);
}

const char *cli_thousands(size_t v, char *buf, size_t cap) {
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%zu", v), o = 0;
    for (int i = 0; i < n && o + 2 < (int)cap; i++) {
        if (i && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = 0;
    return buf;
}
