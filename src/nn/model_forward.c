/*
 * model_forward.c — forward and backward of the experiment-1 model as lists
 * of layer calls (SPEC.md §4; include/avmit/model.h). Rows n = b*T + t.
 *
 *   per modality k (audio, visual):  pre_k = x[:, cols_k] . K_k + b_k   [N,nb]
 *                                    bn_k  = BN(pre_k)                  [N,nb]
 *                                    cat[:, k*nb:(k+1)*nb] = act(bn_k)  [N,2nb]
 *   h = RNN(cat * mask)                                                 [B,H]
 *   logits = h . W + b; probs = softmax(logits)                         [B,K]
 *
 * Zero-padded timesteps: a row of x that is all zeros in a modality gives
 * exactly b_k from the dense layer, so those rows are left out of the GEMMs
 * (the result is the same; padding is ~1/7 of the rows).
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/model.h"

struct avmit_model_ws {
    int max_batch, B, N, training;
    int D_in, Dr, nb, H, K, T;
    /* per modality */
    float *xc[2];      /* [N, D_k] compacted non-zero rows */
    int *rows[2];      /* [N] indices of the non-zero rows */
    int n_rows[2];
    float *pc[2];      /* [N, nb] dense output of the compacted rows */
    float *pre[2];     /* [N, nb] */
    float *bn[2];      /* [N, nb] */
    float *mean[2], *var[2]; /* [nb] */
    float *act[2];     /* [N, nb] scratch (activation out / in-gradient) */
    float *cat;        /* [N, Dr] */
    float *mask;       /* [B, Dr] copy of the dropout mask (or NULL use) */
    int has_mask;
    float *rnn_cache, *rnn_work;
    float *h;          /* [B, H] */
    float *logits, *probs; /* [B, K] */
    /* backward */
    float *dlogits, *dh, *dcat, *dbn, *dpre;
    float *mem;
};

int avmit_model_ws_create(avmit_model_ws **out, const avmit_model *m, int max_batch,
                          avmit_error *err) {
    *out = NULL;
    const avmit_model_config *c = &m->cfg;
    if (max_batch < 1)
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, "batch", "batch size %d < 1", max_batch);
    avmit_model_ws *w = calloc(1, sizeof *w);
    if (!w) return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
    int B = max_batch, T = c->timesteps, N = B * T, nb = c->bottleneck, H = c->units, K = c->n_classes;
    int Dr = avmit_model_rnn_dim(c);
    w->max_batch = B;
    w->D_in = avmit_model_input_dim(c);
    w->Dr = Dr, w->nb = nb, w->H = H, w->K = K, w->T = T;
    size_t need = 0;
    int dims[2] = {c->use_audio ? c->audio_dim : 0, c->use_visual ? c->visual_dim : 0};
    for (int k = 0; k < 2; k++)
        if (dims[k]) need += (size_t)N * dims[k] + 5 * (size_t)N * nb + 2 * (size_t)nb;
    need += 2 * (size_t)N * Dr + (size_t)B * Dr;
    need += avmit_rnn_cache_size(c->rnn, B, T, Dr, H) + avmit_rnn_work_size(c->rnn, B, T, Dr, H);
    need += 2 * (size_t)B * H + 3 * (size_t)B * K + 2 * (size_t)N * nb;
    w->mem = calloc(need, sizeof(float));
    for (int k = 0; k < 2; k++)
        if (dims[k] && !(w->rows[k] = calloc((size_t)N, sizeof(int)))) w->mem = (free(w->mem), NULL);
    if (!w->mem) {
        avmit_model_ws_free(w);
        return avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL,
                               "out of memory for a batch-%d workspace", max_batch);
    }
    float *p = w->mem;
#define TAKE(ptr, n) (ptr = p, p += (n))
    for (int k = 0; k < 2; k++) {
        if (!dims[k]) continue;
        TAKE(w->xc[k], (size_t)N * dims[k]);
        TAKE(w->pc[k], (size_t)N * nb);
        TAKE(w->pre[k], (size_t)N * nb);
        TAKE(w->bn[k], (size_t)N * nb);
        TAKE(w->act[k], (size_t)N * nb);
        TAKE(w->mean[k], nb);
        TAKE(w->var[k], nb);
        p += (size_t)N * nb; /* spare: keeps the block size formula simple */
    }
    TAKE(w->cat, (size_t)N * Dr);
    TAKE(w->dcat, (size_t)N * Dr);
    TAKE(w->mask, (size_t)B * Dr);
    TAKE(w->rnn_cache, avmit_rnn_cache_size(c->rnn, B, T, Dr, H));
    TAKE(w->rnn_work, avmit_rnn_work_size(c->rnn, B, T, Dr, H));
    TAKE(w->h, (size_t)B * H);
    TAKE(w->dh, (size_t)B * H);
    TAKE(w->logits, (size_t)B * K);
    TAKE(w->probs, (size_t)B * K);
    TAKE(w->dlogits, (size_t)B * K);
    TAKE(w->dbn, (size_t)N * nb);
    TAKE(w->dpre, (size_t)N * nb);
