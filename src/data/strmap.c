/* strmap.c — see strmap_int.h. */
#include "data/strmap_int.h"

#include <stdlib.h>
#include <string.h>

#include "avmit/error.h"
#include "avmit/rng.h"

int avmit_strmap_init(avmit_strmap *m, size_t n_hint) {
    memset(m, 0, sizeof *m);
    size_t cap = 16;
    while (cap < 2 * n_hint + 16) cap *= 2;
    m->keys = calloc(cap, sizeof *m->keys);
    m->vals = calloc(cap, sizeof *m->vals);
    if (!m->keys || !m->vals) {
        avmit_strmap_free(m);
        return AVMIT_E_NOMEM;
    }
    m->cap = cap;
    return 0;
}

static size_t slot_of(const avmit_strmap *m, const char *key) {
    size_t i = (size_t)avmit_hash64(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key)) i = (i + 1) & (m->cap - 1);
    return i;
}

static int grow(avmit_strmap *m) {
    avmit_strmap g;
    if (avmit_strmap_init(&g, m->cap)) return AVMIT_E_NOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t s = slot_of(&g, m->keys[i]);
            g.keys[s] = m->keys[i];
            g.vals[s] = m->vals[i];
            g.n++;
        }
    avmit_strmap_free(m);
    *m = g;
    return 0;
}

int avmit_strmap_put(avmit_strmap *m, const char *key, size_t val, size_t *old) {
    if (2 * (m->n + 1) > m->cap && grow(m)) return AVMIT_E_NOMEM;
    size_t s = slot_of(m, key);
    if (m->keys[s]) {
        if (old) *old = m->vals[s];
        return 1;
    }
    m->keys[s] = key;
    m->vals[s] = val;
    m->n++;
    return 0;
}

int avmit_strmap_get(const avmit_strmap *m, const char *key, size_t *val) {
    if (!m->cap) return 0;
    size_t s = slot_of(m, key);
    if (!m->keys[s]) return 0;
    if (val) *val = m->vals[s];
    return 1;
}

void avmit_strmap_free(avmit_strmap *m) {
    if (!m) return;
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
