/*
 * graph/graph.h — the one model description every avmit network is built on
 * (STYLE.md §4 "a model is data"; issue 12). Internal to libavmit.
 *
 * A graph is three tables filled by a builder function from hyper-parameters:
 *
 *   tensors  named, shaped parameter tensors (Keras layer name + weight name,
 *            Keras shape) with their offset in ONE float block: trainable
 *            tensors in the weights block, non-trainable ones (BN moving
 *            statistics) in the state block. Gradients and Adam's m/v use the
 *            weights layout, so the optimiser is one loop (llm.c).
 *   values   the activations between ops, shapes WITHOUT the batch dimension
 *            (the planner multiplies by the batch it is given).
 *   ops      in execution order: kind, Keras layer name and class (for the
 *            summary), input/output value ids, a slice of the tensor table,
 *            and per-kind attributes.
 *
 * One forward executor, one backward executor (trainable ops), one workspace
 * planner (sizes derived from value shapes), one summary printer, one
 * checkpoint path (safetensors by tensor name), one import/export mapping
 * (Keras H5 / TF checkpoints by layer + position, or by name) serve every
 * network: the experiment-1 and SAVC models and the four embedding CNNs.
 * Each op kind has one entry in an op table (graph_ops.c): shape inference,
 * forward, backward (NULL for inference-only kinds), workspace needs.
 * Inference-only kinds (the CNN ops) execute through the oneDNN module
 * (src/cnn/dnnl_*.c), which is the only file that includes dnnl.h.
 *
 * Rules for builders: names are the ones the published weight files use;
 * tensors are appended in the order the published files store them, so that
 * "by position within a layer" import works; value and tensor ids are dense
 * indices returned by the append functions (negative on error, with err set).
 *
 * This header is shared by the model refactor (issue 12) and the CNNs
 * (issue 13): add kinds, attributes and functions; do not rename or remove.
 *
 * Thread-safety: a built graph plus its weights is read-only during inference
 * and may be shared by threads each with their own workspace.
 */
#ifndef AVMIT_GRAPH_GRAPH_H
#define AVMIT_GRAPH_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#define AVMIT_G_MAX_DIMS 5 /* value shapes (no batch): at most [T, H, W, C] + 1 */
#define AVMIT_G_MAX_IN 4   /* inputs per op */

/* Op kinds. Training ops first (exp-1, SAVC), inference-only CNN ops after. */
typedef enum avmit_op_kind {
    AVMIT_OP_INPUT = 0,   /* a graph input value; no params */
    /* --- experiment 1 / SAVC (forward + backward) --- */
    AVMIT_OP_DENSE,       /* per-row x.W + b over the last dim (TimeDistributed 1x1 conv too) */
    AVMIT_OP_BATCHNORM,   /* Keras BN: gamma, beta (trainable), moving mean/var (state) */
    AVMIT_OP_ACT,         /* relu | swish | ... (attrs.act) */
    AVMIT_OP_CONCAT,      /* concatenate along the last dim, inputs in order */
    AVMIT_OP_DROPOUT,     /* input dropout mask (training only) */
    AVMIT_OP_RNN,         /* SimpleRNN | GRU reset_after | LSTM, last state */
    AVMIT_OP_L2NORM,      /* tf.math.l2_normalize over the last dim */
    AVMIT_OP_EUCLID,      /* sqrt(max(sum (a-b)^2, floor)) over the last dim */
    AVMIT_OP_SOFTMAX,     /* softmax over the last dim */
    AVMIT_OP_IDENTITY,    /* Reshape / Flatten / pooling over 1x1: same rows of the same
                           * last dim; the output aliases the input (no copy) */
    AVMIT_OP_TRAIN_KINDS_END, /* marker: kinds above this are inference-only */
    /* --- CNN inference (issue 13; oneDNN) --- */
    AVMIT_OP_CONV2D,      /* NHWC, HWIO kernel, TF SAME/VALID padding, stride, fused post-op */
    AVMIT_OP_DWCONV2D,    /* depthwise, kernel [kh,kw,C,1] */
    AVMIT_OP_MAXPOOL,
    AVMIT_OP_AVGPOOL,
    AVMIT_OP_GAP,         /* global average pool over H, W */
    AVMIT_OP_SE,          /* squeeze-excite: GAP -> 1x1 conv+swish -> 1x1 conv+sigmoid -> scale */
    AVMIT_OP_ADD,         /* residual add */
    AVMIT_OP_FLATTEN,     /* NHWC flatten order (VGGish) */
    AVMIT_OP_RESCALE,     /* per-channel x*scale + offset (input normalisation) */
    AVMIT_OP_KIND_COUNT
} avmit_op_kind;

/* Fused / standalone activations of the CNN ops (conv.act, ACT in CNN graphs):
 * the avmit_act values (relu 0, swish 1) plus these. */
#define AVMIT_GACT_NONE (-1)
#define AVMIT_GACT_RELU 0  /* = AVMIT_ACT_RELU */
#define AVMIT_GACT_SWISH 1 /* = AVMIT_ACT_SWISH */
#define AVMIT_GACT_SIGMOID 2

