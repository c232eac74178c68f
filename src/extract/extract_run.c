/*
 * extract_run.c — the staged pipeline of `avmit extract` (avmit/extract.h):
 *
 *   jobs --> [front-end workers x J] --q_cnn--> [CNN workers x W] --q_write--> [writer]
 *
 * q_cnn and q_write are bounded FIFOs of items (one video each): a full queue
 * blocks its producer, so the videos in memory are bounded by J + W + 2·queue,
 * whatever the length of the list. Each CNN worker has its own handle on the
 * two networks (avmit_cnn_clone: one copy of the weights) with one thread, and
 * embeds one video's patches and frames per call (batches of at most
 * opts.batch rows): the CNN stage is parallel across videos, not inside a
 * layer, so no worker waits on another at a layer barrier while the front
 * ends hold a core, no row is padding, and a record's numbers are those of
 * `avmit cnn embed` on that video's rows, whichever videos ran beside it.
 * Failed and skipped items pass straight to the writer, which accounts for
 * every video. Each stage adds its busy time (working, not waiting on a
 * queue) to the report.
 */
#if defined(AVMIT_HAVE_FFMPEG) && defined(AVMIT_HAVE_FFTW) && defined(AVMIT_HAVE_DNNL)
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avmit/embedding.h"
#include "avmit/fileio.h"
#include "avmit/logmel.h"
#include "avmit/parallel.h"
#include "core/error_int.h"
#include "extract/extract_int.h"

/* ---- bounded queue ---------------------------------------------------------------- */

typedef struct {
    extract_item **v;
    size_t cap, head, n;
    int producers; /* open producers; 0 and empty = end */
    pthread_mutex_t m;
    pthread_cond_t not_empty, not_full;
} queue;

static int queue_init(queue *q, size_t cap, int producers) {
    memset(q, 0, sizeof *q);
    q->v = calloc(cap, sizeof *q->v);
    q->cap = cap;
    q->producers = producers;
    pthread_mutex_init(&q->m, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    return q->v ? 0 : -1;
}

static void queue_destroy(queue *q) {
    free(q->v);
    pthread_mutex_destroy(&q->m);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
}

static void queue_push(queue *q, extract_item *it) {
    pthread_mutex_lock(&q->m);
    while (q->n == q->cap) pthread_cond_wait(&q->not_full, &q->m);
    q->v[(q->head + q->n++) % q->cap] = it;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->m);
}

static void queue_producer_done(queue *q) {
    pthread_mutex_lock(&q->m);
    q->producers--;
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->m);
}

/* Pop one item; block when `wait`. NULL: the queue is empty and (when
 * waiting) every producer has finished. */
