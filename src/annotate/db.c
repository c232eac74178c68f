/*
 * annotate/db.c — the study database (avmit/annotate.h): schema, init from the queue CSV,
 * raters, meta values, random tokens, the raw-ratings and bonus exports.
 *
 * Durability: WAL journal with synchronous=FULL, so a COMMIT has reached the disk when
 * sqlite3_step returns; the server acknowledges a rating only after its COMMIT.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "annotate/annotate_int.h"
#include "avmit/csv.h"
#include "core/error_int.h"

static const char k_schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE videos(id INTEGER PRIMARY KEY, filename TEXT NOT NULL, label TEXT NOT NULL,"
    " mit_label TEXT NOT NULL, location TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN ('rate','gt','training','screening')),"
    " expected INTEGER CHECK(expected IS NULL OR expected BETWEEN 1 AND 3),"
    " explanation TEXT NOT NULL DEFAULT '', line INTEGER,"
    " open INTEGER NOT NULL DEFAULT 1," /* 0 once a rate video has all its ratings */
    " UNIQUE(filename, role));"
    "CREATE INDEX videos_open ON videos(role, open, id);"
    "CREATE TABLE raters(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " secret TEXT NOT NULL, phase TEXT NOT NULL DEFAULT 'instructions', created REAL,"
    " screening_correct INTEGER, screening_total INTEGER,"
    " hp_huggins INTEGER, hp_antiphase INTEGER);"
    /* one row per clip handed to a rater; state leased -> done | expired */
    "CREATE TABLE trials(id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE,"
    " rater_id INTEGER NOT NULL REFERENCES raters(id), video_id INTEGER NOT NULL"
    " REFERENCES videos(id), kind TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'leased',"
    " lease_expires REAL, created REAL NOT NULL, UNIQUE(rater_id, video_id));"
    "CREATE INDEX trials_video ON trials(video_id, state);"
    "CREATE INDEX trials_rater ON trials(rater_id, state);"
    "CREATE TABLE ratings(id INTEGER PRIMARY KEY, trial_id INTEGER NOT NULL UNIQUE"
    " REFERENCES trials(id), rater_id INTEGER NOT NULL, video_id INTEGER NOT NULL,"
    " kind TEXT NOT NULL, rating INTEGER NOT NULL CHECK(rating BETWEEN 1 AND 3),"
    " correct INTEGER, request_id TEXT NOT NULL, rt_ms REAL, clip_ms REAL,"
    " replays INTEGER, early_presses INTEGER, clock TEXT, created REAL NOT NULL,"
    " UNIQUE(rater_id, request_id));"
    "CREATE INDEX ratings_video ON ratings(video_id);"
    "CREATE TABLE sessions(id INTEGER PRIMARY KEY, secret TEXT NOT NULL, csrf TEXT NOT NULL,"
    " rater_id INTEGER, created REAL NOT NULL, expires REAL NOT NULL);"
    "CREATE TABLE hp_trials(id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE,"
    " rater_id INTEGER NOT NULL, kind INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " answer INTEGER NOT NULL, response INTEGER, request_id TEXT,"
    " UNIQUE(rater_id, kind, seq));"
    "CREATE TABLE bonus_batches(id INTEGER PRIMARY KEY, created REAL NOT NULL);"
    "CREATE TABLE bonus_paid(batch_id INTEGER NOT NULL REFERENCES bonus_batches(id),"
    " rater_id INTEGER NOT NULL, matches INTEGER NOT NULL, amount REAL NOT NULL,"
    " PRIMARY KEY(batch_id, rater_id));";

double ann_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int ann_random_hex(char *out, size_t nbytes, avmit_error *err) {
    unsigned char buf[64];
    if (nbytes > sizeof buf) return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "", "token too long");
    size_t got = 0;
    while (got < nbytes) {
        ssize_t r = getrandom(buf + got, nbytes - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return AVMIT_ERR(err, AVMIT_E_IO, NULL, "", "getrandom: %s", strerror(errno));
        }
        got += (size_t)r;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[buf[i] >> 4];
        out[2 * i + 1] = hex[buf[i] & 15];
    }
    out[2 * nbytes] = 0;
    return 0;
}

