/* fuzz_safetensors.c — the safetensors reader (FORMATS.md §8) on arbitrary bytes:
 * every input parses or fails with a message; a parsed file's tensors lie inside the
 * buffer (every byte of each is read), lookups by name find them again, F32 tensors
 * copy out through avmit_safetensors_get_f32 (the model loaders' path), and the tensors
 * of a numeric dtype re-encode and parse back to the same names, shapes and bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int dtype_of(const char *s, avmit_dtype *d) {
    static const struct { const char *n; avmit_dtype d; } k[] = {
        {"F32", AVMIT_DTYPE_F32}, {"F64", AVMIT_DTYPE_F64}, {"I64", AVMIT_DTYPE_I64},
        {"I32", AVMIT_DTYPE_I32}, {"U8", AVMIT_DTYPE_U8}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (!strcmp(s, k[i].n)) { *d = k[i].d; return 1; }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    avmit_safetensors st;
    avmit_error err;
    avmit_error_clear(&err);
    if (avmit_safetensors_parse(&st, data, size, "fuzz.safetensors", &err) != 0) {
        if (err.msg[0] == '\0') abort(); /* every failure explains itself */
        return 0;
    }
    avmit_st_entry *e = calloc(st.n ? st.n : 1, sizeof *e);
    size_t n_e = 0;
    volatile unsigned sum = 0;
    for (size_t i = 0; i < st.n; i++) {
        const avmit_st_tensor *t = &st.t[i];
        if (t->end < t->begin || st.data_start + t->end > st.size) abort();
        if (avmit_safetensors_find(&st, t->name) != t) abort();
        const uint8_t *p = avmit_safetensors_data(&st, t);
        for (size_t b = 0; b < t->end - t->begin; b++) sum += p[b];
        if (!strcmp(t->dtype, "F32")) {
            float *dst = malloc(t->end - t->begin + 4);
            if (avmit_safetensors_get_f32(&st, "fuzz", t->name, t->ndim, t->shape, dst, &err))
                abort(); /* the exact shape of an F32 tensor must be accepted */
            free(dst);
        }
        avmit_dtype d;
        if (dtype_of(t->dtype, &d))
            e[n_e++] = (avmit_st_entry){t->name, d, t->ndim, t->shape, p};
    }
    for (size_t i = 0; i < st.n_meta; i++)
        if (avmit_safetensors_meta(&st, st.meta_keys[i]) == NULL) abort();
    uint8_t *enc;
    size_t n;
    if (avmit_safetensors_encode(&enc, &n, e, n_e, NULL, 0, &err) == 0) {
        avmit_safetensors back;
        if (avmit_safetensors_parse(&back, enc, n, "re.safetensors", &err)) abort();
        if (back.n != n_e) abort();
        for (size_t i = 0; i < n_e; i++) {
            const avmit_st_tensor *a = avmit_safetensors_find(&st, e[i].name);
            const avmit_st_tensor *b = avmit_safetensors_find(&back, e[i].name);
            if (!b || b->ndim != a->ndim || strcmp(a->dtype, b->dtype) ||
                memcmp(a->shape, b->shape, sizeof a->shape[0] * (size_t)a->ndim) ||
                b->end - b->begin != a->end - a->begin ||
                memcmp(avmit_safetensors_data(&back, b), avmit_safetensors_data(&st, a),
                       a->end - a->begin))
                abort();
        }
        avmit_safetensors_free(&back);
        free(enc);
    }
    free(e);
    avmit_safetensors_free(&st);
    (void)sum;
    return 0;
}
