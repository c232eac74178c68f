/*
 * avmit/parallel.h — a minimal parallel-for over pthreads.
 *
 * Items are handed out in order through an atomic counter; fn(ctx, i, tid)
 * is called once for each i in [0, n_items) on one of n_threads threads
 * (tid in [0, n_threads)). Work that must be deterministic must not depend
 * on which thread ran an item.
 *
 * avmit_parallel_try is the same for work that can fail: it reports the error
 * of the lowest failing item, so the outcome does not depend on the thread count.
 *
 * Thread-safety: reentrant; fn must be safe to call concurrently.
 */
#ifndef AVMIT_PARALLEL_H
#define AVMIT_PARALLEL_H

#include <stddef.h>

#include "avmit/error.h"

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

/*
 * Work that can fail: fn(ctx, item, tid, err) returns 0, or a negative AVMIT_E_*
 * with err filled. Returns 0 when every item succeeded; otherwise the code, and in
 * *err the error, of the LOWEST failing item, whatever n_threads is (deterministic).
 * Once an item has failed, items above it are skipped (fn is not called for them);
 * every item below the lowest failure runs. Threads that cannot be started give
 * AVMIT_E_NOMEM / AVMIT_E_IO ("cannot start N threads") before any item runs.
 */
typedef int (*avmit_parallel_try_fn)(void *ctx, size_t item, int tid, avmit_error *err);
int avmit_parallel_try(int n_threads, size_t n_items, avmit_parallel_try_fn fn, void *ctx,
                       avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_PARALLEL_H */
