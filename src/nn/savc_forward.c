/*
 * savc_forward.c — forward and backward of the SAVC model as lists of layer
 * calls (include/avmit/savc.h, SPEC.md §4). Rows n = b*T + t.
 *
 *   per tower k (0 audio, 1 visual):  h1_k = x_k . K1_k + b1_k        [N,E]
 *                                     h2_k = h1_k . K2_k + b2_k       [N,E]
 *                                     y_k  = L2norm(h2_k)             [N,E]
 *   dist = sqrt(max(|y_0 - y_1|^2, 1e-7))                             [N] = [B,T,1]
 *   h = RNN(dist * mask); probs = softmax(h . W + b)                  [B,2]
 *
 * A zero-padded input row gives exactly b1_k from the first Dense layer, so
 * those rows are left out of its GEMM (same result; its kernel gets no
 * gradient from them and its bias gets their summed gradient).
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/savc.h"

struct avmit_savc_ws {
    int max_batch, B, N, T, E, H;
    int D[2];
    float *xc[2];      /* [N, D_k] compacted non-zero input rows */
    int *rows[2];      /* [N] their row indices */
    int n_rows[2];
    float *h1c[2];     /* [N, E] first Dense of the compacted rows; backward: their gradient */
    float *h1[2], *h2[2], *y[2]; /* [N, E] */
    float *ss[2];      /* [N] sum of squares of h2 (L2norm cache) */
    float *dy[2], *dh2[2], *dh1[2]; /* [N, E] */
    float *dist, *ssd, *ddist; /* [N] */
    float *mask;       /* [B] */
    int has_mask;
    float *rnn_cache, *rnn_work;
    float *h, *dh;     /* [B, H] */
    float *logits, *probs, *dlogits; /* [B, 2] */
    float *mem;
};

int avmit_savc_ws_create(avmit_savc_ws **out, const avmit_savc_model *m, int max_batch,
                         avmit_error *err) {
    *out = NULL;
    const avmit_savc_config *c = &m->cfg;
    if (max_batch < 1)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "batch", "batch size %d < 1",
                               max_batch);
    avmit_savc_ws *w = calloc(1, sizeof *w);
    if (!w) return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
    const int B = max_batch, T = c->timesteps, E = c->embed, H = c->units;
    const size_t N = (size_t)B * T;
    w->max_batch = B, w->T = T, w->E = E, w->H = H;
    w->D[0] = c->audio_dim, w->D[1] = c->visual_dim;
    size_t need = 0;
    for (int k = 0; k < 2; k++) need += N * (size_t)w->D[k] + 7 * N * E + N;
    need += 3 * N + B;
    need += avmit_rnn_cache_size(c->rnn, B, T, 1, H) + avmit_rnn_work_size(c->rnn, B, T, 1, H);
    need += 2 * (size_t)B * H + 6 * (size_t)B;
    w->mem = calloc(need, sizeof(float));
    w->rows[0] = calloc(N, sizeof(int));
    w->rows[1] = calloc(N, sizeof(int));
    if (!w->mem || !w->rows[0] || !w->rows[1]) {
        avmit_savc_ws_free(w);
        return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL,
                               "out of memory for a batch-%d SAVC workspace", max_batch);
    }
    float *p = w->mem;
#define TAKE(ptr, n) (ptr = p, p += (n))
    for (int k = 0; k < 2; k++) {
        TAKE(w->xc[k], N * (size_t)w->D[k]);
        TAKE(w->h1c[k], N * E);
        TAKE(w->h1[k], N * E);
        TAKE(w->h2[k], N * E);
        TAKE(w->y[k], N * E);
        TAKE(w->dy[k], N * E);
        TAKE(w->dh2[k], N * E);
        TAKE(w->dh1[k], N * E);
        TAKE(w->ss[k], N);
    }
    TAKE(w->dist, N);
    TAKE(w->ssd, N);
    TAKE(w->ddist, N);
    TAKE(w->mask, (size_t)B);
    TAKE(w->rnn_cache, avmit_rnn_cache_size(c->rnn, B, T, 1, H));
    TAKE(w->rnn_work, avmit_rnn_work_size(c->rnn, B, T, 1, H));
    TAKE(w->h, (size_t)B * H);
    TAKE(w->dh, (size_t)B * H);
    TAKE(w->logits, 2 * (size_t)B);
    TAKE(w->probs, 2 * (size_t)B);
    TAKE(w->dlogits, 2 * (size_t)B);
#undef TAKE
    *out = w;
    return 0;
}

