/*
 * annotate/annotate_int.h — internals shared by the files of src/annotate (the rating web
 * app, issue 15): the database schema and helpers (db.c), the rater's queue and rating
 * submission (queue.c), status statistics (stats.c), the HTTP layer (server*.c) and the
 * page assets compiled in from web (generated annotate_assets.c).
 *
 * Only src/annotate/ includes sqlite3.h and microhttpd.h.
 */
#ifndef AVMIT_ANNOTATE_INT_H
#define AVMIT_ANNOTATE_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "avmit/annotate.h"

#define ANN_SCHEMA_VERSION "1"
#define ANN_SECRET_BYTES 16 /* 128 random bits per token */
#define ANN_SECRET_HEX (2 * ANN_SECRET_BYTES)

/* Open an existing study (create = 0) or a new file (create = 1, fails when it exists);
 * WAL mode, synchronous=FULL, foreign keys, a 5-s busy timeout. */
int ann_db_open(const char *path, int create, sqlite3 **db, avmit_error *err);
/* Error from the connection's last failure: "<path>: <what>: <sqlite message>". */
int ann_db_err(avmit_error *err, sqlite3 *db, const char *what);
/* Run SQL without results. */
int ann_exec(sqlite3 *db, const char *sql, avmit_error *err);
/* Meta values (schema, raters_per_video, pass_mark, ...). */
int ann_meta_get(sqlite3 *db, const char *key, char *out, size_t cap);
int ann_meta_int(sqlite3 *db, const char *key, int dflt);
double ann_meta_double(sqlite3 *db, const char *key, double dflt);
int ann_load_config(sqlite3 *db, avmit_annotate_config *cfg, avmit_error *err);

/* nbytes of getrandom() output as 2*nbytes lowercase hex + NUL (out has 2*nbytes+1). */
int ann_random_hex(char *out, size_t nbytes, avmit_error *err);
/* Constant-time equality of two NUL-terminated strings of public length: time depends on
 * the lengths only, never on where the bytes differ. */
int ann_ct_equal(const char *a, const char *b);
/* Wall-clock seconds (CLOCK_REALTIME). */
double ann_now(void);

/* ---- the rater's queue (queue.c); every function runs inside the caller's lock ---- */

/* Rater row as the server needs it. */
typedef struct ann_rater {
    long id;
    char name[128];
    char phase[24]; /* instructions, headphones, training, screening, rating, failed, done */
    long bonus_matches;
} ann_rater;

int ann_rater_load(sqlite3 *db, long id, ann_rater *r);
/* Move the rater to the next phase from `from` (instructions -> headphones|training, ...),
 * creating the phase's trials. */
int ann_phase_advance(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id,
                      avmit_error *err);
/* Up to `want` trials the rater holds now (leasing new ones as needed): a JSON array of
 * {trial, label, video, kind} where kind is training|screening|rating (ground-truth clips
 * are "rating" too). */
int ann_next_trials(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id, int want,
                    json_t **out, avmit_error *err);
/* A rating for `trial_token` by rater_id (the body's fields in `body`). Returns 0 with
 * status and reply set: 200 accepted or duplicate, 404 unknown trial, 409 video full,
 * 400 bad field. One transaction per rating. */
int ann_submit_rating(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id,
                      json_t *body, int *status, json_t **reply, avmit_error *err);
/* Headphone screening: the rater's trials (JSON array of {trial, kind, audio, answered}). */
int ann_headphone_trials(sqlite3 *db, long rater_id, json_t **out, avmit_error *err);
int ann_headphone_answer(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id,
                         json_t *body, int *status, json_t **reply, avmit_error *err);

/* Krippendorff's alpha (stats.c); see docs: units with >= 2 values, categories 1..n_cat,
 * counts[u*n_cat + c] = values of category c+1 in unit u. ordinal = 1 for the ordinal
 * metric, 0 nominal. NaN when undefined. */
double ann_krippendorff_alpha(const int *counts, size_t n_units, int n_cat, int ordinal);

/* The status document (stats.c) from an open connection; NULL when out of memory. */
json_t *ann_status(sqlite3 *db, const avmit_annotate_config *cfg);

/* ---- page assets (annotate_assets.c, generated from web/ at build time) ---- */
typedef struct ann_asset {
    const char *name; /* e.g. "app.js" */
    const char *mime;
    const unsigned char *data;
    size_t size;
} ann_asset;
const ann_asset *ann_asset_find(const char *name);

#endif /* AVMIT_ANNOTATE_INT_H */
