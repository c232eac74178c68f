/*
 * annotate/server.c — the rating app's HTTP daemon (avmit_annotate_serve, issue 15 items 1,
 * 7): libmicrohttpd with an internal thread pool, one SQLite connection under a mutex,
 * sessions from HttpOnly SameSite=Strict cookies, request size and rate limits, the pages
 * compiled in from web/, and video files served only for trials the caller holds, with
 * HTTP Range.
 *
 * Routes (server_api.c has the /api/ routes):
 *   GET /                 the rater's page        GET /admin        the dashboard
 *   GET /static/NAME      compiled-in assets      GET /video/TRIAL  a held clip (Range)
 *   GET /hp/TRIAL.wav     a headphone-check stimulus (generated)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "annotate/server_int.h"
#include "core/error_int.h"

void ann_secure_headers(struct MHD_Response *r, int no_store) {
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; media-src 'self' blob:; img-src 'self' data:;"
                            " frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    if (no_store) MHD_add_response_header(r, "Cache-Control", "no-store");
}

enum MHD_Result ann_reply_json(struct MHD_Connection *c, unsigned status, json_t *doc,
                               const char *cookie) {
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) {
        text = strdup("{\"error\":\"internal error\"}");
        status = 500;
        if (!text) return MHD_NO;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    ann_secure_headers(r, 1);
    if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result ann_reply_error(struct MHD_Connection *c, unsigned status, const char *msg) {
    return ann_reply_json(c, status, json_pack("{s:s}", "error", msg), NULL);
}

int ann_rate_ok(ann_server *s, unsigned long long key, double rate, double burst) {
    if (!key) key = 1;
    double now = ann_now();
    pthread_mutex_lock(&s->rl_mu);
    ann_bucket *b = &s->buckets[(key * 0x9e3779b97f4a7c15ull) >> 52 & (ANN_BUCKETS - 1)];
    if (b->key != key) { /* a new key (or a collision: the newcomer takes the slot) */
        b->key = key;
        b->tokens = burst;
        b->last = now;
    }
    b->tokens += (now - b->last) * rate;
    if (b->tokens > burst) b->tokens = burst;
    b->last = now;
    int ok = b->tokens >= 1;
    if (ok) b->tokens -= 1;
    pthread_mutex_unlock(&s->rl_mu);
    return ok;
}

