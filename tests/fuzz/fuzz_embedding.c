/*
 * fuzz_embedding.c — the SequenceExample decoder straight on arbitrary bytes
 * (no TFRecord CRCs in the way, so mutations reach the protobuf parser), with
 * the decode -> encode -> decode round trip of fuzz_embedding_check.h.
 */
#include <stdint.h>

#include "fuzz_embedding_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_check_embedding(data, size);
    return 0;
}
