/* fuzz_tfckpt.c — libFuzzer target for the TF2 checkpoint .index parser
 * (SSTable + BundleHeaderProto / BundleEntryProto, FORMATS.md §6.2-§6.3).
 * Every input must parse or fail cleanly with a message; a parsed index must
 * have strictly increasing keys that avmit_tfckpt_find finds again, and its
 * entries are then checked against the input itself as a data shard (range
 * checks, numeric and DT_STRING CRCs, the object-graph decoder). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/tfckpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    avmit_tfckpt ck;
    avmit_error err;
    if (avmit_tfckpt_parse_index(&ck, data, size, "fuzz.index", &err) != 0) {
        if (ck.entries != NULL || ck.n_entries != 0 || err.msg[0] == '\0') abort();
        return 0;
    }
    for (size_t i = 0; i < ck.n_entries; i++) {
        if (i && strcmp(ck.entries[i - 1].key, ck.entries[i].key) >= 0) abort();
        if (avmit_tfckpt_find(&ck, ck.entries[i].key) != &ck.entries[i]) abort();
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    if (avmit_tfckpt_attach_data(&ck, copy, size, "fuzz.data", &err) == 0) {
        for (size_t i = 0; i < ck.n_entries; i++) {
            const avmit_tfckpt_entry *e = &ck.entries[i];
            if (!e->crc_verified || (e->size && e->data == NULL)) abort();
            if (e->dtype == AVMIT_TF_FLOAT) {
                float *f = malloc((size_t)e->size + 1);
                if (avmit_tfckpt_entry_f32(e, f, &err) != 0) abort();
                free(f);
            }
        }
    } else if (err.msg[0] == '\0') {
        abort();
    }
    free(copy);
    avmit_tfckpt_free(&ck);
    return 0;
}
