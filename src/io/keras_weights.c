/*
 * keras_weights.c — the parts of avmit/keras_h5.h that need no libhdf5
 * (counts, freeing), and the AVMIT_E_UNSUPPORTED stand-ins for the reader and
 * writer when avmit is built without libhdf5. The libhdf5 code is keras_h5.c.
 */
#include <stdlib.h>

#include "avmit/keras_h5.h"

int64_t avmit_keras_weight_count(const avmit_keras_weight *wt) {
    int64_t n = 1;
    for (int i = 0; i < wt->ndim; i++) n *= wt->shape[i];
    return n;
}

size_t avmit_keras_h5_n_weights(const avmit_keras_h5 *w) {
    size_t n = 0;
    for (size_t i = 0; i < w->n_layers; i++) n += w->layers[i].n_weights;
    return n;
}

void avmit_keras_h5_free(avmit_keras_h5 *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n_layers; i++) {
        avmit_keras_layer *l = &w->layers[i];
        for (size_t j = 0; j < l->n_weights; j++) {
            free(l->weights[j].name);
            free(l->weights[j].data);
        }
        free(l->weights);
        free(l->name);
    }
    free(w->layers);
    free(w->backend);
    free(w->keras_version);
    w->layers = NULL;
    w->n_layers = 0;
    w->backend = w->keras_version = NULL;
}

#ifndef AVMIT_HAVE_HDF5
int avmit_keras_h5_read(avmit_keras_h5 *out, const char *path, avmit_error *err) {
    out->backend = out->keras_version = NULL;
    out->n_layers = 0;
    out->layers = NULL;
    return avmit_error_path(err, AVMIT_E_UNSUPPORTED, path,
                            "Keras HDF5 files need libhdf5, which this build of avmit lacks");
}

int avmit_keras_h5_read_flags(avmit_keras_h5 *out, const char *path, unsigned flags,
                              avmit_error *err) {
    (void)flags;
    return avmit_keras_h5_read(out, path, err);
}

int avmit_keras_h5_write(const char *path, const avmit_keras_h5 *w, avmit_keras_strings form,
                         int make_dirs, avmit_error *err) {
    (void)w;
    (void)form;
    (void)make_dirs;
    return avmit_error_path(err, AVMIT_E_UNSUPPORTED, path,
                            "Keras HDF5 files need libhdf5, which this build of avmit lacks");
}
#endif
