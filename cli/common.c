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

static void on_signal(int sig) {
    for (int i = 0; i < CLI_MAX_TEMPS; i++)
        if (g_temps[i]) unlink(g_temps[i]);
    signal(sig, SIG_DFL);
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
