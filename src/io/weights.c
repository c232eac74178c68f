/*
 * weights.c — avmit/weights.h: published CNN weight files as one list of
 * named float tensors. Format detection, the set's bookkeeping, and the
 * Keras HDF5 half (over keras_h5.c); TF V1 is tfckpt_v1.c, TF2 weights_tf2.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avmit/keras_h5.h"
#include "avmit/tfckpt.h"
#include "core/error_int.h"
#include "io/weights_int.h"

#define MAX_ELEMS (1ll << 40)

const char *avmit_wformat_name(avmit_wformat f) {
    switch (f) {
    case AVMIT_WF_TF_V1: return "tf-v1-checkpoint";
    case AVMIT_WF_TF_V2: return "tf2-checkpoint";
    case AVMIT_WF_KERAS_H5: return "keras-h5";
    default: return "unknown";
    }
}

int64_t wshape_count(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (shape[i] && n > MAX_ELEMS / shape[i])) return -1;
        n *= shape[i];
    }
    return n;
}

int64_t avmit_wtensor_count(const avmit_wtensor *t) { return wshape_count(t->ndim, t->shape); }

int64_t avmit_wset_param_count(const avmit_wset *s) {
    int64_t n = 0;
    for (size_t i = 0; i < s->n; i++) n += avmit_wtensor_count(&s->t[i]);
    return n;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int wset_push(avmit_wset *s, const char *layer, const char *name, int index, int ndim,
              const int64_t *shape, const char *dtype, float *data, avmit_wtensor **t,
              const char *path, avmit_error *err) {
    if (ndim < 0 || ndim > 8 || wshape_count(ndim, shape) < 0 || strlen(dtype) >= 16)
        return avmit_error_set(err, AVMIT_E_ARG, path, -1, -1, -1, name, "bad tensor shape or dtype");
    int64_t count = wshape_count(ndim, shape);
    avmit_wtensor *a = realloc(s->t, (s->n + 1) * sizeof *a);
    if (!a) return AVMIT_NOMEM(err, "tensor list");
    s->t = a;
    avmit_wtensor *x = &a[s->n];
    memset(x, 0, sizeof *x);
    x->name = dup_str(name);
    x->layer = dup_str(layer);
    x->data = data ? data : malloc(count ? (size_t)count * sizeof(float) : 1);
    if (!x->name || !x->layer || !x->data) {
        free(x->name);
        free(x->layer);
        if (!data) free(x->data);
        return avmit_error_set(err, AVMIT_E_NOMEM, path, -1, -1, -1, name,
                               "out of memory for %lld values", (long long)count);
    }
    x->index = index;
    x->ndim = ndim;
    for (int i = 0; i < ndim; i++) x->shape[i] = shape[i];
    strcpy(x->dtype, dtype);
    s->n++;
    if (t) *t = x;
    return 0;
}

int avmit_wset_add(avmit_wset *s, const char *layer, const char *name, int index, int ndim,
                   const int64_t *shape, const char *dtype, float *data, avmit_error *err) {
    if (!name || !name[0]) return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "", "tensor without a name");
    char *derived = NULL;
    if (!layer) {
        const char *slash = strrchr(name, '/');
        size_t n = slash ? (size_t)(slash - name) : 0;
        if (!(derived = malloc(n + 1))) return AVMIT_NOMEM(err, "layer name");
        memcpy(derived, name, n);
        derived[n] = 0;
        layer = derived;
    }
    int own = data == NULL;
    avmit_wtensor *t = NULL;
    int rc = wset_push(s, layer, name, index, ndim, shape, dtype ? dtype : "float32", data, &t, NULL, err);
    if (!rc && own) memset(t->data, 0, (size_t)avmit_wtensor_count(t) * sizeof(float));
    free(derived);
    return rc;
}

int avmit_wset_set_keras(avmit_wset *s, const char *const *layer_names, size_t n, const char *backend,
                         const char *keras_version, avmit_error *err) {
    if (layer_names) {
        char **l = calloc(n + 1, sizeof *l);
        for (size_t i = 0; l && i < n; i++)
            if (!(l[i] = dup_str(layer_names[i]))) {
                for (size_t j = 0; j < i; j++) free(l[j]);
                free(l);
                l = NULL;
            }
        if (!l) return AVMIT_NOMEM(err, "layer names");
        for (size_t i = 0; i < s->n_layer_names; i++) free(s->layer_names[i]);
        free(s->layer_names);
        s->layer_names = l;
        s->n_layer_names = n;
    }
    const char *src[2] = {backend, keras_version};
    char **dst[2] = {&s->backend, &s->keras_version};
    for (int k = 0; k < 2; k++) {
        if (!src[k]) continue;
        char *d = dup_str(src[k]);
        if (!d) return AVMIT_NOMEM(err, "keras attributes");
        free(*dst[k]);
        *dst[k] = d;
    }
    return 0;
}

void avmit_wset_free(avmit_wset *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->t[i].name);
        free(s->t[i].layer);
        free(s->t[i].data);
    }
    for (size_t i = 0; i < s->n_layer_names; i++) free(s->layer_names[i]);
    free(s->layer_names);
    free(s->t);
    free(s->path);
    free(s->backend);
    free(s->keras_version);
    memset(s, 0, sizeof *s);
}

long avmit_wset_find(const avmit_wset *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->t[i].name, name)) return (long)i;
    return -1;
}

long avmit_wset_find_layer(const avmit_wset *s, const char *layer, int index) {
    for (size_t i = 0; i < s->n; i++)
        if (s->t[i].index == index && !strcmp(s->t[i].layer, layer)) return (long)i;
    return -1;
}

float *avmit_wset_take(avmit_wset *s, size_t i) {
    if (i >= s->n) return NULL;
    float *d = s->t[i].data;
    s->t[i].data = NULL;
    return d;
}

/* ---- detection -------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int avmit_wset_detect(const char *path, avmit_wformat *fmt, avmit_error *err) {
    *fmt = AVMIT_WF_UNKNOWN;
    struct stat st;
    int exists = stat(path, &st) == 0;
    if ((exists && S_ISDIR(st.st_mode)) || ends_with(path, ".index") || strstr(path, ".data-") ||
        avmit_tfckpt_probe(path)) {
        if (avmit_tfckpt_probe(path)) {
            *fmt = AVMIT_WF_TF_V2;
            return 0;
        }
    }
    if (!exists)
        return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(errno));
    int fd = open(path, O_RDONLY);
    if (fd < 0) return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(errno));
    uint8_t head[8] = {0}, tail[8] = {0};
    ssize_t h = pread(fd, head, 8, 0);
    ssize_t t = st.st_size >= 48 ? pread(fd, tail, 8, st.st_size - 8) : 0;
    close(fd);
    static const uint8_t hdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    static const uint8_t magic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
    if (h == 8 && !memcmp(head, hdf5, 8)) *fmt = AVMIT_WF_KERAS_H5;
    else if (t == 8 && !memcmp(tail, magic, 8)) *fmt = AVMIT_WF_TF_V1;
    else
        return avmit_error_path(err, AVMIT_E_FORMAT, path,
                                "not a weights file: neither HDF5 (Keras .h5), nor a TF1 V1 checkpoint "
                                "(SSTable), nor a TF2 checkpoint (no %s.index)", path);
    return 0;
}

/* ---- reading ---------------------------------------------------------------------- */

