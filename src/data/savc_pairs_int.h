/*
 * savc_pairs_int.h — internals shared by savc_pairs.c and savc_pairs_io.c.
 */
#ifndef AVMIT_SAVC_PAIRS_INT_H
#define AVMIT_SAVC_PAIRS_INT_H

#include <stddef.h>

#include "avmit/savc_pairs.h"

/* Find or append `tfrecord` (class -1, first seen on `line`): *idx its entry,
 * *added 1 when it was new. */
int savc_videos_add(avmit_savc_videos *v, const char *tfrecord, long line, size_t *idx,
                    int *added, avmit_error *err);

/* avmit_parallel_try (avmit/parallel.h) for an fn without the thread id: runs
 * fn(ctx, i, err) for i in [0, n) on n_threads threads (<= 0: all cores) and
 * returns 0 or the error of the smallest failing i. `path` is unused (kept for
 * the callers). */
typedef int (*savc_item_fn)(void *ctx, size_t i, avmit_error *err);
int savc_parallel_items(int n_threads, size_t n, savc_item_fn fn, void *ctx, const char *path,
                        avmit_error *err);

#endif
