/*
 * modeldir_import.c — model directories of either kind (include/avmit/modeldir.h):
 * kind detection from model.safetensors' metadata, and building a directory
 * from a train.yaml + Keras weights file.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/config.h"
#include "avmit/fileio.h"
#include "avmit/model_io.h"
#include "avmit/modeldir.h"
#include "avmit/safetensors.h"
#include "avmit/savc.h"
#include "avmit/savc_train.h"
#include "avmit/train.h"
#include "core/error_int.h"

#define MODEL_FILE "model.safetensors"

avmit_modeldir_kind avmit_modeldir_kind_of(const char *dir) {
    char *st = avmit_path_join(dir, MODEL_FILE);
    avmit_safetensors f;
    avmit_modeldir_kind kind = AVMIT_MODELDIR_EXP1;
    if (st && !avmit_safetensors_read(&f, st, NULL)) {
        const char *meta = avmit_safetensors_meta(&f, "avmit.model");
        if (meta && !strcmp(meta, "savc")) kind = AVMIT_MODELDIR_SAVC;
        avmit_safetensors_free(&f);
    }
    free(st);
    return kind;
}

/* A SAVC train.yaml: the SAVC model into out/model.safetensors. */
static int import_savc(const char *config, const char *weights, const char *out,
                       avmit_modeldir_info *info, avmit_error *err) {
    avmit_savc_file_config fc;
    avmit_savc_model *m = NULL;
    char *st = NULL;
    int rc = avmit_savc_config_load(&fc, config, err);
    if (!rc) rc = avmit_savc_create(&m, &fc.model, err);
    if (!rc) rc = avmit_savc_import_file(m, weights, &info->format, err);
    if (!rc && !(st = avmit_path_join(out, MODEL_FILE))) rc = AVMIT_NOMEM(err, "path");
    if (!rc) rc = avmit_mkdirs(out, err);
    if (!rc) rc = avmit_savc_model_save(m, st, err);
    if (!rc) {
        info->rnn = avmit_rnn_name(m->cfg.rnn);
        info->n_weights = m->n_weights;
        info->n_stats = 0;
    }
    free(st);
    avmit_savc_free(m);
    return rc;
}

/* An experiment-1 train.yaml: out/model.safetensors + out/config.json. */
static int import_exp1(const char *config, const char *weights, const char *out,
                       avmit_modeldir_info *info, avmit_error *err) {
    avmit_exp1_config ec;
    avmit_model *m = NULL;
    char *st = NULL;
    int rc = avmit_exp1_config_load(&ec, config, err);
    if (!rc) rc = avmit_model_create(&m, &ec.model, err);
    if (!rc) rc = avmit_model_import_file(m, weights, &info->format, err);
    if (!rc && !(st = avmit_path_join(out, MODEL_FILE))) rc = AVMIT_NOMEM(err, "path");
    if (!rc) rc = avmit_mkdirs(out, err);
    if (!rc) rc = avmit_model_save(m, st, err);
    if (!rc) {
        avmit_train_params p = avmit_train_default_params();
        p.epochs = ec.num_epochs;
        p.batch = ec.batch_size;
        p.lr = ec.learning_rate;
        p.patience = ec.patience;
        rc = avmit_modeldir_write_config(out, &m->cfg, &p, NULL, err);
    }
    if (!rc) {
        info->rnn = avmit_rnn_name(m->cfg.rnn);
        info->n_weights = m->n_weights;
        info->n_stats = m->n_stats;
    }
    free(st);
    avmit_model_free(m);
    return rc;
}

int avmit_modeldir_import(const char *config, const char *weights, const char *out,
                          avmit_modeldir_info *info, avmit_error *err) {
    avmit_modeldir_info local;
    if (!info) info = &local;
    memset(info, 0, sizeof *info);
    info->format = AVMIT_WEIGHTS_KERAS_H5;
    avmit_config_kind kind;
    int rc = avmit_config_detect(config, &kind, err);
    if (rc) return rc;
    info->kind = kind == AVMIT_CONFIG_SAVC ? AVMIT_MODELDIR_SAVC : AVMIT_MODELDIR_EXP1;
    return kind == AVMIT_CONFIG_SAVC ? import_savc(config, weights, out, info, err)
                                     : import_exp1(config, weights, out, info, err);
}
