/*
 * strmap_int.h — a string -> size_t hash map (open addressing, linear
 * probing) used by the data modules to find videos by filename or
 * tfrecord name. Keys are borrowed: they must outlive the map.
 * Thread-safety: one map per thread.
 */
#ifndef AVMIT_STRMAP_INT_H
#define AVMIT_STRMAP_INT_H

#include <stddef.h>

typedef struct avmit_strmap {
    const char **keys; /* [cap], NULL = empty slot */
    size_t *vals;      /* [cap] */
    size_t n, cap;
} avmit_strmap;

/* Reserve room for `n_hint` keys; 0 or AVMIT_E_NOMEM. */
int avmit_strmap_init(avmit_strmap *m, size_t n_hint);
/* Insert key -> val if absent: returns 1 and sets *old to the stored value
 * when the key was present (nothing changed), 0 when inserted, AVMIT_E_NOMEM. */
int avmit_strmap_put(avmit_strmap *m, const char *key, size_t val, size_t *old);
/* 1 and *val when found, else 0. */
int avmit_strmap_get(const avmit_strmap *m, const char *key, size_t *val);
void avmit_strmap_free(avmit_strmap *m);

#endif