static extract_item *queue_pop(queue *q, int wait) {
    pthread_mutex_lock(&q->m);
    while (wait && q->n == 0 && q->producers > 0) pthread_cond_wait(&q->not_empty, &q->m);
    extract_item *it = NULL;
    if (q->n) {
        it = q->v[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->m);
    return it;
}

/* ---- the run ------------------------------------------------------------------------- */

typedef struct {
    const avmit_extract_jobs *jobs;
    const avmit_extract_opts *o;
    size_t *mine;          /* this shard's job indices */
    size_t n_mine;
    size_t next;           /* next index into mine (under stats) */
    extract_frontend *fe;
    avmit_cnn *net_a, *net_v;
    int dim_a, dim_v;
    queue q_cnn, q_write;
    pthread_mutex_t stats;
    avmit_extract_report *rep;
    double t0, last_progress;
    _Atomic int fatal;     /* a run-stopping error happened (code) */
    avmit_error fatal_err;
} run_ctx;

static void set_fatal(run_ctx *c, const avmit_error *e) {
    pthread_mutex_lock(&c->stats);
    if (!c->fatal) {
        c->fatal = e->code ? e->code : AVMIT_E_IO;
        c->fatal_err = *e;
    }
    pthread_mutex_unlock(&c->stats);
}

static char *out_path(const run_ctx *c, size_t job) {
    return avmit_path_join(c->o->out_dir, c->jobs->v[job].out_rel);
}

/* Resume: a record that reads back with this set's dimensions is done. */
static int output_valid(const run_ctx *c, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    avmit_embedding_opts eo = avmit_embedding_default_opts();
    eo.check_label = 0;
    avmit_embedding e;
    if (avmit_embedding_read_file(&e, path, &eo, NULL)) return 0;
    int ok = e.audio_dim == c->dim_a && e.visual_dim == c->dim_v;
    avmit_embedding_free(&e);
    return ok;
}

static void frontend_worker(void *vctx, size_t item, int tid) {
    (void)item, (void)tid;
    run_ctx *c = vctx;
    double busy[AVMIT_STAGE_COUNT] = {0};
    for (;;) {
        pthread_mutex_lock(&c->stats);
        size_t k = c->fatal ? c->n_mine : c->next;
        if (k < c->n_mine) c->next++;
        for (int s = 0; s < AVMIT_STAGE_COUNT; s++) c->rep->busy_s[s] += busy[s], busy[s] = 0;
        pthread_mutex_unlock(&c->stats);
        if (k >= c->n_mine) break;
        extract_item *it = calloc(1, sizeof *it);
        if (!it) {
            avmit_error e;
            AVMIT_NOMEM(&e, "item");
            set_fatal(c, &e);
            break;
        }
        it->job = c->mine[k];
        char *path = out_path(c, it->job);
        if (c->o->resume && path && output_valid(c, path))
            it->skipped = 1;
        else
            extract_frontend_run(c->fe, c->jobs->v[it->job].video, it, busy);
        free(path);
        queue_push(&c->q_cnn, it);
    }
    queue_producer_done(&c->q_cnn);
}

typedef struct {
    run_ctx *c;
    avmit_cnn *net_a, *net_v; /* this worker's handles */
} cnn_worker;

/* Embed rows of one network into a new [rows, dim] array. */
static int embed_rows(avmit_cnn *net, const float *in, int64_t rows, int dim, float **out,
                      double *busy, avmit_error *e) {
    *out = malloc((size_t)(rows > 0 ? rows : 1) * (size_t)dim * sizeof **out);
    if (!*out) return AVMIT_NOMEM(e, "embeddings");
    double t = extract_now();
    int r = avmit_cnn_embed(net, in, (size_t)rows, *out, e);
    *busy += extract_now() - t;
    return r;
}

static void *cnn_worker_main(void *vw) {
    cnn_worker *w = vw;
    run_ctx *c = w->c;
    extract_item *it;
    while ((it = queue_pop(&c->q_cnn, 1))) {
        if (!c->fatal && it->reason == AVMIT_EXTRACT_OK && !it->skipped) {
            avmit_error e;
            avmit_error_clear(&e);
            double busy[2] = {0, 0};
            int r = embed_rows(w->net_a, it->patches, it->n_patches, c->dim_a, &it->audio_emb,
                               &busy[0], &e);
            if (!r)
                r = embed_rows(w->net_v, it->frames, it->n_frames, c->dim_v, &it->visual_emb,
                               &busy[1], &e);
            /* the inputs are done with: free them before the item waits for the writer */
            free(it->patches), it->patches = NULL;
            free(it->frames), it->frames = NULL;
            if (r) set_fatal(c, &e);
            pthread_mutex_lock(&c->stats);
            c->rep->busy_s[AVMIT_STAGE_CNN_AUDIO] += busy[0];
            c->rep->busy_s[AVMIT_STAGE_CNN_VISUAL] += busy[1];
            pthread_mutex_unlock(&c->stats);
        }
        queue_push(&c->q_write, it);
    }
    queue_producer_done(&c->q_write);
    return NULL;
}

static void progress(run_ctx *c, int last) {
    if (!c->o->progress) return;
    double now = extract_now();
    if (!last && now - c->last_progress < c->o->progress_every_s) return;
    c->last_progress = now;
    avmit_extract_report *r = c->rep;
    pthread_mutex_lock(&c->stats);
    r->wall_s = now - c->t0;
    avmit_extract_progress p = {r->n_written + r->n_skipped + r->n_failed, c->n_mine,
                                r->n_written, r->n_skipped, r->n_failed, now - c->t0, r};
    c->o->progress(c->o->progress_ctx, &p);
    pthread_mutex_unlock(&c->stats);
}

/* Write one item's record (outside the stats lock), then account for it. */
static int write_item(run_ctx *c, extract_item *it, avmit_error *e) {
    const avmit_extract_job *j = &c->jobs->v[it->job];
    avmit_extract_report *r = c->rep;
    int written = 0;
    double t = 0;
    if (!it->skipped && it->reason == AVMIT_EXTRACT_OK && !c->fatal) {
        char *path = out_path(c, it->job);
        avmit_embedding emb = {j->filename, j->label, it->n_patches, it->n_frames,
                               c->dim_a, c->dim_v, it->audio_emb, it->visual_emb};
        t = extract_now();
        int w = path ? avmit_embedding_write_file(&emb, path, e) : AVMIT_NOMEM(e, "path");
        t = extract_now() - t;
        free(path);
        if (w) {
            it->reason = AVMIT_EXTRACT_WRITE_ERROR;
            snprintf(it->detail, sizeof it->detail, "%s", e->msg);
        } else {
            written = 1;
        }
    }
    int rc = 0;
    pthread_mutex_lock(&c->stats);
    r->busy_s[AVMIT_STAGE_WRITE] += t;
    if (it->skipped) {
        r->n_skipped++;
    } else if (it->reason != AVMIT_EXTRACT_OK) {
        r->n_failed++;
        r->n_by_reason[it->reason]++;
        rc = extract_note_push(&r->failed, j->video, j->out_rel, it->reason, it->detail, e);
    } else if (written) {
        r->n_written++;
        r->audio_rows += it->n_patches, r->visual_rows += it->n_frames;
        if (it->no_audio)
            rc = extract_note_push(&r->no_audio, j->video, j->out_rel, AVMIT_EXTRACT_OK, "", e);
        if (!rc && it->silent)
            rc = extract_note_push(&r->silent, j->video, j->out_rel, AVMIT_EXTRACT_OK, "", e);
    } /* else: the run is stopping; this video is neither done nor failed */
    pthread_mutex_unlock(&c->stats);
    return rc;
}

static void *writer_thread(void *vctx) {
    run_ctx *c = vctx;
    extract_item *it;
    while ((it = queue_pop(&c->q_write, 1))) {
        avmit_error e;
        avmit_error_clear(&e);
        int r = write_item(c, it, &e);
        if (r) set_fatal(c, &e);
        extract_item_free(it);
        free(it);
        progress(c, 0);
    }
    return NULL;
}

/* ---- stale temporary files ----------------------------------------------------------- */

static int cmp_cstr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Remove ".<name>.tmp.XXXXXX" files that a killed run left beside this
 * shard's outputs (only for names of this shard's jobs: another rank may be
 * writing its own). Each output directory is listed once. */
