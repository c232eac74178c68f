/*
 * cmd_tb_log.c — the TensorBoard log that `avmit train`, `avmit savc train` and
 * `avmit search` keep beside their other outputs (avmit/tb_events.h). Opening
 * fails the command (a bad --out is a usage problem the user must see); a write
 * error later only warns once and stops the log, so hours of training are never
 * lost to a full log disk. Opening errors are returned for the caller to report.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/tb_events.h"
#include "cli.h"

int cli_tb_open(cli_tb *t, const char *dir, const char *config_text, avmit_error *err) {
    memset(t, 0, sizeof *t);
    int r = avmit_tb_open(&t->w, dir, 0, err);
    if (!r && config_text) r = avmit_tb_text(t->w, "config", 0, config_text, 0, err);
    if (r) {
        avmit_tb_close(t->w);
        t->w = NULL;
    }
    return r;
}

void cli_tb_scalars(cli_tb *t, long long step, size_t n, const char *const *tags,
                    const double *values) {
    if (!t->w) return;
    avmit_error err;
    avmit_error_clear(&err);
    for (size_t i = 0; i < n; i++)
        if (avmit_tb_scalar(t->w, tags[i], step, values[i], 0, &err)) {
            fprintf(stderr, "avmit: warning: TensorBoard log stopped: %s\n", err.msg);
            avmit_tb_close(t->w);
            t->w = NULL;
            return;
        }
}

void cli_tb_close(cli_tb *t) {
    avmit_tb_close(t->w);
    t->w = NULL;
}
