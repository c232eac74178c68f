/*
 * model_import.c — Keras HDF5 / TF2 checkpoint variables into an experiment-1
 * model, and the model back out as a Keras weights tree or an .npz
 * (include/avmit/model_io.h; FORMATS.md §5.2, §5.4, §6.4, §9). The checks
 * and the tree building are model_io.c's.
 */
#include <string.h>

#include "avmit/model_io.h"
#include "model_io_int.h"

/* The experiment-1 model as its layers and tensors. */
typedef struct exp1_view {
    avmit_layer_row rows[AVMIT_MODEL_MAX_LAYERS];
    avmit_io_tensor t[AVMIT_P_COUNT + AVMIT_S_COUNT];
    avmit_io_model io;
} exp1_view;

/* Every tensor of m in Keras weight_names order per layer: a layer's
 * trainable weights, then (BN) its moving statistics. */
static void exp1_view_init(exp1_view *v, const avmit_model *m) {
    size_t n = 0;
    for (int i = 0; i < AVMIT_P_COUNT; i++) {
        if (m->params[i].count)
            v->t[n++] = (avmit_io_tensor){&m->params[i], m->weights + m->params[i].offset};
        int s = i == AVMIT_P_AUDIO_BETA ? AVMIT_S_AUDIO_MEAN : i == AVMIT_P_VISUAL_BETA ? AVMIT_S_VISUAL_MEAN : -1;
        for (int k = 0; s >= 0 && k < 2; k++)
            if (m->stats_info[s + k].count)
                v->t[n++] = (avmit_io_tensor){&m->stats_info[s + k], m->stats + m->stats_info[s + k].offset};
    }
    v->io = (avmit_io_model){avmit_rnn_name(m->cfg.rnn), v->rows, avmit_model_layers(&m->cfg, v->rows),
                             v->t, n};
}

int avmit_model_import_vars(avmit_model *m, const avmit_keras_vars *v, avmit_error *err) {
    exp1_view view;
    exp1_view_init(&view, m);
    return avmit_io_import(&view.io, v, err);
}

int avmit_model_import_file(avmit_model *m, const char *path, avmit_weights_format *format,
                            avmit_error *err) {
    avmit_keras_vars v;
    int rc = avmit_keras_vars_read(&v, path, err);
    if (rc) return rc;
    if (format) *format = v.format;
    rc = avmit_model_import_vars(m, &v, err);
    avmit_keras_vars_free(&v);
    return rc;
}

int avmit_model_to_keras_h5(const avmit_model *m, avmit_keras_h5 *out, avmit_error *err) {
    exp1_view view;
    exp1_view_init(&view, m);
    return avmit_io_to_keras_h5(&view.io, "2.4.0", out, err);
}

int avmit_model_export_keras_h5(const avmit_model *m, const char *path, avmit_error *err) {
    avmit_keras_h5 w;
    int rc = avmit_model_to_keras_h5(m, &w, err);
    if (rc) return rc;
    rc = avmit_keras_h5_write(path, &w, AVMIT_KERAS_STR_FIXED, 1, err);
    avmit_keras_h5_free(&w);
    return rc;
}

int avmit_model_export_npz(const avmit_model *m, const char *path, avmit_error *err) {
    exp1_view view;
    exp1_view_init(&view, m);
    return avmit_io_export_npz(&view.io, path, err);
}
