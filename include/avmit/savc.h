/*
 * avmit/savc.h — the Supervised Audiovisual Correspondence model of SPEC.md §4
 * (experiment 2), AVE-Net-style Euclidean fusion, with Keras/TensorFlow
 * semantics (the paper's SAVC/train_with_euclidean_distance.py):
 *
 *   per timestep  a = L2norm(Dense_2a(Dense_1a(audio)))      [B,T,E]  (E = 128,
 *                 v = L2norm(Dense_2v(Dense_1v(visual)))     [B,T,E]   no activations)
 *                 d = sqrt(max(sum (a - v)^2, 1e-7))         [B,T,1]
 *   h = RNN(d * dropout mask)  (SimpleRNN | GRU reset_after | LSTM, H = 256, input
 *   dropout 0.1, last state);  probs = softmax(h . W + b)    [B,2]
 *   label 1 = congruent = target [0,1]; loss: binary cross-entropy over both outputs.
 *
 * Inputs are zero-padded to T steps and not masked (T = data.timesteps: 4 in the
 * VGGish SAVC configs, 7 otherwise). Parameters live in ONE float block laid
 * out by a table of Keras weight names and shapes in the order of the paper's
 * random_seed.h5 files (FORMATS.md §5.3): audio_Dense_1/kernel:0 (D_a,128),
 * audio_Dense_1/bias:0, visual_Dense_1/..., audio_Dense_2/..., visual_Dense_2/...,
 * <rnn>/<rnn>_cell/{kernel,recurrent_kernel,bias}:0, dense_4/{kernel,bias}:0.
 *
 * The layers only SAVC needs are forward/backward pairs in the conventions of
 * avmit/nn.h (float32, row-major; a backward ADDS into its gradients; NULL
 * gradient pointers are skipped where noted).
 *
 *   L2 normalisation per row (tf.math.l2_normalize, axis = features):
 *     y = x / sqrt(max(sum x^2, 1e-12)); the floor passes no gradient to sum x^2.
 *   Euclidean distance per row:  d = sqrt(max(sum (a - b)^2, 1e-7)),
 *     gradient (a - b)/d when sum >= 1e-7, zero below the floor.
 *   Binary cross-entropy over the 2 softmax outputs (label 1 = congruent =
 *     target [0,1]; 0 = incongruent = [1,0], FORMATS.md §3.4): p clipped to
 *     [1e-7, 1-1e-7], element loss -(y log(p+1e-7) + (1-y) log(1-p+1e-7)),
 *     mean over the 2 outputs and the batch (Keras BinaryCrossentropy).
 *   Accuracy: Keras binary_accuracy, element (p > 0.5) == y, mean of the 2.
 *
 * Thread-safety: every function is reentrant (touches only its arguments); a
 * model is read-only during forward/backward and may be shared by threads that
 * each own a workspace.
 */
#ifndef AVMIT_SAVC_H
#define AVMIT_SAVC_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/model.h"
#include "avmit/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_L2NORM_EPSILON 1e-12 /* tf.math.l2_normalize default */
#define AVMIT_EUCLID_FLOOR 1e-7    /* Keras backend epsilon() in euclidean_distance */
#define AVMIT_BCE_EPSILON 1e-7     /* Keras backend epsilon() in binary_crossentropy */

/* out[N,D] = inp / ||inp|| per row; sumsq[N] caches sum inp^2 for the backward. */
void avmit_l2norm_forward(float *out, float *sumsq, const float *inp, int N, int D);
void avmit_l2norm_backward(float *dinp,        /* [N,D] += */
                           const float *dout,  /* [N,D] */
                           const float *inp,   /* [N,D] forward input */
                           const float *sumsq, /* [N] from the forward */
                           int N, int D);

/* out[N] = floored distance between rows of a and b; sumsq[N] cached. */
void avmit_euclid_forward(float *out, float *sumsq, const float *a, const float *b, int N, int D);
void avmit_euclid_backward(float *da, float *db, /* [N,D] += (either may be NULL) */
                           const float *dout,    /* [N] */
                           const float *a, const float *b, const float *out,
                           const float *sumsq, int N, int D);

