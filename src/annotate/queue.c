/*
 * annotate/queue.c — a rater's way through the study (avmit/annotate.h, issue 15 items 2-5):
 * phases instructions -> [headphones] -> training -> screening -> rating (or failed), the
 * leases of the rating queue, and one-transaction rating submission.
 *
 * Assignment: a `rate` video is offered to a rater when they have no trial of it yet and
 * its done ratings plus unexpired leases are fewer than raters_per_video; every
 * gt_every-th rating trial is a hidden ground-truth clip the rater has not seen. A rater
 * holds at most `want` leased clips (the current one and the preloaded next). Expired
 * leases stay as rows (state 'expired') so no rater is shown a video twice.
 *
 * Callers hold the server's database lock: the read-check-write sequences below rely on it
 * (and on BEGIN IMMEDIATE for the rating transaction).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotate/annotate_int.h"
#include "core/error_int.h"

int ann_rater_load(sqlite3 *db, long id, ann_rater *r) {
    sqlite3_stmt *st = NULL;
    int rc = -1;
    sqlite3_prepare_v2(db, "SELECT name, phase, (SELECT count(*) FROM ratings g WHERE"
                           " g.rater_id=raters.id AND g.kind='gt' AND g.correct=1)"
                           " FROM raters WHERE id=?", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        r->id = id;
        snprintf(r->name, sizeof r->name, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(r->phase, sizeof r->phase, "%s", (const char *)sqlite3_column_text(st, 1));
        r->bonus_matches = (long)sqlite3_column_int64(st, 2);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

/* One integer from a query with up to two integer parameters. */
static long query_long(sqlite3 *db, const char *sql, long a, long b) {
    sqlite3_stmt *st = NULL;
    long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    if (sqlite3_bind_parameter_count(st) >= 1) sqlite3_bind_int64(st, 1, a);
    if (sqlite3_bind_parameter_count(st) >= 2) sqlite3_bind_int64(st, 2, b);
    if (sqlite3_step(st) == SQLITE_ROW) v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int set_phase(sqlite3 *db, long rater_id, const char *phase, avmit_error *err) {
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "UPDATE raters SET phase=? WHERE id=?", -1, &st, NULL);
    sqlite3_bind_text(st, 1, phase, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, rater_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ann_db_err(err, db, "phase");
}

static int insert_trial(sqlite3 *db, long rater_id, long video_id, const char *kind,
                        double lease_expires, avmit_error *err) {
    char tok[ANN_SECRET_HEX + 1];
    int r = ann_random_hex(tok, ANN_SECRET_BYTES, err);
    if (r) return r;
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO trials(token,rater_id,video_id,kind,"
                           "lease_expires,created) VALUES(?,?,?,?,?,?)", -1, &st, NULL);
    sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, rater_id);
    sqlite3_bind_int64(st, 3, video_id);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    if (lease_expires > 0) sqlite3_bind_double(st, 5, lease_expires);
    else sqlite3_bind_null(st, 5);
    sqlite3_bind_double(st, 6, ann_now());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ann_db_err(err, db, "lease");
}

/* Enter `phase`, creating its trials; skips phases with nothing in them. */
static int enter_phase(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id,
                       const char *phase, avmit_error *err) {
    if (!strcmp(phase, "headphones")) {
        for (int i = 0; i < 2 * cfg->headphone_trials; i++) {
            char tok[ANN_SECRET_HEX + 1], rnd[3];
            int r = ann_random_hex(tok, ANN_SECRET_BYTES, err);
            if (!r) r = ann_random_hex(rnd, 1, err);
            if (r) return r;
            sqlite3_stmt *st = NULL;
            sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO hp_trials(token,rater_id,kind,seq,"
                                   "answer) VALUES(?,?,?,?,?)", -1, &st, NULL);
            sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, rater_id);
            sqlite3_bind_int(st, 3, i % 2);
            sqlite3_bind_int(st, 4, i / 2);
            sqlite3_bind_int(st, 5, 1 + (int)(strtol(rnd, NULL, 16) % 3));
            int rc = sqlite3_step(st);
            sqlite3_finalize(st);
            if (rc != SQLITE_DONE) return ann_db_err(err, db, "headphone trials");
        }
        return set_phase(db, rater_id, phase, err);
    }
    if (!strcmp(phase, "training") || !strcmp(phase, "screening")) {
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, "SELECT id FROM videos WHERE role=? ORDER BY id", -1, &st, NULL);
        sqlite3_bind_text(st, 1, phase, -1, SQLITE_STATIC);
        int n = 0, r = 0;
        while (!r && sqlite3_step(st) == SQLITE_ROW) {
            r = insert_trial(db, rater_id, (long)sqlite3_column_int64(st, 0), phase, 0, err);
            n++;
        }
        sqlite3_finalize(st);
        if (r) return r;
        if (n == 0) return enter_phase(db, cfg, rater_id,
                                       !strcmp(phase, "training") ? "screening" : "rating", err);
    }
    return set_phase(db, rater_id, phase, err);
}

