/*
 * yaml_exp1.c — the typed experiment-1 train.yaml and the train.yaml kind
 * detection (include/avmit/config.h, SPEC.md §5), over the generic tree of
 * avmit/yaml.h. The label names and model names are checked here without
 * calling src/nn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "avmit/config.h"
#include "avmit/labels.h"

/* ---- experiment-1 config -------------------------------------------------------- */

/* Optional keys keep their default; present ones must have the right type. */
static int opt_int(const avmit_yaml *y, const char *key, int *v, long long lo, long long hi,
                   avmit_error *err) {
    long long x;
    if (!avmit_yaml_get(y, 1, key)) return 0;
    int rc = avmit_yaml_get_int(y, 1, key, &x, err);
    if (rc) return rc;
    if (x < lo || x > hi)
        return avmit_error_set(err, AVMIT_E_RANGE, avmit_yaml_name(y), -1, avmit_yaml_line(y, avmit_yaml_get(y, 1, key)),
                               -1, key, "%lld is outside [%lld, %lld]", x, lo, hi);
    *v = (int)x;
    return 0;
}

static int opt_bool(const avmit_yaml *y, const char *key, int *v, avmit_error *err) {
    if (!avmit_yaml_get(y, 1, key)) return 0;
    return avmit_yaml_get_bool(y, 1, key, v, err);
}

static int copy_str(const avmit_yaml *y, const char *key, char *dst, avmit_error *err) {
    const char *s;
    dst[0] = 0;
    if (!avmit_yaml_get(y, 1, key)) return 0;
    int rc = avmit_yaml_get_str(y, 1, key, &s, err);
    if (rc) return rc;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n')) n--; /* folded scalars keep trailing spaces */
    if (n >= AVMIT_CONFIG_PATH_MAX)
        return avmit_error_set(err, AVMIT_E_RANGE, avmit_yaml_name(y), -1, -1, -1, key, "value too long");
    memcpy(dst, s, n);
    dst[n] = 0;
    return 0;
}

