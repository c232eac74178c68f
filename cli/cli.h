/*
 * cli.h — shared helpers of the avmit command-line tool. Only cli/ includes
 * this; cli/ includes only the public headers in include/avmit/.
 *
 * Exit codes everywhere: 0 success, 1 bad data or a failed run, 2 bad usage.
 */
#ifndef AVMIT_CLI_H
#define AVMIT_CLI_H

#include <stdio.h>

#include "avmit/error.h"
#include "avmit/fileio.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* Subcommands: argv[0] is the subcommand name. */
int cmd_tfrecord(int argc, char **argv);
int cmd_ratings(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_model(int argc, char **argv);    /* cmd_model.c: dispatches summary + the ones below */
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_features(int argc, char **argv); /* cmd_features.c: dispatches audio|visual */
int cmd_savc(int argc, char **argv);     /* cmd_savc.c: pairs|train|eval|score */
int cmd_search(int argc, char **argv);   /* cmd_search.c: hyper-parameter random search */
int cmd_extract(int argc, char **argv);  /* cmd_extract.c: videos to embedding TFRecords */
int cmd_cnn(int argc, char **argv);      /* cmd_cnn.c: the embedding CNNs (issue 13) */
/* Embed x[n, input shape] with network `model` and write float32 [n, D] to out
 * (cmd_cnn.c; used by `features audio|visual --embed`). bf16 / variant / fold as in
 * avmit_cnn_opts; quiet suppresses the bf16-fallback note. 0 or AVMIT_E_*. */
int cli_cnn_embed(const char *model, const char *weights, const float *x, size_t n, int threads,
                  int batch, int bf16, int variant, int fold, const char *out, int quiet,
                  avmit_error *err);
/* The getopt_long entries `features audio` and `features visual` share, ending their
 * option tables (the terminator included): -o/--out/--output FILE 'o', --embed 'E',
 * --weights PATH 'W', --threads N 't', --verbose 'v', --help 'h'. */
#define CLI_FEATURES_COMMON_OPTIONS                                                            \
    {"out", required_argument, NULL, 'o'}, {"output", required_argument, NULL, 'o'},           \
        {"embed", no_argument, NULL, 'E'}, {"weights", required_argument, NULL, 'W'},          \
        {"threads", required_argument, NULL, 't'}, {"verbose", no_argument, NULL, 'v'},        \
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
int cmd_similarity(int argc, char **argv); /* cmd_similarity.c: audiovisual similarity (Fig. 4) */
int cmd_report(int argc, char **argv);   /* cmd_report.c: one-page HTML model reports */
int cmd_annotate(int argc, char **argv); /* cmd_annotate.c: the rating web app (issue 15) */
/* `avmit model import|export|inspect` (cmd_model_io.c), dispatched from cmd_model. */
int cmd_model_import(int argc, char **argv);
int cmd_model_export(int argc, char **argv);
int cmd_model_inspect(int argc, char **argv);
/* `avmit features audio` (cmd_features_audio.c) and `visual` (cmd_features_visual.c). */
int cmd_features_audio(int argc, char **argv);
int cmd_features_visual(int argc, char **argv);
/* `avmit savc train|eval|score` (cmd_savc_train.c), dispatched from cmd_savc. */
int cmd_savc_train(int argc, char **argv);
int cmd_savc_eval(int argc, char **argv);
int cmd_savc_score(int argc, char **argv);
/* `avmit savc summary` (cmd_savc.c), also run by `avmit model summary` for a SAVC config. */
int cmd_savc_summary(int argc, char **argv);
/* `avmit tfrecord dump|write` (cmd_tfrecord_io.c), dispatched from cmd_tfrecord. */
int cmd_tfrecord_dump(int argc, char **argv);
int cmd_tfrecord_write(int argc, char **argv);

/* Print "avmit: <msg>" for a library error to stderr; returns CLI_FAIL. */
int cli_report(const avmit_error *err);
/* Print "avmit <cmd>: <formatted>" to stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A command with subcommands (`avmit cnn info|embed|init`): argv[1] names one of
 * subs[0..n), which runs with (argc - 1, argv + 1). No argv[1]: usage to stderr,
 * CLI_USAGE; "--help" / "-h": usage to stdout, CLI_OK; an unknown name: "avmit <cmd>:
 * unknown subcommand '<name>' (<the names in table order>)", CLI_USAGE. */
typedef struct cli_subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} cli_subcommand;
int cli_dispatch(const char *cmd, const char *usage, const cli_subcommand *subs, size_t n,
                 int argc, char **argv);

