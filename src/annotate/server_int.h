/*
 * annotate/server_int.h — the HTTP layer of the rating app shared by server.c (daemon,
 * sessions, limits, static files, video) and server_api.c (the JSON API).
 */
#ifndef AVMIT_ANNOTATE_SERVER_INT_H
#define AVMIT_ANNOTATE_SERVER_INT_H

#include <microhttpd.h>
#include <pthread.h>

#include "annotate/annotate_int.h"

#define ANN_BUCKETS 4096

typedef struct ann_bucket {
    unsigned long long key; /* 0 = empty */
    double tokens, last;
} ann_bucket;

typedef struct ann_server {
    sqlite3 *db;
    pthread_mutex_t mu;        /* guards db */
    avmit_annotate_config cfg;
    const avmit_annotate_serve_opts *opts;
    char admin_secret[ANN_SECRET_HEX + 1];
    pthread_mutex_t rl_mu;     /* guards buckets */
    ann_bucket buckets[ANN_BUCKETS];
} ann_server;

/* One request being read (the access handler's *con_cls). */
typedef struct ann_req {
    char *body;
    size_t len;
    int too_big;
} ann_req;

/* The authenticated caller: rater_id > 0, or admin, or nobody. */
typedef struct ann_session {
    long id;
    long rater_id; /* 0 for the experimenter */
    int admin;
    char csrf[ANN_SECRET_HEX + 1];
} ann_session;

/* Queue a JSON reply (steals doc); extra Set-Cookie header when cookie != NULL. */
enum MHD_Result ann_reply_json(struct MHD_Connection *c, unsigned status, json_t *doc,
                               const char *cookie);
/* Queue {"error": msg}. */
enum MHD_Result ann_reply_error(struct MHD_Connection *c, unsigned status, const char *msg);
/* Security headers on every response. */
void ann_secure_headers(struct MHD_Response *r, int no_store);
/* Session from the avmit_session cookie; 0 when valid. */
int ann_session_get(ann_server *s, struct MHD_Connection *c, ann_session *out);
/* Token-bucket limit on key; 1 when the request may go on. */
int ann_rate_ok(ann_server *s, unsigned long long key, double rate, double burst);

/* The API (server_api.c): url starts with /api/. */
enum MHD_Result ann_api(ann_server *s, struct MHD_Connection *c, const char *method,
                        const char *url, ann_req *req);

#endif
