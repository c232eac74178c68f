/*
 * test_annotate.c — the pure parts of the rating app (src/annotate, issue 15):
 * Krippendorff's alpha against the worked example of Krippendorff (2011, "Computing
 * Krippendorff's alpha-reliability", 4 coders x 12 units, values 1..5: nominal 0.743,
 * ordinal 0.815, as printed there to 3 decimals), constant-time token comparison, random
 * tokens, and the headphone stimulus WAV header. Skips (77) when built without annotate.
 */
#include "testutil.h"

#if !defined(AVMIT_HAVE_ANNOTATE)
int main(void) {
    printf("skipped: built with AVMIT_WITH_ANNOTATE=OFF\n");
    return 77;
}
#else
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "annotate/annotate_int.h"

static void test_alpha(void) {
    /* rows = coders A..D, columns = units 1..12, 0 = missing */
    static const int data[4][12] = {{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
                                    {1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
                                    {0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
                                    {1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0}};
    int counts[12 * 5] = {0};
    for (int c = 0; c < 4; c++)
        for (int u = 0; u < 12; u++)
            if (data[c][u]) counts[u * 5 + data[c][u] - 1]++;
    double nominal = ann_krippendorff_alpha(counts, 12, 5, 0);
    double ordinal = ann_krippendorff_alpha(counts, 12, 5, 1);
    /* the paper prints 3 decimals: agreement to half a unit in the last place */
    CHECK(fabs(nominal - 0.743) < 0.0005, "nominal alpha %.6f, Krippendorff 2011: 0.743", nominal);
    CHECK(fabs(ordinal - 0.815) < 0.0005, "ordinal alpha %.6f, Krippendorff 2011: 0.815", ordinal);
    /* perfect agreement -> 1; a single category everywhere -> undefined */
    int perfect[3 * 3] = {3, 0, 0, 0, 3, 0, 0, 0, 3};
    CHECK(fabs(ann_krippendorff_alpha(perfect, 3, 3, 1) - 1) < 1e-12, "perfect agreement is 1");
    int same[2 * 3] = {3, 0, 0, 3, 0, 0};
    CHECK(isnan(ann_krippendorff_alpha(same, 2, 3, 1)), "no variation: alpha undefined (NaN)");
}

static void test_tokens(void) {
    char a[ANN_SECRET_HEX + 1], b[ANN_SECRET_HEX + 1];
    CHECK_INT(ann_random_hex(a, ANN_SECRET_BYTES, NULL), 0);
    CHECK_INT(ann_random_hex(b, ANN_SECRET_BYTES, NULL), 0);
    CHECK_INT(strlen(a), 32);
    CHECK(strcmp(a, b) != 0, "two 128-bit tokens differ");
    CHECK(ann_ct_equal(a, a), "equal strings compare equal");
    CHECK(!ann_ct_equal(a, b), "different tokens compare unequal");
    char c[ANN_SECRET_HEX + 1];
    memcpy(c, a, sizeof c);
    c[31] ^= 1;
    CHECK(!ann_ct_equal(a, c), "a difference in the last digit is found");
    CHECK(!ann_ct_equal(a, "") && !ann_ct_equal("", a), "a prefix or empty string is not equal");
}

static void test_wav(void) {
    unsigned char *w = NULL;
    size_t n = 0;
    CHECK_INT(avmit_annotate_headphone_wav(0, 2, 7, &w, &n, NULL), 0);
    /* 44-byte header + 4 s of 16-bit stereo at 44.1 kHz (3 x 1 s + 2 x 0.5 s) */
    CHECK_INT(n, 44 + 4 * 44100 * 4);
    CHECK(w && !memcmp(w, "RIFF", 4) && !memcmp(w + 8, "WAVEfmt ", 8), "RIFF/WAVE header");
    unsigned char *w2 = NULL;
    size_t n2 = 0;
    CHECK_INT(avmit_annotate_headphone_wav(0, 2, 7, &w2, &n2, NULL), 0);
    CHECK(n == n2 && w2 && !memcmp(w, w2, n), "same seed, same stimulus");
    free(w), free(w2);
    CHECK(avmit_annotate_headphone_wav(2, 1, 0, &w, &n, NULL) == AVMIT_E_ARG, "unknown kind refused");
    CHECK(avmit_annotate_headphone_wav(1, 4, 0, &w, &n, NULL) == AVMIT_E_ARG, "target 4 refused");
}

int main(void) {
    test_alpha();
    test_tokens();
    test_wav();
    return test_finish("annotate");
}
#endif
