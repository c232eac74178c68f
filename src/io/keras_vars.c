/*
 * keras_vars.c — a Keras HDF5 file or a TF2 checkpoint as layers with
 * weights in Keras load order (avmit/keras_vars.h; FORMATS.md §5.1, §6.4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/keras_h5.h"
#include "avmit/keras_vars.h"
#include "avmit/tfckpt.h"
#include "core/error_int.h"

#define LWW "layer_with_weights-"
#define ATTR_SUFFIX "/.ATTRIBUTES/VARIABLE_VALUE"

int64_t avmit_keras_var_count(const avmit_keras_var *var) {
    int64_t n = 1;
    for (int i = 0; i < var->ndim; i++) n *= var->shape[i];
    return n;
}

const avmit_keras_var *avmit_keras_vars_find(const avmit_keras_vars *v, size_t layer,
                                             const char *attr) {
    if (layer >= v->n_layers) return NULL;
    const avmit_keras_var_layer *l = &v->layers[layer];
    for (size_t i = 0; i < l->n_vars; i++)
        if (!strcmp(l->vars[i].attr, attr)) return &l->vars[i];
    return NULL;
}

void avmit_keras_vars_free(avmit_keras_vars *v) {
    if (!v) return;
    for (size_t i = 0; i < v->n_layers; i++) {
        for (size_t j = 0; j < v->layers[i].n_vars; j++) {
            free(v->layers[i].vars[j].attr);
            free(v->layers[i].vars[j].origin);
            free(v->layers[i].vars[j].data);
        }
        free(v->layers[i].vars);
        free(v->layers[i].name);
    }
    free(v->layers);
    free(v->source);
    memset(v, 0, sizeof *v);
}

/* "audio_bn/moving_mean:0" -> "moving_mean" */
static char *attr_of(const char *weight_name) {
    const char *s = strrchr(weight_name, '/');
    s = s ? s + 1 : weight_name;
    const char *colon = strrchr(s, ':');
    size_t n = colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)
                   ? (size_t)(colon - s)
                   : strlen(s);
    return strndup(s, n);
}

static int from_h5(avmit_keras_vars *out, const char *path, avmit_error *err) {
    avmit_keras_h5 w;
    int rc = avmit_keras_h5_read(&w, path, err);
    if (rc) return rc;
    out->layers = calloc(w.n_layers + 1, sizeof *out->layers);
    if (!out->layers) rc = AVMIT_NOMEM_AT(err, path, "from_h5");
    for (size_t i = 0; !rc && i < w.n_layers; i++) {
        avmit_keras_layer *src = &w.layers[i];
        if (!src->n_weights) continue;
        avmit_keras_var_layer *l = &out->layers[out->n_layers++];
        l->name = strdup(src->name);
        l->vars = calloc(src->n_weights, sizeof *l->vars);
        if (!l->name || !l->vars) {
            rc = AVMIT_NOMEM_AT(err, path, "from_h5");
            break;
        }
        for (size_t j = 0; j < src->n_weights; j++, l->n_vars++) {
            avmit_keras_weight *wt = &src->weights[j];
            avmit_keras_var *v = &l->vars[j];
            v->attr = attr_of(wt->name);
            size_t ln = strlen(src->name), wn = strlen(wt->name);
            v->origin = malloc(ln + wn + 2);
            if (!v->attr || !v->origin) {
                rc = AVMIT_NOMEM_AT(err, path, "from_h5");
                l->n_vars++;
                break;
            }
            memcpy(v->origin, src->name, ln);
            v->origin[ln] = '/';
            memcpy(v->origin + ln + 1, wt->name, wn + 1);
            v->ndim = wt->ndim;
            memcpy(v->shape, wt->shape, sizeof v->shape);
            v->data = wt->data; /* moved */
            wt->data = NULL;
            for (size_t k = 0; k < j && !rc; k++)
                if (!strcmp(l->vars[k].attr, v->attr))
                    rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, v->origin,
                                   "layer '%s' has two weights named '%s'", l->name, v->attr);
            if (rc) {
                l->n_vars++;
                break;
            }
        }
    }
    avmit_keras_h5_free(&w);
    return rc;
}

/* Parse "layer_with_weights-N/<...>/<attr>/.ATTRIBUTES/VARIABLE_VALUE" (no
 * optimizer slot): 1 and *n, [*attr, *attr + *attr_len); 0 if not such a key. */
static int model_key(const char *key, size_t *n, const char **attr, size_t *attr_len) {
    size_t len = strlen(key), sl = strlen(ATTR_SUFFIX);
    if (strncmp(key, LWW, strlen(LWW)) || strstr(key, "/.OPTIMIZER_SLOT/") || len <= sl ||
        strcmp(key + len - sl, ATTR_SUFFIX))
        return 0;
    const char *p = key + strlen(LWW);
    if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9')) return 0;
    size_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > 100000) return 0;
        v = v * 10 + (size_t)(*p - '0');
    }
    if (*p != '/') return 0;
    const char *end = key + len - sl, *a = end;
    while (a > p + 1 && a[-1] != '/') a--;
    if (a == end) return 0;
    *n = v;
    *attr = a;
    *attr_len = (size_t)(end - a);
    return 1;
}

