/* fuzz_npy.c — libFuzzer target for the .npy parser (FORMATS.md §9).
 * Every input must parse or fail cleanly; a parsed array must re-encode and
 * parse back to the same shape and bytes (the writer's round trip). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    avmit_array a;
    avmit_error err;
    if (avmit_npy_parse(&a, data, size, "fuzz.npy", &err) != 0) {
        if (a.data != NULL || err.msg[0] == '\0') abort();
        return 0;
    }
    uint8_t *enc;
    size_t n;
    if (avmit_npy_encode(&enc, &n, a.dtype, a.ndim, a.shape, a.data, &err) == 0) {
        avmit_array b;
        if (avmit_npy_parse(&b, enc, n, "re.npy", &err) != 0) abort();
        size_t bytes = (size_t)avmit_array_count(&a) * avmit_dtype_size(a.dtype);
        if (b.dtype != a.dtype || b.ndim != a.ndim ||
            memcmp(b.shape, a.shape, sizeof a.shape) != 0 ||
            (bytes && memcmp(a.data, b.data, bytes) != 0))
            abort();
        avmit_array_free(&b);
        free(enc);
    }
    avmit_array_to_f32(&a, &err);
    avmit_array_free(&a);
    return 0;
}
