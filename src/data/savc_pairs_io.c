/* savc_pairs_io.c — SAVC pair CSVs and the silent-audio rule (avmit/savc_pairs.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/csv.h"
#include "avmit/fileio.h"
#include "avmit/parallel.h"
#include "avmit/savc_pairs.h"
#include "data/savc_pairs_int.h"
#include "core/error_int.h"

static const char *const PAIR_HEADER[2] = {"audio_tfrecord", "visual_tfrecord"};

int avmit_savc_pairs_write(const avmit_savc_videos *v, const avmit_savc_pairs *p,
                           const char *path, avmit_error *err) {
    avmit_csv_writer *w;
    int r = avmit_csv_writer_open(&w, path, 2, PAIR_HEADER, err);
    if (r) return r;
    for (size_t i = 0; i < p->n; i++) {
        if (p->audio[i] >= v->n || p->visual[i] >= v->n) {
            avmit_csv_writer_abort(w);
            return avmit_error_path(err, AVMIT_E_ARG, path,
                                    "pair %zu indexes video %u/%u of %zu", i, p->audio[i],
                                    p->visual[i], v->n);
        }
        const char *cells[2] = {v->tfrecord[p->audio[i]], v->tfrecord[p->visual[i]]};
        if ((r = avmit_csv_writer_row(w, cells, err))) {
            avmit_csv_writer_abort(w);
            return r;
        }
    }
    return avmit_csv_writer_commit(w, err);
}

/* Split one pair line (terminators removed) at its single comma. */
static int split_line(char *s, const char *path, long line, char **a, char **b,
                      avmit_error *err) {
    if (strchr(s, '"'))
        return avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, NULL,
                               "quoted fields are not expected in a pair CSV");
    char *comma = strchr(s, ',');
    if (!comma || strchr(comma + 1, ','))
        return avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, NULL,
                               "expected 2 columns (audio_tfrecord,visual_tfrecord), found %d",
                               comma ? 3 : 1);
    *comma = '\0';
    *a = s;
    *b = comma + 1;
    if (!**a || !**b)
        return avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1,
                               **a ? "visual_tfrecord" : "audio_tfrecord", "empty value");
    return 0;
}

int avmit_savc_pairs_read(avmit_savc_videos *v, const char *path, avmit_savc_pairs *out,
                          avmit_error *err) {
    memset(out, 0, sizeof *out);
    if (!v->path && !(v->path = strdup(path)))
        return AVMIT_NOMEM_AT(err, path, "savc_pairs_read");
    FILE *f = fopen(path, "rb");
    if (!f) return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t cap_buf = 0, cap = 0;
    long line = 0;
    int r = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap_buf, f)) >= 0) {
        line++;
        if (len > 0 && buf[len - 1] == '\n') buf[--len] = '\0';
        if (len > 0 && buf[len - 1] == '\r') buf[--len] = '\0';
        char *a = NULL, *b = NULL;
        if (line == 1) {
            if (strcmp(buf, "audio_tfrecord,visual_tfrecord") != 0) {
                r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, 1, -1, NULL,
                                    "header is '%.80s', expected "
                                    "'audio_tfrecord,visual_tfrecord'", buf);
                break;
            }
            continue;
        }
        if ((r = split_line(buf, path, line, &a, &b, err))) break;
        size_t ia, ib;
        int added;
        if ((r = savc_videos_add(v, a, line, &ia, &added, err)) ||
            (r = savc_videos_add(v, b, line, &ib, &added, err)))
            break;
        if (out->n == cap) {
            size_t nc = cap ? 2 * cap : 4096;
            uint32_t *na = realloc(out->audio, nc * sizeof *na);
            if (na) out->audio = na;
            uint32_t *nv = realloc(out->visual, nc * sizeof *nv);
            if (nv) out->visual = nv;
            if (!na || !nv) {
                r = AVMIT_NOMEM_AT(err, path, "savc_pairs_read");
                break;
            }
            cap = nc;
        }
        out->audio[out->n] = (uint32_t)ia;
        out->visual[out->n] = (uint32_t)ib;
        out->n++;
    }
    if (!r && ferror(f)) r = avmit_error_path(err, AVMIT_E_IO, path, "read error");
    if (!r && line == 0) r = avmit_error_path(err, AVMIT_E_FORMAT, path, "empty file: no header");
    free(buf);
    fclose(f);
    if (r) avmit_savc_pairs_free(out);
    return r;
}

/* ---- silence ------------------------------------------------------------------ */

int avmit_savc_audio_silent(const avmit_embedding *e) {
    const int64_t T = e->n_audio_steps, D = e->audio_dim;
    if (T <= 0 || D <= 0) return 1;
    int all_zero = 1;
    for (int64_t i = 0; i < T * D && all_zero; i++) all_zero = e->audio[i] == 0.0f;
    if (all_zero) return 1;
    if (T < 2) return 0;
    for (int64_t t = 1; t < T; t++)
        for (int64_t d = 0; d < D; d++) {
            float x0 = e->audio[d], x = e->audio[t * D + d];
            if (fabsf(x - x0) > 1e-5f * (1.0f + fabsf(x0))) return 0;
        }
    return 1;
}

typedef struct {
    const avmit_savc_videos *v;
    const char *dir;
    unsigned char *silent;
} silent_ctx;

static int silent_one(void *ctx_, size_t i, avmit_error *err) {
    silent_ctx *ctx = ctx_;
    char *path = avmit_path_join(ctx->dir, ctx->v->tfrecord[i]);
    avmit_embedding e;
    avmit_embedding_opts o = avmit_embedding_default_opts();
    o.check_label = 0;
    int r = path ? avmit_embedding_read_file(&e, path, &o, err)
                 : AVMIT_NOMEM(err, "silent_one");
    free(path);
    if (r) return r;
    ctx->silent[i] = (unsigned char)avmit_savc_audio_silent(&e);
    avmit_embedding_free(&e);
    return 0;
}

int avmit_savc_find_silent(const avmit_savc_videos *v, const char *tfrecord_dir, int n_threads,
                           unsigned char *silent, avmit_error *err) {
    silent_ctx ctx = {v, tfrecord_dir, silent};
    memset(silent, 0, v->n);
    return savc_parallel_items(n_threads, v->n, silent_one, &ctx, tfrecord_dir, err);
}

/* ---- savc_parallel_items: avmit_parallel_try without the thread id -------------- */

typedef struct {
    savc_item_fn fn;
    void *ctx;
} items_ctx;

static int run_item(void *ctx_, size_t i, int tid, avmit_error *err) {
    (void)tid;
    items_ctx *c = ctx_;
    return c->fn(c->ctx, i, err);
}

int savc_parallel_items(int n_threads, size_t n, savc_item_fn fn, void *ctx, const char *path,
                        avmit_error *err) {
    (void)path;
    items_ctx c = {fn, ctx};
    return avmit_parallel_try(n_threads, n, run_item, &c, err);
}
