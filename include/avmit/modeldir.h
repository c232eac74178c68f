/*
 * avmit/modeldir.h — model directories of either kind: which model a
 * directory holds, and building one from the paper's train.yaml + weights.
 *
 *   experiment 1 (avmit/train.h):  DIR/model.safetensors + DIR/config.json
 *   SAVC (avmit/savc_train.h):     DIR/model.safetensors with metadata
 *                                  avmit.model = "savc"
 *
 * Needs the neural-network core (AVMIT_WITH_BLAS) and, to import, libyaml
 * (AVMIT_WITH_YAML). Thread-safety: reentrant.
 */
#ifndef AVMIT_MODELDIR_H
#define AVMIT_MODELDIR_H

#include <stddef.h>

#include "avmit/error.h"
#include "avmit/keras_vars.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum avmit_modeldir_kind {
    AVMIT_MODELDIR_EXP1 = 0, /* experiment-1 action recognition */
    AVMIT_MODELDIR_SAVC = 1  /* SAVC */
} avmit_modeldir_kind;

/* SAVC when dir/model.safetensors says avmit.model = "savc", else EXP1 (also
 * when the file cannot be read: opening the directory then reports why). */
avmit_modeldir_kind avmit_modeldir_kind_of(const char *dir);

/* What avmit_modeldir_import built. */
typedef struct avmit_modeldir_info {
    avmit_modeldir_kind kind;
    avmit_weights_format format; /* the weights file's format */
    const char *rnn;             /* avmit_rnn_name of the recurrent layer (static string) */
    size_t n_weights;            /* trainable parameters */
    size_t n_stats;              /* BN moving statistics (0 for SAVC) */
} avmit_modeldir_info;

/*
 * Build the model directory out (created if missing) from a train.yaml
 * (experiment 1 or SAVC, avmit_config_detect) and its Keras weights file
 * (HDF5 or TF2 checkpoint, avmit_*_import_file): out/model.safetensors and,
 * for experiment 1, out/config.json with the yaml's training parameters.
 * *info (may be NULL) describes the result. Errors are those of the config
 * loader, the import and the writes, naming the file.
 */
int avmit_modeldir_import(const char *config, const char *weights, const char *out,
                          avmit_modeldir_info *info, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_MODELDIR_H */
