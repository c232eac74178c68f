/*
 * avmit/config.h — YAML configs (libyaml): a small generic tree with dotted
 * lookups that any train.yaml can use (experiment 1, SAVC), and the typed
 * experiment-1 config read from the paper's own
 * ../data/models/action_recognition/<config>/train.yaml files (SPEC.md §5,
 * FORMATS.md §3.3-3.4).
 *
 * Nodes are small integers (0 = "no node"); anchors and aliases (&dest / *dest
 * in the released files) resolve to the same node. Every error names the
 * file, the 1-based line and the key, e.g.
 *   "train.yaml: line 14: rnn.units: expected an integer, found 'many'".
 *
 * Thread-safety: a loaded tree is immutable and may be shared.
 */
#ifndef AVMIT_CONFIG_H
#define AVMIT_CONFIG_H

#include <stddef.h>

#include "avmit/error.h"
#include "avmit/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- generic tree ------------------------------------------------------------ */
typedef struct avmit_yaml avmit_yaml;
typedef enum avmit_yaml_kind {
    AVMIT_YAML_NONE = 0,
    AVMIT_YAML_SCALAR,
    AVMIT_YAML_MAP,
    AVMIT_YAML_SEQ
} avmit_yaml_kind;

/* Parse the first document of a file / a buffer (`name` is used in errors). */
int avmit_yaml_load(avmit_yaml **out, const char *path, avmit_error *err);
int avmit_yaml_parse(avmit_yaml **out, const char *text, size_t n, const char *name,
                     avmit_error *err);
void avmit_yaml_free(avmit_yaml *y);
const char *avmit_yaml_name(const avmit_yaml *y);

int avmit_yaml_root(const avmit_yaml *y);
avmit_yaml_kind avmit_yaml_kind_of(const avmit_yaml *y, int node);
/* Scalar text (NUL-terminated; folded/literal scalars already folded), or NULL. */
const char *avmit_yaml_scalar(const avmit_yaml *y, int node);
long avmit_yaml_line(const avmit_yaml *y, int node); /* 1-based, 0 for no node */
/* Number of pairs (map) or items (sequence); 0 otherwise. */
size_t avmit_yaml_size(const avmit_yaml *y, int node);
int avmit_yaml_map_key(const avmit_yaml *y, int map, size_t i);
int avmit_yaml_map_value(const avmit_yaml *y, int map, size_t i);
int avmit_yaml_seq_item(const avmit_yaml *y, int seq, size_t i);
/* Follow a dotted path of map keys from `node` ("training.learning_rate");
 * 0 when any part is absent. */
int avmit_yaml_get(const avmit_yaml *y, int node, const char *dotted);

/* Typed lookups of a dotted key under `node`: AVMIT_E_NOTFOUND when absent,
 * AVMIT_E_FORMAT when the value has the wrong type (file, line, key). Booleans
 * accept YAML 1.1's true/false/yes/no/on/off in any case; integers are decimal;
 * the string of an empty value is "". */
int avmit_yaml_get_str(const avmit_yaml *y, int node, const char *key, const char **out,
                       avmit_error *err);
int avmit_yaml_get_int(const avmit_yaml *y, int node, const char *key, long long *out,
                       avmit_error *err);
int avmit_yaml_get_double(const avmit_yaml *y, int node, const char *key, double *out,
                          avmit_error *err);
int avmit_yaml_get_bool(const avmit_yaml *y, int node, const char *key, int *out,
                        avmit_error *err);

/* ---- the experiment-1 train.yaml ------------------------------------------------ */
#define AVMIT_CONFIG_PATH_MAX 1024
typedef struct avmit_exp1_config {
    avmit_model_config model;  /* rnn.*, audio, visual, bottleneck_*, data.* */
    char tfrecords_loc[AVMIT_CONFIG_PATH_MAX]; /* as written (relative to the caller's root) */
    char train_csv[AVMIT_CONFIG_PATH_MAX];
    char val_csv[AVMIT_CONFIG_PATH_MAX];
    char model_path[AVMIT_CONFIG_PATH_MAX];
    int num_epochs;            /* training.num_epochs (200) */
    double learning_rate;      /* training.learning_rate */
    int batch_size;            /* training.training_batch_size (16) */
    int val_batch_size;        /* training.validation_batch_size */
    int test_batch_size;       /* training.test_batch_size */
    int patience;              /* training.early_stopping (20) */
    int buffer_size;           /* training.buffer_size (informational: avmit shuffles fully) */
} avmit_exp1_config;

/* Read a train.yaml. Required: rnn.function (tf.keras.layers.SimpleRNN|GRU|LSTM),
 * rnn.units, bottleneck_size, bottleneck_activation (relu|swish), exactly one of
 * data.VGG_style / data.mobilenet_style enabled (its audio_size, visual_size),
 * training.learning_rate. Defaults for absent keys: rnn.dropout 0, audio/visual
 * True, data.timesteps 7, data.num_classes 16, num_epochs 200, batch sizes 16,
 * early_stopping 20. A label_to_int map, when present, must be the 16 AVMIT
 * labels with their ids (FORMATS.md §3.4). */
int avmit_exp1_config_load(avmit_exp1_config *out, const char *path, avmit_error *err);
int avmit_exp1_config_from_yaml(avmit_exp1_config *out, const avmit_yaml *y, avmit_error *err);

/* ---- which experiment a train.yaml configures ---------------------------------- */
typedef enum avmit_config_kind {
    AVMIT_CONFIG_EXP1 = 1, /* action recognition (../data/models/action_recognition/) */
    AVMIT_CONFIG_SAVC = 2  /* SAVC (../data/models/savc/, avmit/savc.h) */
} avmit_config_kind;

/* SAVC when the top level has none of bottleneck_size, train_csv, tfrecords_loc and
 * at least one of the SAVC keys congruent_train_csv, incongruent_train_csv,
 * congruent_val_csv, incongruent_val_csv, tfrecords_loc1, tfrecords_loc2 (every
 * released SAVC file has all of them, no action-recognition file has any);
 * otherwise experiment 1 (whose loader then names what is missing). */
avmit_config_kind avmit_config_kind_of(const avmit_yaml *y);
/* Load path and classify it (errors: unreadable file, YAML syntax). */
int avmit_config_detect(const char *path, avmit_config_kind *out, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_CONFIG_H */
