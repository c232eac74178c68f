/*
 * test_model.c — the experiment-1 model's parameter block (include/avmit/model.h):
 * the six Table 5 trainable counts from configs alone, Keras names and shapes
 * of FORMATS.md §5.2, Keras initial values (glorot limits, orthogonal recurrent
 * kernel, LSTM forget bias 1, BN 1/0/0/1), views sharing the layout, Adam's
 * Keras form against a hand-computed step, fp16 conversions, and that a
 * forward with B > max_batch is refused.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/model.h"
#include "testutil.h"

static avmit_model_config cfg(avmit_rnn_kind k, int H, int nb, avmit_act act, int da, int dv) {
    avmit_model_config c = avmit_model_default_config();
    c.rnn = k, c.units = H, c.bottleneck = nb, c.act = act, c.audio_dim = da, c.visual_dim = dv;
    return c;
}

static void test_table5(void) {
    struct { avmit_model_config c; size_t want; } t[] = {
        {cfg(AVMIT_RNN_SIMPLE, 128, 256, AVMIT_ACT_SWISH, 1024, 1280), 675472},
        {cfg(AVMIT_RNN_GRU, 128, 64, AVMIT_ACT_SWISH, 1024, 1280), 248976},
        {cfg(AVMIT_RNN_LSTM, 64, 256, AVMIT_ACT_SWISH, 1024, 1280), 740112},
        {cfg(AVMIT_RNN_SIMPLE, 256, 256, AVMIT_ACT_SWISH, 128, 512), 366352},
        {cfg(AVMIT_RNN_GRU, 128, 256, AVMIT_ACT_RELU, 128, 512), 413968},
        {cfg(AVMIT_RNN_LSTM, 256, 256, AVMIT_ACT_SWISH, 128, 512), 956944},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        CHECK_INT(avmit_model_trainable_count(&t[i].c), t[i].want);
}

static void test_names_and_init(void) {
    avmit_model_config c = cfg(AVMIT_RNN_GRU, 128, 64, AVMIT_ACT_SWISH, 1024, 1280);
    avmit_model *m;
    avmit_error err;
    CHECK_INT(avmit_model_create(&m, &c, &err), 0);
    CHECK_INT(avmit_model_init(m, 42, &err), 0);
    CHECK_STR(m->params[AVMIT_P_AUDIO_KERNEL].name, "audio_bottleneck/kernel:0");
    CHECK_INT(m->params[AVMIT_P_AUDIO_KERNEL].ndim, 4);
    CHECK_INT(m->params[AVMIT_P_AUDIO_KERNEL].shape[2], 1024);
    CHECK_INT(m->params[AVMIT_P_AUDIO_KERNEL].shape[3], 64);
    CHECK_STR(m->params[AVMIT_P_RNN_BIAS].name, "gru/gru_cell/bias:0");
    CHECK_INT(m->params[AVMIT_P_RNN_BIAS].shape[0], 2);
    CHECK_INT(m->params[AVMIT_P_RNN_BIAS].shape[1], 384);
    CHECK_STR(m->params[AVMIT_P_RNN_KERNEL].name, "gru/gru_cell/kernel:0");
    CHECK_INT(m->params[AVMIT_P_RNN_KERNEL].shape[0], 128);
    CHECK_STR(m->stats_info[AVMIT_S_VISUAL_VAR].name, "visual_bn/moving_variance:0");
    CHECK_INT(m->n_stats, 256);
    CHECK_INT(avmit_model_find(m, "dense/bias:0"), AVMIT_P_OUT_BIAS);
    CHECK_INT(avmit_model_find(m, "audio_bn/moving_mean:0"), AVMIT_P_COUNT + AVMIT_S_AUDIO_MEAN);
    CHECK_INT(avmit_model_find(m, "lstm/lstm_cell/bias:0"), -1);
    /* the block is contiguous and the table tiles it */
    size_t at = 0;
    for (int i = 0; i < AVMIT_P_COUNT; i++) {
        CHECK_INT(m->params[i].offset, at);
        at += m->params[i].count;
    }
    CHECK_INT(at, m->n_weights);
    /* glorot_uniform limit for the (1,1,1024,64) kernel: sqrt(6/(1024+64)) */
    double lim = sqrt(6.0 / (1024 + 64)), mx = 0;
    for (size_t i = 0; i < m->params[AVMIT_P_AUDIO_KERNEL].count; i++) mx = fmax(mx, fabs(m->w.v.audio_kernel[i]));
    CHECK(mx <= lim && mx > 0.95 * lim, "audio kernel max |w| %g vs limit %g", mx, lim);
    /* orthogonal (128, 384): U U^T = I */
    double worst = 0;
    for (int i = 0; i < 128; i++)
        for (int j = 0; j < 128; j++) {
            double s = 0;
            for (int k = 0; k < 384; k++)
                s += (double)m->w.v.rnn_recurrent[i * 384 + k] * m->w.v.rnn_recurrent[j * 384 + k];
            worst = fmax(worst, fabs(s - (i == j)));
        }
    CHECK(worst < 1e-5, "recurrent kernel U U^T - I max %g", worst);
    for (int i = 0; i < 64; i++) {
        CHECK(m->w.v.audio_gamma[i] == 1 && m->w.v.audio_beta[i] == 0 && m->w.v.audio_bias[i] == 0, "BN/bias init");
        CHECK(m->moving[AVMIT_S_AUDIO_MEAN][i] == 0 && m->moving[AVMIT_S_AUDIO_VAR][i] == 1, "moving init");
    }
    /* same seed, same weights; another seed, other weights */
    avmit_model *m2;
    CHECK_INT(avmit_model_create(&m2, &c, &err), 0);
    avmit_model_init(m2, 42, &err);
    CHECK(!memcmp(m->weights, m2->weights, sizeof(float) * m->n_weights), "seeded init is deterministic");
    avmit_model_init(m2, 43, &err);
    CHECK(memcmp(m->weights, m2->weights, sizeof(float) * m->n_weights), "another seed differs");
    /* views into another block use the same offsets */
    float *g = calloc(m->n_weights, sizeof(float));
    avmit_model_params v = avmit_model_views(m, g);
    CHECK(v.v.out_bias == g + m->params[AVMIT_P_OUT_BIAS].offset, "grad view offset");
    /* forward refuses B > max_batch */
    avmit_model_ws *ws;
    CHECK_INT(avmit_model_ws_create(&ws, m, 2, &err), 0);
    float *x = calloc((size_t)3 * 7 * 2304, sizeof(float));
    CHECK(avmit_model_forward(m, ws, x, 3, 0, NULL) == NULL, "B > max_batch refused");
    const float *p = avmit_model_forward(m, ws, x, 2, 0, NULL);
    double s = 0;
    for (int k = 0; k < 16; k++) s += p[k];
    CHECK(fabs(s - 1) < 1e-5, "probabilities sum to 1 (%g)", s);
    free(x);
    free(g);
    avmit_model_ws_free(ws);
    avmit_model_free(m2);
    avmit_model_free(m);

    /* LSTM: unit forget bias */
    c = cfg(AVMIT_RNN_LSTM, 8, 4, AVMIT_ACT_RELU, 6, 5);
    CHECK_INT(avmit_model_create(&m, &c, &err), 0);
    avmit_model_init(m, 1, &err);
    for (int i = 0; i < 32; i++) CHECK(m->w.v.rnn_bias[i] == (i >= 8 && i < 16 ? 1.0f : 0.0f), "lstm bias[%d]", i);
    CHECK_STR(m->params[AVMIT_P_RNN_RECURRENT].name, "lstm/lstm_cell/recurrent_kernel:0");
    avmit_model_free(m);
    /* audio-only: no visual tensors, RNN input nb */
    c = cfg(AVMIT_RNN_SIMPLE, 8, 4, AVMIT_ACT_RELU, 6, 5);
    c.use_visual = 0;
    CHECK_INT(avmit_model_create(&m, &c, &err), 0);
    CHECK_INT(m->params[AVMIT_P_VISUAL_KERNEL].count, 0);
    CHECK_INT(m->params[AVMIT_P_RNN_KERNEL].shape[0], 4);
    CHECK_STR(m->params[AVMIT_P_RNN_KERNEL].name, "simple_rnn/simple_rnn_cell/kernel:0");
    CHECK_INT(m->n_weights, 6 * 4 + 4 + 8 + 4 * 8 + 8 * 8 + 8 + 8 * 16 + 16);
    avmit_model_free(m);
    c.use_audio = 0;
    CHECK_INT(avmit_model_create(&m, &c, &err), AVMIT_E_ARG);
}