int avmit_exp1_config_from_yaml(avmit_exp1_config *c, const avmit_yaml *y, avmit_error *err) {
    memset(c, 0, sizeof *c);
    avmit_model_config *m = &c->model;
    const char *s;
    int rc, id;
    m->use_audio = m->use_visual = 1;
    m->timesteps = 7;
    m->n_classes = 16;
    c->num_epochs = 200;
    c->batch_size = c->val_batch_size = c->test_batch_size = 16;
    c->patience = 20;
    c->buffer_size = 5000;
    if (avmit_yaml_kind_of(y, 1) != AVMIT_YAML_MAP)
        return avmit_error_set(err, AVMIT_E_FORMAT, avmit_yaml_name(y), -1, 1, -1, NULL, "top level is not a mapping");
    if ((rc = avmit_yaml_get_str(y, 1, "rnn.function", &s, err))) return rc;
    id = avmit_yaml_get(y, 1, "rnn.function");
    const char *f = !strncmp(s, "tf.keras.layers.", 16) ? s + 16 : s;
    if (!strcmp(f, "SimpleRNN")) m->rnn = AVMIT_RNN_SIMPLE;
    else if (!strcmp(f, "GRU")) m->rnn = AVMIT_RNN_GRU;
    else if (!strcmp(f, "LSTM")) m->rnn = AVMIT_RNN_LSTM;
    else
        return avmit_error_set(err, AVMIT_E_FORMAT, avmit_yaml_name(y), -1, avmit_yaml_line(y, id), -1, "rnn.function",
                               "expected tf.keras.layers.SimpleRNN, GRU or LSTM, found '%s'", s);
    m->units = 0;
    if ((rc = opt_int(y, "rnn.units", &m->units, 1, 65536, err))) return rc;
    if (!m->units)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, avmit_yaml_name(y), -1, -1, -1, "rnn.units", "required key is missing");
    if (avmit_yaml_get(y, 1, "rnn.dropout")) {
        double d;
        if ((rc = avmit_yaml_get_double(y, 1, "rnn.dropout", &d, err))) return rc;
        if (!(d >= 0 && d < 1))
            return avmit_error_set(err, AVMIT_E_RANGE, avmit_yaml_name(y), -1, avmit_yaml_line(y, avmit_yaml_get(y, 1, "rnn.dropout")),
                                   -1, "rnn.dropout", "%g is outside [0, 1)", d);
        m->dropout = (float)d;
    }
    if ((rc = opt_bool(y, "audio", &m->use_audio, err)) || (rc = opt_bool(y, "visual", &m->use_visual, err)))
        return rc;
    if (!m->use_audio && !m->use_visual)
        return avmit_error_set(err, AVMIT_E_FORMAT, avmit_yaml_name(y), -1, -1, -1, "audio", "audio and visual are both False");
    if ((rc = opt_int(y, "bottleneck_size", &m->bottleneck, 1, 65536, err))) return rc;
    if (!m->bottleneck)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, avmit_yaml_name(y), -1, -1, -1, "bottleneck_size", "required key is missing");
    if ((rc = avmit_yaml_get_str(y, 1, "bottleneck_activation", &s, err))) return rc;
    id = avmit_yaml_get(y, 1, "bottleneck_activation");
    if (!strcmp(s, "relu")) m->act = AVMIT_ACT_RELU;
    else if (!strcmp(s, "swish")) m->act = AVMIT_ACT_SWISH;
    else
        return avmit_error_set(err, AVMIT_E_FORMAT, avmit_yaml_name(y), -1, avmit_yaml_line(y, id), -1,
                               "bottleneck_activation", "expected relu or swish, found '%s'", s);
    int vgg = 0, mob = 0;
    if ((rc = opt_bool(y, "data.VGG_style.enabled", &vgg, err)) ||
        (rc = opt_bool(y, "data.mobilenet_style.enabled", &mob, err)))
        return rc;
    if (vgg + mob != 1)
        return avmit_error_set(err, AVMIT_E_FORMAT, avmit_yaml_name(y), -1, -1, -1, "data",
                               "exactly one of data.VGG_style.enabled and data.mobilenet_style.enabled "
                               "must be True (found %d)", vgg + mob);
    const char *style = vgg ? "data.VGG_style" : "data.mobilenet_style";
    char key[64];
    snprintf(key, sizeof key, "%s.audio_size", style);
    if ((rc = opt_int(y, key, &m->audio_dim, 1, 1 << 20, err))) return rc;
    snprintf(key, sizeof key, "%s.visual_size", style);
    if ((rc = opt_int(y, key, &m->visual_dim, 1, 1 << 20, err))) return rc;
    if (!m->audio_dim || !m->visual_dim)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, avmit_yaml_name(y), -1, -1, -1, style,
                               "audio_size and visual_size are required");
    if ((rc = opt_int(y, "data.timesteps", &m->timesteps, 1, 4096, err)) ||
        (rc = opt_int(y, "data.num_classes", &m->n_classes, 2, 4096, err)) ||
        (rc = opt_int(y, "training.num_epochs", &c->num_epochs, 1, 1000000, err)) ||
        (rc = opt_int(y, "training.training_batch_size", &c->batch_size, 1, 1 << 20, err)) ||
        (rc = opt_int(y, "training.validation_batch_size", &c->val_batch_size, 1, 1 << 20, err)) ||
        (rc = opt_int(y, "training.test_batch_size", &c->test_batch_size, 1, 1 << 20, err)) ||
        (rc = opt_int(y, "training.early_stopping", &c->patience, 0, 1000000, err)) ||
        (rc = opt_int(y, "training.buffer_size", &c->buffer_size, 0, 1 << 30, err)))
        return rc;
    if ((rc = avmit_yaml_get_double(y, 1, "training.learning_rate", &c->learning_rate, err))) return rc;
    if (!(c->learning_rate > 0))
        return avmit_error_set(err, AVMIT_E_RANGE, avmit_yaml_name(y), -1, -1, -1, "training.learning_rate",
                               "%g is not > 0", c->learning_rate);
    if ((rc = copy_str(y, "tfrecords_loc", c->tfrecords_loc, err)) ||
        (rc = copy_str(y, "train_csv", c->train_csv, err)) || (rc = copy_str(y, "val_csv", c->val_csv, err)) ||
        (rc = copy_str(y, "model_path", c->model_path, err)))
        return rc;
    int lt = avmit_yaml_get(y, 1, "label_to_int");
    if (lt) {
        size_t n = avmit_yaml_size(y, lt);
        if (avmit_yaml_kind_of(y, lt) != AVMIT_YAML_MAP || n != AVMIT_N_CLASSES || m->n_classes != AVMIT_N_CLASSES)
            return avmit_error_set(err, AVMIT_E_FORMAT, avmit_yaml_name(y), -1, avmit_yaml_line(y, lt), -1, "label_to_int",
                                   "expected the %d AVMIT labels (and data.num_classes %d)", AVMIT_N_CLASSES,
                                   AVMIT_N_CLASSES);
        for (size_t i = 0; i < n; i++) {
            int k = avmit_yaml_map_key(y, lt, i), v = avmit_yaml_map_value(y, lt, i);
            const char *ks = avmit_yaml_scalar(y, k), *vs = avmit_yaml_scalar(y, v);
            char *end;
            long id2 = vs ? strtol(vs, &end, 10) : -1;
            if (!ks || !vs || *end || avmit_label_id(ks) != id2)
                return avmit_error_set(err, AVMIT_E_FORMAT, avmit_yaml_name(y), -1, avmit_yaml_line(y, k), -1, "label_to_int",
                                       "'%s: %s' differs from the AVMIT label ids (FORMATS.md §3.4)",
                                       ks ? ks : "?", vs ? vs : "?");
        }
    }
    return 0;
}

