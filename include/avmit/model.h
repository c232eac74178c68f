/*
 * avmit/model.h — the experiment-1 model of SPEC.md §4: per modality and per
 * timestep Dense(nb) (the reference's TimeDistributed 1x1 Conv2D) ->
 * BatchNormalization -> relu|swish; concatenate audio then visual; one RNN
 * layer (SimpleRNN, GRU reset_after, LSTM) with input dropout, last state;
 * Dense(K); softmax. Inputs are zero-padded to T steps and not masked.
 * Audio-only / visual-only variants drop the other branch (train.yaml flags).
 *
 * Parameters live in ONE contiguous float block (avmit_model.weights) laid out
 * by a table of {Keras weight name, Keras shape, offset}; the names are the
 * reference HDF5 files' weight_names (FORMATS.md §5.2), e.g.
 * "audio_bottleneck/kernel:0" (1,1,D_a,nb), "gru/gru_cell/bias:0" (2,3H),
 * "dense/kernel:0" (H,K). BN moving statistics (non-trainable) are a second
 * block (avmit_model.stats) with their own table ("audio_bn/moving_mean:0"...).
 * Gradients and Adam's m and v use the weights layout, so avmit_model_views()
 * gives named views into any block of n_weights floats.
 *
 * Thread-safety: a model is read-only during inference and may be shared by
 * threads each with its own workspace; a training forward updates m->stats.
 */
#ifndef AVMIT_MODEL_H
#define AVMIT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/layer_row.h"
#include "avmit/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_model_config {
    avmit_rnn_kind rnn;  /* rnn.function */
    int units;           /* H: rnn.units */
    float dropout;       /* rnn.dropout: RNN input dropout rate in [0,1) */
    int bottleneck;      /* nb: bottleneck_size */
    avmit_act act;       /* bottleneck_activation */
    int use_audio;       /* audio: True */
    int use_visual;      /* visual: True */
    int audio_dim;       /* D_a: 128 (VGGish) or 1024 (YAMNet) */
    int visual_dim;      /* D_v: 512 (VGG16) or 1280 (EfficientNetB0) */
    int timesteps;       /* T: data.timesteps (7) */
    int n_classes;       /* K: data.num_classes (16) */
} avmit_model_config;

/* YamNet+EffNetB0 GRU of Table 5 (units 128, nb 64, swish, dropout 0.5, T 7, K 16). */
avmit_model_config avmit_model_default_config(void);
/* Every field in range (units, nb >= 1; dropout in [0,1); a modality on; dims >= 1;
 * T >= 1; K >= 2); AVMIT_E_ARG naming the field otherwise. */
int avmit_model_config_check(const avmit_model_config *c, avmit_error *err);
/* Floats per input row: D_a (if audio) + D_v (if visual); audio columns first. */
int avmit_model_input_dim(const avmit_model_config *c);
/* RNN input width: nb times the number of modalities. */
int avmit_model_rnn_dim(const avmit_model_config *c);

/* Trainable parameters, in block order. Unused modalities have count 0. */
enum {
    AVMIT_P_AUDIO_KERNEL = 0, AVMIT_P_AUDIO_BIAS, AVMIT_P_AUDIO_GAMMA, AVMIT_P_AUDIO_BETA,
    AVMIT_P_VISUAL_KERNEL, AVMIT_P_VISUAL_BIAS, AVMIT_P_VISUAL_GAMMA, AVMIT_P_VISUAL_BETA,
    AVMIT_P_RNN_KERNEL, AVMIT_P_RNN_RECURRENT, AVMIT_P_RNN_BIAS,
    AVMIT_P_OUT_KERNEL, AVMIT_P_OUT_BIAS,
    AVMIT_P_COUNT
};
/* Non-trainable state, in block order. */
enum {
    AVMIT_S_AUDIO_MEAN = 0, AVMIT_S_AUDIO_VAR, AVMIT_S_VISUAL_MEAN, AVMIT_S_VISUAL_VAR,
    AVMIT_S_COUNT
};

typedef struct avmit_param_info {
    char name[64];     /* Keras weight name, "" when absent (count 0) */
    int ndim;
    int64_t shape[4];  /* Keras shape */
    size_t offset;     /* floats from the start of the block */
    size_t count;      /* product of shape; 0 when absent */
} avmit_param_info;