void avmit_savc_ws_free(avmit_savc_ws *ws) {
    if (!ws) return;
    free(ws->rows[0]);
    free(ws->rows[1]);
    free(ws->mem);
    free(ws);
}

/* Tower k on N rows of x [N, D]: h1, h2, y (and the compaction) in ws. */
static void tower_forward(const avmit_savc_model *m, avmit_savc_ws *w, int k, const float *x,
                          int N) {
    const int D = w->D[k], E = w->E;
    const float *K1 = m->p[k ? AVMIT_SV_VISUAL_K1 : AVMIT_SV_AUDIO_K1];
    const float *b1 = m->p[k ? AVMIT_SV_VISUAL_B1 : AVMIT_SV_AUDIO_B1];
    const float *K2 = m->p[k ? AVMIT_SV_VISUAL_K2 : AVMIT_SV_AUDIO_K2];
    const float *b2 = m->p[k ? AVMIT_SV_VISUAL_B2 : AVMIT_SV_AUDIO_B2];
    int n_rows = 0;
    for (int n = 0; n < N; n++) {
        const float *r = x + (size_t)n * D;
        int nz = 0;
        for (int d = 0; d < D && !nz; d++) nz = r[d] != 0.0f;
        if (!nz) continue;
        memcpy(w->xc[k] + (size_t)n_rows * D, r, sizeof(float) * D);
        w->rows[k][n_rows++] = n;
    }
    w->n_rows[k] = n_rows;
    if (n_rows == N) {
        avmit_dense_forward(w->h1[k], w->xc[k], K1, b1, N, D, E, D);
    } else {
        for (int n = 0; n < N; n++) memcpy(w->h1[k] + (size_t)n * E, b1, sizeof(float) * E);
        if (n_rows) avmit_dense_forward(w->h1c[k], w->xc[k], K1, b1, n_rows, D, E, D);
        for (int i = 0; i < n_rows; i++)
            memcpy(w->h1[k] + (size_t)w->rows[k][i] * E, w->h1c[k] + (size_t)i * E,
                   sizeof(float) * E);
    }
    avmit_dense_forward(w->h2[k], w->h1[k], K2, b2, N, E, E, E);
    avmit_l2norm_forward(w->y[k], w->ss[k], w->h2[k], N, E);
}

/* dist -> RNN -> Dense -> softmax, for w->B pairs. */
static const float *head_forward(const avmit_savc_model *m, avmit_savc_ws *w) {
    const avmit_savc_config *c = &m->cfg;
    avmit_rnn_forward(c->rnn, w->h, w->rnn_cache, w->dist, w->has_mask ? w->mask : NULL,
                      m->p[AVMIT_SV_RNN_KERNEL], m->p[AVMIT_SV_RNN_RECURRENT],
                      m->p[AVMIT_SV_RNN_BIAS], w->B, w->T, 1, w->H, w->rnn_work);
    avmit_dense_forward(w->logits, w->h, m->p[AVMIT_SV_OUT_KERNEL], m->p[AVMIT_SV_OUT_BIAS], w->B,
                        w->H, 2, w->H);
    avmit_softmax_forward(w->probs, w->logits, w->B, 2);
    return w->probs;
}

const float *avmit_savc_forward(const avmit_savc_model *m, avmit_savc_ws *w, const float *xa,
                                const float *xv, int B, const float *mask) {
    if (B < 1 || B > w->max_batch) return NULL;
    w->B = B, w->N = B * w->T;
    tower_forward(m, w, 0, xa, w->N);
    tower_forward(m, w, 1, xv, w->N);
    avmit_euclid_forward(w->dist, w->ssd, w->y[0], w->y[1], w->N, w->E);
    w->has_mask = mask != NULL;
    if (mask) memcpy(w->mask, mask, sizeof(float) * (size_t)B);
    return head_forward(m, w);
}