int ann_phase_advance(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id,
                      avmit_error *err) {
    ann_rater rt;
    if (ann_rater_load(db, rater_id, &rt)) return AVMIT_ERR(err, AVMIT_E_NOTFOUND, NULL, "", "no rater");
    if (strcmp(rt.phase, "instructions")) return 0; /* only the instructions end on request */
    int r = ann_exec(db, "BEGIN IMMEDIATE", err);
    if (r) return r;
    r = enter_phase(db, cfg, rater_id, cfg->headphone_check ? "headphones" : "training", err);
    if (!r) return ann_exec(db, "COMMIT", err);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

/* Lease one more clip for the rating phase; *leased = 0 when none is left. */
static int lease_one(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id, double now,
                     int *leased, avmit_error *err) {
    *leased = 0;
    long seen = query_long(db, "SELECT count(*) FROM trials WHERE rater_id=? AND kind IN"
                               " ('rate','gt')", rater_id, 0);
    const char *gt_sql = "SELECT v.id FROM videos v WHERE v.role='gt' AND NOT EXISTS"
                         " (SELECT 1 FROM trials t WHERE t.video_id=v.id AND t.rater_id=?)"
                         " ORDER BY v.id LIMIT 1";
    long vid = -1;
    const char *kind = "gt";
    if ((seen + 1) % cfg->gt_every == 0) vid = query_long(db, gt_sql, rater_id, 0);
    if (vid < 0) {
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db,
                           "SELECT v.id FROM videos v WHERE v.role='rate' AND v.open=1 AND NOT EXISTS"
                           " (SELECT 1 FROM trials t WHERE t.video_id=v.id AND t.rater_id=?1)"
                           " AND (SELECT count(*) FROM trials t WHERE t.video_id=v.id AND"
                           " (t.state='done' OR (t.state='leased' AND t.lease_expires>?2))) < ?3"
                           " ORDER BY v.id LIMIT 1", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, rater_id);
        sqlite3_bind_double(st, 2, now);
        sqlite3_bind_int(st, 3, cfg->raters_per_video);
        if (sqlite3_step(st) == SQLITE_ROW) {
            vid = (long)sqlite3_column_int64(st, 0);
            kind = "rate";
        }
        sqlite3_finalize(st);
    }
    if (vid < 0) vid = query_long(db, gt_sql, rater_id, 0);
    if (vid < 0) return 0;
    int r = insert_trial(db, rater_id, vid, kind, now + cfg->lease_seconds, err);
    if (!r) *leased = 1;
    return r;
}

int ann_next_trials(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id, int want,
                    json_t **out, avmit_error *err) {
    *out = json_array();
    if (!*out) return AVMIT_NOMEM(err, "json");
    ann_rater rt;
    if (ann_rater_load(db, rater_id, &rt)) return AVMIT_ERR(err, AVMIT_E_NOTFOUND, NULL, "", "no rater");
    int rating = !strcmp(rt.phase, "rating");
    if (!rating && strcmp(rt.phase, "training") && strcmp(rt.phase, "screening")) return 0;
    double now = ann_now();
    int r = 0;
    if (rating) {
        r = ann_exec(db, "BEGIN IMMEDIATE", err);
        if (r) return r;
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, "UPDATE trials SET state='expired' WHERE rater_id=? AND"
                               " state='leased' AND lease_expires<=?", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, rater_id);
        sqlite3_bind_double(st, 2, now);
        if (sqlite3_step(st) != SQLITE_DONE) r = ann_db_err(err, db, "expire");
        sqlite3_finalize(st);
        long held = query_long(db, "SELECT count(*) FROM trials WHERE rater_id=? AND"
                                   " state='leased'", rater_id, 0);
        for (int got = 1; !r && held < want && got; held++) r = lease_one(db, cfg, rater_id, now, &got, err);
        if (!r) r = ann_exec(db, "COMMIT", err);
        else sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        if (r) return r;
    }
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT t.token, v.label FROM trials t JOIN videos v ON"
                           " v.id=t.video_id WHERE t.rater_id=? AND t.state='leased' AND"
                           " t.kind IN (?,?) ORDER BY t.id LIMIT ?", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, rater_id);
    sqlite3_bind_text(st, 2, rating ? "rate" : rt.phase, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, rating ? "gt" : rt.phase, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, want);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *tok = (const char *)sqlite3_column_text(st, 0);
        char url[96];
        snprintf(url, sizeof url, "/video/%s", tok);
        json_array_append_new(*out, json_pack("{s:s,s:s,s:s,s:s}", "trial", tok, "label",
                                              (const char *)sqlite3_column_text(st, 1), "video",
                                              url, "kind", rating ? "rating" : rt.phase));
    }
    sqlite3_finalize(st);
    return 0;
}

