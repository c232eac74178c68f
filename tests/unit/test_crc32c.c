/* test_crc32c.c — CRC-32C and TensorFlow's mask against the published vectors
 * of FORMATS.md §1.2 (RFC 3720 §B.4 for the 32-byte ones), both code paths. */
#include <stdint.h>
#include <string.h>

#include "avmit/tfrecord.h"
#include "io/tfrecord_int.h"
#include "testutil.h"

static void check_vector(const char *what, const void *data, size_t n, uint32_t want) {
    uint32_t got = avmit_crc32c(0, data, n), sw = avmit_crc32c_portable(0, data, n);
    CHECK(got == want, "crc32c(%s) = 0x%08x, expected 0x%08x", what, got, want);
    CHECK(sw == want, "portable crc32c(%s) = 0x%08x, expected 0x%08x", what, sw, want);
}

int main(void) {
    uint8_t zeros[32], ones[32], inc[32];
    memset(zeros, 0, sizeof zeros);
    memset(ones, 0xFF, sizeof ones);
    for (int i = 0; i < 32; i++) inc[i] = (uint8_t)i;

    /* FORMATS.md §1.2 table */
    check_vector("\"\"", "", 0, 0x00000000u);
    check_vector("123456789", "123456789", 9, 0xE3069283u);
    check_vector("abc", "abc", 3, 0x364B3FB7u);
    check_vector("32 x 00", zeros, 32, 0x8A9136AAu);
    check_vector("32 x FF", ones, 32, 0x62A8AB43u);
    check_vector("00..1F", inc, 32, 0x46DD794Eu);

    /* masked values of the table */
    CHECK_INT(avmit_crc32c_mask(0x00000000u), 0xA282EAD8u);
    CHECK_INT(avmit_crc32c_mask(0xE3069283u), 0xC78AB0E5u);
    CHECK_INT(avmit_crc32c_mask(0x364B3FB7u), 0x21F1576Eu);
    /* §1.3: crc32c of the 8-byte length 3 and its mask */
    const uint8_t len3[8] = {3, 0, 0, 0, 0, 0, 0, 0};
    CHECK_INT(avmit_crc32c(0, len3, 8), 0x576C35E3u);
    CHECK_INT(avmit_crc32c_mask(0x576C35E3u), 0x0E4999B0u);

    /* unmask inverts mask on a spread of values */
    uint32_t x = 0x12345678u;
    int inverse_ok = 1;
    for (int i = 0; i < 100000; i++) {
        x = x * 1664525u + 1013904223u;
        if (avmit_crc32c_unmask(avmit_crc32c_mask(x)) != x) inverse_ok = 0;
    }
    CHECK(inverse_ok, "unmask(mask(x)) != x for some x");
    CHECK_INT(avmit_crc32c_unmask(0xC78AB0E5u), 0xE3069283u);

    /* incremental == one-shot, for every split point and unaligned starts; hardware ==
       portable on a long buffer with all alignments */
    uint8_t big[1000];
    for (int i = 0; i < 1000; i++) big[i] = (uint8_t)(i * 131 + (i >> 3));
    uint32_t whole = avmit_crc32c(0, big, sizeof big);
    int split_ok = 1, align_ok = 1;
    for (size_t k = 0; k <= sizeof big; k++) {
        uint32_t c = avmit_crc32c(avmit_crc32c(0, big, k), big + k, sizeof big - k);
        uint32_t s = avmit_crc32c_portable(avmit_crc32c_portable(0, big, k), big + k,
                                           sizeof big - k);
        if (c != whole || s != whole) split_ok = 0;
    }
    for (size_t a = 0; a < 16; a++)
        for (size_t n = 0; n < 200; n++)
            if (avmit_crc32c(0, big + a, n) != avmit_crc32c_portable(0, big + a, n)) align_ok = 0;
    CHECK(split_ok, "crc32c(crc32c(0, a), b) != crc32c(0, a || b) for some split");
    CHECK(align_ok, "hardware and portable crc32c differ for some alignment/length");
    return test_finish("test_crc32c");
}
