/*
 * yaml_config.c — the generic YAML tree over libyaml's document API and the
 * typed experiment-1 train.yaml (include/avmit/config.h, SPEC.md §5).
 *
 * libyaml's loader resolves aliases to node references, so an alias and its
 * anchor are the same node id here. Node ids are libyaml's (1-based).
 * The label names and model names are checked here without calling src/nn,
 * so this file builds whenever libyaml is present.
 */
#include "avmit/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "avmit/fileio.h"
#include "avmit/labels.h"

struct avmit_yaml {
    yaml_document_t doc;
    char *name;
};

void avmit_yaml_free(avmit_yaml *y) {
    if (!y) return;
    yaml_document_delete(&y->doc);
    free(y->name);
    free(y);
}

const char *avmit_yaml_name(const avmit_yaml *y) { return y->name; }

int avmit_yaml_parse(avmit_yaml **out, const char *text, size_t n, const char *name,
                     avmit_error *err) {
    *out = NULL;
    avmit_yaml *y = calloc(1, sizeof *y);
    if (!y || !(y->name = strdup(name ? name : "<yaml>"))) {
        free(y);
        return avmit_error_set(err, AVMIT_E_NOMEM, name, -1, -1, -1, NULL, "out of memory");
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        free(y->name);
        free(y);
        return avmit_error_set(err, AVMIT_E_NOMEM, name, -1, -1, -1, NULL, "out of memory");
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, n);
    if (!yaml_parser_load(&p, &y->doc)) {
        int rc = avmit_error_set(err, AVMIT_E_FORMAT, name, -1, (long long)p.problem_mark.line + 1,
                                 (long long)p.problem_mark.index, NULL, "YAML syntax error: %s%s%s",
                                 p.problem ? p.problem : "unknown", p.context ? " " : "",
                                 p.context ? p.context : "");
        yaml_parser_delete(&p);
        free(y->name);
        free(y);
        return rc;
    }
    yaml_parser_delete(&p);
    if (!yaml_document_get_root_node(&y->doc)) {
        avmit_yaml_free(y);
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, -1, NULL, "empty YAML document");
    }
    *out = y;
    return 0;
}

int avmit_yaml_load(avmit_yaml **out, const char *path, avmit_error *err) {
    unsigned char *buf;
    size_t n;
    *out = NULL;
    int rc = avmit_read_file(path, &buf, &n, err);
    if (rc) return rc;
    rc = avmit_yaml_parse(out, (const char *)buf, n, path, err);
    free(buf);
    return rc;
}

static yaml_node_t *node_of(const avmit_yaml *y, int id) {
    return id > 0 ? yaml_document_get_node((yaml_document_t *)&y->doc, id) : NULL;
}

int avmit_yaml_root(const avmit_yaml *y) { return y ? 1 : 0; }

avmit_yaml_kind avmit_yaml_kind_of(const avmit_yaml *y, int id) {
    yaml_node_t *n = node_of(y, id);
    if (!n) return AVMIT_YAML_NONE;
    return n->type == YAML_SCALAR_NODE ? AVMIT_YAML_SCALAR
           : n->type == YAML_MAPPING_NODE ? AVMIT_YAML_MAP
           : n->type == YAML_SEQUENCE_NODE ? AVMIT_YAML_SEQ
                                           : AVMIT_YAML_NONE;
}

