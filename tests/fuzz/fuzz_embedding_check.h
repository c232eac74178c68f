/*
 * fuzz_embedding_check.h — shared by the fuzz targets: decode bytes as an
 * AVMIT SequenceExample (strict, then lax options), check that --strict refuses exactly
 * the records with extra (ignored) keys, and check the round trip
 * decode -> encode -> decode gives the same embedding. abort() on a violation.
 */
#ifndef AVMIT_FUZZ_EMBEDDING_CHECK_H
#define AVMIT_FUZZ_EMBEDDING_CHECK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"

static int fuzz_same_embedding(const avmit_embedding *a, const avmit_embedding *b) {
    return !strcmp(a->filename, b->filename) && !strcmp(a->label, b->label) &&
           a->n_audio_steps == b->n_audio_steps && a->n_visual_steps == b->n_visual_steps &&
           a->audio_dim == b->audio_dim && a->visual_dim == b->visual_dim &&
           !memcmp(a->audio, b->audio, (size_t)(a->n_audio_steps * a->audio_dim) * 4) &&
           !memcmp(a->visual, b->visual, (size_t)(a->n_visual_steps * a->visual_dim) * 4);
}

static void fuzz_check_embedding(const uint8_t *buf, size_t n) {
    avmit_embedding e;
    avmit_error err;
    int rc = avmit_embedding_decode(&e, buf, n, NULL, "fuzz", 0, &err);
    if (rc == 0) avmit_embedding_free(&e);
    else if (err.code != rc || !err.msg[0]) abort();
    avmit_embedding_opts lax = avmit_embedding_default_opts();
    lax.allow_nonfinite = 1;
    lax.check_dims = 0;
    lax.check_label = 0;
    avmit_embedding_extras extras = {0, NULL, 0, NULL};
    lax.extras = &extras;
    if (avmit_embedding_decode(&e, buf, n, &lax, "fuzz", 0, &err)) {
        avmit_embedding_extras_free(&extras);
        return;
    }
    /* --strict refuses exactly the records that carry extra keys, naming one */
    avmit_embedding strict_e;
    avmit_embedding_opts strict = lax;
    strict.extras = NULL;
    strict.reject_extra = 1;
    int has_extra = extras.n_context || extras.n_lists;
    rc = avmit_embedding_decode(&strict_e, buf, n, &strict, "fuzz", 0, &err);
    if ((rc != 0) != has_extra) abort();
    if (rc == 0) avmit_embedding_free(&strict_e);
    else if (!strstr(err.msg, "is not an AVMIT field")) abort();
    avmit_embedding_extras_free(&extras);
    lax.extras = NULL;
    uint8_t *enc;
    size_t en;
    if (avmit_embedding_encode(&e, &enc, &en, &err)) abort();
    avmit_embedding back;
    if (avmit_embedding_decode(&back, enc, en, &lax, "fuzz", 0, &err)) abort();
    if (!fuzz_same_embedding(&e, &back)) abort();
    /* the canonical encoding is a fixed point */
    uint8_t *enc2;
    size_t en2;
    if (avmit_embedding_encode(&back, &enc2, &en2, &err) || en2 != en || memcmp(enc, enc2, en))
        abort();
    free(enc2);
    free(enc);
    avmit_embedding_free(&back);
    avmit_embedding_free(&e);
}

#endif
