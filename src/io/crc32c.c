/*
 * crc32c.c — CRC-32C (Castagnoli) and TensorFlow's CRC mask (FORMATS.md §1.2).
 *
 * Reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF. Two
 * implementations giving identical results:
 *   - x86-64 with SSE4.2: the `crc32` instruction, 8 bytes per step, chosen
 *     at run time through cpuid (__builtin_cpu_supports);
 *   - everywhere else: table-driven slicing-by-8.
 * The 8x256 table is a constant computed once (pthread_once); no other state.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "avmit/tfrecord.h"
#include "io/tfrecord_int.h"

#define CRC32C_POLY 0x82F63B78u   /* reflected Castagnoli polynomial, FORMATS.md §1.2 */
#define CRC32C_MASK_DELTA 0xA282EAD8u /* kMaskDelta of tsl/lib/hash/crc32c.h */

static uint32_t g_table[8][256];
static pthread_once_t g_table_once = PTHREAD_ONCE_INIT;

static void table_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1u)));
        g_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int s = 1; s < 8; s++)
            g_table[s][i] = (g_table[s - 1][i] >> 8) ^ g_table[0][g_table[s - 1][i] & 0xFFu];
}

static inline uint32_t load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Slicing-by-8 on the raw (pre-inverted) register value. */
static uint32_t crc32c_sw(uint32_t c, const uint8_t *p, size_t n) {
    pthread_once(&g_table_once, table_init);
    while (n && ((uintptr_t)p & 7u)) {
        c = (c >> 8) ^ g_table[0][(c ^ *p++) & 0xFFu];
        n--;
    }
    while (n >= 8) {
        uint32_t lo = load_le32(p) ^ c, hi = load_le32(p + 4);
        c = g_table[7][lo & 0xFFu] ^ g_table[6][(lo >> 8) & 0xFFu] ^
            g_table[5][(lo >> 16) & 0xFFu] ^ g_table[4][lo >> 24] ^
            g_table[3][hi & 0xFFu] ^ g_table[2][(hi >> 8) & 0xFFu] ^
            g_table[1][(hi >> 16) & 0xFFu] ^ g_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ g_table[0][(c ^ *p++) & 0xFFu];
    return c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AVMIT_HAVE_CRC_HW 1
/* The SSE4.2 crc32 instruction computes exactly the reflected CRC-32C step. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t c, const uint8_t *p,
                                                              size_t n) {
    while (n && ((uintptr_t)p & 7u)) {
        c = __builtin_ia32_crc32qi(c, *p++);
        n--;
    }
    uint64_t c64 = c;
    while (n >= 32) {
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, p, 8);
        memcpy(&w1, p + 8, 8);
        memcpy(&w2, p + 16, 8);
        memcpy(&w3, p + 24, 8);
        c64 = __builtin_ia32_crc32di(c64, w0);
        c64 = __builtin_ia32_crc32di(c64, w1);
        c64 = __builtin_ia32_crc32di(c64, w2);
        c64 = __builtin_ia32_crc32di(c64, w3);
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c64 = __builtin_ia32_crc32di(c64, w);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--) c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}

static int have_sse42(void) {
    /* __builtin_cpu_supports reads cpuid data the compiler runtime set up at
       load time; it is constant for the life of the process. */
    return __builtin_cpu_supports("sse4.2");
}
#endif

uint32_t avmit_crc32c(uint32_t crc, const void *data, size_t n) {
    const uint8_t *p = (const uint8_t *)data;
    uint32_t c = ~crc;
    if (n == 0) return crc;
#ifdef AVMIT_HAVE_CRC_HW
    if (have_sse42()) return ~crc32c_hw(c, p, n);
#endif
    return ~crc32c_sw(c, p, n);
}

uint32_t avmit_crc32c_mask(uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + CRC32C_MASK_DELTA;
}

uint32_t avmit_crc32c_unmask(uint32_t masked) {
    uint32_t r = masked - CRC32C_MASK_DELTA;
    return (r >> 17) | (r << 15);
}

uint32_t avmit_crc32c_portable(uint32_t crc, const void *data, size_t n) {
    if (n == 0) return crc;
    return ~crc32c_sw(~crc, (const uint8_t *)data, n);
}
