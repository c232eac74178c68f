/*
 * modeldir.c — the model directory of include/avmit/train.h: model.safetensors
 * (Keras-named weights + BN moving statistics, FORMATS.md §8) and config.json.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/safetensors.h"
#include "avmit/train.h"
#include "graph/graph_io.h"

avmit_train_params avmit_train_default_params(void) {
    avmit_train_params p = {200, 16, 1e-3, 0.0, 0.0, 20, 0.001, 1, 0, 0, 0};
    return p;
}

int avmit_model_save(const avmit_model *m, const char *path, avmit_error *err) {
    const char *meta[2] = {"format", "avmit-exp1"};
    return avmit_graph_st_write(m->graph, m->weights, m->stats, path, meta, 1, err);
}

int avmit_model_load_weights(avmit_model *m, const char *path, avmit_error *err) {
    avmit_safetensors st;
    int rc = avmit_safetensors_read(&st, path, err);
    if (rc) return rc;
    rc = avmit_graph_st_read(m->graph, &st, path, m->weights, m->stats, 1, avmit_rnn_name(m->cfg.rnn), err);
    avmit_safetensors_free(&st);
    return rc;
}

int avmit_modeldir_write_config(const char *dir, const avmit_model_config *c,
                                const avmit_train_params *p, const avmit_data_paths *paths,
                                avmit_error *err) {
    json_t *root = json_pack(
        "{s:s, s:{s:s, s:i, s:f, s:i, s:s, s:b, s:b, s:i, s:i, s:i, s:i, s:I}}", "format", "avmit-exp1",
        "model", "rnn", avmit_rnn_name(c->rnn), "units", c->units, "dropout", (double)c->dropout,
        "bottleneck_size", c->bottleneck, "bottleneck_activation", avmit_act_name(c->act), "audio",
        c->use_audio, "visual", c->use_visual, "audio_size", c->audio_dim, "visual_size", c->visual_dim,
        "timesteps", c->timesteps, "num_classes", c->n_classes, "trainable_params",
        (json_int_t)avmit_model_trainable_count(c));
    if (root && p) {
        char seed[32];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->seed);
        json_object_set_new(root, "training",
                            json_pack("{s:i, s:i, s:f, s:f, s:f, s:i, s:f, s:s, s:i, s:b, s:I}", "epochs", p->epochs,
                                      "batch", p->batch, "learning_rate", p->lr, "lr_decay", p->lr_decay,
                                      "weight_decay", p->weight_decay, "patience", p->patience, "min_delta",
                                      p->min_delta, "seed", seed, "threads", p->n_threads, "fp16_data",
                                      p->fp16_data, "limit_per_class", (json_int_t)p->limit_per_class));
    }
    if (root && paths)
        json_object_set_new(root, "data", json_pack("{s:s, s:s, s:s}", "tfrecords", paths->tfrecords, "train",
                                                    paths->train_csv, "validation", paths->val_csv));
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(root);
    if (!text) return avmit_error_set(err, AVMIT_E_NOMEM, dir, -1, -1, -1, NULL, "out of memory");
    char *path = avmit_path_join(dir, "config.json");
    size_t len = strlen(text);
    text[len] = '\n'; /* json_dumps leaves room only for the NUL: rewrite it */
    int rc = path ? avmit_write_file_atomic(path, text, len + 1, 1, err)
                  : avmit_error_set(err, AVMIT_E_NOMEM, dir, -1, -1, -1, NULL, "out of memory");
    free(path);
    free(text);
    return rc;
}

static int get_int(json_t *o, const char *key, int *out) {
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) return -1;
    *out = (int)json_integer_value(v);
    return 0;
}

static int get_num(json_t *o, const char *key, double *out) {
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v)) return -1;
    *out = json_number_value(v);
    return 0;
}

static int get_str(json_t *o, const char *key, char *dst, size_t cap) {
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || strlen(json_string_value(v)) >= cap) return -1;
    strcpy(dst, json_string_value(v));
    return 0;
}

