/* parallel.c — parallel-for over pthreads (include/avmit/parallel.h). */
#include "avmit/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "avmit/error.h"
#include "core/error_int.h"

int avmit_cpu_count(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

typedef struct {
    avmit_parallel_fn fn;
    void *ctx;
    size_t n_items;
    atomic_size_t next;
} pf_shared;

typedef struct {
    pf_shared *sh;
    int tid;
} pf_worker;

static void *pf_run(void *arg) {
    pf_worker *w = arg;
    pf_shared *sh = w->sh;
    for (;;) {
        size_t i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->n_items) break;
        sh->fn(sh->ctx, i, w->tid);
    }
    return NULL;
}

int avmit_parallel_for(int n_threads, size_t n_items, avmit_parallel_fn fn, void *ctx) {
    if (n_threads <= 0) n_threads = avmit_cpu_count();
    if ((size_t)n_threads > n_items) n_threads = n_items ? (int)n_items : 1;
    pf_shared sh = {.fn = fn, .ctx = ctx, .n_items = n_items};
    atomic_init(&sh.next, 0);
    if (n_threads == 1) {
        pf_worker w = {&sh, 0};
        pf_run(&w);
        return 0;
    }
    pthread_t *th = calloc((size_t)n_threads, sizeof *th);
    pf_worker *ws = calloc((size_t)n_threads, sizeof *ws);
    if (!th || !ws) {
        free(th);
        free(ws);
        return AVMIT_E_NOMEM;
    }
    int started = 0;
    for (int t = 1; t < n_threads; t++) {
        ws[t] = (pf_worker){&sh, t};
        if (pthread_create(&th[t], NULL, pf_run, &ws[t]) != 0) break;
        started++;
    }
    ws[0] = (pf_worker){&sh, 0};
    pf_run(&ws[0]); /* the calling thread works too; it finishes whatever is left */
    for (int t = 1; t <= started; t++) pthread_join(th[t], NULL);
    free(th);
    free(ws);
    return 0;
}

/* ---- avmit_parallel_try ------------------------------------------------------------ */

typedef struct {
    avmit_parallel_try_fn fn;
    void *ctx;
    atomic_size_t lowest; /* lowest failing item so far, SIZE_MAX = none */
    avmit_error *errs;    /* [n_threads] the error of each thread's lowest failing item */
    size_t *err_item;     /* [n_threads] that item, SIZE_MAX = none */
} try_ctx;

static void try_one(void *vctx, size_t i, int tid) {
    try_ctx *c = vctx;
    if (i > atomic_load(&c->lowest)) return; /* a lower item failed: this one cannot matter */
    avmit_error e;
    avmit_error_clear(&e);
    int rc = c->fn(c->ctx, i, tid, &e);
    if (!rc) return;
    if (!e.code) e.code = rc;
    if (i < c->err_item[tid]) {
        c->err_item[tid] = i;
        c->errs[tid] = e;
    }
    size_t cur = atomic_load(&c->lowest);
    while (i < cur && !atomic_compare_exchange_weak(&c->lowest, &cur, i)) {
    }
}

int avmit_parallel_try(int n_threads, size_t n_items, avmit_parallel_try_fn fn, void *ctx,
                       avmit_error *err) {
    if (n_threads <= 0) n_threads = avmit_cpu_count();
    try_ctx c;
    c.fn = fn;
    c.ctx = ctx;
    c.errs = calloc((size_t)n_threads, sizeof(avmit_error));
    c.err_item = malloc((size_t)n_threads * sizeof(size_t));
    int rc = 0;
    if (!c.errs || !c.err_item) {
        rc = AVMIT_NOMEM(err, "per-thread errors");
        goto done;
    }
    atomic_init(&c.lowest, SIZE_MAX);
    for (int t = 0; t < n_threads; t++) c.err_item[t] = SIZE_MAX;
    if ((rc = avmit_parallel_for(n_threads, n_items, try_one, &c))) {
        rc = AVMIT_ERR(err, rc, NULL, "", "cannot start %d threads", n_threads);
        goto done;
    }
    size_t lowest = atomic_load(&c.lowest);
    for (int t = 0; t < n_threads && lowest != SIZE_MAX; t++)
        if (c.err_item[t] == lowest) {
            if (err) *err = c.errs[t];
            rc = c.errs[t].code;
            break;
        }
done:
    free(c.errs);
    free(c.err_item);
    return rc;
}