int avmit_exp1_config_load(avmit_exp1_config *out, const char *path, avmit_error *err) {
    avmit_yaml *y;
    int rc = avmit_yaml_load(&y, path, err);
    if (rc) return rc;
    rc = avmit_exp1_config_from_yaml(out, y, err);
    avmit_yaml_free(y);
    return rc;
}

avmit_config_kind avmit_config_kind_of(const avmit_yaml *y) {
    static const char *const exp1_keys[] = {"bottleneck_size", "train_csv", "tfrecords_loc"};
    static const char *const savc_keys[] = {"congruent_train_csv", "incongruent_train_csv",
                                            "congruent_val_csv",   "incongruent_val_csv",
                                            "tfrecords_loc1",      "tfrecords_loc2"};
    int root = avmit_yaml_root(y), savc = 0;
    if (avmit_yaml_kind_of(y, root) != AVMIT_YAML_MAP) return AVMIT_CONFIG_EXP1;
    for (size_t i = 0; i < sizeof exp1_keys / sizeof exp1_keys[0]; i++)
        if (avmit_yaml_get(y, root, exp1_keys[i])) return AVMIT_CONFIG_EXP1;
    for (size_t i = 0; i < sizeof savc_keys / sizeof savc_keys[0]; i++)
        savc |= avmit_yaml_get(y, root, savc_keys[i]) != 0;
    return savc ? AVMIT_CONFIG_SAVC : AVMIT_CONFIG_EXP1;
}

int avmit_config_detect(const char *path, avmit_config_kind *out, avmit_error *err) {
    avmit_yaml *y;
    int rc = avmit_yaml_load(&y, path, err);
    if (rc) return rc;
    *out = avmit_config_kind_of(y);
    avmit_yaml_free(y);
    return 0;
}