int ann_ct_equal(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    unsigned diff = (unsigned)(na ^ nb);
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) diff |= (unsigned)(unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

int ann_db_err(avmit_error *err, sqlite3 *db, const char *what) {
    const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
    return AVMIT_ERR(err, AVMIT_E_IO, file, "", "%s: %s", what,
                     db ? sqlite3_errmsg(db) : "cannot open");
}

int ann_exec(sqlite3 *db, const char *sql, avmit_error *err) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int r = AVMIT_ERR(err, AVMIT_E_IO, sqlite3_db_filename(db, "main"), "", "%s",
                          msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

int ann_db_open(const char *path, int create, sqlite3 **db, avmit_error *err) {
    *db = NULL;
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (create && exists)
        return AVMIT_ERR(err, AVMIT_E_ARG, path, "", "already exists (refusing to overwrite a study)");
    if (!create && !exists)
        return AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, "", "no such study database");
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
        int r = AVMIT_ERR(err, AVMIT_E_IO, path, "", "cannot open: %s",
                          *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return r;
    }
    sqlite3_busy_timeout(*db, 5000);
    int r = ann_exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          " PRAGMA foreign_keys=ON;", err);
    if (!r && !create) {
        char v[16];
        if (ann_meta_get(*db, "schema", v, sizeof v) || strcmp(v, ANN_SCHEMA_VERSION))
            r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, "",
                          "not an avmit annotation study (schema %s expected)", ANN_SCHEMA_VERSION);
    }
    if (r) {
        sqlite3_close(*db);
        *db = NULL;
    }
    return r;
}

int ann_meta_get(sqlite3 *db, const char *key, char *out, size_t cap) {
    sqlite3_stmt *st = NULL;
    int r = -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key=?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        r = 0;
    }
    sqlite3_finalize(st);
    return r;
}

int ann_meta_int(sqlite3 *db, const char *key, int dflt) {
    char v[64];
    return ann_meta_get(db, key, v, sizeof v) ? dflt : atoi(v);
}

double ann_meta_double(sqlite3 *db, const char *key, double dflt) {
    char v[64];
    return ann_meta_get(db, key, v, sizeof v) ? dflt : strtod(v, NULL);
}

avmit_annotate_config avmit_annotate_default_config(void) {
    avmit_annotate_config c = {3, 0, 600, 10, 0.05, 0, 6, 5, 60};
    return c;
}

int ann_load_config(sqlite3 *db, avmit_annotate_config *c, avmit_error *err) {
    (void)err;
    *c = avmit_annotate_default_config();
    c->raters_per_video = ann_meta_int(db, "raters_per_video", c->raters_per_video);
    c->pass_mark = ann_meta_int(db, "pass_mark", c->pass_mark);
    c->lease_seconds = ann_meta_int(db, "lease_seconds", c->lease_seconds);
    c->gt_every = ann_meta_int(db, "gt_every", c->gt_every);
    c->bonus_per_match = ann_meta_double(db, "bonus_per_match", c->bonus_per_match);
    c->headphone_check = ann_meta_int(db, "headphone_check", 0);
    c->headphone_trials = ann_meta_int(db, "headphone_trials", c->headphone_trials);
    c->headphone_pass = ann_meta_int(db, "headphone_pass", c->headphone_pass);
    c->break_every = ann_meta_int(db, "break_every", c->break_every);
    return 0;
}

static int meta_put(sqlite3 *db, const char *key, const char *fmt, double v, avmit_error *err) {
    char val[64];
    snprintf(val, sizeof val, fmt, v);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key,value) VALUES(?,?)", -1,
                                &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, val, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ann_db_err(err, db, "meta");
}

