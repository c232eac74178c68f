/*
 * avmit/annotate.h — collecting new ratings (SPEC §9, issue 15): the paper's rating task as
 * a web app served by avmit, its SQLite store, and the experimenter's commands.
 *
 * A study is one SQLite database (WAL mode, synchronous=FULL) made by avmit_annotate_init
 * from a queue CSV (docs/annotate.md has the layout):
 *   filename,AVMIT_label,MIT_label,video_location,role,expected,explanation
 * role: rate (a video to collect ratings for; `expected` empty), gt (hidden ground-truth
 * clip: `expected` is the rating that earns a bonus), training (expected + explanation are
 * shown after the rater answers), screening (expected; pass mark counts matches).
 * Ratings: 1 = labelled event absent, 2 = present but not the most prominent,
 * 3 = present and most prominent (SPEC §1).
 *
 * The server (avmit_annotate_serve) hands each rater their own queue: every `rate` video
 * to exactly `raters_per_video` different raters, leases that expire, ground-truth clips
 * interleaved and indistinguishable from the others; each rating is committed in its own
 * transaction before it is acknowledged, and a retried submission (same request id or same
 * trial) is recorded once.
 *
 * Only src/annotate/ includes libmicrohttpd and SQLite. Thread-safety: every function
 * opens its own database connection; the server's internal threads share one connection
 * under a mutex. Nothing here keeps global state.
 */
#ifndef AVMIT_ANNOTATE_H
#define AVMIT_ANNOTATE_H

#include <stddef.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Study parameters fixed at init (stored in the database's meta table). */
typedef struct avmit_annotate_config {
    int raters_per_video;   /* distinct raters per `rate` video (default 3) */
    int pass_mark;          /* screening matches needed; <= 0: 38/41 of the screening set,
                               rounded up (38 of 41 as in the paper) */
    int lease_seconds;      /* a held clip returns to the pool after this long (600) */
    int gt_every;           /* one hidden ground-truth clip per this many trials (10) */
    double bonus_per_match; /* bonus per matching ground-truth answer (0.05) */
    int headphone_check;    /* 1: Huggins-pitch + anti-phase screening before training */
    int headphone_trials;   /* trials of each headphone test (6) */
    int headphone_pass;     /* correct answers needed in each test (5) */
    int break_every;        /* offer a break after this many rating trials (60) */
} avmit_annotate_config;

avmit_annotate_config avmit_annotate_default_config(void);

/* Create `db_path` (must not exist) from the queue CSV. Errors name the queue file, line
 * and column (unknown role, missing expected rating, duplicate filename, ...). Writes the
 * experimenter token (NUL-terminated, < 80 bytes) to admin_token. */
int avmit_annotate_init(const char *db_path, const char *queue_csv,
                        const avmit_annotate_config *cfg, char *admin_token, size_t cap,
                        avmit_error *err);

/* Add a rater; writes their login token ("r<id>.<32 hex digits>", 128 random bits from
 * getrandom) to token. AVMIT_E_ARG when the name exists or is empty / not printable. */
int avmit_annotate_rater_add(const char *db_path, const char *name, char *token, size_t cap,
                             avmit_error *err);

/* The experimenter token again (from the meta table). */
int avmit_annotate_admin_token(const char *db_path, char *token, size_t cap, avmit_error *err);

/* Study status as a JSON document (malloc'd, caller frees): progress per rater and class,
 * Fleiss' kappa (videos with exactly raters_per_video ratings), Krippendorff's alpha
 * (ordinal, all rated `rate` videos), ground-truth accuracy per rater, reaction-time
 * outliers, screening and headphone results, attention statistics. */
int avmit_annotate_status_json(const char *db_path, char **json, avmit_error *err);
/* The same as a few lines of text and two tables (raters, classes); malloc'd. */
int avmit_annotate_status_text(const char *db_path, char **text, avmit_error *err);

/* Raw ratings of `rate` videos in the paper's layout
 * (filename,AVMIT_label,MIT_label,video_location,rating), in commit order; atomic. */
int avmit_annotate_export(const char *db_path, const char *out_csv, size_t *n_rows,
                          avmit_error *err);

/* Bonus export, once and only once: a new batch pays each rater the matches earned since
 * the previous batches (rater,matches,amount,batch), recorded in the database in the same
 * transaction that numbers the batch; `batch` > 0 rewrites that earlier batch instead.
 * *batch_out: the batch written; *n_rows: raters in it (0 when nothing new was earned). */
int avmit_annotate_bonus(const char *db_path, const char *out_csv, long batch,
                         long *batch_out, size_t *n_rows, avmit_error *err);

/* Server options. */
typedef struct avmit_annotate_serve_opts {
    const char *db_path;
    const char *videos_dir;   /* queue filenames are relative to this folder */
    const char *listen;       /* "ADDR:PORT"; default "127.0.0.1:8080" */
    int threads;              /* HTTP worker threads (default 4) */
    double rate_per_s;        /* per-session request rate limit (default 50/s) */
    double rate_burst;        /* bucket size (default 100) */
    size_t max_body;          /* largest accepted request body in bytes (default 4096) */
    /* Called once the socket listens (port = the bound port, useful with port 0). */
    void (*on_listen)(void *ctx, int port);
    void *ctx;
    /* The server stops when *stop becomes non-zero (checked every 100 ms). */
    volatile int *stop;
} avmit_annotate_serve_opts;

/* Serve until *stop. Fails before listening when a queued video file is missing (names
 * it) or the database is not an avmit annotation study. */
int avmit_annotate_serve(const avmit_annotate_serve_opts *opts, avmit_error *err);

/* Headphone-screening stimuli (Milne et al. 2021 Huggins pitch; Woods et al. 2017
 * anti-phase): a 16-bit stereo 44.1 kHz WAV of three 1-s intervals separated by 0.5 s.
 * kind 0 = Huggins (the odd interval carries a dichotic pitch near 600 Hz), kind 1 =
 * anti-phase (200 Hz tones: one 6 dB softer — the answer —, one in anti-phase across the
 * ears). target is the odd interval, 1..3; seed makes the noise. *wav is malloc'd. */
int avmit_annotate_headphone_wav(int kind, int target, unsigned long long seed,
                                 unsigned char **wav, size_t *size, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_ANNOTATE_H */