int avmit_modeldir_read_config(const char *dir, avmit_model_config *c, avmit_train_params *p,
                               avmit_data_paths *paths, avmit_error *err) {
    char *path = avmit_path_join(dir, "config.json");
    if (!path) return avmit_error_set(err, AVMIT_E_NOMEM, dir, -1, -1, -1, NULL, "out of memory");
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    int rc = 0;
    const char *bad = NULL;
    if (!root) {
        rc = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, je.line, -1, NULL, "not valid JSON: %s", je.text);
        goto done;
    }
    json_t *m = json_object_get(root, "model"), *t = json_object_get(root, "training"),
           *d = json_object_get(root, "data");
    char rnn[32], act[32];
    double dropout;
    memset(c, 0, sizeof *c);
    if (!json_is_object(m)) bad = "model";
    else if (get_str(m, "rnn", rnn, sizeof rnn) || avmit_rnn_parse(rnn, &c->rnn)) bad = "model.rnn";
    else if (get_str(m, "bottleneck_activation", act, sizeof act) || avmit_act_parse(act, &c->act))
        bad = "model.bottleneck_activation";
    else if (get_int(m, "units", &c->units)) bad = "model.units";
    else if (get_num(m, "dropout", &dropout)) bad = "model.dropout";
    else if (get_int(m, "bottleneck_size", &c->bottleneck)) bad = "model.bottleneck_size";
    else if (!json_is_boolean(json_object_get(m, "audio")) || !json_is_boolean(json_object_get(m, "visual")))
        bad = "model.audio/visual";
    else if (get_int(m, "audio_size", &c->audio_dim) || get_int(m, "visual_size", &c->visual_dim))
        bad = "model.audio_size/visual_size";
    else if (get_int(m, "timesteps", &c->timesteps) || get_int(m, "num_classes", &c->n_classes))
        bad = "model.timesteps/num_classes";
    if (bad) {
        rc = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, bad, "missing or of the wrong type");
        goto done;
    }
    c->dropout = (float)dropout;
    c->use_audio = json_is_true(json_object_get(m, "audio"));
    c->use_visual = json_is_true(json_object_get(m, "visual"));
    if ((rc = avmit_model_config_check(c, err))) goto done;
    if (p) {
        *p = avmit_train_default_params();
        char seed[32];
        if (json_is_object(t)) {
            get_int(t, "epochs", &p->epochs);
            get_int(t, "batch", &p->batch);
            get_num(t, "learning_rate", &p->lr);
            get_num(t, "lr_decay", &p->lr_decay);
            get_num(t, "weight_decay", &p->weight_decay);
            get_int(t, "patience", &p->patience);
            get_num(t, "min_delta", &p->min_delta);
            get_int(t, "threads", &p->n_threads);
            if (!get_str(t, "seed", seed, sizeof seed)) p->seed = strtoull(seed, NULL, 10);
            p->fp16_data = json_is_true(json_object_get(t, "fp16_data"));
            json_t *lim = json_object_get(t, "limit_per_class");
            if (json_is_integer(lim)) p->limit_per_class = (long)json_integer_value(lim);
        }
    }
    if (paths) {
        memset(paths, 0, sizeof *paths);
        if (json_is_object(d)) {
            get_str(d, "tfrecords", paths->tfrecords, sizeof paths->tfrecords);
            get_str(d, "train", paths->train_csv, sizeof paths->train_csv);
            get_str(d, "validation", paths->val_csv, sizeof paths->val_csv);
        }
    }
done:
    json_decref(root);
    free(path);
    return rc;
}

int avmit_modeldir_open(avmit_model **out, const char *dir, avmit_error *err) {
    avmit_model_config c;
    *out = NULL;
    int rc = avmit_modeldir_read_config(dir, &c, NULL, NULL, err);
    if (rc) return rc;
    avmit_model *m;
    if ((rc = avmit_model_create(&m, &c, err))) return rc;
    char *path = avmit_path_join(dir, "model.safetensors");
    rc = path ? avmit_model_load_weights(m, path, err)
              : avmit_error_set(err, AVMIT_E_NOMEM, dir, -1, -1, -1, NULL, "out of memory");
    free(path);
    if (rc) {
        avmit_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}