/* Which block a parameter tensor lives in. */
typedef enum avmit_gblock {
    AVMIT_GB_WEIGHTS = 0, /* trainable (Table 5 counts these) */
    AVMIT_GB_STATE = 1    /* non-trainable: BN moving mean / variance, normalisation stats */
} avmit_gblock;

/* Keras initial value of a parameter tensor (avmit_graph_init_params, src/nn). */
typedef enum avmit_ginit {
    AVMIT_INIT_ZEROS = 0,
    AVMIT_INIT_ONES,
    AVMIT_INIT_GLOROT,       /* glorot_uniform, fan_in = prod(shape[:-1]), fan_out = shape[-1] */
    AVMIT_INIT_ORTHOGONAL,   /* Orthogonal(gain 1) of [prod(shape[:-1]), shape[-1]] */
    AVMIT_INIT_FORGET_BIAS   /* LSTM bias [4H]: zeros, ones in the forget block [H, 2H) */
} avmit_ginit;

/* The loss the backward executor starts from (after the final SOFTMAX op). */
typedef enum avmit_gloss {
    AVMIT_LOSS_NONE = 0,     /* inference-only graph */
    AVMIT_LOSS_CE,           /* categorical cross-entropy on clipped probabilities */
    AVMIT_LOSS_BCE2          /* binary cross-entropy over 2 softmax outputs (SAVC) */
} avmit_gloss;

typedef struct avmit_gtensor {
    char layer[96];    /* Keras layer name, e.g. "audio_bn", "conv_pw_1_bn", "vggish/conv1" */
    char name[160];    /* full weight name, e.g. "audio_bn/moving_mean:0" */
    int index;         /* position within its layer, in the published files' order */
    int ndim;
    int64_t shape[4];  /* Keras / TF shape */
    avmit_gblock block;
    size_t offset;     /* floats from the start of its block */
    size_t count;      /* product of shape */
    avmit_ginit init;  /* initial value (builders set it after appending; default zeros) */
} avmit_gtensor;

typedef struct avmit_gvalue {
    int ndim;                        /* without batch */
    int64_t shape[AVMIT_G_MAX_DIMS];
    size_t count;                    /* floats per sample */
} avmit_gvalue;

typedef enum avmit_gpad { AVMIT_PAD_VALID = 0, AVMIT_PAD_SAME = 1 } avmit_gpad;

typedef struct avmit_gconv {
    int kh, kw, sh, sw;   /* kernel and stride */
    avmit_gpad pad;       /* TF semantics: SAME pads (total - total/2) after, total/2 before */
    int c_out;
    int act;              /* fused post-op activation (avmit_act value, or -1 none) */
    int has_bias;
} avmit_gconv;

typedef struct avmit_gop {
    avmit_op_kind kind;
    char layer[96];           /* Keras layer name (summary, import) */
    char type[48];            /* Keras class for the summary, e.g. "TimeDistributed(Conv2D)" */
    int in[AVMIT_G_MAX_IN];   /* value ids */
    int n_in;
    int out;                  /* value id */
    int param0, n_param;      /* slice of the tensor table */
    union {
        int act;              /* AVMIT_OP_ACT: avmit_act */
        avmit_gconv conv;     /* CONV2D, DWCONV2D, MAXPOOL, AVGPOOL (kh..sw, pad) */
        struct { int kind, units, return_sequences; float dropout; } rnn;
        struct { float eps, momentum; int fold; } bn;  /* fold: fold into the previous conv at load */
        struct { float rate; } dropout;
        struct { float floor; } euclid;
        struct { int squeeze; } se;           /* SE: squeeze width; params reduce k,b, expand k,b */
        struct { int variant; } rescale;      /* RESCALE: avmit_effnet_variant the input already has */
        struct { int skip_zero_rows; } dense; /* input is data: all-zero (padding) rows give
                                                 exactly the bias and skip the GEMM */
    } a;
} avmit_gop;

typedef struct avmit_graph {
    avmit_gtensor *tensors; int n_tensors, cap_tensors;
    avmit_gvalue *values;   int n_values, cap_values;
    avmit_gop *ops;         int n_ops, cap_ops;
    size_t n_weights;       /* floats in the weights block (trainable count) */
    size_t n_state;         /* floats in the state block */
    int output;             /* value id of the graph output */
    avmit_gloss loss;       /* training loss (AVMIT_LOSS_NONE for inference-only graphs) */
} avmit_graph;

/* Lifecycle. avmit_graph_free accepts NULL-initialised or partially built graphs. */
void avmit_graph_init(avmit_graph *g);
void avmit_graph_free(avmit_graph *g);

/* Builders' primitives: append a value / tensor / op; return its id or a
 * negative AVMIT_E_* code with err set (out of memory, bad shape). */
int avmit_graph_value(avmit_graph *g, int ndim, const int64_t *shape, avmit_error *err);
int avmit_graph_tensor(avmit_graph *g, const char *layer, const char *name, int index,
                       avmit_gblock block, int ndim, const int64_t *shape, avmit_error *err);
int avmit_graph_op(avmit_graph *g, const avmit_gop *op, avmit_error *err);

/* Lookup by full weight name or by (layer, index); -1 when absent. */
int avmit_graph_find(const avmit_graph *g, const char *name);
int avmit_graph_find_layer(const avmit_graph *g, const char *layer, int index);

#endif /* AVMIT_GRAPH_GRAPH_H */