#undef TAKE
    *out = w;
    return 0;
}

void avmit_model_ws_free(avmit_model_ws *ws) {
    if (!ws) return;
    free(ws->rows[0]);
    free(ws->rows[1]);
    free(ws->mem);
    free(ws);
}

/* Modality k's column offset in x and its width (0 when unused). */
static int modality(const avmit_model_config *c, int k, int *col) {
    *col = k == 0 ? 0 : (c->use_audio ? c->audio_dim : 0);
    return k == 0 ? (c->use_audio ? c->audio_dim : 0) : (c->use_visual ? c->visual_dim : 0);
}

/* pre[N,nb] = x[:, col:col+D] . kernel + bias, skipping all-zero rows. */
static void bottleneck_forward(avmit_model_ws *w, int k, const float *x, int col, int D,
                               const float *kernel, const float *bias) {
    int N = w->N, nb = w->nb, n_rows = 0;
    for (int n = 0; n < N; n++) {
        const float *r = x + (size_t)n * w->D_in + col;
        int nz = 0;
        for (int d = 0; d < D && !nz; d++) nz = r[d] != 0.0f;
        if (!nz) continue;
        memcpy(w->xc[k] + (size_t)n_rows * D, r, sizeof(float) * D);
        w->rows[k][n_rows++] = n;
    }
    w->n_rows[k] = n_rows;
    if (n_rows == N) {
        avmit_dense_forward(w->pre[k], w->xc[k], kernel, bias, N, D, nb, D);
        return;
    }
    for (int n = 0; n < N; n++) memcpy(w->pre[k] + (size_t)n * nb, bias, sizeof(float) * nb);
    if (n_rows) avmit_dense_forward(w->pc[k], w->xc[k], kernel, bias, n_rows, D, nb, D);
    for (int i = 0; i < n_rows; i++)
        memcpy(w->pre[k] + (size_t)w->rows[k][i] * nb, w->pc[k] + (size_t)i * nb, sizeof(float) * nb);
}

const float *avmit_model_forward(avmit_model *m, avmit_model_ws *w, const float *x, int B,
                                 int training, const float *mask) {
    const avmit_model_config *c = &m->cfg;
    const avmit_model_params *P = &m->w;
    int T = c->timesteps, N = B * T, nb = w->nb, Dr = w->Dr;
    if (B < 1 || B > w->max_batch) return NULL;
    w->B = B, w->N = N, w->training = training;
    int slot = 0;
    for (int k = 0; k < 2; k++) {
        int col, D = modality(c, k, &col);
        if (!D) continue;
        const float *kernel = k ? P->v.visual_kernel : P->v.audio_kernel;
        const float *bias = k ? P->v.visual_bias : P->v.audio_bias;
        const float *gamma = k ? P->v.visual_gamma : P->v.audio_gamma;
        const float *beta = k ? P->v.visual_beta : P->v.audio_beta;
        float *mm = m->moving[k ? AVMIT_S_VISUAL_MEAN : AVMIT_S_AUDIO_MEAN];
        float *mv = m->moving[k ? AVMIT_S_VISUAL_VAR : AVMIT_S_AUDIO_VAR];
        bottleneck_forward(w, k, x, col, D, kernel, bias);
        if (training) {
            avmit_batchnorm_forward_train(w->bn[k], w->mean[k], w->var[k], w->pre[k], gamma, beta, N, nb,
                                          AVMIT_BN_EPSILON);
            avmit_batchnorm_update_moving(mm, mv, w->mean[k], w->var[k], nb, AVMIT_BN_MOMENTUM);
        } else {
            avmit_batchnorm_forward_infer(w->bn[k], w->pre[k], gamma, beta, mm, mv, N, nb,
                                          AVMIT_BN_EPSILON);
        }
        avmit_act_forward(w->act[k], w->bn[k], (size_t)N * nb, c->act);
        for (int n = 0; n < N; n++)
            memcpy(w->cat + (size_t)n * Dr + slot * nb, w->act[k] + (size_t)n * nb, sizeof(float) * nb);
        slot++;
    }
    w->has_mask = training && mask;
    if (w->has_mask) memcpy(w->mask, mask, sizeof(float) * B * Dr);
    avmit_rnn_forward(c->rnn, w->h, w->rnn_cache, w->cat, w->has_mask ? w->mask : NULL,
                      P->v.rnn_kernel, P->v.rnn_recurrent, P->v.rnn_bias, B, T, Dr, c->units,
                      w->rnn_work);
    avmit_dense_forward(w->logits, w->h, P->v.out_kernel, P->v.out_bias, B, c->units, c->n_classes,
                        c->units);
    avmit_softmax_forward(w->probs, w->logits, B, c->n_classes);
    return w->probs;
}

