/*
 * avmit/config.h — the typed experiment-1 config read from the paper's own
 * ../data/models/action_recognition/<config>/train.yaml files (SPEC.md §5,
 * FORMATS.md §3.3-3.4), and which experiment a train.yaml configures; over
 * the generic YAML tree of avmit/yaml.h. Every error names the file, the
 * 1-based line and the key, e.g.
 *   "train.yaml: line 14: rnn.units: expected an integer, found 'many'".
 *
 * In a build without libyaml (AVMIT_WITH_YAML=OFF) the loaders return
 * AVMIT_E_UNSUPPORTED. Thread-safety: reentrant.
 */
#ifndef AVMIT_CONFIG_H
#define AVMIT_CONFIG_H

#include <stddef.h>

#include "avmit/error.h"
#include "avmit/model.h"
#include "avmit/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

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