static int read_v1(avmit_wset *out, const char *path, avmit_error *err) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) rc = avmit_error_path(err, AVMIT_E_IO, path, "cannot stat: %s", strerror(errno));
    sst_src src = {fd, NULL, rc ? 0 : (uint64_t)st.st_size, path, err};
    if (!rc) rc = tfv1_read(out, &src);
    close(fd);
    return rc;
}

/* Move the H5 weights into the set (no copy): layer order, then position. */
static int read_h5(avmit_wset *out, const char *path, avmit_error *err) {
    avmit_keras_h5 h;
    int rc = avmit_keras_h5_read_flags(&h, path, AVMIT_KERAS_READ_INTS, err);
    static const char *const dt[3] = {"float32", "int64", "int32"};
    for (size_t i = 0; !rc && i < h.n_layers; i++) {
        avmit_keras_layer *l = &h.layers[i];
        for (size_t j = 0; !rc && j < l->n_weights; j++) {
            avmit_keras_weight *w = &l->weights[j];
            rc = wset_push(out, l->name, w->name, (int)j, w->ndim, w->shape, dt[w->dtype], w->data, NULL,
                           path, err);
            if (!rc) w->data = NULL;
        }
    }
    if (!rc) {
        const char **names = calloc(h.n_layers + 1, sizeof *names);
        if (!names) rc = AVMIT_NOMEM(err, "layer names");
        for (size_t i = 0; names && i < h.n_layers; i++) names[i] = h.layers[i].name;
        if (!rc)
            rc = avmit_wset_set_keras(out, names, h.n_layers, h.no_root_attrs ? "" : h.backend,
                                      h.no_root_attrs ? "" : h.keras_version, err);
        free(names);
    }
    avmit_keras_h5_free(&h);
    return rc;
}

int avmit_wset_read(avmit_wset *out, const char *path, avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_wformat f;
    int rc = avmit_wset_detect(path, &f, err);
    if (rc) return rc;
    out->format = f;
    out->path = dup_str(path);
    if (!out->path) return AVMIT_NOMEM(err, "path");
    if (f == AVMIT_WF_TF_V1) rc = read_v1(out, path, err);
    else if (f == AVMIT_WF_TF_V2) rc = tf2w_read(out, path, err);
    else rc = read_h5(out, path, err);
    if (rc) avmit_wset_free(out);
    return rc;
}

