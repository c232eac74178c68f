/*
 * avmit/rng.h — deterministic random numbers: xoshiro256** seeded through
 * splitmix64. State is a value the caller owns (no global state), so results
 * depend only on the seed and on how the caller derives streams.
 *
 * Derive independent streams with avmit_rng_seed(seed, stream): e.g. the
 * stream for a video is avmit_hash64(filename), so synthetic data do not depend
 * on file order or thread count.
 *
 * Thread-safety: an avmit_rng belongs to one thread.
 */
#ifndef AVMIT_RNG_H
#define AVMIT_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_rng {
    uint64_t s[4];
} avmit_rng;

/* Seed from (seed, stream); distinct streams give independent sequences. */
void avmit_rng_seed(avmit_rng *r, uint64_t seed, uint64_t stream);

/* Next 64 random bits. */
uint64_t avmit_rng_u64(avmit_rng *r);

/* Uniform in [0, 1) with 53 bits (double) or 24 bits (float). */
double avmit_rng_uniform(avmit_rng *r);
float avmit_rng_uniformf(avmit_rng *r);

/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t avmit_rng_below(avmit_rng *r, uint64_t n);

/* Standard normal (Box-Muller, no cached second value so state stays a value). */
double avmit_rng_normal(avmit_rng *r);

/* Fisher-Yates shuffle of n indices. */
void avmit_rng_shuffle_u32(avmit_rng *r, uint32_t *idx, size_t n);

/* 64-bit FNV-1a of a NUL-terminated string, finalised with splitmix64. */
uint64_t avmit_hash64(const char *s);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_RNG_H */
