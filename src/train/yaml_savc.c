/*
 * yaml_savc.c — the paper's SAVC train.yaml (include/avmit/savc.h), read
 * through the generic YAML tree of avmit/yaml.h. Named yaml_* so that a build
 * without libyaml leaves it out with the tree it depends on (config_noyaml.c
 * then answers AVMIT_E_UNSUPPORTED). It sits in src/train, above src/nn whose
 * config defaults and checks it calls.
 */
#include <stdio.h>
#include <string.h>

#include "avmit/savc.h"
#include "avmit/yaml.h"

static int get_int(const avmit_yaml *y, const char *key, int *v, long long lo, long long hi,
                   avmit_error *err) {
    long long x;
    if (!avmit_yaml_get(y, avmit_yaml_root(y), key)) return 0;
    int rc = avmit_yaml_get_int(y, avmit_yaml_root(y), key, &x, err);
    if (rc) return rc;
    if (x < lo || x > hi)
        return avmit_error_set(err, AVMIT_E_RANGE, avmit_yaml_name(y), -1,
                               avmit_yaml_line(y, avmit_yaml_get(y, avmit_yaml_root(y), key)), -1,
                               key, "%lld is outside [%lld, %lld]", x, lo, hi);
    *v = (int)x;
    return 0;
}

static int get_bool(const avmit_yaml *y, const char *key, int *v, avmit_error *err) {
    if (!avmit_yaml_get(y, avmit_yaml_root(y), key)) return 0;
    return avmit_yaml_get_bool(y, avmit_yaml_root(y), key, v, err);
}

/* A path value; folded scalars ("key: >-") keep trailing blanks, which are dropped. */
static int get_path(const avmit_yaml *y, const char *key, char *dst, avmit_error *err) {
    const char *s;
    dst[0] = 0;
    if (!avmit_yaml_get(y, avmit_yaml_root(y), key)) return 0;
    int rc = avmit_yaml_get_str(y, avmit_yaml_root(y), key, &s, err);
    if (rc) return rc;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n')) n--;
    if (n >= AVMIT_SAVC_PATH_MAX)
        return avmit_error_set(err, AVMIT_E_RANGE, avmit_yaml_name(y), -1, -1, -1, key,
                               "value too long");
    memcpy(dst, s, n);
    dst[n] = 0;
    return 0;
}

static int from_yaml(avmit_savc_file_config *c, const avmit_yaml *y, avmit_error *err) {
    avmit_savc_config *m = &c->model;
    const char *name = avmit_yaml_name(y);
    int root = avmit_yaml_root(y), rc;
    *m = avmit_savc_default_config();
    m->dropout = 0;
    m->timesteps = 7;
    c->num_epochs = 200;
    c->learning_rate = 1e-4;
    c->batch_size = 512;
    c->val_batch_size = 16;
    if (avmit_yaml_kind_of(y, root) != AVMIT_YAML_MAP)
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, 1, -1, NULL,
                               "top level is not a mapping");
    const char *f;
    if ((rc = avmit_yaml_get_str(y, root, "rnn.function", &f, err))) return rc;
    if (avmit_rnn_parse(f, &m->rnn))
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1,
                               avmit_yaml_line(y, avmit_yaml_get(y, root, "rnn.function")), -1,
                               "rnn.function",
                               "expected tf.keras.layers.SimpleRNN, GRU or LSTM, found '%s'", f);
    m->units = 0;
    if ((rc = get_int(y, "rnn.units", &m->units, 1, 65536, err))) return rc;
    if (!m->units)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, name, -1, -1, -1, "rnn.units",
                               "required key is missing");
    if (avmit_yaml_get(y, root, "rnn.dropout")) {
        double d;
        if ((rc = avmit_yaml_get_double(y, root, "rnn.dropout", &d, err))) return rc;
        if (!(d >= 0 && d < 1))
            return avmit_error_set(err, AVMIT_E_RANGE, name, -1,
                                   avmit_yaml_line(y, avmit_yaml_get(y, root, "rnn.dropout")), -1,
                                   "rnn.dropout", "%g is outside [0, 1)", d);
        m->dropout = (float)d;
    }
    int audio = 1, visual = 1, vgg = 0, mob = 0;
    if ((rc = get_bool(y, "audio", &audio, err)) || (rc = get_bool(y, "visual", &visual, err)))
        return rc;
    if (!audio || !visual)
        return avmit_error_set(err, AVMIT_E_UNSUPPORTED, name, -1, -1, -1, audio ? "visual" : "audio",
                               "SAVC compares both streams: audio and visual must be True");
    if ((rc = get_bool(y, "data.VGG_style.enabled", &vgg, err)) ||
        (rc = get_bool(y, "data.mobilenet_style.enabled", &mob, err)))
        return rc;
    if (vgg + mob != 1)
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, -1, "data",
                               "exactly one of data.VGG_style.enabled and "
                               "data.mobilenet_style.enabled must be True (found %d)", vgg + mob);
    const char *style = vgg ? "data.VGG_style" : "data.mobilenet_style";
    char key[64];
    m->audio_dim = m->visual_dim = 0;
    snprintf(key, sizeof key, "%s.audio_size", style);
    if ((rc = get_int(y, key, &m->audio_dim, 1, 1 << 20, err))) return rc;
    snprintf(key, sizeof key, "%s.visual_size", style);
    if ((rc = get_int(y, key, &m->visual_dim, 1, 1 << 20, err))) return rc;
    if (!m->audio_dim || !m->visual_dim)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, name, -1, -1, -1, style,
                               "audio_size and visual_size are required");
    if ((rc = get_int(y, "data.timesteps", &m->timesteps, 1, 4096, err)) ||
        (rc = get_int(y, "training.num_epochs", &c->num_epochs, 1, 1000000, err)) ||
        (rc = get_int(y, "training.training_batch_size", &c->batch_size, 1, 1 << 20, err)) ||
        (rc = get_int(y, "training.validation_batch_size", &c->val_batch_size, 1, 1 << 20, err)))
        return rc;
    if (avmit_yaml_get(y, root, "training.learning_rate") &&
        (rc = avmit_yaml_get_double(y, root, "training.learning_rate", &c->learning_rate, err)))
        return rc;
    if ((rc = get_path(y, "tfrecords_loc1", c->tfrecords_loc1, err)) ||
        (rc = get_path(y, "tfrecords_loc2", c->tfrecords_loc2, err)) ||
        (rc = get_path(y, "congruent_train_csv", c->cong_train, err)) ||
        (rc = get_path(y, "incongruent_train_csv", c->incong_train, err)) ||
        (rc = get_path(y, "congruent_val_csv", c->cong_val, err)) ||
        (rc = get_path(y, "incongruent_val_csv", c->incong_val, err)) ||
        (rc = get_path(y, "model_path", c->model_path, err)))
        return rc;
    return avmit_savc_config_check(m, err);
}

int avmit_savc_config_load(avmit_savc_file_config *out, const char *path, avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_yaml *y;
    int rc = avmit_yaml_load(&y, path, err);
    if (rc) return rc;
    rc = from_yaml(out, y, err);
    avmit_yaml_free(y);
    return rc;
}