const char *avmit_yaml_scalar(const avmit_yaml *y, int id) {
    yaml_node_t *n = node_of(y, id);
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

long avmit_yaml_line(const avmit_yaml *y, int id) {
    yaml_node_t *n = node_of(y, id);
    return n ? (long)n->start_mark.line + 1 : 0;
}

size_t avmit_yaml_size(const avmit_yaml *y, int id) {
    yaml_node_t *n = node_of(y, id);
    if (!n) return 0;
    if (n->type == YAML_MAPPING_NODE)
        return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (n->type == YAML_SEQUENCE_NODE)
        return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return 0;
}

int avmit_yaml_map_key(const avmit_yaml *y, int id, size_t i) {
    yaml_node_t *n = node_of(y, id);
    if (!n || n->type != YAML_MAPPING_NODE || i >= avmit_yaml_size(y, id)) return 0;
    return n->data.mapping.pairs.start[i].key;
}

int avmit_yaml_map_value(const avmit_yaml *y, int id, size_t i) {
    yaml_node_t *n = node_of(y, id);
    if (!n || n->type != YAML_MAPPING_NODE || i >= avmit_yaml_size(y, id)) return 0;
    return n->data.mapping.pairs.start[i].value;
}

int avmit_yaml_seq_item(const avmit_yaml *y, int id, size_t i) {
    yaml_node_t *n = node_of(y, id);
    if (!n || n->type != YAML_SEQUENCE_NODE || i >= avmit_yaml_size(y, id)) return 0;
    return n->data.sequence.items.start[i];
}

int avmit_yaml_get(const avmit_yaml *y, int node, const char *dotted) {
    const char *p = dotted;
    while (node && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        int found = 0;
        for (size_t i = 0, n = avmit_yaml_size(y, node); i < n && !found; i++) {
            const char *k = avmit_yaml_scalar(y, avmit_yaml_map_key(y, node, i));
            if (k && strlen(k) == len && !strncmp(k, p, len)) found = avmit_yaml_map_value(y, node, i);
        }
        if (avmit_yaml_kind_of(y, node) != AVMIT_YAML_MAP) found = 0;
        node = found;
        p = dot ? dot + 1 : p + len;
    }
    return node;
}

static int scalar_at(const avmit_yaml *y, int node, const char *key, const char **s, int *id,
                     avmit_error *err) {
    *id = avmit_yaml_get(y, node, key);
    if (!*id)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, y->name, -1, -1, -1, key, "required key is missing");
    *s = avmit_yaml_scalar(y, *id);
    if (!*s)
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, *id), -1, key,
                               "expected a scalar value, found a %s",
                               avmit_yaml_kind_of(y, *id) == AVMIT_YAML_MAP ? "mapping" : "sequence");
    return 0;
}

int avmit_yaml_get_str(const avmit_yaml *y, int node, const char *key, const char **out,
                       avmit_error *err) {
    int id;
    return scalar_at(y, node, key, out, &id, err);
}

/* A scalar parsed as an integer (is_int) or a double; the error names what was expected. */
static int get_number(const avmit_yaml *y, int node, const char *key, int is_int, long long *iv,
                      double *dv, avmit_error *err) {
    const char *s;
    int id, rc = scalar_at(y, node, key, &s, &id, err);
    if (rc) return rc;
    char *end;
    errno = 0;
    if (is_int) *iv = strtoll(s, &end, 10);
    else *dv = strtod(s, &end);
    if (!*s || *end || errno || (!is_int && *dv != *dv))
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, id), -1, key,
                               "expected %s, found '%s'", is_int ? "an integer" : "a number", s);
    return 0;
}

int avmit_yaml_get_int(const avmit_yaml *y, int node, const char *key, long long *out,
                       avmit_error *err) {
    long long v;
    int rc = get_number(y, node, key, 1, &v, NULL, err);
    if (!rc) *out = v;
    return rc;
}

int avmit_yaml_get_double(const avmit_yaml *y, int node, const char *key, double *out,
                          avmit_error *err) {
    double v;
    int rc = get_number(y, node, key, 0, NULL, &v, err);
    if (!rc) *out = v;
    return rc;
}

int avmit_yaml_get_bool(const avmit_yaml *y, int node, const char *key, int *out,
                        avmit_error *err) {
    const char *s;
    int id, rc = scalar_at(y, node, key, &s, &id, err);
    if (rc) return rc;
    static const char *const yes[] = {"true", "yes", "on", "y"}, *const no[] = {"false", "no", "off", "n"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) return *out = 1, 0;
        if (!strcasecmp(s, no[i])) return *out = 0, 0;
    }
    return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, id), -1, key,
                           "expected a boolean (True/False), found '%s'", s);
}

/* ---- experiment-1 config -------------------------------------------------------- */