/* Field helpers for request bodies: 0 ok, -1 bad. */
static int body_str(json_t *body, const char *key, size_t maxlen, const char **out) {
    json_t *v = json_object_get(body, key);
    if (!json_is_string(v)) return -1;
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (n == 0 || n > maxlen) return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_'))
            return -1;
    }
    *out = s;
    return 0;
}

static double body_num(json_t *body, const char *key, double lo, double hi, double dflt) {
    json_t *v = json_object_get(body, key);
    if (!json_is_number(v)) return dflt;
    double x = json_number_value(v);
    return x >= lo && x <= hi ? x : dflt;
}

static json_t *bad_field(int *status, const char *field) {
    *status = 400;
    return json_pack("{s:s,s:s}", "error", "bad or missing field", "field", field);
}

/* The fields every answer carries: trial, request_id and an integer 1..3 under `key`.
 * 0 when they are valid; else 1 with a 400 reply naming the bad field. */
static int parse_answer(json_t *body, const char *key, const char **trial, const char **req,
                        int *value, int *status, json_t **reply) {
    const char *bad = NULL;
    json_t *jv = json_object_get(body, key);
    if (body_str(body, "trial", 64, trial)) bad = "trial";
    else if (body_str(body, "request_id", 64, req)) bad = "request_id";
    else if (!json_is_integer(jv) || json_integer_value(jv) < 1 || json_integer_value(jv) > 3) bad = key;
    if (bad) {
        *reply = bad_field(status, bad);
        return 1;
    }
    *value = (int)json_integer_value(jv);
    return 0;
}

/* The reply for a stored rating (new or repeated). */
static json_t *rating_reply(sqlite3 *db, long rating_id, long rater_id, int duplicate) {
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT r.kind, v.expected, v.explanation, r.rating FROM ratings r"
                           " JOIN videos v ON v.id=r.video_id WHERE r.id=?", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, rating_id);
    json_t *rep = json_object();
    if (sqlite3_step(st) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "training")) {
        int exp = sqlite3_column_int(st, 1);
        json_object_set_new(rep, "feedback",
                            json_pack("{s:i,s:s,s:b}", "expected", exp, "explanation",
                                      (const char *)sqlite3_column_text(st, 2), "correct",
                                      exp == sqlite3_column_int(st, 3)));
    }
    sqlite3_finalize(st);
    ann_rater rt;
    if (!ann_rater_load(db, rater_id, &rt)) {
        json_object_set_new(rep, "phase", json_string(rt.phase));
        json_object_set_new(rep, "bonus", json_integer(rt.bonus_matches));
    }
    json_object_set_new(rep, "ok", json_true());
    json_object_set_new(rep, "duplicate", json_boolean(duplicate));
    return rep;
}

/* After a training/screening rating: move on when the phase's trials are all done. */
static int phase_after_rating(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id,
                              const char *kind, avmit_error *err) {
    if (strcmp(kind, "training") && strcmp(kind, "screening")) return 0;
    long left = -1;
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM trials WHERE rater_id=? AND kind=? AND"
                           " state='leased'", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, rater_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) left = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (left != 0) return 0;
    if (!strcmp(kind, "training")) return enter_phase(db, cfg, rater_id, "screening", err);
    long correct = query_long(db, "SELECT count(*) FROM ratings WHERE rater_id=? AND"
                                  " kind='screening' AND correct=1", rater_id, 0);
    long total = query_long(db, "SELECT count(*) FROM ratings WHERE rater_id=? AND"
                                " kind='screening'", rater_id, 0);
    sqlite3_prepare_v2(db, "UPDATE raters SET screening_correct=?, screening_total=? WHERE id=?",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, correct);
    sqlite3_bind_int64(st, 2, total);
    sqlite3_bind_int64(st, 3, rater_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return ann_db_err(err, db, "screening");
    return correct >= cfg->pass_mark ? enter_phase(db, cfg, rater_id, "rating", err)
                                     : set_phase(db, rater_id, "failed", err);
}