static int from_tf2(avmit_keras_vars *out, const char *path, avmit_error *err) {
    avmit_tfckpt ck;
    int rc = avmit_tfckpt_open(&ck, path, err);
    if (!rc) rc = avmit_tfckpt_load(&ck, err);
    if (rc) {
        avmit_tfckpt_free(&ck);
        return rc;
    }
    out->source = strdup(ck.index_path);
    if (!out->source) rc = AVMIT_NOMEM_AT(err, path, "from_tf2");
    size_t n_layers = 0, n, alen;
    const char *attr;
    for (size_t i = 0; !rc && i < ck.n_entries; i++)
        if (model_key(ck.entries[i].key, &n, &attr, &alen) && n + 1 > n_layers) n_layers = n + 1;
    if (!rc && !n_layers)
        rc = avmit_error_path(err, AVMIT_E_NOTFOUND, ck.index_path,
                              "no layer_with_weights-N/.../.ATTRIBUTES/VARIABLE_VALUE keys: not "
                              "a Keras model checkpoint");
    if (!rc && !(out->layers = calloc(n_layers, sizeof *out->layers)))
        rc = AVMIT_NOMEM_AT(err, path, "from_tf2");
    if (!rc) out->n_layers = n_layers;
    for (size_t i = 0; !rc && i < ck.n_entries; i++) {
        const avmit_tfckpt_entry *e = &ck.entries[i];
        if (!model_key(e->key, &n, &attr, &alen)) continue;
        avmit_keras_var_layer *l = &out->layers[n];
        if (e->dtype != AVMIT_TF_FLOAT) {
            rc = AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, ck.index_path, e->key,
                           "dtype %s: model variables must be float32",
                           avmit_tf_dtype_name(e->dtype));
            break;
        }
        avmit_keras_var *grown = realloc(l->vars, (l->n_vars + 1) * sizeof *grown);
        if (!grown) {
            rc = AVMIT_NOMEM_AT(err, path, "from_tf2");
            break;
        }
        l->vars = grown;
        avmit_keras_var *v = &l->vars[l->n_vars++];
        memset(v, 0, sizeof *v);
        v->attr = strndup(attr, alen);
        v->origin = strdup(e->key);
        v->ndim = e->ndim;
        memcpy(v->shape, e->shape, sizeof v->shape);
        int64_t count = avmit_tfckpt_entry_count(e);
        v->data = malloc(count ? (size_t)count * sizeof(float) : 1);
        if (!v->attr || !v->origin || !v->data) {
            rc = AVMIT_NOMEM_AT(err, path, "from_tf2");
            break;
        }
        rc = avmit_tfckpt_entry_f32(e, v->data, err);
        for (size_t k = 0; !rc && k + 1 < l->n_vars; k++)
            if (!strcmp(l->vars[k].attr, v->attr))
                rc = AVMIT_ERR(err, AVMIT_E_FORMAT, ck.index_path, e->key,
                               "two variables of " LWW "%zu named '%s'", n, v->attr);
        if (!rc && !l->name && e->full_name) { /* "audio_bn/gamma" -> "audio_bn" */
            const char *slash = strchr(e->full_name, '/');
            l->name = strndup(e->full_name, slash ? (size_t)(slash - e->full_name)
                                                : strlen(e->full_name));
            if (!l->name) rc = AVMIT_NOMEM_AT(err, path, "from_tf2");
        }
    }
    for (size_t k = 0; !rc && k < out->n_layers; k++) {
        avmit_keras_var_layer *l = &out->layers[k];
        if (!l->n_vars) {
            rc = AVMIT_ERR(err, AVMIT_E_FORMAT, ck.index_path, "",
                           LWW "%zu is missing (layers up to " LWW "%zu exist)", k,
                           out->n_layers - 1);
        } else if (!l->name) {
            char buf[48];
            snprintf(buf, sizeof buf, LWW "%zu", k);
            if (!(l->name = strdup(buf)))
                rc = AVMIT_NOMEM_AT(err, path, "from_tf2");
        }
    }
    avmit_tfckpt_free(&ck);
    return rc;
}

int avmit_keras_vars_read(avmit_keras_vars *out, const char *path, avmit_error *err) {
    memset(out, 0, sizeof *out);
    int rc;
    if (avmit_tfckpt_probe(path)) {
        out->format = AVMIT_WEIGHTS_TF2;
        rc = from_tf2(out, path, err);
    } else {
        out->format = AVMIT_WEIGHTS_KERAS_H5;
        out->source = strdup(path);
        rc = out->source ? from_h5(out, path, err)
                         : AVMIT_NOMEM_AT(err, path, "keras_vars_read");
    }
    if (rc) avmit_keras_vars_free(out);
    return rc;
}