static const char *const k_queue_header[7] = {"filename", "AVMIT_label", "MIT_label",
                                              "video_location", "role", "expected",
                                              "explanation"};

static int safe_video_name(const char *s) {
    /* relative, no "..", no backslash, printable ASCII: the server joins it to --videos */
    if (!*s || s[0] == '/' || strstr(s, "..") || strchr(s, '\\')) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x21 || *p > 0x7e) return 0;
    return 1;
}

/* Insert the queue rows (inside init's transaction). */
static int load_queue(sqlite3 *db, const avmit_csv *t, const char *path, int *n_screen,
                      avmit_error *err) {
    sqlite3_stmt *st = NULL;
    int r = 0;
    if (sqlite3_prepare_v2(db, "INSERT INTO videos(filename,label,mit_label,location,role,"
                               "expected,explanation,line) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return ann_db_err(err, db, "prepare");
    *n_screen = 0;
    int n_rate = 0;
    for (size_t i = 0; i < t->n_rows && !r; i++) {
        const char *c[7];
        for (int j = 0; j < 7; j++) c[j] = avmit_csv_cell(t, i, (size_t)j);
        long line = t->line[i];
        const char *role = c[4];
        int needs_expected = strcmp(role, "rate") != 0;
        if (strcmp(role, "rate") && strcmp(role, "gt") && strcmp(role, "training") &&
            strcmp(role, "screening")) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "role",
                                "'%s' is not one of rate, gt, training, screening", role);
            break;
        }
        if (!safe_video_name(c[0])) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "filename",
                                "'%s' is not a relative path inside the videos folder", c[0]);
            break;
        }
        if (!*c[1]) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "AVMIT_label",
                                "%s: empty suggested label", c[0]);
            break;
        }
        int exp = 0;
        if (*c[5]) {
            if (strlen(c[5]) != 1 || c[5][0] < '1' || c[5][0] > '3') {
                r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "expected",
                                    "%s: expected rating must be 1, 2 or 3, found '%s'", c[0], c[5]);
                break;
            }
            exp = c[5][0] - '0';
        }
        if (needs_expected && !exp) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "expected",
                                "%s: role '%s' needs an expected rating 1, 2 or 3", c[0], role);
            break;
        }
        if (!needs_expected && exp) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "expected",
                                "%s: role 'rate' takes no expected rating (use role gt)", c[0]);
            break;
        }
        if (!strcmp(role, "screening")) (*n_screen)++;
        if (!strcmp(role, "rate")) n_rate++;
        sqlite3_reset(st);
        for (int j = 0; j < 5; j++) sqlite3_bind_text(st, j + 1, c[j], -1, SQLITE_STATIC);
        if (exp) sqlite3_bind_int(st, 6, exp);
        else sqlite3_bind_null(st, 6);
        sqlite3_bind_text(st, 7, c[6], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 8, line);
        if (sqlite3_step(st) != SQLITE_DONE) {
            if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
                r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "filename",
                                    "%s: listed twice with role '%s'", c[0], role);
            else
                r = ann_db_err(err, db, "insert video");
        }
    }
    sqlite3_finalize(st);
    if (!r && n_rate == 0)
        r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, "role", "no video with role 'rate' in the queue");
    return r;
}