int ann_submit_rating(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id,
                      json_t *body, int *status, json_t **reply, avmit_error *err) {
    const char *trial, *req;
    int rating;
    *status = 200;
    *reply = NULL;
    if (parse_answer(body, "rating", &trial, &req, &rating, status, reply)) return 0;
    const char *clock = "perf";
    json_t *jc = json_object_get(body, "clock");
    if (json_is_string(jc) && !strcmp(json_string_value(jc), "rvfc")) clock = "rvfc";

    int r = ann_exec(db, "BEGIN IMMEDIATE", err);
    if (r) return r;
    double now = ann_now();
    /* a retried request: the same request id answered before */
    sqlite3_stmt *st = NULL;
    long prev = -1;
    sqlite3_prepare_v2(db, "SELECT id FROM ratings WHERE rater_id=? AND request_id=?", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, rater_id);
    sqlite3_bind_text(st, 2, req, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) prev = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    long trial_id = -1, video_id = -1;
    char kind[16] = "", state[16] = "";
    double lease = 0;
    int expected = 0;
    if (prev < 0) {
        sqlite3_prepare_v2(db, "SELECT t.id, t.video_id, t.kind, t.state, t.lease_expires,"
                               " v.expected FROM trials t JOIN videos v ON v.id=t.video_id"
                               " WHERE t.token=? AND t.rater_id=?", -1, &st, NULL);
        sqlite3_bind_text(st, 1, trial, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, rater_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            trial_id = (long)sqlite3_column_int64(st, 0);
            video_id = (long)sqlite3_column_int64(st, 1);
            snprintf(kind, sizeof kind, "%s", (const char *)sqlite3_column_text(st, 2));
            snprintf(state, sizeof state, "%s", (const char *)sqlite3_column_text(st, 3));
            lease = sqlite3_column_double(st, 4);
            expected = sqlite3_column_int(st, 5);
        }
        sqlite3_finalize(st);
        if (trial_id < 0) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            *status = 404;
            *reply = json_pack("{s:s}", "error", "no such trial for this rater");
            return 0;
        }
        if (!strcmp(state, "done")) /* the same trial rated by an earlier request */
            prev = query_long(db, "SELECT id FROM ratings WHERE trial_id=?", trial_id, 0);
    }
    if (prev >= 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        *reply = rating_reply(db, prev, rater_id, 1);
        return 0;
    }
    if (!strcmp(kind, "rate") && (strcmp(state, "leased") || lease <= now)) {
        /* an expired lease still counts while the video has room */
        long n = -1;
        sqlite3_prepare_v2(db, "SELECT count(*) FROM trials WHERE video_id=?1 AND id<>?2 AND"
                               " (state='done' OR (state='leased' AND lease_expires>?3))",
                           -1, &st, NULL);
        sqlite3_bind_int64(st, 1, video_id);
        sqlite3_bind_int64(st, 2, trial_id);
        sqlite3_bind_double(st, 3, now);
        if (sqlite3_step(st) == SQLITE_ROW) n = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (n >= cfg->raters_per_video) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            *status = 409;
            *reply = json_pack("{s:s}", "error", "lease expired and the video has its raters");
            return 0;
        }
    }
    sqlite3_prepare_v2(db, "INSERT INTO ratings(trial_id,rater_id,video_id,kind,rating,correct,"
                           "request_id,rt_ms,clip_ms,replays,early_presses,clock,created)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, trial_id);
    sqlite3_bind_int64(st, 2, rater_id);
    sqlite3_bind_int64(st, 3, video_id);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, rating);
    if (expected) sqlite3_bind_int(st, 6, rating == expected);
    else sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, req, -1, SQLITE_STATIC);
    double rt = body_num(body, "rt_ms", 0, 3.6e6, -1), clip = body_num(body, "clip_ms", 0, 6e5, -1);
    if (rt >= 0) sqlite3_bind_double(st, 8, rt);
    if (clip >= 0) sqlite3_bind_double(st, 9, clip);
    sqlite3_bind_int(st, 10, (int)body_num(body, "replays", 0, 1e6, 0));
    sqlite3_bind_int(st, 11, (int)body_num(body, "early_presses", 0, 1e6, 0));
    sqlite3_bind_text(st, 12, clock, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 13, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) r = ann_db_err(err, db, "insert rating");
    long rating_id = (long)sqlite3_last_insert_rowid(db);
    if (!r) {
        sqlite3_prepare_v2(db, "UPDATE trials SET state='done' WHERE id=?", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, trial_id);
        if (sqlite3_step(st) != SQLITE_DONE) r = ann_db_err(err, db, "trial done");
        sqlite3_finalize(st);
    }
    if (!r && !strcmp(kind, "rate")) { /* a full video leaves the pool the lease query scans */
        sqlite3_prepare_v2(db, "UPDATE videos SET open=0 WHERE id=?1 AND (SELECT count(*) FROM"
                               " ratings WHERE video_id=?1 AND kind='rate') >= ?2", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, video_id);
        sqlite3_bind_int(st, 2, cfg->raters_per_video);
        if (sqlite3_step(st) != SQLITE_DONE) r = ann_db_err(err, db, "video full");
        sqlite3_finalize(st);
    }
    if (!r) r = phase_after_rating(db, cfg, rater_id, kind, err);
    if (!r) r = ann_exec(db, "COMMIT", err); /* durable (synchronous=FULL) before the reply */
    if (r) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    *reply = rating_reply(db, rating_id, rater_id, 0);
    return 0;
}

