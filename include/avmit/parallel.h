/*
 * avmit/parallel.h — a minimal parallel-for over pthreads.
 *
 * Items are handed out in order through an atomic counter; fn(ctx, i, tid)
 * is called once for each i in [0, n_items) on one of n_threads threads
 * (tid in [0, n_threads)). Work that must be deterministic must not depend
 * on which thread ran an item.
 *
 * Thread-safety: reentrant; fn must be safe to call concurrently.
 */
#ifndef AVMIT_PARALLEL_H
#define AVMIT_PARALLEL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Number of online CPUs (>= 1). */
int avmit_cpu_count(void);

typedef void (*avmit_parallel_fn)(void *ctx, size_t item, int tid);

/* Run fn over [0, n_items) on n_threads threads (<= 0 means all cores).
 * Returns 0, or AVMIT_E_NOMEM / AVMIT_E_IO when threads cannot be started
 * (then nothing has run). */
int avmit_parallel_for(int n_threads, size_t n_items, avmit_parallel_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_PARALLEL_H */
