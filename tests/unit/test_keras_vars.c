/*
 * test_keras_vars.c — every released weight file (24 HDF5, 6 TF2) as layers
 * with weights in Keras load order (avmit/keras_vars.h):
 *  - 6 layers named as FORMATS.md §5.2 / §5.3 / §6.4 list them;
 *  - trainable counts (all but BN moving statistics) equal Table 5 for
 *    action recognition and the §5.3 totals for SAVC;
 *  - a trained checkpoint has exactly the layers, attributes and shapes of
 *    the same config's random_seed HDF5 file.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/keras_vars.h"
#include "testutil.h"

typedef struct cfg {
    const char *dir;     /* under data/models */
    const char *ckpt;    /* trained checkpoint prefix or NULL */
    const char *rnn;     /* RNN layer name */
    long long trainable; /* Table 5 / FORMATS §5.3 */
} cfg;

static const cfg k_cfgs[] = {
    {"action_recognition/VGGish_VGG_FRNN_AVMIT", NULL, "simple_rnn", 366352},
    {"action_recognition/VGGish_VGG_FRNN_MIT_16", NULL, "simple_rnn", 366352},
    {"action_recognition/VGGish_VGG_GRU_AVMIT", NULL, "gru", 413968},
    {"action_recognition/VGGish_VGG_GRU_MIT_16", NULL, "gru", 413968},
    {"action_recognition/VGGish_VGG_LSTM_AVMIT", NULL, "lstm", 956944},
    {"action_recognition/VGGish_VGG_LSTM_MIT_16", NULL, "lstm", 956944},
    {"action_recognition/YamNet_EffNet_FRNN_AVMIT", NULL, "simple_rnn", 675472},
    {"action_recognition/YamNet_EffNet_FRNN_MIT_16", NULL, "simple_rnn", 675472},
    {"action_recognition/YamNet_EffNet_GRU_AVMIT", "weights.64-0.28.ckpt", "gru", 248976},
    {"action_recognition/YamNet_EffNet_GRU_MIT_16", "weights.23-0.88.ckpt", "gru", 248976},
    {"action_recognition/YamNet_EffNet_LSTM_AVMIT", NULL, "lstm", 740112},
    {"action_recognition/YamNet_EffNet_LSTM_MIT_16", NULL, "lstm", 740112},
    {"savc/VGGish_VGG16_FRNN_AVMIT_avcorr", "weights.24-0.55-0.72.ckpt", "simple_rnn", 181762},
    {"savc/VGGish_VGG16_FRNN_MIT16_avcorr", "weights.27-0.64-0.63.ckpt", "simple_rnn", 181762},
    {"savc/VGGish_VGG16_GRU_AVMIT_avcorr", "weights.28-0.55-0.72.ckpt", "gru", 314626},
    {"savc/VGGish_VGG16_GRU_MIT16_avcorr", "", "gru", 314626},
    {"savc/VGGish_VGG16_LSTM_AVMIT_avcorr", NULL, "lstm", 379906},
    {"savc/VGGish_VGG16_LSTM_MIT16_avcorr", NULL, "lstm", 379906},
    {"savc/YamNet_EffNet_FRNN_AVMIT_avcorr", NULL, "simple_rnn", 394754},
    {"savc/YamNet_EffNet_FRNN_MIT16_avcorr", NULL, "simple_rnn", 394754},
    {"savc/YamNet_EffNet_GRU_AVMIT_avcorr", NULL, "gru", 527618},
    {"savc/YamNet_EffNet_GRU_MIT16_avcorr", NULL, "gru", 527618},
    {"savc/YamNet_EffNet_LSTM_AVMIT_avcorr", NULL, "lstm", 592898},
    {"savc/YamNet_EffNet_LSTM_MIT16_avcorr", NULL, "lstm", 592898},
};

static long long trainable(const avmit_keras_vars *v) {
    long long n = 0;
    for (size_t i = 0; i < v->n_layers; i++)
        for (size_t j = 0; j < v->layers[i].n_vars; j++)
            if (strncmp(v->layers[i].vars[j].attr, "moving_", 7))
                n += avmit_keras_var_count(&v->layers[i].vars[j]);
    return n;
}

static void check_names(const avmit_keras_vars *v, const cfg *c, const char *what) {
    int savc = !strncmp(c->dir, "savc", 4);
    const char *ar[6] = {"audio_bottleneck", "visual_bottleneck", "audio_bn", "visual_bn",
                         c->rnn, "dense"};
    const char *sv[6] = {"audio_Dense_1", "visual_Dense_1", "audio_Dense_2", "visual_Dense_2",
                         c->rnn, "dense_4"};
    CHECK_INT(v->n_layers, 6);
    for (size_t i = 0; i < v->n_layers && i < 6; i++)
        CHECK(!strcmp(v->layers[i].name, savc ? sv[i] : ar[i]), "%s %s: layer %zu is %s",
              c->dir, what, i, v->layers[i].name);
}

/* same layers, attributes and shapes */
static void check_same_layout(const avmit_keras_vars *a, const avmit_keras_vars *b,
                              const char *dir) {
    CHECK_INT(a->n_layers, b->n_layers);
    for (size_t i = 0; i < a->n_layers && i < b->n_layers; i++) {
        CHECK_INT(a->layers[i].n_vars, b->layers[i].n_vars);
        for (size_t j = 0; j < a->layers[i].n_vars; j++) {
            const avmit_keras_var *x = &a->layers[i].vars[j];
            const avmit_keras_var *y = avmit_keras_vars_find(b, i, x->attr);
            CHECK(y && y->ndim == x->ndim && !memcmp(x->shape, y->shape, sizeof x->shape),
                  "%s: %s has no twin of the same shape in the checkpoint", dir, x->origin);
        }
    }
}

int main(void) {
    const char *shared = test_shared_dir();
    if (!shared) return 77;
    char path[1200];
    for (size_t k = 0; k < sizeof k_cfgs / sizeof *k_cfgs; k++) {
        const cfg *c = &k_cfgs[k];
        int savc = !strncmp(c->dir, "savc", 4);
        snprintf(path, sizeof path, "%s/data/models/%s/random_seed.%s", shared, c->dir,
                 savc ? "h5" : "ckpt");
        avmit_keras_vars h5, tf;
        avmit_error err;
        if (avmit_keras_vars_read(&h5, path, &err)) {
            CHECK(0, "%s", err.msg);
            continue;
        }
        CHECK_INT(h5.format, AVMIT_WEIGHTS_KERAS_H5);
        check_names(&h5, c, "h5");
        CHECK(trainable(&h5) == c->trainable, "%s: trainable %lld, expected %lld", c->dir,
              trainable(&h5), c->trainable);
        if (c->ckpt) { /* "" = through the folder's checkpoint file */
            snprintf(path, sizeof path, "%s/data/models/%s%s%s", shared, c->dir,
                     c->ckpt[0] ? "/" : "", c->ckpt);
            if (avmit_keras_vars_read(&tf, path, &err)) {
                CHECK(0, "%s", err.msg);
            } else {
                CHECK_INT(tf.format, AVMIT_WEIGHTS_TF2);
                check_names(&tf, c, "tf2");
                check_same_layout(&h5, &tf, c->dir);
                check_same_layout(&tf, &h5, c->dir);
                avmit_keras_vars_free(&tf);
            }
        }
        avmit_keras_vars_free(&h5);
    }
    return test_finish("test_keras_vars");
}
