/*
 * builders.c — the experiment-1 and SAVC models as graphs (graph/graph.h;
 * SPEC.md §4; names, shapes and order: FORMATS.md §5.2, §5.3). Tensors are
 * appended in the parameter-block order of the model files (so a checkpoint's
 * flat blocks keep their layout), ops in Keras model.layers order (so the
 * summary, the Keras export and the load-order import follow from the ops).
 */
#include "nn/builders.h"

#include <stdio.h>
#include <string.h>

/* Appends with a sticky error: after the first failure every call returns -1. */
typedef struct bld {
    avmit_graph *g;
    avmit_error *err;
    int rc;
} bld;

static int val(bld *b, int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    int64_t d[4] = {d0, d1, d2, d3};
    int id = b->rc ? -1 : avmit_graph_value(b->g, ndim, d, b->err);
    if (id < 0 && !b->rc) b->rc = id;
    return id;
}

/* Tensor "<layer>/<suffix>" (suffix e.g. "kernel:0"), position `index` in its layer. */
static int ten(bld *b, const char *layer, const char *suffix, int index, avmit_gblock block,
               avmit_ginit init, int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    char name[160];
    int64_t d[4] = {d0, d1, d2, d3};
    snprintf(name, sizeof name, "%s/%s", layer, suffix);
    int id = b->rc ? -1 : avmit_graph_tensor(b->g, layer, name, index, block, ndim, d, b->err);
    if (id < 0 && !b->rc) b->rc = id;
    if (id >= 0) b->g->tensors[id].init = init;
    return id;
}

/* Op over inputs (in0, in1; -1 = none) producing a new value; returns the op. */
static avmit_gop *op(bld *b, avmit_op_kind kind, const char *layer, const char *type, int in0, int in1,
                     int out, int param0, int n_param) {
    avmit_gop o;
    memset(&o, 0, sizeof o);
    o.kind = kind;
    snprintf(o.layer, sizeof o.layer, "%s", layer);
    snprintf(o.type, sizeof o.type, "%s", type);
    o.in[0] = in0, o.in[1] = in1;
    o.n_in = in0 < 0 ? 0 : in1 < 0 ? 1 : 2;
    o.out = out;
    o.param0 = param0 < 0 ? 0 : param0;
    o.n_param = param0 < 0 ? 0 : n_param;
    int id = b->rc ? -1 : avmit_graph_op(b->g, &o, b->err);
    if (id < 0 && !b->rc) b->rc = id;
    return id < 0 ? NULL : &b->g->ops[id];
}

/* One per-modality stage of a tower: layer name pattern (%s = modality),
 * Keras class, output rank (2: [T, C]; 4: [T, 1, 1, C]), parameter count. */
typedef struct stage {
    avmit_op_kind kind;
    const char *name, *type;
    int rank, n_param;
} stage;

/* Append stage s of modality `mod` after value *v (replaced by the output,
 * width C); param0: its first tensor (-1 for none). */
static avmit_gop *stage_op(bld *b, const stage *s, const char *mod, int *v, int T, int C, int param0) {
    char l[96];
    snprintf(l, sizeof l, s->name, mod);
    int r = s->rank == 4 ? val(b, 4, T, 1, 1, C) : val(b, 2, T, C, 0, 0);
    avmit_gop *o = op(b, s->kind, l, s->type, *v, -1, r, param0, s->n_param);
    *v = r;
    return o;
}

static const char *rnn_layer(avmit_rnn_kind k) {
    return k == AVMIT_RNN_GRU ? "gru" : k == AVMIT_RNN_LSTM ? "lstm" : "simple_rnn";
}

/* The RNN's three tensors (kernel [D, G*H], recurrent [H, G*H], bias); returns the first id. */
static int rnn_tensors(bld *b, avmit_rnn_kind k, int D, int H) {
    const char *rl = rnn_layer(k);
    char cell[64];
    const int64_t GH = (int64_t)avmit_rnn_gates(k) * H;
    snprintf(cell, sizeof cell, "%s_cell/kernel:0", rl);
    int first = ten(b, rl, cell, 0, AVMIT_GB_WEIGHTS, AVMIT_INIT_GLOROT, 2, D, GH, 0, 0);
    snprintf(cell, sizeof cell, "%s_cell/recurrent_kernel:0", rl);
    ten(b, rl, cell, 1, AVMIT_GB_WEIGHTS, AVMIT_INIT_ORTHOGONAL, 2, H, GH, 0, 0);
    snprintf(cell, sizeof cell, "%s_cell/bias:0", rl);
    if (k == AVMIT_RNN_GRU)
        ten(b, rl, cell, 2, AVMIT_GB_WEIGHTS, AVMIT_INIT_ZEROS, 2, 2, GH, 0, 0);
    else
        ten(b, rl, cell, 2, AVMIT_GB_WEIGHTS, k == AVMIT_RNN_LSTM ? AVMIT_INIT_FORGET_BIAS : AVMIT_INIT_ZEROS,
            1, GH, 0, 0, 0);
    return first;
}

