/*
 * examples.c — a split's embedding files loaded into one contiguous padded
 * array (include/avmit/train.h; SPEC.md §3: zero-padded at the end to T, no
 * masking). Files are decoded in parallel; each worker writes only its own
 * rows, and the error reported is the one of the lowest failing index, so the
 * outcome does not depend on the thread count.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"
#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/parallel.h"
#include "avmit/train.h"

typedef struct {
    avmit_examples *e;
    const avmit_model_config *cfg;
} load_ctx;

static int load_one(void *ctx, size_t i, int tid, avmit_error *err) {
    (void)tid;
    const load_ctx *c = ctx;
    const avmit_model_config *cfg = c->cfg;
    avmit_examples *e = c->e;
    avmit_embedding emb;
    avmit_embedding_opts o = avmit_embedding_default_opts();
    o.check_dims = 0; /* checked against the model below */
    o.max_timesteps = cfg->timesteps;
    int rc = avmit_embedding_read_file(&emb, e->files[i], &o, err);
    if (rc) return rc;
    if ((cfg->use_audio && emb.audio_dim != cfg->audio_dim) ||
        (cfg->use_visual && emb.visual_dim != cfg->visual_dim)) {
        rc = avmit_error_set(err, AVMIT_E_FORMAT, e->files[i], 0, -1, -1, NULL,
                             "embedding dims D_a %lld / D_v %lld but the model expects %d / %d",
                             (long long)emb.audio_dim, (long long)emb.visual_dim, cfg->audio_dim,
                             cfg->visual_dim);
        goto done;
    }
    e->labels[i] = avmit_label_id(emb.label);
    if (!(e->filenames[i] = strdup(emb.filename))) {
        rc = avmit_error_set(err, AVMIT_E_NOMEM, e->files[i], -1, -1, -1, NULL, "out of memory");
        goto done;
    }
    size_t row = (size_t)e->T * e->D;
    float *fx = e->fp16 ? NULL : (float *)e->x + i * row;
    unsigned short *hx = e->fp16 ? (unsigned short *)e->x + i * row : NULL;
    int col = 0;
    for (int k = 0; k < 2; k++) {
        int use = k ? cfg->use_visual : cfg->use_audio;
        if (!use) continue;
        int D = k ? cfg->visual_dim : cfg->audio_dim;
        int64_t T = k ? emb.n_visual_steps : emb.n_audio_steps;
        const float *src = k ? emb.visual : emb.audio;
        for (int64_t t = 0; t < T; t++) {
            if (fx)
                memcpy(fx + t * e->D + col, src + t * D, sizeof(float) * D);
            else
                for (int d = 0; d < D; d++) hx[t * e->D + col + d] = avmit_f32_to_f16(src[t * D + d]);
        }
        col += D;
    }
done:
    avmit_embedding_free(&emb);
    return rc;
}

void avmit_examples_free(avmit_examples *e) {
    if (!e) return;
    for (size_t i = 0; i < e->n; i++) {
        if (e->files) free(e->files[i]);
        if (e->filenames) free(e->filenames[i]);
    }
    free(e->files);
    free(e->filenames);
    free(e->labels);
    if (!e->rows) free(e->x); /* a view does not own x */
    memset(e, 0, sizeof *e);
}

size_t avmit_examples_bytes(const avmit_examples *e) {
    return e->n * (size_t)e->T * e->D * (e->fp16 ? 2 : 4);
}

/* Allocate for n files whose paths are already in out->files. */
static int load_all(avmit_examples *out, const avmit_model_config *cfg, int fp16, int n_threads,
                    avmit_error *err) {
    int rc = 0;
    out->T = cfg->timesteps;
    out->D = avmit_model_input_dim(cfg);
    out->fp16 = fp16 != 0;
    size_t bytes = avmit_examples_bytes(out);
    out->x = calloc(bytes ? bytes : 1, 1);
    out->labels = calloc(out->n ? out->n : 1, sizeof(int));
    out->filenames = calloc(out->n ? out->n : 1, sizeof(char *));
    if (!out->x || !out->labels || !out->filenames) {
        rc = avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL,
                             "out of memory for %zu samples (%zu bytes)", out->n, bytes);
        goto done;
    }
    load_ctx c = {out, cfg};
    rc = avmit_parallel_try(n_threads, out->n, load_one, &c, err);
done:
    if (rc) avmit_examples_free(out);
    return rc;
}

int avmit_examples_load_files(avmit_examples *out, const char *const *paths, size_t n_paths,
                              const avmit_model_config *cfg, int fp16, int n_threads,
                              avmit_error *err) {
    memset(out, 0, sizeof *out);
    out->files = calloc(n_paths ? n_paths : 1, sizeof(char *));
    if (!out->files) return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
    out->n = n_paths;
    for (size_t i = 0; i < n_paths; i++)
        if (!(out->files[i] = strdup(paths[i]))) {
            avmit_examples_free(out);
            return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
        }
    return load_all(out, cfg, fp16, n_threads, err);
}

int avmit_examples_load_split(avmit_examples *out, const avmit_split *split,
                              const char *tfrecord_dir, const avmit_model_config *cfg, int fp16,
                              int n_threads, avmit_error *err) {
    memset(out, 0, sizeof *out);
    out->files = calloc(split->n ? split->n : 1, sizeof(char *));
    if (!out->files) return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
    out->n = split->n;
    for (size_t i = 0; i < split->n; i++) {
        if (!split->v[i].tfrecord || !split->v[i].tfrecord[0]) {
            int rc = avmit_error_set(err, AVMIT_E_FORMAT, split->path, -1, split->v[i].line, -1,
                                     "tfrecord_filename", "row has no tfrecord_filename");
            avmit_examples_free(out);
            return rc;
        }
        if (!(out->files[i] = avmit_path_join(tfrecord_dir, split->v[i].tfrecord))) {
            avmit_examples_free(out);
            return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
        }
    }
    return load_all(out, cfg, fp16, n_threads, err);
}

void avmit_examples_gather(const avmit_examples *e, const uint32_t *idx, int B, float *x_out) {
    size_t row = (size_t)e->T * e->D;
    for (int b = 0; b < B; b++) {
        size_t r = e->rows ? e->rows[idx[b]] : idx[b];
        if (!e->fp16) {
            memcpy(x_out + b * row, (const float *)e->x + r * row, sizeof(float) * row);
        } else {
            const unsigned short *h = (const unsigned short *)e->x + r * row;
            for (size_t k = 0; k < row; k++) x_out[b * row + k] = avmit_f16_to_f32(h[k]);
        }
    }
}

int avmit_train_limit_per_class(avmit_split *s, long n, avmit_error *err) {
    if (n <= 0 || !s->n) return 0;
    unsigned char *keep = calloc(s->n, 1);
    size_t seen[AVMIT_N_CLASSES + 1] = {0};
    if (!keep) return avmit_error_set(err, AVMIT_E_NOMEM, s->path, -1, -1, -1, NULL, "out of memory");
    for (size_t i = 0; i < s->n; i++) {
        int id = s->v[i].label_id >= 0 && s->v[i].label_id < AVMIT_N_CLASSES ? s->v[i].label_id : AVMIT_N_CLASSES;
        keep[i] = seen[id]++ < (size_t)n;
    }
    avmit_split_keep(s, keep);
    free(keep);
    return 0;
}
