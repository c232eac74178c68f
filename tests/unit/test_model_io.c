/*
 * test_model_io.c — avmit/model_io.h and avmit/npz.h without the released
 * files: a small LSTM model's tensors built as Keras variables import value
 * for value (BN moving statistics into the statistics block), the export tree
 * has every layer of avmit_model_layers with the model's weight names and
 * values, a keras-h5 export reads back into an identical model, and each
 * malformed input is an error naming the variable: layer count, missing,
 * extra, misshapen, non-finite (the model stays unchanged). npz: the ZIP
 * structure numpy writes (ZIP64 local extra, stored members, end record) and
 * rejected names.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/model_io.h"
#include "avmit/npz.h"
#include "testutil.h"

static avmit_model_config small_config(void) {
    avmit_model_config c = avmit_model_default_config();
    c.rnn = AVMIT_RNN_LSTM, c.units = 3, c.bottleneck = 2, c.audio_dim = 5, c.visual_dim = 4, c.n_classes = 3;
    return c;
}

/* The model's own tensors as Keras variables (values = running index). */
static void build_vars(const avmit_model *m, avmit_keras_vars *v) {
    avmit_keras_h5 w;
    avmit_error err;
    CHECK_INT(avmit_model_to_keras_h5(m, &w, &err), 0);
    memset(v, 0, sizeof *v);
    v->source = strdup("mem.h5");
    v->layers = calloc(w.n_layers, sizeof *v->layers);
    for (size_t i = 0; i < w.n_layers; i++) {
        if (!w.layers[i].n_weights) continue;
        avmit_keras_var_layer *l = &v->layers[v->n_layers++];
        l->name = strdup(w.layers[i].name);
        l->vars = calloc(w.layers[i].n_weights, sizeof *l->vars);
        for (size_t j = 0; j < w.layers[i].n_weights; j++, l->n_vars++) {
            avmit_keras_weight *wt = &w.layers[i].weights[j];
            avmit_keras_var *x = &l->vars[j];
            const char *a = strrchr(wt->name, '/') + 1;
            x->attr = strndup(a, strcspn(a, ":"));
            x->origin = strdup(wt->name);
            x->ndim = wt->ndim;
            memcpy(x->shape, wt->shape, sizeof x->shape);
            x->data = wt->data;
            wt->data = NULL;
        }
    }
    avmit_keras_h5_free(&w);
    float k = 0.25f;
    for (size_t i = 0; i < v->n_layers; i++)
        for (size_t j = 0; j < v->layers[i].n_vars; j++)
            for (int64_t e = 0; e < avmit_keras_var_count(&v->layers[i].vars[j]); e++, k += 0.5f)
                v->layers[i].vars[j].data[e] = k;
}

static int expect_error(avmit_model *m, const avmit_keras_vars *v, int code, const char *needle) {
    avmit_error err;
    avmit_error_clear(&err);
    int rc = avmit_model_import_vars(m, v, &err);
    CHECK(rc == code && test_contains(err.msg, needle) && test_contains(err.msg, "mem.h5"),
          "rc %d (want %d), message '%s' should name '%s'", rc, code, err.msg, needle);
    return rc;
}

