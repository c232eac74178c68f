/*
 * nn_util.c — OpenBLAS thread control and fp16 conversions for the nn core.
 */
#include <cblas.h>
#include <stdint.h>
#include <string.h>

#include "avmit/nn.h"
#include "avmit/parallel.h"

void avmit_nn_set_threads(int n) { openblas_set_num_threads(n > 0 ? n : avmit_cpu_count()); }

int avmit_nn_get_threads(void) { return openblas_get_num_threads(); }

/* OpenBLAS >= 0.3.27 has a count for the calling thread; Debian bookworm's
 * 0.3.21 does not. The weak reference is NULL when the loaded libopenblas
 * lacks it (no link-time dependency on the newer version). */
extern int openblas_set_num_threads_local(int num_threads) __attribute__((weak));

int avmit_nn_thread_budget(int n) {
    if (!openblas_set_num_threads_local) return 0;
    return openblas_set_num_threads_local(n > 0 ? n : avmit_cpu_count());
}

unsigned short avmit_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t exp = (x >> 23) & 0xffu, man = x & 0x7fffffu;
    if (exp == 0xff) return (unsigned short)(sign | 0x7c00u | (man ? 0x200u : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (unsigned short)(sign | 0x7c00u); /* overflow -> inf */
    if (e <= 0) {                                         /* subnormal or zero */
        if (e < -10) return (unsigned short)sign;
        man |= 0x800000u;
        int shift = 14 - e;
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1u))) half++;
        return (unsigned short)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) half++; /* may carry into exp: fine */
    return (unsigned short)(sign | half);
}

float avmit_f16_to_f32(unsigned short h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, x;
    if (exp == 0) {
        if (!man) {
            x = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while (!(man & 0x400u));
            x = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        x = sign | 0x7f800000u | (man << 13);
    } else {
        x = sign | ((exp - 15 + 127) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}