/* Named views into a block laid out like the weights (weights, grads, m, v). */
typedef union avmit_model_params {
    struct {
        float *audio_kernel, *audio_bias, *audio_gamma, *audio_beta;
        float *visual_kernel, *visual_bias, *visual_gamma, *visual_beta;
        float *rnn_kernel, *rnn_recurrent, *rnn_bias;
        float *out_kernel, *out_bias;
    } v;
    float *p[AVMIT_P_COUNT];
} avmit_model_params;

typedef struct avmit_model {
    avmit_model_config cfg;
    avmit_param_info params[AVMIT_P_COUNT]; /* layout of `weights` */
    avmit_param_info stats_info[AVMIT_S_COUNT]; /* layout of `stats` */
    size_t n_weights;   /* trainable parameter count (Table 5) */
    size_t n_stats;     /* BN moving mean + variance */
    float *weights;     /* [n_weights] */
    float *stats;       /* [n_stats] */
    avmit_model_params w;  /* views into weights */
    float *moving[AVMIT_S_COUNT]; /* views into stats (NULL when absent) */
    struct avmit_graph *graph; /* the model as ops and tensors (internal, src/graph/graph.h) */
} avmit_model;

/* Fill the parameter and state tables for cfg (from the model's graph; all
 * counts 0 if cfg is out of range or memory runs out). */
void avmit_model_layout(const avmit_model_config *cfg, avmit_param_info params[AVMIT_P_COUNT],
                        avmit_param_info stats[AVMIT_S_COUNT], size_t *n_weights,
                        size_t *n_stats);
/* Trainable parameter count as Keras counts it (Table 5). */
size_t avmit_model_trainable_count(const avmit_model_config *cfg);

/* Allocate; weights zero, BN state at Keras's initial values (mean 0, var 1),
 * gamma 1. Checks cfg. */
int avmit_model_create(avmit_model **out, const avmit_model_config *cfg, avmit_error *err);
/* Keras initial values from `seed`: kernels glorot_uniform, recurrent kernels
 * orthogonal, biases 0 (LSTM forget block 1), gamma 1, beta 0, moving stats 0/1.
 * Each tensor draws from its own stream avmit_rng_seed(seed, hash(name)). */
int avmit_model_init(avmit_model *m, uint64_t seed, avmit_error *err);
void avmit_model_free(avmit_model *m);
/* Named views into `block` (n_weights floats laid out like m->weights). */
avmit_model_params avmit_model_views(const avmit_model *m, float *block);
/* Index of a trainable (0..AVMIT_P_COUNT-1) or state (AVMIT_P_COUNT + s)
 * tensor by Keras name; -1 when absent. */
int avmit_model_find(const avmit_model *m, const char *name);

/* avmit_layer_row: one row of the Keras-style summary (avmit/layer_row.h). */
#define AVMIT_MODEL_MAX_LAYERS 16
/* The layers in Keras model.layers order; returns the number of rows. */
int avmit_model_layers(const avmit_model_config *cfg, avmit_layer_row rows[AVMIT_MODEL_MAX_LAYERS]);

/* ---- forward / backward -------------------------------------------------- */
/* Activations and caches for batches of up to max_batch samples. One per thread. */
typedef struct avmit_model_ws avmit_model_ws;
int avmit_model_ws_create(avmit_model_ws **out, const avmit_model *m, int max_batch,
                          avmit_error *err);
void avmit_model_ws_free(avmit_model_ws *ws);

/* Forward B <= max_batch samples x [B,T,input_dim] (audio columns first).
 * training != 0: BN batch statistics, m->stats updated (momentum 0.99), the
 * dropout mask [B, rnn_dim] applied (NULL = no dropout). training == 0: BN
 * moving statistics, no dropout (m is not modified). Returns the
 * probabilities [B,K], valid until the next call on ws; NULL when B is not in
 * [1, max_batch]. */
const float *avmit_model_forward(avmit_model *m, avmit_model_ws *ws, const float *x, int B,
                                 int training, const float *mask);
/* Mean clipped cross-entropy of the last forward against labels [B]. */
double avmit_model_loss(const avmit_model_ws *ws, const int *labels);
/* Backward of the last (training) forward: ADDS d(mean loss)/d(weights) into
 * grads (n_weights floats, weights layout). */
void avmit_model_backward(const avmit_model *m, avmit_model_ws *ws, const int *labels,
                          float *grads);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_MODEL_H */
