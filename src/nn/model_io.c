/*
 * model_io.c — `avmit model import|export` and the SAVC parameter blocks for
 * both models (include/avmit/model_io.h, avmit/savc.h): thin wrappers over
 * the graph mapping of graph/graph_io.c. The experiment-1 model exports the
 * Keras 2.4.0 form of the released action_recognition files (fixed-length
 * strings), the SAVC model the Keras 2.13.1 form of the savc files (vlen).
 */
#include <stdio.h>

#include "avmit/model_io.h"
#include "graph/graph_io.h"

/* One model as the mapping sees it. */
typedef struct io_model {
    const avmit_graph *g;
    float *w, *s;
    char arch[32];              /* for messages: "GRU", "SAVC GRU" */
    const char *keras_version;
    avmit_keras_strings strings;
} io_model;

static io_model exp1(const avmit_model *m) {
    io_model io = {m->graph, m->weights, m->stats, "", "2.4.0", AVMIT_KERAS_STR_FIXED};
    snprintf(io.arch, sizeof io.arch, "%s", avmit_rnn_name(m->cfg.rnn));
    return io;
}

static io_model savc(const avmit_savc_model *m) {
    io_model io = {m->graph, m->weights, NULL, "", "2.13.1", AVMIT_KERAS_STR_VLEN};
    snprintf(io.arch, sizeof io.arch, "SAVC %s", avmit_rnn_name(m->cfg.rnn));
    return io;
}

static int import_file(const io_model *io, const char *path, avmit_weights_format *format, avmit_error *err) {
    avmit_keras_vars v;
    int rc = avmit_keras_vars_read(&v, path, err);
    if (rc) return rc;
    if (format) *format = v.format;
    rc = avmit_graph_import(io->g, io->w, io->s, io->arch, &v, err);
    avmit_keras_vars_free(&v);
    return rc;
}

static int export_h5(const io_model *io, const char *path, avmit_error *err) {
    avmit_keras_h5 w;
    int rc = avmit_graph_to_keras_h5(io->g, io->w, io->s, io->keras_version, &w, err);
    if (rc) return rc;
    rc = avmit_keras_h5_write(path, &w, io->strings, 1, err);
    avmit_keras_h5_free(&w);
    return rc;
}

/* Each public function for the two models side by side. */

int avmit_model_import_vars(avmit_model *m, const avmit_keras_vars *v, avmit_error *err) {
    io_model io = exp1(m);
    return avmit_graph_import(io.g, io.w, io.s, io.arch, v, err);
}

int avmit_savc_import_vars(avmit_savc_model *m, const avmit_keras_vars *v, avmit_error *err) {
    io_model io = savc(m);
    return avmit_graph_import(io.g, io.w, io.s, io.arch, v, err);
}

int avmit_model_import_file(avmit_model *m, const char *path, avmit_weights_format *format,
                            avmit_error *err) {
    io_model io = exp1(m);
    return import_file(&io, path, format, err);
}

int avmit_savc_import_file(avmit_savc_model *m, const char *path, avmit_weights_format *format,
                           avmit_error *err) {
    io_model io = savc(m);
    return import_file(&io, path, format, err);
}

int avmit_model_to_keras_h5(const avmit_model *m, avmit_keras_h5 *out, avmit_error *err) {
    return avmit_graph_to_keras_h5(m->graph, m->weights, m->stats, "2.4.0", out, err);
}

int avmit_savc_to_keras_h5(const avmit_savc_model *m, avmit_keras_h5 *out, avmit_error *err) {
    return avmit_graph_to_keras_h5(m->graph, m->weights, NULL, "2.13.1", out, err);
}

int avmit_model_export_keras_h5(const avmit_model *m, const char *path, avmit_error *err) {
    io_model io = exp1(m);
    return export_h5(&io, path, err);
}

int avmit_savc_export_keras_h5(const avmit_savc_model *m, const char *path, avmit_error *err) {
    io_model io = savc(m);
    return export_h5(&io, path, err);
}

int avmit_model_export_npz(const avmit_model *m, const char *path, avmit_error *err) {
    return avmit_graph_export_npz(m->graph, m->weights, m->stats, path, err);
}

int avmit_savc_export_npz(const avmit_savc_model *m, const char *path, avmit_error *err) {
    return avmit_graph_export_npz(m->graph, m->weights, NULL, path, err);
}

int avmit_savc_write_block(const avmit_savc_model *m, const float *block, const char *path,
                           const char *const *meta, size_t n_meta, avmit_error *err) {
    return avmit_graph_st_write(m->graph, block, NULL, path, meta, n_meta, err);
}