double avmit_model_loss(const avmit_model_ws *w, const int *labels) {
    return avmit_ce_loss(w->probs, labels, w->B, w->K);
}

void avmit_model_backward(const avmit_model *m, avmit_model_ws *w, const int *labels,
                          float *grads) {
    const avmit_model_config *c = &m->cfg;
    const avmit_model_params *P = &m->w;
    avmit_model_params G = avmit_model_views(m, grads);
    int B = w->B, T = c->timesteps, N = w->N, nb = w->nb, Dr = w->Dr, H = c->units, K = c->n_classes;

    memset(w->dlogits, 0, sizeof(float) * B * K);
    avmit_softmax_ce_backward(w->dlogits, w->probs, labels, B, K);
    memset(w->dh, 0, sizeof(float) * B * H);
    avmit_dense_backward(w->dh, G.v.out_kernel, G.v.out_bias, w->dlogits, w->h, P->v.out_kernel, B,
                         H, K, H);
    memset(w->dcat, 0, sizeof(float) * N * Dr);
    avmit_rnn_backward(c->rnn, w->dcat, G.v.rnn_kernel, G.v.rnn_recurrent, G.v.rnn_bias, w->dh,
                       w->rnn_cache, w->cat, w->has_mask ? w->mask : NULL, P->v.rnn_kernel,
                       P->v.rnn_recurrent, P->v.rnn_bias, B, T, Dr, H, w->rnn_work);
    int slot = 0;
    for (int k = 0; k < 2; k++) {
        int col, D = modality(c, k, &col);
        if (!D) continue;
        float *dact = w->act[k]; /* the activation output is no longer needed */
        for (int n = 0; n < N; n++)
            memcpy(dact + (size_t)n * nb, w->dcat + (size_t)n * Dr + slot * nb, sizeof(float) * nb);
        memset(w->dbn, 0, sizeof(float) * N * nb);
        avmit_act_backward(w->dbn, dact, w->bn[k], (size_t)N * nb, c->act);
        memset(w->dpre, 0, sizeof(float) * N * nb);
        avmit_batchnorm_backward(w->dpre, k ? G.v.visual_gamma : G.v.audio_gamma,
                                 k ? G.v.visual_beta : G.v.audio_beta, w->dbn, w->pre[k],
                                 k ? P->v.visual_gamma : P->v.audio_gamma, w->mean[k], w->var[k], N,
                                 nb, AVMIT_BN_EPSILON);
        float *dkernel = k ? G.v.visual_kernel : G.v.audio_kernel;
        float *dbias = k ? G.v.visual_bias : G.v.audio_bias;
        /* bias: every row; kernel: only the non-zero rows contribute */
        for (int n = 0; n < N; n++)
            for (int j = 0; j < nb; j++) dbias[j] += w->dpre[(size_t)n * nb + j];
        int nr = w->n_rows[k];
        if (nr) {
            const float *dsel = w->dpre;
            if (nr != N) {
                for (int i = 0; i < nr; i++)
                    memcpy(w->pc[k] + (size_t)i * nb, w->dpre + (size_t)w->rows[k][i] * nb, sizeof(float) * nb);
                dsel = w->pc[k];
            }
            avmit_dense_backward(NULL, dkernel, NULL, dsel, w->xc[k], k ? P->v.visual_kernel : P->v.audio_kernel,
                                 nr, D, nb, D);
        }
        slot++;
    }
}