/* Dense kernel [D, n] (4-d (1,1,D,n) for a 1x1 Conv2D) and bias [n]; returns the kernel id. */
static int dense_tensors(bld *b, const char *layer, int conv, int64_t D, int64_t n) {
    int k = conv ? ten(b, layer, "kernel:0", 0, AVMIT_GB_WEIGHTS, AVMIT_INIT_GLOROT, 4, 1, 1, D, n)
                 : ten(b, layer, "kernel:0", 0, AVMIT_GB_WEIGHTS, AVMIT_INIT_GLOROT, 2, D, n, 0, 0);
    ten(b, layer, "bias:0", 1, AVMIT_GB_WEIGHTS, AVMIT_INIT_ZEROS, 1, n, 0, 0, 0);
    return k;
}

/* RNN (last state) -> Dense(K) -> softmax on value x [T, D]; the tensors are appended here. */
static void head(bld *b, const char *dense, avmit_rnn_kind k, int H, float dropout, int x, int D, int K) {
    int r0 = rnn_tensors(b, k, D, H), d0 = dense_tensors(b, dense, 0, H, K);
    int h = val(b, 1, H, 0, 0, 0), lg = val(b, 1, K, 0, 0, 0), pr = val(b, 1, K, 0, 0, 0);
    avmit_gop *o = op(b, AVMIT_OP_RNN, rnn_layer(k), avmit_rnn_name(k), x, -1, h, r0, 3);
    if (o) o->a.rnn.kind = (int)k, o->a.rnn.units = H, o->a.rnn.dropout = dropout;
    op(b, AVMIT_OP_DENSE, dense, "Dense", h, -1, lg, d0, 2);
    op(b, AVMIT_OP_SOFTMAX, "predictions", "Activation(softmax)", lg, -1, pr, -1, 0);
}

int avmit_exp1_build(avmit_graph *g, const avmit_model_config *c, int tid[AVMIT_EXP1_TENSORS],
                     avmit_error *err) {
    static const char *const mod[2] = {"audio", "visual"};
    static const char *const inp[2] = {"auditory_embeddings", "object_embeddings"};
    const int use[2] = {c->use_audio, c->use_visual}, dim[2] = {c->audio_dim, c->visual_dim};
    const int T = c->timesteps, nb = c->bottleneck;
    bld b = {g, err, 0};
    char l[96];
    int v[2] = {-1, -1}, kern[2] = {-1, -1}, bn[2] = {-1, -1}, x = -1;
    for (int i = 0; i < AVMIT_EXP1_TENSORS; i++) tid[i] = -1;
    /* tensors in block order: per modality bottleneck kernel, bias, BN gamma, beta (+ moving stats) */
    for (int k = 0; k < 2; k++) {
        if (!use[k]) continue;
        snprintf(l, sizeof l, "%s_bottleneck", mod[k]);
        kern[k] = tid[AVMIT_P_AUDIO_KERNEL + 4 * k] = dense_tensors(&b, l, 1, dim[k], nb);
        tid[AVMIT_P_AUDIO_BIAS + 4 * k] = kern[k] + 1;
        snprintf(l, sizeof l, "%s_bn", mod[k]);
        bn[k] = tid[AVMIT_P_AUDIO_GAMMA + 4 * k] = ten(&b, l, "gamma:0", 0, AVMIT_GB_WEIGHTS, AVMIT_INIT_ONES, 1, nb, 0, 0, 0);
        tid[AVMIT_P_AUDIO_BETA + 4 * k] = ten(&b, l, "beta:0", 1, AVMIT_GB_WEIGHTS, AVMIT_INIT_ZEROS, 1, nb, 0, 0, 0);
        tid[AVMIT_P_COUNT + AVMIT_S_AUDIO_MEAN + 2 * k] =
            ten(&b, l, "moving_mean:0", 2, AVMIT_GB_STATE, AVMIT_INIT_ZEROS, 1, nb, 0, 0, 0);
        tid[AVMIT_P_COUNT + AVMIT_S_AUDIO_VAR + 2 * k] =
            ten(&b, l, "moving_variance:0", 3, AVMIT_GB_STATE, AVMIT_INIT_ONES, 1, nb, 0, 0, 0);
    }
    /* ops in Keras order: inputs, then each stage for both modalities */
    for (int k = 0; k < 2; k++)
        if (use[k]) op(&b, AVMIT_OP_INPUT, inp[k], "InputLayer", -1, -1, v[k] = val(&b, 2, T, dim[k], 0, 0), -1, 0);
    const stage st[] = {
        {AVMIT_OP_IDENTITY, "%s_reshape", "Reshape", 4, 0},
        {AVMIT_OP_DENSE, "%s_bottleneck", "TimeDistributed(Conv2D)", 4, 2},
        {AVMIT_OP_BATCHNORM, "%s_bn", "BatchNormalization", 4, 4},
        {AVMIT_OP_ACT, "%s_activation", c->act == AVMIT_ACT_RELU ? "Activation(relu)" : "Activation(swish)", 4, 0},
        {AVMIT_OP_IDENTITY, "%s_pooling", "TimeDistributed(GlobalAveragePooling2D)", 2, 0}};
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 2; k++) {
            if (!use[k]) continue;
            int width = i == 0 ? dim[k] : nb;
            avmit_gop *o = stage_op(&b, &st[i], mod[k], &v[k], T, width, i == 1 ? kern[k] : i == 2 ? bn[k] : -1);
            if (o && i == 1) o->a.dense.skip_zero_rows = 1;
            if (o && i == 2) o->a.bn.eps = AVMIT_BN_EPSILON, o->a.bn.momentum = AVMIT_BN_MOMENTUM;
            if (o && i == 3) o->a.act = (int)c->act;
            x = v[k];
        }
    const int Dr = avmit_model_rnn_dim(c);
    if (use[0] && use[1])
        op(&b, AVMIT_OP_CONCAT, "concatenate", "Concatenate", v[0], v[1], x = val(&b, 2, T, Dr, 0, 0), -1, 0);
    int t0 = g->n_tensors;
    head(&b, "dense", c->rnn, c->units, c->dropout, x, Dr, c->n_classes);
    for (int i = 0; i < 5 && !b.rc; i++) tid[AVMIT_P_RNN_KERNEL + i] = t0 + i;
    g->loss = AVMIT_LOSS_CE;
    return b.rc;
}