int ann_session_get(ann_server *s, struct MHD_Connection *c, ann_session *out) {
    const char *ck = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "avmit_session");
    memset(out, 0, sizeof *out);
    if (!ck) return -1;
    char *dot = NULL;
    long id = strtol(ck, &dot, 10);
    if (id <= 0 || !dot || *dot != '.' || strlen(dot + 1) != ANN_SECRET_HEX) return -1;
    int ok = 0;
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(s->db, "SELECT secret, csrf, rater_id FROM sessions WHERE id=? AND"
                              " expires>?", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_double(st, 2, ann_now());
    if (sqlite3_step(st) == SQLITE_ROW &&
        ann_ct_equal((const char *)sqlite3_column_text(st, 0), dot + 1)) {
        ok = 1;
        out->id = id;
        snprintf(out->csrf, sizeof out->csrf, "%s", (const char *)sqlite3_column_text(st, 1));
        out->admin = sqlite3_column_type(st, 2) == SQLITE_NULL;
        out->rater_id = out->admin ? 0 : (long)sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : -1;
}

static enum MHD_Result reply_asset(struct MHD_Connection *c, const char *name) {
    const ann_asset *a = ann_asset_find(name);
    if (!a) return ann_reply_error(c, MHD_HTTP_NOT_FOUND, "not found");
    struct MHD_Response *r = MHD_create_response_from_buffer(a->size, (void *)a->data,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", a->mime);
    ann_secure_headers(r, 1);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* Is `tok` 32 lowercase hex digits (a trial token)? */
static int is_token(const char *tok, size_t n) {
    if (n != ANN_SECRET_HEX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((tok[i] >= '0' && tok[i] <= '9') || (tok[i] >= 'a' && tok[i] <= 'f'))) return 0;
    return 1;
}

/* Parse "bytes=a-b" | "bytes=a-" | "bytes=-n" against size; 0 ok, -1 unsatisfiable,
 * 1 ignore (not a single byte range). */
static int parse_range(const char *h, off_t size, off_t *from, off_t *to) {
    if (strncmp(h, "bytes=", 6) || strchr(h, ',')) return 1;
    const char *p = h + 6;
    char *end;
    errno = 0;
    if (*p == '-') {
        long long n = strtoll(p + 1, &end, 10);
        if (errno || *end || n <= 0 || p[1] < '0' || p[1] > '9') return -1;
        *from = n >= size ? 0 : size - n;
        *to = size - 1;
    } else {
        if (*p < '0' || *p > '9') return -1;
        long long a = strtoll(p, &end, 10);
        if (errno || *end != '-') return -1;
        const char *q = end + 1;
        long long b = size - 1;
        if (*q) {
            if (*q < '0' || *q > '9') return -1;
            b = strtoll(q, &end, 10);
            if (errno || *end) return -1;
        }
        if (b >= size) b = size - 1;
        if (a > b || a >= size) return -1;
        *from = a;
        *to = b;
    }
    return size > 0 ? 0 : -1;
}

static enum MHD_Result reply_video(ann_server *s, struct MHD_Connection *c, const char *tok) {
    ann_session se;
    if (ann_session_get(s, c, &se) || se.admin) return ann_reply_error(c, 401, "log in first");
    if (!is_token(tok, strlen(tok))) return ann_reply_error(c, 404, "not found");
    char rel[1024] = "";
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(s->db, "SELECT v.filename FROM trials t JOIN videos v ON v.id=t.video_id"
                              " WHERE t.token=? AND t.rater_id=? AND t.state='leased'", -1, &st, NULL);
    sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, se.rater_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(rel, sizeof rel, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    /* only queued files (validated at init: relative, no "..") of trials this rater holds */
    if (!*rel) return ann_reply_error(c, 404, "not found");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", s->opts->videos_dir, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        if (fd >= 0) close(fd);
        return ann_reply_error(c, 404, "video file missing");
    }
    off_t from = 0, to = sb.st_size - 1;
    unsigned status = MHD_HTTP_OK;
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
    if (range) {
        int pr = parse_range(range, sb.st_size, &from, &to);
        if (pr < 0) {
            close(fd);
            struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
            char cr[64];
            snprintf(cr, sizeof cr, "bytes */%lld", (long long)sb.st_size);
            MHD_add_response_header(r, "Content-Range", cr);
            ann_secure_headers(r, 1);
            enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r);
            MHD_destroy_response(r);
            return ret;
        }
        if (pr == 0) status = MHD_HTTP_PARTIAL_CONTENT;
        else from = 0, to = sb.st_size - 1;
    }
    struct MHD_Response *r =
        MHD_create_response_from_fd_at_offset64((uint64_t)(to - from + 1), fd, (uint64_t)from);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "video/mp4");
    MHD_add_response_header(r, "Accept-Ranges", "bytes");
    if (status == MHD_HTTP_PARTIAL_CONTENT) {
        char cr[96];
        snprintf(cr, sizeof cr, "bytes %lld-%lld/%lld", (long long)from, (long long)to,
                 (long long)sb.st_size);
        MHD_add_response_header(r, "Content-Range", cr);
    }
    ann_secure_headers(r, 1);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_hp(ann_server *s, struct MHD_Connection *c, const char *name) {
    ann_session se;
    if (ann_session_get(s, c, &se) || se.admin) return ann_reply_error(c, 401, "log in first");
    size_t n = strlen(name);
    if (n != ANN_SECRET_HEX + 4 || strcmp(name + ANN_SECRET_HEX, ".wav") || !is_token(name, ANN_SECRET_HEX))
        return ann_reply_error(c, 404, "not found");
    char tok[ANN_SECRET_HEX + 1];
    memcpy(tok, name, ANN_SECRET_HEX);
    tok[ANN_SECRET_HEX] = 0;
    int kind = -1, answer = 0;
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(s->db, "SELECT kind, answer FROM hp_trials WHERE token=? AND rater_id=?",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, se.rater_id);
    if (sqlite3_step(st) == SQLITE_ROW) kind = sqlite3_column_int(st, 0), answer = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    if (kind < 0) return ann_reply_error(c, 404, "not found");
    unsigned char *wav = NULL;
    size_t size = 0;
    /* the seed is the token's first 16 hex digits: the same trial sounds the same */
    char head[17];
    memcpy(head, tok, 16);
    head[16] = 0;
    if (avmit_annotate_headphone_wav(kind, answer, strtoull(head, NULL, 16), &wav, &size, NULL))
        return ann_reply_error(c, 500, "stimulus");
    struct MHD_Response *r = MHD_create_response_from_buffer(size, wav, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(wav);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "audio/wav");
    ann_secure_headers(r, 1);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static unsigned long long client_key(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    unsigned long long k = 0x1234567ull;
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        const unsigned char *p = NULL;
        size_t n = 0;
        if (sa->sa_family == AF_INET) p = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr, n = 4;
        if (sa->sa_family == AF_INET6) p = (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr, n = 16;
        for (size_t i = 0; i < n; i++) k = (k ^ p[i]) * 0x100000001b3ull;
    }
    return k | 1ull << 63; /* IP keys never equal session keys (those are < 2^63) */
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls) {
    (void)version;
    ann_server *s = cls;
    ann_req *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req) return MHD_NO;
        *con_cls = req;
        /* refuse a declared oversize body before reading it */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->opts->max_body) {
            req->too_big = 1; /* answered before the body is read; MHD then closes */
            return ann_reply_error(c, 413, "request body too large");
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!req->too_big && req->len + *upload_size <= s->opts->max_body) {
            char *b = realloc(req->body, req->len + *upload_size + 1);
            if (!b) return MHD_NO;
            memcpy(b + req->len, upload, *upload_size);
            req->body = b;
            req->len += *upload_size;
            b[req->len] = 0;
        } else {
            req->too_big = 1;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->too_big) return ann_reply_error(c, 413, "request body too large");
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    int post = !strcmp(method, "POST");
    if (!get && !post) return ann_reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
    /* rate limit: per session when there is a cookie, per client address otherwise */
    ann_session se;
    unsigned long long key = ann_session_get(s, c, &se) ? client_key(c) : (unsigned long long)se.id;
    if (!ann_rate_ok(s, key, s->opts->rate_per_s, s->opts->rate_burst))
        return ann_reply_error(c, MHD_HTTP_TOO_MANY_REQUESTS, "too many requests");
    if (!strncmp(url, "/api/", 5)) return ann_api(s, c, method, url, req);
    if (!get) return ann_reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
    if (!strcmp(url, "/")) return reply_asset(c, "index.html");
    if (!strcmp(url, "/admin")) return reply_asset(c, "admin.html");
    if (!strncmp(url, "/static/", 8)) return reply_asset(c, url + 8);
    if (!strncmp(url, "/video/", 7)) return reply_video(s, c, url + 7);
    if (!strncmp(url, "/hp/", 4)) return reply_hp(s, c, url + 4);
    return ann_reply_error(c, MHD_HTTP_NOT_FOUND, "not found");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)c, (void)toe;
    ann_req *req = *con_cls;
    if (req) {
        free(req->body);
        free(req);
        *con_cls = NULL;
    }
}