int avmit_annotate_init(const char *db_path, const char *queue_csv,
                        const avmit_annotate_config *cfg_in, char *admin_token, size_t cap,
                        avmit_error *err) {
    avmit_annotate_config cfg = cfg_in ? *cfg_in : avmit_annotate_default_config();
    AVMIT_RETURN_IF(cfg.raters_per_video < 1 || cfg.raters_per_video > 100, err, AVMIT_E_ARG,
                    NULL, "raters_per_video", "raters per video must be 1..100");
    AVMIT_RETURN_IF(cfg.lease_seconds < 5 || cfg.gt_every < 2 || cfg.bonus_per_match < 0 ||
                        cfg.headphone_trials < 1 || cfg.headphone_pass > cfg.headphone_trials ||
                        cfg.break_every < 1,
                    err, AVMIT_E_ARG, NULL, "", "invalid study parameters");
    AVMIT_RETURN_IF(cap < ANN_SECRET_HEX + 3, err, AVMIT_E_ARG, NULL, "", "token buffer too small");
    avmit_csv t;
    int r = avmit_csv_read(&t, queue_csv, err);
    if (r) return r;
    int ok = t.n_cols == 7;
    for (int j = 0; ok && j < 7; j++) ok = !strcmp(t.header[j], k_queue_header[j]);
    if (!ok) {
        avmit_csv_free(&t);
        return avmit_error_set(err, AVMIT_E_FORMAT, queue_csv, -1, 1, -1, NULL,
                               "header must be 'filename,AVMIT_label,MIT_label,video_location,"
                               "role,expected,explanation'");
    }
    sqlite3 *db = NULL;
    r = ann_db_open(db_path, 1, &db, err);
    char secret[ANN_SECRET_HEX + 1];
    int n_screen = 0;
    if (!r) r = ann_random_hex(secret, ANN_SECRET_BYTES, err);
    if (!r) r = ann_exec(db, "BEGIN", err);
    if (!r) r = ann_exec(db, k_schema, err);
    if (!r) r = load_queue(db, &t, queue_csv, &n_screen, err);
    if (!r && cfg.pass_mark <= 0) cfg.pass_mark = (n_screen * 38 + 40) / 41;
    if (!r && cfg.pass_mark > n_screen)
        r = AVMIT_ERR(err, AVMIT_E_ARG, queue_csv, "pass_mark",
                      "pass mark %d is more than the %d screening clips", cfg.pass_mark, n_screen);
    if (!r) r = meta_put(db, "schema", "%.0f", 1, err);
    if (!r) r = meta_put(db, "raters_per_video", "%.0f", cfg.raters_per_video, err);
    if (!r) r = meta_put(db, "pass_mark", "%.0f", cfg.pass_mark, err);
    if (!r) r = meta_put(db, "lease_seconds", "%.0f", cfg.lease_seconds, err);
    if (!r) r = meta_put(db, "gt_every", "%.0f", cfg.gt_every, err);
    if (!r) r = meta_put(db, "bonus_per_match", "%.17g", cfg.bonus_per_match, err);
    if (!r) r = meta_put(db, "headphone_check", "%.0f", cfg.headphone_check != 0, err);
    if (!r) r = meta_put(db, "headphone_trials", "%.0f", cfg.headphone_trials, err);
    if (!r) r = meta_put(db, "headphone_pass", "%.0f", cfg.headphone_pass, err);
    if (!r) r = meta_put(db, "break_every", "%.0f", cfg.break_every, err);
    if (!r) {
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, "INSERT INTO meta(key,value) VALUES('admin_secret',?)", -1, &st, NULL);
        sqlite3_bind_text(st, 1, secret, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) r = ann_db_err(err, db, "meta");
        sqlite3_finalize(st);
    }
    if (!r) r = ann_exec(db, "COMMIT", err);
    if (!r) snprintf(admin_token, cap, "x.%s", secret);
    sqlite3_close(db);
    avmit_csv_free(&t);
    if (r && db) { /* nothing half-made: remove the new database and its side files */
        char side[4096];
        unlink(db_path);
        snprintf(side, sizeof side, "%s-wal", db_path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db_path);
        unlink(side);
    }
    return r;
}

int avmit_annotate_admin_token(const char *db_path, char *token, size_t cap, avmit_error *err) {
    sqlite3 *db = NULL;
    int r = ann_db_open(db_path, 0, &db, err);
    if (r) return r;
    char secret[ANN_SECRET_HEX + 1];
    if (ann_meta_get(db, "admin_secret", secret, sizeof secret))
        r = AVMIT_ERR(err, AVMIT_E_FORMAT, db_path, "admin_secret", "no experimenter token");
    else
        snprintf(token, cap, "x.%s", secret);
    sqlite3_close(db);
    return r;
}