int ann_headphone_trials(sqlite3 *db, long rater_id, json_t **out, avmit_error *err) {
    *out = json_array();
    if (!*out) return AVMIT_NOMEM(err, "json");
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT token, kind, response IS NOT NULL FROM hp_trials WHERE"
                           " rater_id=? ORDER BY seq, kind", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, rater_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *tok = (const char *)sqlite3_column_text(st, 0);
        char url[96];
        snprintf(url, sizeof url, "/hp/%s.wav", tok);
        json_array_append_new(*out, json_pack("{s:s,s:s,s:s,s:b}", "trial", tok, "kind",
                                              sqlite3_column_int(st, 1) ? "antiphase" : "huggins",
                                              "audio", url, "answered", sqlite3_column_int(st, 2)));
    }
    sqlite3_finalize(st);
    return 0;
}

int ann_headphone_answer(sqlite3 *db, const avmit_annotate_config *cfg, long rater_id,
                         json_t *body, int *status, json_t **reply, avmit_error *err) {
    const char *trial, *req;
    int answer;
    *status = 200;
    *reply = NULL;
    if (parse_answer(body, "answer", &trial, &req, &answer, status, reply)) return 0;
    ann_rater rt;
    if (ann_rater_load(db, rater_id, &rt) || strcmp(rt.phase, "headphones")) {
        *status = 409;
        *reply = json_pack("{s:s}", "error", "not in the headphone check");
        return 0;
    }
    int r = ann_exec(db, "BEGIN IMMEDIATE", err);
    if (r) return r;
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "UPDATE hp_trials SET response=?, request_id=? WHERE token=? AND"
                           " rater_id=? AND response IS NULL", -1, &st, NULL);
    sqlite3_bind_int(st, 1, answer);
    sqlite3_bind_text(st, 2, req, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, trial, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, rater_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) r = ann_db_err(err, db, "headphone answer");
    int changed = sqlite3_changes(db);
    if (!r && !changed) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_prepare_v2(db, "SELECT 1 FROM hp_trials WHERE token=? AND rater_id=?", -1, &st, NULL);
        sqlite3_bind_text(st, 1, trial, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, rater_id);
        int exists = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        *status = exists ? 200 : 404;
        *reply = exists ? json_pack("{s:b,s:b,s:s}", "ok", 1, "duplicate", 1, "phase", rt.phase)
                        : json_pack("{s:s}", "error", "no such headphone trial");
        return 0;
    }
    if (!r && query_long(db, "SELECT count(*) FROM hp_trials WHERE rater_id=? AND response IS"
                             " NULL", rater_id, 0) == 0) {
        long hug = query_long(db, "SELECT count(*) FROM hp_trials WHERE rater_id=? AND kind=0"
                                  " AND response=answer", rater_id, 0);
        long anti = query_long(db, "SELECT count(*) FROM hp_trials WHERE rater_id=? AND kind=1"
                                   " AND response=answer", rater_id, 0);
        sqlite3_prepare_v2(db, "UPDATE raters SET hp_huggins=?, hp_antiphase=? WHERE id=?", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, hug);
        sqlite3_bind_int64(st, 2, anti);
        sqlite3_bind_int64(st, 3, rater_id);
        if (sqlite3_step(st) != SQLITE_DONE) r = ann_db_err(err, db, "headphone result");
        sqlite3_finalize(st);
        if (!r)
            r = hug >= cfg->headphone_pass && anti >= cfg->headphone_pass
                    ? enter_phase(db, cfg, rater_id, "training", err)
                    : set_phase(db, rater_id, "failed", err);
    }
    if (!r) r = ann_exec(db, "COMMIT", err);
    if (r) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    ann_rater_load(db, rater_id, &rt);
    *reply = json_pack("{s:b,s:b,s:s}", "ok", 1, "duplicate", 0, "phase", rt.phase);
    return 0;
}
