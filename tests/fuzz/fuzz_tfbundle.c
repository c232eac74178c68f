/* fuzz_tfbundle.c — a TF2 checkpoint bundle, .index and .data-00000-of-00001 together
 * (FORMATS.md §6.2-§6.4), as avmit_tfckpt_open + avmit_tfckpt_load read them for
 * `avmit model import`. Input layout: a 4-byte little-endian index length L, then L
 * bytes of index (cut to what is there), then the data shard. Every input parses or
 * fails with a message; after a successful attach every entry's CRC was verified, its
 * bytes lie in the shard, float tensors convert, and the variable paths resolve. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/tfckpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    size_t L = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
               (size_t)data[3] << 24;
    if (L > size - 4) L = size - 4;
    const uint8_t *index = data + 4, *shard = data + 4 + L;
    size_t n_shard = size - 4 - L;
    avmit_tfckpt ck;
    avmit_error err;
    avmit_error_clear(&err);
    /* exact-size copies so ASan sees any read past either part */
    uint8_t *ix = malloc(L ? L : 1);
    if (L) memcpy(ix, index, L);
    int rc = avmit_tfckpt_parse_index(&ck, ix, L, "fuzz.index", &err);
    free(ix);
    if (rc) {
        if (ck.entries != NULL || ck.n_entries != 0 || err.msg[0] == '\0') abort();
        return 0;
    }
    uint8_t *sh = malloc(n_shard ? n_shard : 1);
    if (n_shard) memcpy(sh, shard, n_shard);
    /* the entries point into sh (not owned by ck): free it last */
    if (avmit_tfckpt_attach_data(&ck, sh, n_shard, "fuzz.data-00000-of-00001", &err) == 0) {
        for (size_t i = 0; i < ck.n_entries; i++) {
            const avmit_tfckpt_entry *e = &ck.entries[i];
            if (!e->crc_verified || (e->size && e->data == NULL)) abort();
            if (avmit_tfckpt_find(&ck, e->key) != e) abort();
            if (e->dtype == AVMIT_TF_FLOAT) {
                int64_t n = avmit_tfckpt_entry_count(e);
                float *f = malloc(n > 0 ? (size_t)n * sizeof *f : 1);
                if (avmit_tfckpt_entry_f32(e, f, &err) != 0) abort();
                free(f);
            }
            (void)avmit_tfckpt_find_var(&ck, e->key);
        }
    } else if (err.msg[0] == '\0') {
        abort();
    }
    avmit_tfckpt_free(&ck);
    free(sh);
    return 0;
}
