/* fuzz_npz.c — libFuzzer target for the .npz reader (avmit_npz_read: ZIP central
 * directory, stored and deflate members, ZIP64 sizes, CRC-32, the .npy inside), the
 * path `avmit similarity --projection FILE.npz` takes. The input is written to a
 * private temporary file (the reader takes a path) and the members "audio",
 * "visual" and "x" are read: each must parse or fail cleanly with a message; a
 * member that parses must survive an encode -> read round trip unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/npz.h"

static void round_trip(const avmit_array *a, const char *dir) {
    avmit_error err;
    char path[4096];
    snprintf(path, sizeof path, "%s/rt.npz", dir);
    avmit_npz_entry e = {"m", a->dtype, a->ndim, a->shape, a->data};
    if (avmit_npz_write(path, &e, 1, &err) != 0) return; /* e.g. too large: not a reader bug */
    avmit_array b;
    if (avmit_npz_read(&b, path, "m", &err) != 0) abort();
    size_t bytes = (size_t)avmit_array_count(a) * avmit_dtype_size(a->dtype);
    if (b.dtype != a->dtype || b.ndim != a->ndim || memcmp(b.shape, a->shape, sizeof a->shape) ||
        (bytes && memcmp(a->data, b.data, bytes)))
        abort();
    avmit_array_free(&b);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char dir[] = "/tmp/avmit-fuzz-npz.XXXXXX";
    if (!mkdtemp(dir)) return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/in.npz", dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        if (size) fwrite(data, 1, size, f);
        fclose(f);
        static const char *const names[] = {"audio", "visual", "x"};
        for (int i = 0; i < 3; i++) {
            avmit_array a;
            avmit_error err;
            if (avmit_npz_read(&a, path, names[i], &err) != 0) {
                if (err.msg[0] == '\0') abort();
                continue;
            }
            round_trip(&a, dir);
            avmit_array_free(&a);
        }
        unlink(path);
    }
    rmdir(dir);
    return 0;
}