/* Optional keys keep their default; present ones must have the right type. */
static int opt_int(const avmit_yaml *y, const char *key, int *v, long long lo, long long hi,
                   avmit_error *err) {
    long long x;
    if (!avmit_yaml_get(y, 1, key)) return 0;
    int rc = avmit_yaml_get_int(y, 1, key, &x, err);
    if (rc) return rc;
    if (x < lo || x > hi)
        return avmit_error_set(err, AVMIT_E_RANGE, y->name, -1, avmit_yaml_line(y, avmit_yaml_get(y, 1, key)),
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
        return avmit_error_set(err, AVMIT_E_RANGE, y->name, -1, -1, -1, key, "value too long");
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
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, 1, -1, NULL, "top level is not a mapping");
    if ((rc = scalar_at(y, 1, "rnn.function", &s, &id, err))) return rc;
    const char *f = !strncmp(s, "tf.keras.layers.", 16) ? s + 16 : s;
    if (!strcmp(f, "SimpleRNN")) m->rnn = AVMIT_RNN_SIMPLE;
    else if (!strcmp(f, "GRU")) m->rnn = AVMIT_RNN_GRU;
    else if (!strcmp(f, "LSTM")) m->rnn = AVMIT_RNN_LSTM;
    else
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, id), -1, "rnn.function",
                               "expected tf.keras.layers.SimpleRNN, GRU or LSTM, found '%s'", s);
    m->units = 0;
    if ((rc = opt_int(y, "rnn.units", &m->units, 1, 65536, err))) return rc;
    if (!m->units)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, y->name, -1, -1, -1, "rnn.units", "required key is missing");
    if (avmit_yaml_get(y, 1, "rnn.dropout")) {
        double d;
        if ((rc = avmit_yaml_get_double(y, 1, "rnn.dropout", &d, err))) return rc;
        if (!(d >= 0 && d < 1))
            return avmit_error_set(err, AVMIT_E_RANGE, y->name, -1, avmit_yaml_line(y, avmit_yaml_get(y, 1, "rnn.dropout")),
                                   -1, "rnn.dropout", "%g is outside [0, 1)", d);
        m->dropout = (float)d;
    }
    if ((rc = opt_bool(y, "audio", &m->use_audio, err)) || (rc = opt_bool(y, "visual", &m->use_visual, err)))
        return rc;
    if (!m->use_audio && !m->use_visual)
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, -1, -1, "audio", "audio and visual are both False");
    if ((rc = opt_int(y, "bottleneck_size", &m->bottleneck, 1, 65536, err))) return rc;
    if (!m->bottleneck)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, y->name, -1, -1, -1, "bottleneck_size", "required key is missing");
    if ((rc = scalar_at(y, 1, "bottleneck_activation", &s, &id, err))) return rc;
    if (!strcmp(s, "relu")) m->act = AVMIT_ACT_RELU;
    else if (!strcmp(s, "swish")) m->act = AVMIT_ACT_SWISH;
    else
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, id), -1,
                               "bottleneck_activation", "expected relu or swish, found '%s'", s);
    int vgg = 0, mob = 0;
    if ((rc = opt_bool(y, "data.VGG_style.enabled", &vgg, err)) ||
        (rc = opt_bool(y, "data.mobilenet_style.enabled", &mob, err)))
        return rc;
    if (vgg + mob != 1)
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, -1, -1, "data",
                               "exactly one of data.VGG_style.enabled and data.mobilenet_style.enabled "
                               "must be True (found %d)", vgg + mob);
    const char *style = vgg ? "data.VGG_style" : "data.mobilenet_style";
    char key[64];
    snprintf(key, sizeof key, "%s.audio_size", style);
    if ((rc = opt_int(y, key, &m->audio_dim, 1, 1 << 20, err))) return rc;
    snprintf(key, sizeof key, "%s.visual_size", style);
    if ((rc = opt_int(y, key, &m->visual_dim, 1, 1 << 20, err))) return rc;
    if (!m->audio_dim || !m->visual_dim)
        return avmit_error_set(err, AVMIT_E_NOTFOUND, y->name, -1, -1, -1, style,
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
        return avmit_error_set(err, AVMIT_E_RANGE, y->name, -1, -1, -1, "training.learning_rate",
                               "%g is not > 0", c->learning_rate);
    if ((rc = copy_str(y, "tfrecords_loc", c->tfrecords_loc, err)) ||
        (rc = copy_str(y, "train_csv", c->train_csv, err)) || (rc = copy_str(y, "val_csv", c->val_csv, err)) ||
        (rc = copy_str(y, "model_path", c->model_path, err)))
        return rc;
    int lt = avmit_yaml_get(y, 1, "label_to_int");
    if (lt) {
        size_t n = avmit_yaml_size(y, lt);
        if (avmit_yaml_kind_of(y, lt) != AVMIT_YAML_MAP || n != AVMIT_N_CLASSES || m->n_classes != AVMIT_N_CLASSES)
            return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, lt), -1, "label_to_int",
                                   "expected the %d AVMIT labels (and data.num_classes %d)", AVMIT_N_CLASSES,
                                   AVMIT_N_CLASSES);
        for (size_t i = 0; i < n; i++) {
            int k = avmit_yaml_map_key(y, lt, i), v = avmit_yaml_map_value(y, lt, i);
            const char *ks = avmit_yaml_scalar(y, k), *vs = avmit_yaml_scalar(y, v);
            char *end;
            long id2 = vs ? strtol(vs, &end, 10) : -1;
            if (!ks || !vs || *end || avmit_label_id(ks) != id2)
                return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, k), -1, "label_to_int",
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