static void tower_backward(const avmit_savc_model *m, avmit_savc_ws *w, int k,
                           float *const g[AVMIT_SV_COUNT]) {
    const int N = w->N, D = w->D[k], E = w->E;
    const int iK1 = k ? AVMIT_SV_VISUAL_K1 : AVMIT_SV_AUDIO_K1;
    const int iB1 = k ? AVMIT_SV_VISUAL_B1 : AVMIT_SV_AUDIO_B1;
    const int iK2 = k ? AVMIT_SV_VISUAL_K2 : AVMIT_SV_AUDIO_K2;
    const int iB2 = k ? AVMIT_SV_VISUAL_B2 : AVMIT_SV_AUDIO_B2;
    memset(w->dh2[k], 0, sizeof(float) * (size_t)N * E);
    avmit_l2norm_backward(w->dh2[k], w->dy[k], w->h2[k], w->ss[k], N, E);
    memset(w->dh1[k], 0, sizeof(float) * (size_t)N * E);
    avmit_dense_backward(w->dh1[k], g[iK2], g[iB2], w->dh2[k], w->h1[k], m->p[iK2], N, E, E, E);
    /* First Dense: the kernel sees only the non-zero rows; the bias every row. */
    const int n_rows = w->n_rows[k];
    const float *dsrc = w->dh1[k];
    if (n_rows != N) {
        for (int i = 0; i < n_rows; i++)
            memcpy(w->h1c[k] + (size_t)i * E, w->dh1[k] + (size_t)w->rows[k][i] * E,
                   sizeof(float) * E);
        dsrc = w->h1c[k];
    }
    if (n_rows) avmit_dense_backward(NULL, g[iK1], NULL, dsrc, w->xc[k], m->p[iK1], n_rows, D, E, D);
    float *db1 = g[iB1];
    for (int n = 0; n < N; n++)
        for (int e = 0; e < E; e++) db1[e] += w->dh1[k][(size_t)n * E + e];
}

void avmit_savc_backward(const avmit_savc_model *m, avmit_savc_ws *w, const int *labels,
                         float *grads) {
    const avmit_savc_config *c = &m->cfg;
    const int B = w->B, N = w->N, E = w->E, H = w->H;
    float *g[AVMIT_SV_COUNT];
    avmit_savc_views(m, grads, g);
    memset(w->dlogits, 0, sizeof(float) * 2 * (size_t)B);
    avmit_softmax_bce2_backward(w->dlogits, w->probs, labels, B);
    memset(w->dh, 0, sizeof(float) * (size_t)B * H);
    avmit_dense_backward(w->dh, g[AVMIT_SV_OUT_KERNEL], g[AVMIT_SV_OUT_BIAS], w->dlogits, w->h,
                         m->p[AVMIT_SV_OUT_KERNEL], B, H, 2, H);
    memset(w->ddist, 0, sizeof(float) * (size_t)N);
    avmit_rnn_backward(c->rnn, w->ddist, g[AVMIT_SV_RNN_KERNEL], g[AVMIT_SV_RNN_RECURRENT],
                       g[AVMIT_SV_RNN_BIAS], w->dh, w->rnn_cache, w->dist,
                       w->has_mask ? w->mask : NULL, m->p[AVMIT_SV_RNN_KERNEL],
                       m->p[AVMIT_SV_RNN_RECURRENT], m->p[AVMIT_SV_RNN_BIAS], B, w->T, 1, H,
                       w->rnn_work);
    memset(w->dy[0], 0, sizeof(float) * (size_t)N * E);
    memset(w->dy[1], 0, sizeof(float) * (size_t)N * E);
    avmit_euclid_backward(w->dy[0], w->dy[1], w->ddist, w->y[0], w->y[1], w->dist, w->ssd, N, E);
    tower_backward(m, w, 0, g);
    tower_backward(m, w, 1, g);
}

void avmit_savc_embed(const avmit_savc_model *m, avmit_savc_ws *w, int modality,
                      const float *x, size_t n_rows, float *out) {
    const size_t chunk = (size_t)w->max_batch * (size_t)w->T;
    const int k = modality ? 1 : 0, D = w->D[k], E = w->E;
    for (size_t r0 = 0; r0 < n_rows; r0 += chunk) {
        int n = (int)(n_rows - r0 < chunk ? n_rows - r0 : chunk);
        tower_forward(m, w, k, x + r0 * (size_t)D, n);
        memcpy(out + r0 * (size_t)E, w->y[k], sizeof(float) * (size_t)n * E);
    }
}

const float *avmit_savc_head_pairs(const avmit_savc_model *m, avmit_savc_ws *w,
                                   const float *emb_audio, const float *emb_visual,
                                   const uint32_t *audio_idx, const uint32_t *visual_idx, int B) {
    if (B < 1 || B > w->max_batch) return NULL;
    const size_t TE = (size_t)w->T * w->E;
    w->B = B, w->N = B * w->T;
    for (int b = 0; b < B; b++) {
        memcpy(w->y[0] + b * TE, emb_audio + audio_idx[b] * TE, sizeof(float) * TE);
        memcpy(w->y[1] + b * TE, emb_visual + visual_idx[b] * TE, sizeof(float) * TE);
    }
    avmit_euclid_forward(w->dist, w->ssd, w->y[0], w->y[1], w->N, w->E);
    w->has_mask = 0;
    return head_forward(m, w);
}