int avmit_annotate_rater_add(const char *db_path, const char *name, char *token, size_t cap,
                             avmit_error *err) {
    size_t n = strlen(name);
    AVMIT_RETURN_IF(n == 0 || n > 100, err, AVMIT_E_ARG, db_path, "name",
                    "rater name must be 1..100 characters");
    for (size_t i = 0; i < n; i++)
        AVMIT_RETURN_IF(!isprint((unsigned char)name[i]) || name[i] == ',' || name[i] == '"',
                        err, AVMIT_E_ARG, db_path, "name",
                        "rater name '%s': printable ASCII without comma or quote only", name);
    AVMIT_RETURN_IF(cap < ANN_SECRET_HEX + 24, err, AVMIT_E_ARG, NULL, "", "token buffer too small");
    sqlite3 *db = NULL;
    int r = ann_db_open(db_path, 0, &db, err);
    if (r) return r;
    char secret[ANN_SECRET_HEX + 1];
    r = ann_random_hex(secret, ANN_SECRET_BYTES, err);
    sqlite3_stmt *st = NULL;
    if (!r && sqlite3_prepare_v2(db, "INSERT INTO raters(name,secret,created) VALUES(?,?,?)",
                                 -1, &st, NULL) != SQLITE_OK)
        r = ann_db_err(err, db, "prepare");
    if (!r) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, secret, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, ann_now());
        if (sqlite3_step(st) != SQLITE_DONE) {
            if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
                r = AVMIT_ERR(err, AVMIT_E_ARG, db_path, "name", "rater '%s' already exists", name);
            else
                r = ann_db_err(err, db, "add rater");
        } else {
            snprintf(token, cap, "r%lld.%s", (long long)sqlite3_last_insert_rowid(db), secret);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return r;
}

/* Write the rows of `sql` (n_cols text columns; one optional integer parameter) as a CSV
 * with `header`, atomically. */
static int query_to_csv(sqlite3 *db, const char *sql, long long param, const char *const *header,
                        size_t n_cols, const char *out_csv, size_t *n_rows, avmit_error *err) {
    avmit_csv_writer *w = NULL;
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    int r = avmit_csv_writer_open(&w, out_csv, n_cols, header, err);
    if (!r && sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) r = ann_db_err(err, db, out_csv);
    if (!r && sqlite3_bind_parameter_count(st) == 1) sqlite3_bind_int64(st, 1, param);
    while (!r) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE) break;
        if (s != SQLITE_ROW) {
            r = ann_db_err(err, db, out_csv);
            break;
        }
        const char *cells[8];
        for (size_t j = 0; j < n_cols && j < 8; j++) {
            const unsigned char *t = sqlite3_column_text(st, (int)j);
            cells[j] = t ? (const char *)t : "";
        }
        r = avmit_csv_writer_row(w, cells, err);
        n++;
    }
    sqlite3_finalize(st);
    if (w) {
        if (!r) r = avmit_csv_writer_commit(w, err);
        else avmit_csv_writer_abort(w);
    }
    if (n_rows) *n_rows = n;
    return r;
}

int avmit_annotate_export(const char *db_path, const char *out_csv, size_t *n_rows,
                          avmit_error *err) {
    sqlite3 *db = NULL;
    int r = ann_db_open(db_path, 0, &db, err);
    if (r) return r;
    static const char *const hdr[5] = {"filename", "AVMIT_label", "MIT_label",
                                       "video_location", "rating"};
    r = query_to_csv(db, "SELECT v.filename, v.label, v.mit_label, v.location, r.rating"
                         " FROM ratings r JOIN videos v ON v.id=r.video_id WHERE r.kind='rate'"
                         " ORDER BY r.id", 0, hdr, 5, out_csv, n_rows, err);
    sqlite3_close(db);
    return r;
}

