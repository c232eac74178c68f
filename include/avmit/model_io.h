/*
 * avmit/model_io.h — the paper's released weights in and out of an
 * experiment-1 or SAVC model (SPEC.md §7; FORMATS.md §5, §6, §9): `avmit model
 * import` and `avmit model export`.
 *
 * Import maps the "layers with weights" of a Keras HDF5 weights file or a TF2
 * checkpoint (avmit/keras_vars.h, Keras load order) onto the model's tensors
 * (avmit/model.h). The model keeps Keras's own layouts, so no reordering is
 * needed: TimeDistributed 1x1 Conv2D kernels stay (1,1,in,out) (a Dense),
 * RNN kernels keep their gate column blocks (GRU z,r,h; LSTM i,f,c,o), the
 * GRU bias keeps its two rows (input, recurrent), and the BN layers carry
 * gamma, beta (trainable) and moving_mean, moving_variance (the model's
 * statistics block). Like Keras, layers are paired by ORDER; the variables of
 * a layer by attribute ("kernel", "bias", "gamma", ...). Every shape is
 * checked. Errors name the file and the variable: a layer count other than
 * the model's (both counts and the file's layer names), a missing variable
 * (layer and the expected shape), an extra variable, a shape mismatch (both
 * shapes), a non-finite value. On error the model is unchanged.
 *
 * Export writes the model as a Keras `save_weights` HDF5 file with the layer
 * and weight names, order and layout of the released action_recognition
 * random_seed files (Keras 2.4.0 form: fixed-length NULLPAD strings), or as
 * an .npz archive (one "<keras weight name>.npy" member per tensor, the
 * model.safetensors names, e.g. "gru/gru_cell/bias:0.npy").
 *
 * The SAVC model (avmit/savc.h, FORMATS.md §5.3) has the same functions,
 * avmit_savc_*: six layers with weights (audio_Dense_1, visual_Dense_1,
 * audio_Dense_2, visual_Dense_2, the RNN, dense_4), all trainable; its Keras
 * export is the Keras 2.13.1 form of the released savc random_seed.h5 files
 * (variable-length strings and the empty top_level_model_weights group).
 *
 * Thread-safety: HDF5 functions as avmit/keras_h5.h (one thread at a time);
 * the rest is reentrant.
 */
#ifndef AVMIT_MODEL_IO_H
#define AVMIT_MODEL_IO_H

#include "avmit/error.h"
#include "avmit/keras_h5.h"
#include "avmit/keras_vars.h"
#include "avmit/model.h"
#include "avmit/savc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Copy the variables into m (all or nothing; v->source names the file in errors). */
int avmit_model_import_vars(avmit_model *m, const avmit_keras_vars *v, avmit_error *err);

/* Read a Keras HDF5 file or a TF2 checkpoint (avmit_keras_vars_read) and
 * import it; *format (may be NULL) receives the file's format. */
int avmit_model_import_file(avmit_model *m, const char *path, avmit_weights_format *format,
                            avmit_error *err);

/* The model as a Keras weights tree (every layer of avmit_model_layers, in
 * layer_names order; weight_names as the released files). Free with
 * avmit_keras_h5_free. */
int avmit_model_to_keras_h5(const avmit_model *m, avmit_keras_h5 *out, avmit_error *err);

/* Write the Keras HDF5 weights file atomically (parent folders created). */
int avmit_model_export_keras_h5(const avmit_model *m, const char *path, avmit_error *err);

/* Write every weight and BN statistic as an .npz (avmit/npz.h) atomically. */
int avmit_model_export_npz(const avmit_model *m, const char *path, avmit_error *err);

/* ---- the SAVC model: same contracts as the experiment-1 functions above ---- */
int avmit_savc_import_vars(avmit_savc_model *m, const avmit_keras_vars *v, avmit_error *err);
int avmit_savc_import_file(avmit_savc_model *m, const char *path, avmit_weights_format *format,
                           avmit_error *err);
/* The 14 layers of avmit_savc_layers; keras_version "2.13.1". */
int avmit_savc_to_keras_h5(const avmit_savc_model *m, avmit_keras_h5 *out, avmit_error *err);
/* Written in the vlen-string form (AVMIT_KERAS_STR_VLEN). */
int avmit_savc_export_keras_h5(const avmit_savc_model *m, const char *path, avmit_error *err);
int avmit_savc_export_npz(const avmit_savc_model *m, const char *path, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_MODEL_IO_H */
