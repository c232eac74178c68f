/* rng.c — xoshiro256** seeded by splitmix64 (include/avmit/rng.h). */
#include "avmit/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void avmit_rng_seed(avmit_rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    /* Mix the stream in twice so nearby (seed, stream) pairs decorrelate. */
    x = splitmix64(&x) ^ stream;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t avmit_rng_u64(avmit_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double avmit_rng_uniform(avmit_rng *r) { return (double)(avmit_rng_u64(r) >> 11) * 0x1.0p-53; }

float avmit_rng_uniformf(avmit_rng *r) { return (float)(avmit_rng_u64(r) >> 40) * 0x1.0p-24f; }

uint64_t avmit_rng_below(avmit_rng *r, uint64_t n) {
    /* Rejection sampling: the threshold is 2^64 mod n. */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = avmit_rng_u64(r);
        if (x >= threshold) return x % n;
    }
}

double avmit_rng_normal(avmit_rng *r) {
    double u1 = avmit_rng_uniform(r);
    double u2 = avmit_rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

void avmit_rng_shuffle_u32(avmit_rng *r, uint32_t *idx, size_t n) {
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)avmit_rng_below(r, (uint64_t)i);
        uint32_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

uint64_t avmit_hash64(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return splitmix64(&h);
}
