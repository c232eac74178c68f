/*
 * extract_batch.c — "lane" batching of CNN inputs across videos, with results
 * that do not depend on which videos share a batch.
 *
 * oneDNN's fp32 result for one example depends on the batch size and on the
 * example's position in the batch (measured: VGGish rows moved by 3 positions
 * in a batch of 8 change by ~1e-5), but not on the other examples. So every
 * call here has the same size B = lanes x lane_rows, and a video's rows always
 * sit at the same positions: its rows are cut into chunks of lane_rows, and
 * chunk c goes to lane (hash(output path) + c) mod lanes, at the start of the
 * lane. A batch takes the oldest chunk of every lane; lanes without one are
 * zero-filled. A record is thus the same bytes whichever videos it was
 * batched with — in a resumed run, a sharded run or a run over another list.
 *
 * A batch runs when every lane holds a chunk, when the backlog reaches two
 * batches' worth of chunks (some lanes starve, e.g. when videos fail), or
 * when draining at the end. lane_rows defaults to a 3 s clip's rows (7 frames
 * at 480 ms, 4 at 960 ms, 6 YAMNet / 3 VGGish patches), so little is padding.
 */
#if defined(AVMIT_HAVE_FFMPEG) && defined(AVMIT_HAVE_FFTW) && defined(AVMIT_HAVE_DNNL)
#include <stdlib.h>
#include <string.h>

#include "core/error_int.h"
#include "extract/extract_int.h"

typedef struct {
    extract_item *it;
    int64_t row0; /* first row of the item in this chunk */
    int k;        /* rows (<= lane_rows) */
} chunk;

typedef struct {
    chunk *v;
    size_t head, n, cap;
} lane_fifo;

struct extract_batcher {
    avmit_cnn *net;
    int visual, lane_rows, lanes;
    size_t per, dim; /* floats per input example / output row */
    lane_fifo *lane;
    size_t backlog;  /* chunks waiting in all lanes */
    float *in, *out; /* [B, per], [B, dim] */
    chunk *taken;    /* [lanes]: the chunks of the batch being run */
    extract_item_done_fn done;
    void *done_ctx;
};

int extract_batcher_create(extract_batcher **out, avmit_cnn *net, int visual, int lane_rows,
                           int lanes, extract_item_done_fn done, void *done_ctx,
                           avmit_error *err) {
    extract_batcher *b = calloc(1, sizeof *b);
    if (!b) return AVMIT_NOMEM(err, "batcher");
    int shape[3];
    avmit_cnn_input_shape(avmit_cnn_kind_of(net), shape);
    b->net = net;
    b->visual = visual;
    b->lane_rows = lane_rows > 0 ? lane_rows : 1;
    b->lanes = lanes > 0 ? lanes : 1;
    b->per = (size_t)shape[0] * shape[1] * shape[2];
    b->dim = (size_t)avmit_cnn_output_dim(avmit_cnn_kind_of(net));
    b->done = done;
    b->done_ctx = done_ctx;
    size_t B = (size_t)b->lanes * b->lane_rows;
    b->lane = calloc((size_t)b->lanes, sizeof *b->lane);
    b->in = malloc(B * b->per * sizeof *b->in);
    b->out = malloc(B * b->dim * sizeof *b->out);
    b->taken = malloc((size_t)b->lanes * sizeof *b->taken);
    if (!b->lane || !b->in || !b->out || !b->taken) {
        extract_batcher_free(b);
        return AVMIT_NOMEM(err, "CNN batch");
    }
    *out = b;
    return 0;
}

void extract_batcher_free(extract_batcher *b) {
    if (!b) return;
    for (int l = 0; b->lane && l < b->lanes; l++) free(b->lane[l].v);
    free(b->lane);
    free(b->in);
    free(b->out);
    free(b->taken);
    free(b);
}

