/*
 * savc_import.c — Keras HDF5 / TF2 checkpoint variables into a SAVC model,
 * and the model back out as a Keras 2.13.1 weights file (vlen strings, as the
 * released savc random_seed.h5) or an .npz (include/avmit/model_io.h;
 * FORMATS.md §5.3, §6.4). The checks and the tree building are model_io.c's.
 */
#include <stdio.h>

#include "avmit/model_io.h"
#include "model_io_int.h"

/* The SAVC model as its layers and tensors (the weights block's table is
 * already in Keras layer and weight_names order). */
typedef struct savc_view {
    avmit_layer_row rows[AVMIT_SAVC_MAX_LAYERS];
    avmit_io_tensor t[AVMIT_SV_COUNT];
    char arch[32];
    avmit_io_model io;
} savc_view;

static void savc_view_init(savc_view *v, const avmit_savc_model *m) {
    for (int i = 0; i < AVMIT_SV_COUNT; i++) v->t[i] = (avmit_io_tensor){&m->params[i], m->p[i]};
    snprintf(v->arch, sizeof v->arch, "SAVC %s", avmit_rnn_name(m->cfg.rnn));
    v->io = (avmit_io_model){v->arch, v->rows, avmit_savc_layers(&m->cfg, v->rows), v->t,
                             AVMIT_SV_COUNT};
}

int avmit_savc_import_vars(avmit_savc_model *m, const avmit_keras_vars *v, avmit_error *err) {
    savc_view view;
    savc_view_init(&view, m);
    return avmit_io_import(&view.io, v, err);
}

int avmit_savc_import_file(avmit_savc_model *m, const char *path, avmit_weights_format *format,
                           avmit_error *err) {
    avmit_keras_vars v;
    int rc = avmit_keras_vars_read(&v, path, err);
    if (rc) return rc;
    if (format) *format = v.format;
    rc = avmit_savc_import_vars(m, &v, err);
    avmit_keras_vars_free(&v);
    return rc;
}

int avmit_savc_to_keras_h5(const avmit_savc_model *m, avmit_keras_h5 *out, avmit_error *err) {
    savc_view view;
    savc_view_init(&view, m);
    return avmit_io_to_keras_h5(&view.io, "2.13.1", out, err);
}

int avmit_savc_export_keras_h5(const avmit_savc_model *m, const char *path, avmit_error *err) {
    avmit_keras_h5 w;
    int rc = avmit_savc_to_keras_h5(m, &w, err);
    if (rc) return rc;
    rc = avmit_keras_h5_write(path, &w, AVMIT_KERAS_STR_VLEN, 1, err);
    avmit_keras_h5_free(&w);
    return rc;
}

int avmit_savc_export_npz(const avmit_savc_model *m, const char *path, avmit_error *err) {
    savc_view view;
    savc_view_init(&view, m);
    return avmit_io_export_npz(&view.io, path, err);
}