/* Earned matches per rater minus what earlier batches paid, as a new batch (one
 * transaction). *batch = 0 when nothing new was earned. */
static int bonus_new_batch(sqlite3 *db, double per_match, long *batch, avmit_error *err) {
    *batch = 0;
    int r = ann_exec(db, "BEGIN IMMEDIATE", err);
    if (r) return r;
    sqlite3_stmt *st = NULL;
    const char *sql =
        "SELECT r.id, (SELECT count(*) FROM ratings g WHERE g.rater_id=r.id AND g.kind='gt'"
        " AND g.correct=1) - coalesce((SELECT sum(matches) FROM bonus_paid p"
        " WHERE p.rater_id=r.id), 0) AS owed FROM raters r ORDER BY r.id";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) r = ann_db_err(err, db, "bonus");
    while (!r) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE) break;
        if (s != SQLITE_ROW) { r = ann_db_err(err, db, "bonus"); break; }
        long owed = (long)sqlite3_column_int64(st, 1);
        if (owed <= 0) continue;
        if (!*batch) {
            sqlite3_stmt *b = NULL;
            sqlite3_prepare_v2(db, "INSERT INTO bonus_batches(created) VALUES(?)", -1, &b, NULL);
            sqlite3_bind_double(b, 1, ann_now());
            if (sqlite3_step(b) != SQLITE_DONE) r = ann_db_err(err, db, "bonus batch");
            sqlite3_finalize(b);
            *batch = (long)sqlite3_last_insert_rowid(db);
        }
        sqlite3_stmt *p = NULL;
        sqlite3_prepare_v2(db, "INSERT INTO bonus_paid(batch_id,rater_id,matches,amount)"
                               " VALUES(?,?,?,?)", -1, &p, NULL);
        sqlite3_bind_int64(p, 1, *batch);
        sqlite3_bind_int64(p, 2, sqlite3_column_int64(st, 0));
        sqlite3_bind_int64(p, 3, owed);
        sqlite3_bind_double(p, 4, (double)owed * per_match);
        if (!r && sqlite3_step(p) != SQLITE_DONE) r = ann_db_err(err, db, "bonus row");
        sqlite3_finalize(p);
    }
    sqlite3_finalize(st);
    if (!r) r = ann_exec(db, "COMMIT", err);
    else sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

int avmit_annotate_bonus(const char *db_path, const char *out_csv, long batch,
                         long *batch_out, size_t *n_rows, avmit_error *err) {
    sqlite3 *db = NULL;
    int r = ann_db_open(db_path, 0, &db, err);
    if (r) return r;
    if (batch <= 0) {
        r = bonus_new_batch(db, ann_meta_double(db, "bonus_per_match", 0), &batch, err);
    } else {
        sqlite3_stmt *q = NULL;
        sqlite3_prepare_v2(db, "SELECT 1 FROM bonus_batches WHERE id=?", -1, &q, NULL);
        sqlite3_bind_int64(q, 1, batch);
        if (sqlite3_step(q) != SQLITE_ROW)
            r = AVMIT_ERR(err, AVMIT_E_NOTFOUND, db_path, "batch", "no bonus batch %ld", batch);
        sqlite3_finalize(q);
    }
    static const char *const hdr[4] = {"rater", "matches", "amount", "batch"};
    if (!r)
        r = query_to_csv(db, "SELECT r.name, p.matches, printf('%.2f', p.amount), p.batch_id"
                             " FROM bonus_paid p JOIN raters r ON r.id=p.rater_id"
                             " WHERE p.batch_id=? ORDER BY r.id", batch, hdr, 4, out_csv, n_rows, err);
    sqlite3_close(db);
    if (batch_out) *batch_out = batch;
    return r;
}