static void test_adam(void) {
    /* One Keras step by hand: t=1, g=0.5, lr 0.1: m=0.05, v=0.00025,
     * alpha = 0.1*sqrt(0.001)/0.1, w -= alpha*m/(sqrt(v)+1e-7). */
    float w = 1.0f, g = 0.5f, m = 0, v = 0;
    avmit_adam_params p = avmit_adam_default_params(0.1f);
    avmit_adam_step(&w, &g, &m, &v, 1, &p, 1);
    double alpha = 0.1 * sqrt(1 - 0.999) / (1 - 0.9);
    double want = 1.0 - alpha * 0.05 / (sqrt(0.00025) + 1e-7);
    CHECK(fabs(w - want) < 1e-6, "adam step: %.9g vs %.9g", w, want);
    /* decoupled weight decay: w -= lr*wd*w before the step (g = 0 leaves only it) */
    float w2 = 2.0f, g2 = 0, m2 = 0, v2 = 0;
    p.weight_decay = 0.5f;
    avmit_adam_step(&w2, &g2, &m2, &v2, 1, &p, 1);
    CHECK(fabs(w2 - 1.9f) < 1e-6, "weight decay: %g", w2);
}

static void test_f16(void) {
    float vals[] = {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f, 0.333333f};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        float r = avmit_f16_to_f32(avmit_f32_to_f16(vals[i]));
        CHECK(fabsf(r - vals[i]) <= fabsf(vals[i]) * 4.9e-4f, "f16 round trip %g -> %g", vals[i], r);
    }
    CHECK_INT(avmit_f32_to_f16(1.0f), 0x3c00);
    CHECK_INT(avmit_f32_to_f16(1e6f), 0x7c00);
    CHECK_INT(avmit_f32_to_f16(1.0f + 1.0f / 2048), 0x3c00); /* tie -> even */
    CHECK_INT(avmit_f32_to_f16(1.0f + 3.0f / 2048), 0x3c02);
}

int main(void) {
    test_table5();
    test_names_and_init();
    test_adam();
    test_f16();
    return test_finish("model");
}
