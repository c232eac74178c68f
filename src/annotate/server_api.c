/*
 * annotate/server_api.c — the rating app's JSON API (issue 15 items 2-7).
 *
 *   POST /api/login       {"token"}  -> Set-Cookie avmit_session (HttpOnly, SameSite=Strict)
 *   POST /api/logout
 *   GET  /api/state       who, phase, bonus, csrf token, study parameters the page needs
 *   POST /api/begin       instructions read: on to the headphone check or training
 *   GET  /api/trials      the held clips (current + preloaded next)
 *   POST /api/rate        {"trial","rating","request_id","rt_ms","clip_ms","replays",
 *                          "early_presses","clock"}
 *   GET  /api/headphones  headphone-check trials;  POST /api/headphones {"trial","answer",
 *                          "request_id"}
 *   GET  /api/admin/status  the status document (experimenter session only)
 *
 * Every POST needs Content-Type: application/json and, once logged in, the session's CSRF
 * token in X-CSRF-Token (compared in constant time); a present Origin header must match
 * Host. A rater reaches only their own trials; expected answers leave the server only as
 * training feedback after the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotate/server_int.h"
#include "core/error_int.h"

#define SESSION_SECONDS (30.0 * 24 * 3600)

static int json_content(struct MHD_Connection *c) {
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    return ct && !strncmp(ct, "application/json", 16);
}

/* A present Origin must be http://<Host>. */
static int origin_ok(struct MHD_Connection *c) {
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!origin) return 1;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host || strncmp(origin, "http://", 7)) return 0;
    return !strcmp(origin + 7, host);
}

static enum MHD_Result internal(struct MHD_Connection *c, const avmit_error *e) {
    (void)e;
    return ann_reply_error(c, 500, "internal error");
}

