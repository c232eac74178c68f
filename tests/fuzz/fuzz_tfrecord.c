/*
 * fuzz_tfrecord.c — the TFRecord reader over arbitrary bytes (auto-detected,
 * then forced uncompressed and forced gzip), decoding every record as an
 * AVMIT embedding with strict and with lax options.
 * Properties: no crash, no sanitizer report, no leak; a record that decodes
 * re-encodes to bytes that decode to the same embedding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"
#include "avmit/tfrecord.h"
#include "fuzz_embedding_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const avmit_compression modes[3] = {AVMIT_COMPRESSION_AUTO, AVMIT_COMPRESSION_NONE,
                                        AVMIT_COMPRESSION_GZIP};
    for (int m = 0; m < 3; m++) {
        avmit_tfrecord_reader *r;
        avmit_error err;
        if (avmit_tfrecord_reader_open_memory(&r, data, size, "fuzz", modes[m], &err)) continue;
        avmit_tfrecord_reader_set_max_record(r, 1u << 22); /* keep allocations small */
        const uint8_t *rec;
        size_t len;
        int rc, n = 0;
        while ((rc = avmit_tfrecord_reader_next(r, &rec, &len, &err)) == 1 && n++ < 64)
            fuzz_check_embedding(rec, len);
        if (rc < 0 && (err.code != rc || !err.msg[0])) abort(); /* errors always explained */
        avmit_tfrecord_reader_close(r);
    }
    return 0;
}
