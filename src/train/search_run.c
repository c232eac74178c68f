/*
 * search_run.c — the in-process scheduler (avmit_search_run): n_jobs worker
 * threads take pending trials in order (avmit_parallel_for's atomic counter),
 * each trial trains with n_threads of its own, and finished trials are added
 * to the log one at a time under a mutex, so trials.csv is rewritten after
 * every trial. Which worker runs a trial never changes what it computes.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/parallel.h"
#include "avmit/search.h"

typedef struct {
    const avmit_search_opts *opts;
    avmit_search_log *log;
    const avmit_search_key *keys;
    size_t done, total;
    pthread_mutex_t lock;
    int stop;          /* set on the first error or abort; no new trial starts */
    int code;          /* first error */
    avmit_error first; /* its message */
} run_ctx;

static void fail(run_ctx *c, int code, const avmit_error *e) {
    if (!c->code) {
        c->code = code;
        c->first = *e;
    }
    c->stop = 1;
}

static void run_one(void *vctx, size_t item, int tid) {
    (void)tid;
    run_ctx *c = vctx;
    const avmit_search_opts *o = c->opts;
    pthread_mutex_lock(&c->lock);
    int stop = c->stop;
    if (!stop && o->should_abort && o->should_abort(o->abort_ctx)) {
        avmit_error e;
        avmit_error_set(&e, AVMIT_E_CANCELLED, NULL, -1, -1, -1, "", "search cancelled");
        fail(c, AVMIT_E_CANCELLED, &e);
        stop = 1;
    }
    pthread_mutex_unlock(&c->lock);
    if (stop) return;

    avmit_search_row row;
    avmit_error e;
    avmit_error_clear(&e);
    int r = avmit_search_run_trial(o, c->keys[item], o->n_threads, &row, &e);
    pthread_mutex_lock(&c->lock);
    if (!r) r = avmit_search_log_add(c->log, &row, &e);
    if (r) {
        fail(c, r, &e);
    } else {
        c->done++;
        if (o->progress) o->progress(o->progress_ctx, &row.cfg, &row.m, c->done, c->total);
    }
    pthread_mutex_unlock(&c->lock);
}

int avmit_search_run(const avmit_search_opts *opts, avmit_search_log *log, avmit_error *err) {
    int r = avmit_search_space_check(&opts->space, err);
    if (r) return r;
    if (opts->n_jobs < 1 || opts->n_threads < 1 || opts->max_epochs < 1 || opts->patience < 0)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "jobs",
                               "jobs %d, threads %d, max epochs %d, patience %d: expected jobs, "
                               "threads and epochs >= 1, patience >= 0",
                               opts->n_jobs, opts->n_threads, opts->max_epochs, opts->patience);
    if ((r = avmit_search_log_check(log, opts, err))) return r;
    avmit_search_key *keys;
    size_t n;
    if ((r = avmit_search_pending(log, opts, &keys, &n, err))) return r;
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.opts = opts;
    c.log = log;
    c.keys = keys;
    c.total = (size_t)opts->n_trials * opts->n_rnn;
    c.done = c.total - n;
    pthread_mutex_init(&c.lock, NULL);
    int jobs = (size_t)opts->n_jobs < n ? opts->n_jobs : (int)(n ? n : 1);
    r = n ? avmit_parallel_for(jobs, n, run_one, &c) : 0;
    pthread_mutex_destroy(&c.lock);
    free(keys);
    if (r) return avmit_error_set(err, r, NULL, -1, -1, -1, "jobs", "cannot start %d threads",
                                  jobs);
    if (c.code) {
        if (err) *err = c.first;
        return c.code;
    }
    return 0;
}