int avmit_savc_build(avmit_graph *g, const avmit_savc_config *c, int tid[AVMIT_SV_COUNT], avmit_error *err) {
    static const char *const mod[2] = {"audio", "visual"};
    const int T = c->timesteps, E = c->embed, dim[2] = {c->audio_dim, c->visual_dim};
    bld b = {g, err, 0};
    char l[96];
    int v[2], d1[2], d2[2];
    /* tensors in block order = Keras layer order */
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < 2; k++) {
            snprintf(l, sizeof l, "%s_Dense_%d", mod[k], j + 1);
            (j ? d2 : d1)[k] = dense_tensors(&b, l, 0, j ? E : dim[k], E);
        }
    for (int k = 0; k < 2; k++) {
        snprintf(l, sizeof l, "%s_input", mod[k]);
        op(&b, AVMIT_OP_INPUT, l, "InputLayer", -1, -1, v[k] = val(&b, 2, T, dim[k], 0, 0), -1, 0);
    }
    const stage st[] = {
        {AVMIT_OP_IDENTITY, "%s_flatten", "TimeDistributed(Flatten)", 2, 0},
        {AVMIT_OP_DENSE, "%s_Dense_1", "TimeDistributed(Dense)", 2, 2},
        {AVMIT_OP_DENSE, "%s_Dense_2", "TimeDistributed(Dense)", 2, 2},
        {AVMIT_OP_L2NORM, "%s_L2norm", "TimeDistributed(Lambda)", 2, 0}};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 2; k++) {
            avmit_gop *o = stage_op(&b, &st[i], mod[k], &v[k], T, i ? E : dim[k], i == 1 ? d1[k] : i == 2 ? d2[k] : -1);
            if (o && i == 1) o->a.dense.skip_zero_rows = 1;
        }
    int d = val(&b, 2, T, 1, 0, 0);
    avmit_gop *o = op(&b, AVMIT_OP_EUCLID, "Euclidean_distance", "TimeDistributed(Lambda)", v[0], v[1], d, -1, 0);
    if (o) o->a.euclid.floor = (float)AVMIT_EUCLID_FLOOR;
    head(&b, "dense_4", c->rnn, c->units, c->dropout, d, 1, 2);
    for (int i = 0; i < AVMIT_SV_COUNT && !b.rc; i++) tid[i] = i;
    g->loss = AVMIT_LOSS_BCE2;
    return b.rc;
}
