/*
 * evaluate.c — inference-mode metrics of include/avmit/train.h (SPEC.md §5):
 * clipped cross-entropy, top-1 (first argmax, Keras categorical_accuracy),
 * top-5 (tf.math.in_top_k: fewer than 5 classes score strictly above the true
 * class), per-class accuracy and the confusion matrix.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/train.h"
#include "train/train_int.h"

int avmit_top1(const float *p, int K) {
    int best = 0;
    for (int k = 1; k < K; k++)
        if (p[k] > p[best]) best = k;
    return best;
}

int avmit_in_top_k(const float *p, int K, int y, int k) {
    int above = 0;
    for (int j = 0; j < K; j++) above += p[j] > p[y];
    return above < k;
}

void avmit_eval_result_free(avmit_eval_result *r) {
    if (!r) return;
    free(r->class_n);
    free(r->class_acc);
    free(r->confusion);
    free(r->probs);
    memset(r, 0, sizeof *r);
}

int avmit_evaluate(avmit_model *m, const avmit_examples *data, int batch, int keep_probs,
                   avmit_eval_result *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    int K = m->cfg.n_classes, rc;
    if (data->T != m->cfg.timesteps || data->D != avmit_model_input_dim(&m->cfg))
        return avmit_error_set(err, AVMIT_E_ARG, NULL, -1, -1, -1, NULL,
                               "data are [%d, %d] per sample but the model takes [%d, %d]", data->T,
                               data->D, m->cfg.timesteps, avmit_model_input_dim(&m->cfg));
    if (batch < 1) batch = 16;
    avmit_model_ws *ws = NULL;
    float *x = malloc(sizeof(float) * (size_t)batch * data->T * data->D);
    uint32_t *idx = malloc(sizeof(uint32_t) * (size_t)batch);
    out->n = data->n;
    out->K = K;
    out->class_n = calloc((size_t)K, sizeof(size_t));
    out->class_acc = calloc((size_t)K, sizeof(double));
    out->confusion = calloc((size_t)K * K, sizeof(size_t));
    if (keep_probs) out->probs = malloc(sizeof(float) * (data->n ? data->n : 1) * K);
    if (!x || !idx || !out->class_n || !out->class_acc || !out->confusion || (keep_probs && !out->probs)) {
        rc = avmit_error_set(err, AVMIT_E_NOMEM, NULL, -1, -1, -1, NULL, "out of memory");
        goto done;
    }
    if ((rc = avmit_model_ws_create(&ws, m, batch, err))) goto done;
    double loss = 0;
    size_t c1 = 0, c5 = 0;
    for (size_t at = 0; at < data->n; at += (size_t)batch) {
        int B = (int)(data->n - at < (size_t)batch ? data->n - at : (size_t)batch);
        for (int b = 0; b < B; b++) idx[b] = (uint32_t)(at + (size_t)b);
        avmit_examples_gather(data, idx, B, x);
        const float *p = avmit_model_forward(m, ws, x, B, 0, NULL);
        loss += avmit_model_loss(ws, data->labels + at) * B;
        for (int b = 0; b < B; b++) {
            const float *pb = p + (size_t)b * K;
            int y = data->labels[at + b], top = avmit_top1(pb, K);
            c1 += top == y;
            c5 += avmit_in_top_k(pb, K, y, 5);
            out->class_n[y]++;
            out->confusion[(size_t)y * K + top]++;
        }
        if (keep_probs) memcpy(out->probs + at * K, p, sizeof(float) * B * K);
    }
    size_t n = data->n ? data->n : 1;
    out->loss = loss / n;
    out->top1 = (double)c1 / n;
    out->top5 = (double)c5 / n;
    for (int k = 0; k < K; k++)
        out->class_acc[k] = out->class_n[k] ? (double)out->confusion[(size_t)k * K + k] / out->class_n[k] : NAN;
done:
    avmit_model_ws_free(ws);
    free(x);
    free(idx);
    if (rc) avmit_eval_result_free(out);
    return rc;
}