/* Parse a non-negative / any integer option value; on error prints and returns -1. */
int cli_parse_int(const char *cmd, const char *opt, const char *s, long long lo, long long hi,
                  long long *out);
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);

/* --threads N: <= 0 (or absent) means all cores. */
int cli_threads(long long requested);

/* Temporary outputs are registered so SIGINT/SIGTERM/SIGHUP remove them (as zstd's
 * fileio does); call once from main. By default a signal removes the registered
 * temporary files and kills the process with that signal (shell status 128 + sig).
 * cli_track_atomic registers an avmit_atomic_file's temporary (untrack it before
 * commit/abort). */
void cli_install_signal_cleanup(void);
void cli_track_temp(const char *tmp_path);
void cli_untrack_temp(const char *tmp_path);
struct avmit_atomic_file;
void cli_track_atomic(const struct avmit_atomic_file *f);
void cli_untrack_atomic(const struct avmit_atomic_file *f);
/* avmit_atomic_open/commit/abort with the temporary registered in between: use these
 * for every output the CLI writes itself. */
int cli_atomic_open(struct avmit_atomic_file **f, const char *path, int make_dirs,
                    avmit_error *err);
int cli_atomic_commit(struct avmit_atomic_file *f, avmit_error *err);
void cli_atomic_abort(struct avmit_atomic_file *f);

/* Graceful stops for long-running commands (train, savc train, search, extract):
 * after cli_signals_install(), the FIRST SIGINT/SIGTERM/SIGHUP only records the signal
 * (cli_stop_requested() returns it) and prints "stopping after the current step"; the
 * command polls it (cli_stop_hook is a ready-made should_stop/should_abort callback),
 * finishes or abandons the current step, leaves consistent state, prints how to resume
 * (cli_stop_exit) and exits 128 + sig (130 SIGINT, 143 SIGTERM). A SECOND signal stops
 * at once: registered temporary files are removed and the process dies of the signal;
 * files already committed (the last checkpoint) are untouched. */
void cli_signals_install(void);
int cli_stop_requested(void);          /* 0, or the first signal received */
int cli_stop_hook(void *ignored);      /* cli_stop_requested() != 0 */
/* Print "avmit <cmd>: stopped by SIG...; <resume hint>" on stderr and return the exit
 * status for the stop (128 + sig). */
int cli_stop_exit(const char *cmd, const char *resume_hint);

/* A progress bar on stderr when it is a TTY (silent otherwise). */
typedef struct cli_progress {
    const char *label;
    long long total;
    long long done;
    double t_start;
    double t_last;
    int tty;
} cli_progress;
void cli_progress_start(cli_progress *p, const char *label, long long total);
void cli_progress_update(cli_progress *p, long long done);
void cli_progress_finish(cli_progress *p);

double cli_now_seconds(void);

/* Write a JSON string literal (with quotes and escapes) to f. */
void cli_json_string(FILE *f, const char *s);

/* v with thousands separators (1234567 -> "1,234,567") in buf; returns buf. */
const char *cli_thousands(size_t v, char *buf, size_t cap);

/* The TensorBoard log of train / savc train / search (cmd_tb_log.c): an event file
 * in dir with config_text (markdown, may be NULL) as the "config" text summary. */
typedef struct cli_tb {
    struct avmit_tb_writer *w; /* NULL: no log (closed or failed) */
} cli_tb;
int cli_tb_open(cli_tb *t, const char *dir, const char *config_text, avmit_error *err);
/* Scalars tags[i] = values[i] at step; a write error warns once and stops the log. */
void cli_tb_scalars(cli_tb *t, long long step, size_t n, const char *const *tags,
                    const double *values);
void cli_tb_close(cli_tb *t);


#endif