static void remove_stale_temps(run_ctx *c) {
    const char **rel = malloc((c->n_mine ? c->n_mine : 1) * sizeof *rel);
    if (!rel) return;
    for (size_t i = 0; i < c->n_mine; i++) rel[i] = c->jobs->v[c->mine[i]].out_rel;
    qsort(rel, c->n_mine, sizeof *rel, cmp_cstr);
    char cand[4096];
    for (size_t i = 0; i < c->n_mine; i++) {
        const char *slash = strrchr(rel[i], '/');
        size_t dlen = slash ? (size_t)(slash - rel[i]) : 0;
        if (i && !strncmp(rel[i - 1], rel[i], dlen) &&
            (strrchr(rel[i - 1], '/') ? (size_t)(strrchr(rel[i - 1], '/') - rel[i - 1]) : 0) ==
                dlen)
            continue; /* same directory as the previous one (sorted) */
        snprintf(cand, sizeof cand, "%.*s", (int)dlen, rel[i]);
        char *dir = avmit_path_join(c->o->out_dir, cand);
        DIR *d = dir ? opendir(dir) : NULL;
        struct dirent *de;
        while (d && (de = readdir(d))) {
            const char *tmp = strstr(de->d_name, ".tmp.");
            if (de->d_name[0] != '.' || !tmp || strlen(tmp) != 11) continue;
            snprintf(cand, sizeof cand, "%.*s%s%.*s", (int)dlen, rel[i], dlen ? "/" : "",
                     (int)(tmp - de->d_name - 1), de->d_name + 1);
            const char *key = cand;
            if (!bsearch(&key, rel, c->n_mine, sizeof *rel, cmp_cstr)) continue;
            char *full = avmit_path_join(dir, de->d_name);
            if (full) unlink(full);
            free(full);
        }
        if (d) closedir(d);
        free(dir);
    }
    free(rel);
}