/* Every queued file must exist before the first rater arrives. */
static int check_videos(ann_server *s, avmit_error *err) {
    sqlite3_stmt *st = NULL;
    int r = 0;
    sqlite3_prepare_v2(s->db, "SELECT filename, line FROM videos ORDER BY id", -1, &st, NULL);
    while (!r && sqlite3_step(st) == SQLITE_ROW) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", s->opts->videos_dir, (const char *)sqlite3_column_text(st, 0));
        if (lstat(path, &sb) || !S_ISREG(sb.st_mode))
            r = AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, "filename",
                          "queued video (queue line %d) is missing or not a regular file",
                          sqlite3_column_int(st, 1));
    }
    sqlite3_finalize(st);
    return r;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, avmit_error *err) {
    char host[64];
    const char *colon = strrchr(listen, ':');
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "listen", "'%s' is not ADDR:PORT", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || !colon[1] || inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "listen", "'%s' is not IPv4-ADDR:PORT", listen);
    sa->sin_port = htons((uint16_t)port);
    return 0;
}

int avmit_annotate_serve(const avmit_annotate_serve_opts *in, avmit_error *err) {
    avmit_annotate_serve_opts o = *in;
    if (!o.listen) o.listen = "127.0.0.1:8080";
    if (o.threads <= 0) o.threads = 4;
    if (o.rate_per_s <= 0) o.rate_per_s = 50;
    if (o.rate_burst <= 0) o.rate_burst = 100;
    if (!o.max_body) o.max_body = 4096;
    AVMIT_RETURN_IF(!o.db_path || !o.videos_dir || !o.stop, err, AVMIT_E_ARG, NULL, "",
                    "serve needs a database, a videos folder and a stop flag");
    struct sockaddr_in sa;
    int r = parse_listen(o.listen, &sa, err);
    if (r) return r;
    ann_server *s = calloc(1, sizeof *s);
    if (!s) return AVMIT_NOMEM(err, "server");
    s->opts = &o;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->rl_mu, NULL);
    r = ann_db_open(o.db_path, 0, &s->db, err);
    if (!r) r = ann_load_config(s->db, &s->cfg, err);
    if (!r && ann_meta_get(s->db, "admin_secret", s->admin_secret, sizeof s->admin_secret))
        r = AVMIT_ERR(err, AVMIT_E_FORMAT, o.db_path, "admin_secret", "no experimenter token");
    if (!r) r = check_videos(s, err);
    struct MHD_Daemon *d = NULL;
    if (!r) {
        d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
                             handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                             MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o.threads,
                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
        if (!d) r = AVMIT_ERR(err, AVMIT_E_IO, NULL, "listen", "cannot listen on %s: %s", o.listen,
                              strerror(errno));
    }
    if (!r) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
        struct sockaddr_in bound;
        socklen_t bl = sizeof bound;
        int port = ntohs(sa.sin_port);
        if (di && !getsockname(di->listen_fd, (struct sockaddr *)&bound, &bl)) port = ntohs(bound.sin_port);
        if (o.on_listen) o.on_listen(o.ctx, port);
        struct timespec ts = {0, 100 * 1000 * 1000};
        while (!*o.stop) nanosleep(&ts, NULL);
        MHD_stop_daemon(d);
    }
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->rl_mu);
    free(s);
    return r;
}