/* Parse the body as a JSON object; NULL when it is not one. */
static json_t *parse_body(const ann_req *req) {
    if (!req->body || !req->len) return NULL;
    json_error_t je;
    json_t *j = json_loadb(req->body, req->len, JSON_REJECT_DUPLICATES, &je);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

static enum MHD_Result api_login(ann_server *s, struct MHD_Connection *c, json_t *body) {
    json_t *jt = json_object_get(body, "token");
    const char *tok = json_is_string(jt) ? json_string_value(jt) : "";
    long rater_id = -1;
    const char *dot = strchr(tok, '.');
    if (!dot || strlen(dot + 1) != ANN_SECRET_HEX) return ann_reply_error(c, 401, "invalid token");
    pthread_mutex_lock(&s->mu);
    if (tok[0] == 'x' && dot == tok + 1) {
        if (ann_ct_equal(dot + 1, s->admin_secret)) rater_id = 0;
    } else if (tok[0] == 'r') {
        char *end;
        long id = strtol(tok + 1, &end, 10);
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(s->db, "SELECT secret FROM raters WHERE id=?", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, id);
        if (end == dot && id > 0 && sqlite3_step(st) == SQLITE_ROW &&
            ann_ct_equal((const char *)sqlite3_column_text(st, 0), dot + 1))
            rater_id = id;
        sqlite3_finalize(st);
    }
    char secret[ANN_SECRET_HEX + 1], csrf[ANN_SECRET_HEX + 1];
    long sid = -1;
    if (rater_id >= 0 && !ann_random_hex(secret, ANN_SECRET_BYTES, NULL) &&
        !ann_random_hex(csrf, ANN_SECRET_BYTES, NULL)) {
        sqlite3_stmt *st = NULL;
        double now = ann_now();
        sqlite3_prepare_v2(s->db, "INSERT INTO sessions(secret,csrf,rater_id,created,expires)"
                                  " VALUES(?,?,?,?,?)", -1, &st, NULL);
        sqlite3_bind_text(st, 1, secret, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, csrf, -1, SQLITE_STATIC);
        if (rater_id) sqlite3_bind_int64(st, 3, rater_id);
        else sqlite3_bind_null(st, 3);
        sqlite3_bind_double(st, 4, now);
        sqlite3_bind_double(st, 5, now + SESSION_SECONDS);
        if (sqlite3_step(st) == SQLITE_DONE) sid = (long)sqlite3_last_insert_rowid(s->db);
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    if (rater_id < 0) return ann_reply_error(c, 401, "invalid token");
    if (sid < 0) return ann_reply_error(c, 500, "cannot create a session");
    char cookie[160];
    snprintf(cookie, sizeof cookie,
             "avmit_session=%ld.%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld", sid, secret,
             (long)SESSION_SECONDS);
    return ann_reply_json(c, 200, json_pack("{s:s,s:s}", "role", rater_id ? "rater" : "experimenter",
                                            "csrf", csrf), cookie);
}

static enum MHD_Result api_state(ann_server *s, struct MHD_Connection *c, const ann_session *se) {
    if (se->admin)
        return ann_reply_json(c, 200, json_pack("{s:s,s:s}", "role", "experimenter", "csrf", se->csrf), NULL);
    ann_rater rt;
    pthread_mutex_lock(&s->mu);
    int bad = ann_rater_load(s->db, se->rater_id, &rt);
    long rated = -1, training = 0, screening = 0, done_phase = 0;
    if (!bad) {
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(s->db, "SELECT (SELECT count(*) FROM ratings WHERE rater_id=?1 AND"
                                  " kind IN ('rate','gt')), (SELECT count(*) FROM videos WHERE"
                                  " role='training'), (SELECT count(*) FROM videos WHERE"
                                  " role='screening'), (SELECT count(*) FROM ratings WHERE"
                                  " rater_id=?1 AND kind=?2)", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, se->rater_id);
        sqlite3_bind_text(st, 2, rt.phase, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            rated = (long)sqlite3_column_int64(st, 0);
            training = (long)sqlite3_column_int64(st, 1);
            screening = (long)sqlite3_column_int64(st, 2);
            done_phase = (long)sqlite3_column_int64(st, 3);
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    if (bad) return ann_reply_error(c, 401, "no such rater");
    return ann_reply_json(c, 200, json_pack("{s:s,s:s,s:s,s:s,s:I,s:f,s:I,s:I,s:I,s:I,s:i,s:b,s:i}",
        "role", "rater", "name", rt.name, "phase", rt.phase, "csrf", se->csrf,
        "bonus", (json_int_t)rt.bonus_matches, "bonus_per_match", s->cfg.bonus_per_match,
        "rated", (json_int_t)rated, "training_clips", (json_int_t)training,
        "screening_clips", (json_int_t)screening, "done_in_phase", (json_int_t)done_phase,
        "pass_mark", s->cfg.pass_mark, "headphone_check", s->cfg.headphone_check,
        "break_every", s->cfg.break_every), NULL);
}

static enum MHD_Result api_status(ann_server *s, struct MHD_Connection *c) {
    pthread_mutex_lock(&s->mu);
    json_t *doc = ann_status(s->db, &s->cfg);
    pthread_mutex_unlock(&s->mu);
    return ann_reply_json(c, doc ? 200 : 500, doc, NULL);
}

enum MHD_Result ann_api(ann_server *s, struct MHD_Connection *c, const char *method,
                        const char *url, ann_req *req) {
    int post = !strcmp(method, "POST");
    json_t *body = NULL;
    if (post) {
        if (!json_content(c)) return ann_reply_error(c, 415, "Content-Type must be application/json");
        if (!origin_ok(c)) return ann_reply_error(c, 403, "cross-origin request refused");
        body = parse_body(req);
        if (!body) return ann_reply_error(c, 400, "body must be a JSON object");
    }
    enum MHD_Result ret;
    if (!strcmp(url, "/api/login")) {
        ret = post ? api_login(s, c, body) : ann_reply_error(c, 405, "POST only");
        json_decref(body);
        return ret;
    }
    ann_session se;
    if (ann_session_get(s, c, &se)) {
        json_decref(body);
        return ann_reply_error(c, 401, "log in first");
    }
    if (post) {
        const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!tok || !ann_ct_equal(tok, se.csrf)) {
            json_decref(body);
            return ann_reply_error(c, 403, "missing or wrong CSRF token");
        }
    }
    avmit_error e;
    avmit_error_clear(&e);
    int status = 200, r = 0;
    json_t *reply = NULL;
    if (!strcmp(url, "/api/state") && !post) {
        ret = api_state(s, c, &se);
    } else if (!strcmp(url, "/api/logout") && post) {
        pthread_mutex_lock(&s->mu);
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(s->db, "DELETE FROM sessions WHERE id=?", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, se.id);
        sqlite3_step(st);
        sqlite3_finalize(st);
        pthread_mutex_unlock(&s->mu);
        ret = ann_reply_json(c, 200, json_pack("{s:b}", "ok", 1),
                             "avmit_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    } else if (!strncmp(url, "/api/admin/", 11)) {
        if (!se.admin) ret = ann_reply_error(c, 403, "experimenter token required");
        else if (!strcmp(url, "/api/admin/status") && !post) ret = api_status(s, c);
        else ret = ann_reply_error(c, 404, "not found");
    } else if (se.admin) {
        ret = ann_reply_error(c, 403, "rater pages need a rater login");
    } else if (!strcmp(url, "/api/begin") && post) {
        pthread_mutex_lock(&s->mu);
        r = ann_phase_advance(s->db, &s->cfg, se.rater_id, &e);
        pthread_mutex_unlock(&s->mu);
        ret = r ? internal(c, &e) : api_state(s, c, &se);
    } else if (!strcmp(url, "/api/trials") && !post) {
        pthread_mutex_lock(&s->mu);
        r = ann_next_trials(s->db, &s->cfg, se.rater_id, 2, &reply, &e);
        ann_rater rt;
        int phase_ok = !ann_rater_load(s->db, se.rater_id, &rt);
        pthread_mutex_unlock(&s->mu);
        if (r || !phase_ok) {
            json_decref(reply);
            ret = internal(c, &e);
        } else {
            ret = ann_reply_json(c, 200, json_pack("{s:o,s:s}", "trials", reply, "phase", rt.phase), NULL);
        }
    } else if (!strcmp(url, "/api/rate") && post) {
        pthread_mutex_lock(&s->mu);
        r = ann_submit_rating(s->db, &s->cfg, se.rater_id, body, &status, &reply, &e);
        pthread_mutex_unlock(&s->mu);
        ret = r ? internal(c, &e) : ann_reply_json(c, (unsigned)status, reply, NULL);
    } else if (!strcmp(url, "/api/headphones")) {
        pthread_mutex_lock(&s->mu);
        if (post) r = ann_headphone_answer(s->db, &s->cfg, se.rater_id, body, &status, &reply, &e);
        else r = ann_headphone_trials(s->db, se.rater_id, &reply, &e);
        pthread_mutex_unlock(&s->mu);
        if (!r && !post) reply = json_pack("{s:o}", "trials", reply);
        ret = r ? internal(c, &e) : ann_reply_json(c, (unsigned)status, reply, NULL);
    } else {
        ret = ann_reply_error(c, 404, "not found");
    }
    json_decref(body);
    return ret;
}
