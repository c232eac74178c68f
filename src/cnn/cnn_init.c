/*
 * cnn_init.c — seeded random weights for one of the four CNNs, as the tensor
 * list of its published file (docs/cnn-weights.md), for `avmit cnn init`,
 * demos and tests: nothing can be downloaded here.
 *
 * The tensors are the network's graph tensors (cnn_graphs.c) in graph order,
 * which is the published file order, with the published stored names: the
 * TF1 variable names for VGGish; "<layer>/<weight>:0" for the Keras files,
 * except VGG16's Keras 1 names "<layer>_W_1:0" / "<layer>_b_1:0"; plus
 * YAMNet's unused classifier (layer "dense", [1024,521] + [521]).
 * Values: kernels ~ N(0, 2/fan_in) (He; depthwise fan_in = kh*kw), so
 * activations keep their scale through the deep graphs; biases, BN beta and
 * moving mean ~ N(0, 0.1); gamma ~ U(0.8, 1.2); moving variance ~ U(0.5, 1.5);
 * EfficientNet's normalization: the published mean/variance, count 0 (int64).
 * Deterministic: the same seed gives the same bits.
 */
#include "avmit/cnn.h"

#include "avmit/rng.h"
#include "cnn/cnn_int.h"
#include "core/error_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ends(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix) ? s + n - k : NULL;
}

/* Fill t's values by the rules above. */
static void fill(avmit_rng *r, const avmit_gtensor *t, float *x) {
    const char *n = t->name;
    if (!strcmp(t->layer, "normalization")) {
        static const float mean[3] = {0.485f, 0.456f, 0.406f}, var[3] = {0.229f, 0.224f, 0.225f};
        for (size_t i = 0; i < t->count; i++) x[i] = t->index == 0 ? mean[i] : t->index == 1 ? var[i] : 0.f;
        return;
    }
    if (t->ndim >= 2) {
        double fan_in = 1;
        for (int d = 0; d < t->ndim - 1; d++) fan_in *= (double)t->shape[d];
        if (t->ndim == 4 && t->shape[3] == 1 && strstr(n, "depthwise")) fan_in = (double)(t->shape[0] * t->shape[1]);
        double sd = sqrt(2.0 / fan_in);
        for (size_t i = 0; i < t->count; i++) x[i] = (float)(avmit_rng_normal(r) * sd);
    } else if (ends(n, "gamma:0")) {
        for (size_t i = 0; i < t->count; i++) x[i] = (float)(0.8 + 0.4 * avmit_rng_uniform(r));
    } else if (ends(n, "moving_variance:0")) {
        for (size_t i = 0; i < t->count; i++) x[i] = (float)(0.5 + avmit_rng_uniform(r));
    } else {
        for (size_t i = 0; i < t->count; i++) x[i] = (float)(avmit_rng_normal(r) * 0.1);
    }
}

static int add(avmit_wset *s, const char *layer, const char *name, int index, int ndim,
               const int64_t *shape, const char *dtype, avmit_rng *r, const avmit_gtensor *like,
               avmit_error *err) {
    size_t count = 1;
    for (int d = 0; d < ndim; d++) count *= (size_t)shape[d];
    float *x = malloc((count ? count : 1) * sizeof *x);
    if (!x) return AVMIT_NOMEM(err, "random weights");
    avmit_gtensor t = *like;
    t.count = count;
    fill(r, &t, x);
    int rc = avmit_wset_add(s, layer, name, index, ndim, shape, dtype, x, err);
    if (rc) free(x);
    return rc;
}

int avmit_cnn_init_weights(avmit_cnn_kind kind, uint64_t seed, avmit_wset *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_graph g;
    int rc = cnn_build_graph(&g, kind, AVMIT_EFFNET_TF23, err);
    if (rc) return rc;
    avmit_rng r;
    avmit_rng_seed(&r, seed, 13);
    out->format = kind == AVMIT_CNN_VGGISH ? AVMIT_WF_TF_V1 : AVMIT_WF_KERAS_H5;
    for (int i = 0; !rc && i < g.n_tensors; i++) {
        const avmit_gtensor *t = &g.tensors[i];
        char name[192];
        if (kind == AVMIT_CNN_VGG16) /* the 2016 Keras 1 file's weight names */
            snprintf(name, sizeof name, "%s_%s_1:0", t->layer, t->index ? "b" : "W");
        else
            snprintf(name, sizeof name, "%s", t->name);
        int count_tensor = !strcmp(t->layer, "normalization") && t->index == 2;
        rc = add(out, t->layer, name, t->index, t->ndim, t->shape, count_tensor ? "int64" : NULL, &r, t, err);
    }
    if (!rc && kind == AVMIT_CNN_YAMNET) { /* the classifier the embedding does not use */
        avmit_gtensor like;
        memset(&like, 0, sizeof like);
        int64_t k[2] = {1024, 521}, b[1] = {521};
        snprintf(like.name, sizeof like.name, "dense/kernel:0");
        like.ndim = 2;
        rc = add(out, "dense", "dense/kernel:0", 0, 2, k, NULL, &r, &like, err);
        snprintf(like.name, sizeof like.name, "dense/bias:0");
        like.ndim = 1;
        if (!rc) rc = add(out, "dense", "dense/bias:0", 1, 1, b, NULL, &r, &like, err);
    }
    if (!rc && kind == AVMIT_CNN_YAMNET) rc = avmit_wset_set_keras(out, NULL, 0, "tensorflow", "2.2.4-tf", err);
    if (!rc && kind == AVMIT_CNN_EFFICIENTNETB0) rc = avmit_wset_set_keras(out, NULL, 0, "tensorflow", "2.4.0", err);
    if (!rc && kind == AVMIT_CNN_VGG16) rc = avmit_wset_set_keras(out, NULL, 0, "", "", err);
    avmit_graph_free(&g);
    if (rc) avmit_wset_free(out);
    return rc;
}