/* ---- entry point ----------------------------------------------------------------------- */

avmit_extract_opts avmit_extract_default_opts(void) {
    avmit_extract_opts o;
    memset(&o, 0, sizeof o);
    o.set = AVMIT_SET_YAMNET_EFFNET;
    o.n_shards = 1;
    o.resume = 1;
    o.precision = AVMIT_PRECISION_FP32;
    return o;
}

static int load_net(avmit_cnn **net, avmit_cnn_kind kind, const avmit_extract_opts *o,
                    const char *explicit_path, int threads, avmit_error *err) {
    char *path = explicit_path ? strdup(explicit_path)
                 : o->weights_dir ? avmit_path_join(o->weights_dir, avmit_cnn_weights_filename(kind))
                                  : NULL;
    if (!path)
        return explicit_path || o->weights_dir
                   ? AVMIT_NOMEM(err, "path")
                   : AVMIT_ERR(err, AVMIT_E_ARG, NULL, "weights",
                               "no weights for %s: give a weights directory", avmit_cnn_name(kind));
    avmit_cnn_opts co = avmit_cnn_default_opts();
    co.precision = o->precision;
    co.threads = threads;
    co.max_batch = o->batch;
    co.effnet_variant = AVMIT_EFFNET_TF23;
    int r = avmit_cnn_load(net, kind, path, &co, err);
    free(path);
    return r;
}

