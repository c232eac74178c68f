/*
 * cnn_wread.c — weight files as an avmit_wset for the CNN engine, through the
 * readers already in libavmit: Keras HDF5 (avmit/keras_h5.h) and TF2 bundles
 * (avmit/tfckpt.h). Internal stand-in for avmit_wset_read (avmit/weights.h,
 * issue 13 helper a), which adds the TF1 V1 checkpoint; cnn.c calls only
 * cnn_wset_read / cnn_wset_free so that the switch is one place.
 */
#include "cnn/cnn_wread.h"

#include "avmit/keras_h5.h"
#include "avmit/tfckpt.h"
#include "core/error_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void cnn_wset_free(avmit_wset *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->t[i].layer);
        free(s->t[i].name);
        free(s->t[i].data);
    }
    free(s->t);
    free(s->path);
    memset(s, 0, sizeof *s);
}

float *cnn_wset_take(avmit_wset *s, size_t i) {
    float *p = s->t[i].data;
    s->t[i].data = NULL;
    return p;
}

static int read_h5(avmit_wset *s, const char *path, avmit_error *err) {
    avmit_keras_h5 h;
    int rc = avmit_keras_h5_read(&h, path, err);
    if (rc) return rc;
    s->format = AVMIT_WF_KERAS_H5;
    size_t n = avmit_keras_h5_n_weights(&h);
    s->t = calloc(n ? n : 1, sizeof *s->t);
    if (!s->t) { avmit_keras_h5_free(&h); return AVMIT_NOMEM(err, path); }
    for (size_t l = 0; l < h.n_layers; l++) {
        for (size_t k = 0; k < h.layers[l].n_weights; k++) {
            avmit_keras_weight *w = &h.layers[l].weights[k];
            avmit_wtensor *t = &s->t[s->n++];
            t->layer = dup_str(h.layers[l].name);
            t->name = dup_str(w->name);
            if (!t->layer || !t->name) { avmit_keras_h5_free(&h); return AVMIT_NOMEM(err, path); }
            t->index = (int)k;
            t->ndim = w->ndim;
            memcpy(t->shape, w->shape, sizeof t->shape);
            snprintf(t->dtype, sizeof t->dtype, "float32");
            t->data = w->data;
            w->data = NULL; /* taken: the file's data are held once */
        }
    }
    avmit_keras_h5_free(&h);
    return 0;
}

static int read_tf2(avmit_wset *s, const char *path, avmit_error *err) {
    avmit_tfckpt ck;
    int rc = avmit_tfckpt_open(&ck, path, err);
    if (!rc) rc = avmit_tfckpt_load(&ck, err);
    if (rc) { avmit_tfckpt_free(&ck); return rc; }
    s->format = AVMIT_WF_TF_V2;
    s->t = calloc(ck.n_entries ? ck.n_entries : 1, sizeof *s->t);
    if (!s->t) { avmit_tfckpt_free(&ck); return AVMIT_NOMEM(err, path); }
    for (size_t i = 0; i < ck.n_entries && !rc; i++) {
        const avmit_tfckpt_entry *e = &ck.entries[i];
        if (e->dtype != AVMIT_TF_FLOAT) {
            if (e->dtype == AVMIT_TF_STRING || e->dtype == AVMIT_TF_INT64) continue; /* object graph, step */
            rc = AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, e->key, "tensor dtype %s (float32 expected)",
                           avmit_tf_dtype_name(e->dtype));
            break;
        }
        avmit_wtensor *t = &s->t[s->n++];
        t->name = dup_str(e->key);
        const char *slash = strrchr(e->key, '/');
        size_t ln = slash ? (size_t)(slash - e->key) : 0;
        t->layer = malloc(ln + 1);
        int64_t cnt = avmit_tfckpt_entry_count(e);
        t->data = malloc((size_t)(cnt ? cnt : 1) * sizeof(float));
        if (!t->name || !t->layer || !t->data) { rc = AVMIT_NOMEM(err, path); break; }
        memcpy(t->layer, e->key, ln);
        t->layer[ln] = 0;
        t->ndim = e->ndim;
        for (int d = 0; d < e->ndim; d++) t->shape[d] = e->shape[d];
        snprintf(t->dtype, sizeof t->dtype, "float32");
        rc = avmit_tfckpt_entry_f32(e, t->data, err);
    }
    avmit_tfckpt_free(&ck);
    return rc;
}

int cnn_wset_read(avmit_wset *s, const char *path, avmit_error *err) {
    memset(s, 0, sizeof *s);
    s->path = dup_str(path);
    if (!s->path) return AVMIT_NOMEM(err, path);
    static const unsigned char k_h5sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    unsigned char sig[8] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(sig, 1, 8, f) : 0;
    if (f) fclose(f);
    int rc;
    if (got == 8 && !memcmp(sig, k_h5sig, 8)) rc = read_h5(s, path, err);
    else if (avmit_tfckpt_probe(path)) rc = read_tf2(s, path, err);
    else if (!f) rc = AVMIT_ERR(err, AVMIT_E_IO, path, "", "cannot open the weights file");
    else rc = AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, "",
                        "not a Keras HDF5 file or a TF2 checkpoint (<prefix>.index)");
    if (rc) cnn_wset_free(s);
    return rc;
}