static void test_import(void) {
    avmit_model_config c = small_config();
    avmit_model *m, *m2;
    avmit_error err;
    CHECK_INT(avmit_model_create(&m, &c, &err), 0);
    avmit_keras_vars v;
    build_vars(m, &v);
    CHECK_INT(v.n_layers, 6);
    CHECK_INT(avmit_model_import_vars(m, &v, &err), 0);
    const avmit_keras_var *mv = avmit_keras_vars_find(&v, 2, "moving_variance"), *b = avmit_keras_vars_find(&v, 4, "bias");
    CHECK(mv && !memcmp(m->moving[AVMIT_S_AUDIO_VAR], mv->data, 2 * sizeof(float)), "audio BN moving variance");
    CHECK(b && !memcmp(m->w.v.rnn_bias, b->data, 12 * sizeof(float)), "LSTM bias (4 gate blocks of 3)");
    const avmit_keras_var *dk = avmit_keras_vars_find(&v, 5, "kernel");
    CHECK(dk && m->w.v.out_kernel[5] == dk->data[5], "dense kernel");

    /* export -> HDF5 -> import gives the same model */
    const char *h5 = test_path("small.h5");
    int rc = avmit_model_export_keras_h5(m, h5, &err);
    if (rc == AVMIT_E_UNSUPPORTED) {
        printf("note: built without libhdf5, keras-h5 round trip not run\n");
    } else {
        CHECK(rc == 0, "export: %s", err.msg);
        CHECK_INT(avmit_model_create(&m2, &c, &err), 0);
        avmit_weights_format f;
        CHECK(avmit_model_import_file(m2, h5, &f, &err) == 0, "import export: %s", err.msg);
        CHECK_INT(f, AVMIT_WEIGHTS_KERAS_H5);
        CHECK(!memcmp(m->weights, m2->weights, m->n_weights * sizeof(float)) &&
              !memcmp(m->stats, m2->stats, m->n_stats * sizeof(float)), "keras-h5 round trip");
        avmit_model_free(m2);
    }
    avmit_keras_h5 w;
    CHECK_INT(avmit_model_to_keras_h5(m, &w, &err), 0);
    avmit_layer_row rows[AVMIT_MODEL_MAX_LAYERS];
    CHECK_INT(w.n_layers, avmit_model_layers(&c, rows));
    CHECK_STR(w.layers[6].name, "audio_bn");
    CHECK_INT(w.layers[6].n_weights, 4);
    CHECK_STR(w.layers[6].weights[2].name, "audio_bn/moving_mean:0");
    CHECK_STR(w.layers[13].weights[1].name, "lstm/lstm_cell/recurrent_kernel:0");
    CHECK_STR(w.keras_version, "2.4.0");
    avmit_keras_h5_free(&w);

    /* errors, model unchanged */
    float *before = malloc(m->n_weights * sizeof(float));
    memcpy(before, m->weights, m->n_weights * sizeof(float));
    v.n_layers--;
    expect_error(m, &v, AVMIT_E_FORMAT, "has 5 layers with weights");
    v.n_layers++;
    avmit_keras_var_layer *rnn = &v.layers[4];
    char *saved = rnn->vars[2].attr;
    rnn->vars[2].attr = (char *)"bias_x";
    expect_error(m, &v, AVMIT_E_NOTFOUND, "no variable 'bias'");
    rnn->vars[2].attr = saved;
    rnn->n_vars--; /* a layer missing its last variable */
    expect_error(m, &v, AVMIT_E_NOTFOUND, "lstm/lstm_cell/bias:0");
    rnn->n_vars++;
    v.layers[5].vars[0].shape[1] = 4;
    expect_error(m, &v, AVMIT_E_FORMAT, "has shape (3, 4) but the model's 'dense/kernel:0' needs (3, 3)");
    v.layers[5].vars[0].shape[1] = 3;
    v.layers[2].vars[1].data[0] = NAN;
    expect_error(m, &v, AVMIT_E_NONFINITE, "audio_bn/beta:0");
    v.layers[2].vars[1].data[0] = 1;
    saved = v.layers[2].vars[3].attr;
    v.layers[2].vars[3].attr = (char *)"scale";
    expect_error(m, &v, AVMIT_E_NOTFOUND, "moving_variance");
    v.layers[2].vars[3].attr = saved;
    CHECK(!memcmp(before, m->weights, m->n_weights * sizeof(float)), "failed imports leave the model unchanged");
    free(before);
    avmit_keras_vars_free(&v);
    avmit_model_free(m);
}

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static unsigned rd16(const uint8_t *p) { return p[0] | p[1] << 8; }

static void test_npz(void) {
    float a[6] = {1, 2, 3, 4, 5, 6};
    int64_t sa[2] = {2, 3}, sb[1] = {6};
    avmit_npz_entry e[2] = {{"x/kernel:0", AVMIT_DTYPE_F32, 2, sa, a}, {"b", AVMIT_DTYPE_F32, 1, sb, a}};
    uint8_t *buf;
    size_t n;
    avmit_error err;
    CHECK_INT(avmit_npz_encode(&buf, &n, e, 2, &err), 0);
    CHECK(rd32(buf) == 0x04034b50 && rd16(buf + 8) == 0 && rd16(buf + 26) == 14 && rd16(buf + 28) == 20,
          "local header: stored, name 'x/kernel:0.npy', 20-byte extra");
    CHECK(!memcmp(buf + 30, "x/kernel:0.npy", 14) && rd16(buf + 44) == 1 && rd16(buf + 46) == 16,
          "ZIP64 extra field (ID 1, 16 bytes)");
    CHECK(rd32(buf + 48) == rd32(buf + 18) && !memcmp(buf + 64, "\x93NUMPY", 6), "sizes and the .npy member");
    const uint8_t *end = buf + n - 22;
    CHECK(rd32(end) == 0x06054b50 && rd16(end + 10) == 2, "end record with 2 entries");
    CHECK(rd32(buf + rd32(end + 16)) == 0x02014b50, "central directory at the recorded offset");
    free(buf);
    e[1].name = "x/kernel:0";
    CHECK_INT(avmit_npz_encode(&buf, &n, e, 2, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "twice"), "duplicate name: %s", err.msg);
    e[1].name = "";
    CHECK_INT(avmit_npz_encode(&buf, &n, e, 2, &err), AVMIT_E_ARG);
}

int main(void) {
    test_import();
    test_npz();
    return test_finish("model_io");
}
