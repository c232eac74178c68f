/* parallel.c — parallel-for over pthreads (include/avmit/parallel.h). */
#include "avmit/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "avmit/error.h"

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