int avmit_extract_run(const avmit_extract_jobs *jobs, const avmit_extract_opts *opts,
                      avmit_extract_report *report, avmit_error *err) {
    avmit_extract_report_init(report);
    avmit_extract_opts o = *opts;
    int cores = avmit_cpu_count();
    if (o.jobs <= 0) o.jobs = cores / 2 > 1 ? cores / 2 : 1;
    if (o.threads <= 0) o.threads = cores;
    if (o.batch <= 0) o.batch = 32;
    if (o.queue <= 0) o.queue = 2 * o.jobs + 2;
    if (o.n_shards <= 0) o.n_shards = 1;
    if (o.interval_ms <= 0 && avmit_embedding_set_get(o.set))
        o.interval_ms = avmit_network_get(avmit_embedding_set_get(o.set)->visual)->frame_interval_ms;
    const avmit_embedding_set_info *si = avmit_embedding_set_get(o.set);
    AVMIT_RETURN_IF(!si, err, AVMIT_E_ARG, NULL, "embeddings", "unknown embedding set %d",
                    (int)o.set);
    AVMIT_RETURN_IF(!o.out_dir, err, AVMIT_E_ARG, NULL, "out", "no output directory");
    AVMIT_RETURN_IF(o.shard < 0 || o.shard >= o.n_shards, err, AVMIT_E_ARG, NULL, "shard",
                    "shard %d of %d", o.shard, o.n_shards);

    run_ctx c;
    memset(&c, 0, sizeof c);
    c.jobs = jobs;
    c.o = &o;
    c.rep = report;
    c.t0 = extract_now();
    snprintf(report->set, sizeof report->set, "%s", si->name);
    c.mine = malloc((jobs->n ? jobs->n : 1) * sizeof *c.mine);
    if (!c.mine) return AVMIT_NOMEM(err, "job list");
    for (size_t i = 0; i < jobs->n; i++)
        if ((int)(i % (size_t)o.n_shards) == o.shard) c.mine[c.n_mine++] = i;
    report->n_jobs = c.n_mine;
    report->workers[AVMIT_STAGE_AUDIO_FRONT] = report->workers[AVMIT_STAGE_VISUAL_FRONT] = o.jobs;
    /* CNN workers: one thread each, as many as the thread budget (fewer when the
     * list is shorter; then each gets a share of the threads) */
    int W = o.threads;
    if (c.n_mine && (size_t)W > c.n_mine) W = (int)c.n_mine;
    int per = o.threads / W > 0 ? o.threads / W : 1;
    report->workers[AVMIT_STAGE_CNN_AUDIO] = report->workers[AVMIT_STAGE_CNN_VISUAL] = W;
    report->workers[AVMIT_STAGE_WRITE] = 1;
    cnn_worker *wk = calloc((size_t)W, sizeof *wk);
    pthread_t *th = calloc((size_t)W, sizeof *th);
    if (!wk || !th) {
        free(wk), free(th);
        free(c.mine);
        return AVMIT_NOMEM(err, "CNN workers");
    }

    int r = avmit_mkdirs(o.out_dir, err);
    if (!r) r = load_net(&c.net_a, (avmit_cnn_kind)si->audio, &o, o.audio_weights, per, err);
    if (!r) r = load_net(&c.net_v, (avmit_cnn_kind)si->visual, &o, o.visual_weights, per, err);
    if (!r) r = extract_frontend_create(&c.fe, o.set, o.interval_ms, err);
    for (int k = 0; k < W && !r; k++) {
        wk[k].c = &c;
        if (!k) {
            wk[k].net_a = c.net_a, wk[k].net_v = c.net_v;
            continue;
        }
        r = avmit_cnn_clone(&wk[k].net_a, c.net_a, per, err);
        if (!r) r = avmit_cnn_clone(&wk[k].net_v, c.net_v, per, err);
    }
    if (r) goto done;
    const char *why = NULL;
    int bf16 = avmit_cnn_precision(c.net_a, &why) == AVMIT_PRECISION_BF16 &&
               avmit_cnn_precision(c.net_v, &why) == AVMIT_PRECISION_BF16;
    snprintf(report->precision, sizeof report->precision, "%s", bf16 ? "bf16" : "fp32");
    c.dim_a = si->audio_dim;
    c.dim_v = si->visual_dim;
    remove_stale_temps(&c);

    pthread_mutex_init(&c.stats, NULL);
    if (queue_init(&c.q_cnn, (size_t)o.queue, o.jobs) ||
        queue_init(&c.q_write, (size_t)o.queue, W)) {
        r = AVMIT_NOMEM(err, "queues");
        goto threads_done;
    }
    pthread_t th_write;
    if (pthread_create(&th_write, NULL, writer_thread, &c)) {
        r = AVMIT_ERR(err, AVMIT_E_IO, NULL, "threads", "cannot start the writer thread");
        goto threads_done;
    }
    int started = 0;
    while (started < W && !pthread_create(&th[started], NULL, cnn_worker_main, &wk[started]))
        started++;
    if (started < W) { /* the writer waits for the workers that run */
        pthread_mutex_lock(&c.q_write.m);
        c.q_write.producers -= W - started;
        pthread_cond_broadcast(&c.q_write.not_empty);
        pthread_mutex_unlock(&c.q_write.m);
    }
    if (started == W) r = avmit_parallel_for(o.jobs, (size_t)o.jobs, frontend_worker, &c);
    if (started < W || r) { /* no front-end worker ran: close the queue ourselves */
        pthread_mutex_lock(&c.q_cnn.m);
        c.q_cnn.producers = 0;
        pthread_cond_broadcast(&c.q_cnn.not_empty);
        pthread_mutex_unlock(&c.q_cnn.m);
        r = AVMIT_ERR(err, AVMIT_E_IO, NULL, "threads", "cannot start the %s",
                      started < W ? "CNN workers" : "front-end workers");
    }
    for (int k = 0; k < started; k++) pthread_join(th[k], NULL);
    pthread_join(th_write, NULL);
    report->wall_s = extract_now() - c.t0;
    progress(&c, 1);
    if (!r && c.fatal) {
        if (err) *err = c.fatal_err;
        r = c.fatal;
    }
threads_done:
    queue_destroy(&c.q_cnn);
    queue_destroy(&c.q_write);
    pthread_mutex_destroy(&c.stats);
done:
    extract_frontend_free(c.fe);
    for (int k = 1; k < W; k++) avmit_cnn_free(wk[k].net_a), avmit_cnn_free(wk[k].net_v);
    avmit_cnn_free(c.net_a);
    avmit_cnn_free(c.net_v);
    free(wk);
    free(th);
    free(c.mine);
    report->wall_s = extract_now() - c.t0;
    return r;
}
#endif