/* Mean binary cross-entropy of probs [B,2] (softmax output) against labels [B] in {0,1}. */
double avmit_bce2_loss(const float *probs, const int *labels, int B);
/* dlogits [B,2] += d(mean loss)/d(logits) through the softmax. */
void avmit_softmax_bce2_backward(float *dlogits, const float *probs, const int *labels, int B);
/* Keras binary_accuracy of probs [B,2] against labels [B]. */
double avmit_bce2_accuracy(const float *probs, const int *labels, int B);

/* ---- the model ------------------------------------------------------------- */
typedef struct avmit_savc_config {
    avmit_rnn_kind rnn;  /* rnn.function */
    int units;           /* H: rnn.units (256) */
    float dropout;       /* rnn.dropout (0.1), RNN input dropout in [0,1) */
    int audio_dim;       /* D_a: 128 (VGGish) or 1024 (YAMNet) */
    int visual_dim;      /* D_v: 512 (VGG16) or 1280 (EfficientNetB0) */
    int embed;           /* E: width of both Dense layers (128) */
    int timesteps;       /* T: data.timesteps */
} avmit_savc_config;

/* YamNet+EffNetB0 GRU: H 256, dropout 0.1, D 1024/1280, E 128, T 7. */
avmit_savc_config avmit_savc_default_config(void);
/* AVMIT_E_ARG naming the field when a value is out of range. */
int avmit_savc_config_check(const avmit_savc_config *c, avmit_error *err);

enum {
    AVMIT_SV_AUDIO_K1 = 0, AVMIT_SV_AUDIO_B1, AVMIT_SV_VISUAL_K1, AVMIT_SV_VISUAL_B1,
    AVMIT_SV_AUDIO_K2, AVMIT_SV_AUDIO_B2, AVMIT_SV_VISUAL_K2, AVMIT_SV_VISUAL_B2,
    AVMIT_SV_RNN_KERNEL, AVMIT_SV_RNN_RECURRENT, AVMIT_SV_RNN_BIAS,
    AVMIT_SV_OUT_KERNEL, AVMIT_SV_OUT_BIAS,
    AVMIT_SV_COUNT
};

typedef struct avmit_savc_model {
    avmit_savc_config cfg;
    avmit_param_info params[AVMIT_SV_COUNT]; /* layout of `weights` */
    size_t n_weights;                        /* all trainable (FORMATS.md §5.3 totals) */
    float *weights;                          /* [n_weights] */
    float *p[AVMIT_SV_COUNT];                /* views into weights */
    struct avmit_graph *graph;               /* the model as ops and tensors (internal) */
} avmit_savc_model;

/* The parameter table for cfg (from the model's graph; counts 0 if cfg is out
 * of range or memory runs out). */
void avmit_savc_layout(const avmit_savc_config *cfg, avmit_param_info params[AVMIT_SV_COUNT],
                       size_t *n_weights);
int avmit_savc_create(avmit_savc_model **out, const avmit_savc_config *cfg, avmit_error *err);
/* Keras initial values: kernels glorot_uniform, recurrent kernel orthogonal,
 * biases 0 (LSTM forget block 1); tensor i draws from avmit_rng_seed(seed, hash(name)). */
int avmit_savc_init(avmit_savc_model *m, uint64_t seed, avmit_error *err);
void avmit_savc_free(avmit_savc_model *m);
/* Index of a tensor by Keras name, -1 when absent. */
int avmit_savc_find(const avmit_savc_model *m, const char *name);
/* Views into any block laid out like the weights (grads, Adam m/v). */
void avmit_savc_views(const avmit_savc_model *m, float *block, float *views[AVMIT_SV_COUNT]);