/* ---- writing ---------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b, const avmit_wset *s) {
    return strcmp(s->t[*(const size_t *)a].name, s->t[*(const size_t *)b].name);
}

int wset_sorted_floats(const avmit_wset *s, size_t **order, const char *path, avmit_error *err) {
    size_t *o = malloc((s->n + 1) * sizeof *o);
    if (!o) return AVMIT_NOMEM(err, "tensor order");
    for (size_t i = 0; i < s->n; i++) o[i] = i;
    for (size_t i = 1; i < s->n; i++) /* insertion sort: a few hundred names at most */
        for (size_t j = i; j > 0 && cmp_name(&o[j - 1], &o[j], s) > 0; j--) {
            size_t x = o[j];
            o[j] = o[j - 1];
            o[j - 1] = x;
        }
    for (size_t i = 0; i < s->n; i++) {
        const avmit_wtensor *t = &s->t[o[i]];
        const char *why = !t->data ? "its data were taken (avmit_wset_take)"
                          : (t->dtype[0] && strcmp(t->dtype, "float32")) ? "a checkpoint stores float32 only"
                          : (i && !strcmp(t->name, s->t[o[i - 1]].name)) ? "the name appears twice"
                          : avmit_wtensor_count(t) < 0 ? "bad shape" : NULL;
        if (why) {
            free(o);
            return avmit_error_set(err, AVMIT_E_ARG, path, -1, -1, -1, t->name, "cannot write: %s", why);
        }
    }
    *order = o;
    return 0;
}

static int write_h5(const avmit_wset *s, const char *path, avmit_error *err) {
    avmit_keras_h5 h;
    memset(&h, 0, sizeof h);
    size_t nl = s->n_layer_names;
    const char **names = calloc(s->n + nl + 1, sizeof *names);
    if (!names) return AVMIT_NOMEM(err, "layers");
    for (size_t i = 0; i < nl; i++) names[i] = s->layer_names[i];
    if (!s->layer_names) /* layers of t[] in order of first appearance */
        for (size_t i = 0; i < s->n; i++) {
            size_t j = 0;
            while (j < nl && strcmp(names[j], s->t[i].layer)) j++;
            if (j == nl) names[nl++] = s->t[i].layer;
        }
    int rc = 0;
    h.layers = calloc(nl + 1, sizeof *h.layers);
    size_t placed = 0;
    if (!h.layers) rc = AVMIT_NOMEM(err, "layers");
    for (size_t i = 0; !rc && i < nl; i++) {
        avmit_keras_layer *l = &h.layers[i];
        l->name = (char *)names[i];
        for (size_t k = 0; k < s->n; k++) l->n_weights += !strcmp(s->t[k].layer, names[i]);
        l->weights = calloc(l->n_weights + 1, sizeof *l->weights);
        if (!l->weights) {
            rc = AVMIT_NOMEM(err, "layers");
            break;
        }
        h.n_layers = i + 1;
        size_t m = 0;
        for (int idx = 0; m < l->n_weights && idx <= (int)s->n; idx++) /* position order */
            for (size_t k = 0; k < s->n; k++) {
                const avmit_wtensor *t = &s->t[k];
                if (t->index != idx || strcmp(t->layer, names[i])) continue;
                avmit_keras_weight *w = &l->weights[m++];
                w->name = t->name;
                w->ndim = t->ndim;
                memcpy(w->shape, t->shape, sizeof w->shape);
                w->data = t->data;
                w->dtype = !strcmp(t->dtype, "int64") ? AVMIT_KERAS_I64
                           : !strcmp(t->dtype, "int32") ? AVMIT_KERAS_I32 : AVMIT_KERAS_F32;
                if (!t->data) rc = avmit_error_set(err, AVMIT_E_ARG, path, -1, -1, -1, t->name,
                                                   "cannot write: its data were taken");
            }
        if (!rc && m != l->n_weights)
            rc = avmit_error_set(err, AVMIT_E_ARG, path, -1, -1, -1, names[i],
                                 "weight positions of the layer are not 0..%zu", l->n_weights - 1);
        placed += m;
    }
    if (!rc && placed != s->n)
        rc = AVMIT_ERR(err, AVMIT_E_ARG, path, "layer_names", "%zu tensors belong to layers not in layer_names",
                       s->n - placed);
    if (!rc) {
        h.backend = s->backend;
        h.keras_version = s->keras_version;
        h.no_root_attrs = s->keras_version && !s->keras_version[0];
        rc = avmit_keras_h5_write(path, &h, AVMIT_KERAS_STR_FIXED, 0, err);
    }
    for (size_t i = 0; i < h.n_layers; i++) free(h.layers[i].weights);
    free(h.layers);
    free(names);
    return rc;
}

int avmit_wset_write(const avmit_wset *s, avmit_wformat fmt, const char *path, avmit_error *err) {
    switch (fmt) {
    case AVMIT_WF_TF_V1: return tfv1_write(s, path, err);
    case AVMIT_WF_TF_V2: return tf2w_write(s, path, err);
    case AVMIT_WF_KERAS_H5: return write_h5(s, path, err);
    default: return avmit_error_path(err, AVMIT_E_ARG, path, "unknown weights format %d", (int)fmt);
    }
}