int extract_batcher_batch_size(const extract_batcher *b) { return b->lanes * b->lane_rows; }

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int lane_push(lane_fifo *f, chunk c) {
    if (f->head + f->n == f->cap) {
        if (f->head) { /* compact */
            memmove(f->v, f->v + f->head, f->n * sizeof *f->v);
            f->head = 0;
        } else {
            size_t nc = f->cap ? 2 * f->cap : 8;
            chunk *p = realloc(f->v, nc * sizeof *p);
            if (!p) return -1;
            f->v = p;
            f->cap = nc;
        }
    }
    f->v[f->head + f->n++] = c;
    return 0;
}

int extract_batcher_add(extract_batcher *b, extract_item *it, const char *key, avmit_error *err) {
    int64_t rows = b->visual ? it->n_frames : it->n_patches;
    float **dst = b->visual ? &it->visual_emb : &it->audio_emb;
    *dst = malloc((size_t)(rows ? rows : 1) * b->dim * sizeof **dst);
    if (!*dst) return AVMIT_NOMEM(err, "embeddings");
    uint32_t h = fnv1a(key);
    for (int64_t r = 0, c = 0; r < rows; r += b->lane_rows, c++) {
        chunk ch = {it, r, (int)(rows - r < b->lane_rows ? rows - r : b->lane_rows)};
        if (lane_push(&b->lane[(h + (uint64_t)c) % (uint32_t)b->lanes], ch))
            return AVMIT_NOMEM(err, "CNN lanes");
        it->chunks_left++;
        b->backlog++;
    }
    return 0;
}

static int ready(const extract_batcher *b, int drain) {
    if (!b->backlog) return 0;
    if (drain || b->backlog >= 2 * (size_t)b->lanes) return 1;
    for (int l = 0; l < b->lanes; l++)
        if (!b->lane[l].n) return 0;
    return 1;
}

/* One batch: the oldest chunk of each lane, the rest zeros. */
static int run_batch(extract_batcher *b, double *busy_s, avmit_error *err) {
    size_t B = (size_t)b->lanes * b->lane_rows;
    chunk *taken = b->taken;
    memset(b->in, 0, B * b->per * sizeof *b->in);
    for (int l = 0; l < b->lanes; l++) {
        lane_fifo *f = &b->lane[l];
        taken[l].it = NULL;
        if (!f->n) continue;
        taken[l] = f->v[f->head++];
        f->n--;
        b->backlog--;
        const float *src = (b->visual ? taken[l].it->frames : taken[l].it->patches) +
                           (size_t)taken[l].row0 * b->per;
        memcpy(b->in + (size_t)l * b->lane_rows * b->per, src,
               (size_t)taken[l].k * b->per * sizeof *b->in);
    }
    double t = extract_now();
    int r = avmit_cnn_embed(b->net, b->in, B, b->out, err);
    *busy_s += extract_now() - t;
    if (r) return r;
    for (int l = 0; l < b->lanes; l++) {
        extract_item *it = taken[l].it;
        if (!it) continue;
        float *dst = (b->visual ? it->visual_emb : it->audio_emb) + (size_t)taken[l].row0 * b->dim;
        memcpy(dst, b->out + (size_t)l * b->lane_rows * b->dim,
               (size_t)taken[l].k * b->dim * sizeof *dst);
        if (--it->chunks_left == 0) b->done(b->done_ctx, it);
    }
    return 0;
}

void extract_batcher_abandon(extract_batcher *b) {
    for (int l = 0; l < b->lanes; l++) {
        lane_fifo *f = &b->lane[l];
        for (; f->n; f->n--, f->head++)
            if (--f->v[f->head].it->chunks_left == 0) b->done(b->done_ctx, f->v[f->head].it);
    }
    b->backlog = 0;
}

int extract_batcher_run(extract_batcher *b, int drain, double *busy_s, avmit_error *err) {
    while (ready(b, drain)) {
        int r = run_batch(b, busy_s, err);
        if (r) return r;
    }
    return 0;
}
#endif