/* ---- the paper's SAVC train.yaml (../data/models/savc/<config>/train.yaml) ---- */
#define AVMIT_SAVC_PATH_MAX 1024
typedef struct avmit_savc_file_config {
    avmit_savc_config model;   /* rnn.*, data.<style>.audio_size/visual_size, data.timesteps */
    char tfrecords_loc1[AVMIT_SAVC_PATH_MAX]; /* as written ("" when empty) */
    char tfrecords_loc2[AVMIT_SAVC_PATH_MAX]; /* second root (MIT-16 runs: validation) */
    char cong_train[AVMIT_SAVC_PATH_MAX], incong_train[AVMIT_SAVC_PATH_MAX];
    char cong_val[AVMIT_SAVC_PATH_MAX], incong_val[AVMIT_SAVC_PATH_MAX];
    char model_path[AVMIT_SAVC_PATH_MAX];
    int num_epochs;            /* training.num_epochs (200) */
    double learning_rate;      /* training.learning_rate (1e-4) */
    int batch_size;            /* training.training_batch_size (512) */
    int val_batch_size;        /* training.validation_batch_size (16; results do not depend on it) */
} avmit_savc_file_config;
/* Read a SAVC train.yaml (libyaml; AVMIT_E_UNSUPPORTED in a build without it).
 * Required: rnn.function (tf.keras.layers.SimpleRNN|GRU|LSTM), rnn.units, exactly
 * one of data.VGG_style / data.mobilenet_style enabled with its sizes. Defaults:
 * rnn.dropout 0, data.timesteps 7, num_epochs 200, learning_rate 1e-4, batch 512.
 * audio and visual must not be False (SAVC needs both streams). Errors name the
 * file, line and key. */
int avmit_savc_config_load(avmit_savc_file_config *out, const char *path, avmit_error *err);

/* Write a block laid out like the weights (weights, gradients, Adam m/v) as
 * safetensors with the Keras names and shapes (meta: n_meta key/value pairs,
 * may be NULL), atomically. */
int avmit_savc_write_block(const avmit_savc_model *m, const float *block, const char *path,
                           const char *const *meta, size_t n_meta, avmit_error *err);
#define AVMIT_SAVC_MAX_LAYERS 16
/* The 14 Keras layers in model.layers order (the random_seed.h5 layer_names). */
int avmit_savc_layers(const avmit_savc_config *c, avmit_layer_row rows[AVMIT_SAVC_MAX_LAYERS]);

/* Activations and caches for up to max_batch pairs; one per thread. */
typedef struct avmit_savc_ws avmit_savc_ws;
int avmit_savc_ws_create(avmit_savc_ws **out, const avmit_savc_model *m, int max_batch,
                         avmit_error *err);
void avmit_savc_ws_free(avmit_savc_ws *ws);

/* Forward B pairs: xa [B,T,D_a], xv [B,T,D_v] (zero-padded rows are recognised
 * and skipped in the first Dense layers: same result). mask [B] = the RNN input
 * dropout mask (training), NULL = none (inference). Returns probs [B,2], valid
 * until the next call on ws; NULL when B is not in [1, max_batch]. */
const float *avmit_savc_forward(const avmit_savc_model *m, avmit_savc_ws *ws, const float *xa,
                                const float *xv, int B, const float *mask);
/* Backward of the last avmit_savc_forward on ws: ADDS d(mean BCE)/d(weights)
 * into grads (n_weights floats, weights layout). labels [B] in {0,1}. */
void avmit_savc_backward(const avmit_savc_model *m, avmit_savc_ws *ws, const int *labels,
                         float *grads);

/* Inference in two halves, so each video is embedded once per pass (the
 * weights are frozen there): avmit_savc_embed writes out [n_rows, E] =
 * L2norm(Dense_2(Dense_1(x))) of one tower (modality 0 audio, 1 visual) for
 * rows x [n_rows, D] (any n_rows; rows are independent), in chunks through ws.
 * avmit_savc_head_pairs: pair b takes rows [T,E] audio_idx[b] of emb_audio and
 * visual_idx[b] of emb_visual -> distance -> RNN (no dropout) -> probs [B,2]. */
void avmit_savc_embed(const avmit_savc_model *m, avmit_savc_ws *ws, int modality,
                      const float *x, size_t n_rows, float *out);
const float *avmit_savc_head_pairs(const avmit_savc_model *m, avmit_savc_ws *ws,
                                   const float *emb_audio, const float *emb_visual,
                                   const uint32_t *audio_idx, const uint32_t *visual_idx, int B);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SAVC_H */
