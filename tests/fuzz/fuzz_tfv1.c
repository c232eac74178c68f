/* fuzz_tfv1.c — libFuzzer target for the TF1 V1 checkpoint reader
 * (docs/cnn-weights.md §1.1: SSTable with Snappy blocks, SavedTensorSlices
 * metadata and streamed slices, OrderedCode keys, slice reassembly). Every
 * input must read or fail cleanly with a message; a read set must have
 * unique names, sane shapes and a data buffer per tensor (ASan checks that
 * every value written stayed inside it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/weights_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    avmit_error err;
    avmit_error_clear(&err);
    avmit_wset s;
    memset(&s, 0, sizeof s);
    sst_src src = {-1, data, size, "fuzz.ckpt", &err};
    int rc = tfv1_read(&s, &src);
    if (rc != 0) {
        if (err.msg[0] == '\0' || rc != err.code) abort();
    } else {
        for (size_t i = 0; i < s.n; i++) {
            const avmit_wtensor *t = &s.t[i];
            if (!t->data || avmit_wtensor_count(t) < 0 || t->ndim > 8) abort();
            if (avmit_wset_find(&s, t->name) != (long)i) abort();
            volatile float sum = 0;
            for (int64_t k = 0; k < avmit_wtensor_count(t); k++) sum += t->data[k];
            (void)sum;
        }
    }
    avmit_wset_free(&s);
    return 0;
}
