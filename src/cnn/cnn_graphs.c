/*
 * cnn_graphs.c — the four embedding CNNs as data (FEATURES.md §4, §5, §8, §9):
 * builder functions that append tensors, values and ops to the one model
 * description (graph/graph.h) from per-network tables. No arithmetic here; the
 * executor (cnn_exec.c + dnnl_exec.c) runs any graph these produce.
 *
 * Tensor names: VGGish uses the TF1 checkpoint variable names
 * ("vggish/conv1/weights", index 0; ".../biases", index 1); the Keras files use
 * the layer name and the position within the layer (the stored weight names
 * differ between file vintages; "<layer>/<weight>:0" is what we name them).
 * Shapes are the published ones: conv kernels HWIO [k,k,in,out], depthwise
 * [k,k,C,1], dense [in,out].
 */
#include "cnn/cnn_int.h"

#include "core/error_int.h"

#include <stdio.h>
#include <string.h>

/* Builder state: the graph, the current value id and the first error. */
typedef struct gb {
    avmit_graph *g;
    avmit_error *err;
    int rc;
    int cur;      /* value id the next op reads */
    int h, w, c;  /* its shape (c only after a flatten / GAP) */
} gb;

static int value3(gb *b, int h, int w, int c) {
    int64_t s[3] = {h, w, c};
    int v = avmit_graph_value(b->g, 3, s, b->err);
    if (v < 0 && !b->rc) b->rc = v;
    return v;
}

static int value1(gb *b, int c) {
    int64_t s[1] = {c};
    int v = avmit_graph_value(b->g, 1, s, b->err);
    if (v < 0 && !b->rc) b->rc = v;
    return v;
}

static void tensor(gb *b, const char *layer, const char *wname, int index, avmit_gblock blk,
                   int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    if (b->rc) return;
    char name[160];
    snprintf(name, sizeof name, "%s/%s", layer, wname);
    int64_t s[4] = {d0, d1, d2, d3};
    int t = avmit_graph_tensor(b->g, layer, name, index, blk, ndim, s, b->err);
    if (t < 0) b->rc = t;
}

/* Append op (kind, layer) reading `in` (and in2 >= 0) into a new value `out`. */
static void push(gb *b, avmit_gop *op, const char *layer, const char *type, int in, int in2,
                 int out, int param0) {
    if (b->rc) return;
    snprintf(op->layer, sizeof op->layer, "%s", layer);
    snprintf(op->type, sizeof op->type, "%s", type);
    op->in[0] = in;
    op->n_in = 1;
    if (in2 >= 0) { op->in[1] = in2; op->n_in = 2; }
    op->out = out;
    op->param0 = param0;
    op->n_param = b->g->n_tensors - param0;
    int rc = avmit_graph_op(b->g, op, b->err);
    if (rc < 0) b->rc = rc;
    b->cur = out;
}

/* TF output size and SAME padding (FEATURES §5, §9.2): out = ceil(in/s). */
static int out_size(int in, int k, int s, avmit_gpad pad) {
    return pad == AVMIT_PAD_SAME ? (in + s - 1) / s : (in - k) / s + 1;
}

/* Conv2D (or DepthwiseConv2D when dw) with kernel names `kname`, optional bias. */
static void conv(gb *b, const char *layer, int dw, int k, int s, int c_out, int has_bias,
                 int act, const char *kname, const char *bname, int checkpoint) {
    if (b->rc) return;
    int p0 = b->g->n_tensors;
    if (dw) c_out = b->c;
    char kn[64], bn[64];
    snprintf(kn, sizeof kn, checkpoint ? "%s" : "%s:0", kname);
    snprintf(bn, sizeof bn, checkpoint ? "%s" : "%s:0", bname);
    tensor(b, layer, kn, 0, AVMIT_GB_WEIGHTS, 4, k, k, b->c, dw ? 1 : c_out);
    if (has_bias) tensor(b, layer, bn, 1, AVMIT_GB_WEIGHTS, 1, c_out, 0, 0, 0);
    avmit_gop op = {0};
    op.kind = dw ? AVMIT_OP_DWCONV2D : AVMIT_OP_CONV2D;
    op.a.conv = (avmit_gconv){.kh = k, .kw = k, .sh = s, .sw = s, .pad = AVMIT_PAD_SAME,
                              .c_out = c_out, .act = act, .has_bias = has_bias};
    int h = out_size(b->h, k, s, AVMIT_PAD_SAME), w = out_size(b->w, k, s, AVMIT_PAD_SAME);
    int out = value3(b, h, w, c_out);
    push(b, &op, layer, dw ? "DepthwiseConv2D" : "Conv2D", b->cur, -1, out, p0);
    b->h = h, b->w = w, b->c = c_out;
}

/* BatchNormalization: [gamma,] beta, moving_mean, moving_variance; folded at load. */
static void bnorm(gb *b, const char *layer, float eps, int has_gamma) {
    if (b->rc) return;
    int p0 = b->g->n_tensors, i = 0;
    if (has_gamma) tensor(b, layer, "gamma:0", i++, AVMIT_GB_WEIGHTS, 1, b->c, 0, 0, 0);
    tensor(b, layer, "beta:0", i++, AVMIT_GB_WEIGHTS, 1, b->c, 0, 0, 0);
    tensor(b, layer, "moving_mean:0", i++, AVMIT_GB_STATE, 1, b->c, 0, 0, 0);
    tensor(b, layer, "moving_variance:0", i++, AVMIT_GB_STATE, 1, b->c, 0, 0, 0);
    avmit_gop op = {0};
    op.kind = AVMIT_OP_BATCHNORM;
    op.a.bn.eps = eps;
    op.a.bn.momentum = 0.99f;
    op.a.bn.fold = 1;
    int out = value3(b, b->h, b->w, b->c);
    push(b, &op, layer, "BatchNormalization", b->cur, -1, out, p0);
}

static void act(gb *b, const char *layer, int a) {
    if (b->rc) return;
    avmit_gop op = {0};
    op.kind = AVMIT_OP_ACT;
    op.a.act = a;
    int out = value3(b, b->h, b->w, b->c);
    push(b, &op, layer, "Activation", b->cur, -1, out, b->g->n_tensors);
}

static void pool(gb *b, const char *layer, avmit_op_kind kind, int k, int s, avmit_gpad pad) {
    if (b->rc) return;
    avmit_gop op = {0};
    op.kind = kind;
    op.a.conv = (avmit_gconv){.kh = k, .kw = k, .sh = s, .sw = s, .pad = pad, .c_out = b->c,
                              .act = AVMIT_GACT_NONE};
    int h = out_size(b->h, k, s, pad), w = out_size(b->w, k, s, pad);
    int out = value3(b, h, w, b->c);
    push(b, &op, layer, kind == AVMIT_OP_MAXPOOL ? "MaxPooling2D" : "AveragePooling2D", b->cur,
         -1, out, b->g->n_tensors);
    b->h = h, b->w = w;
}

static void gap(gb *b, const char *layer) {
    if (b->rc) return;
    avmit_gop op = {0};
    op.kind = AVMIT_OP_GAP;
    int out = value1(b, b->c);
    push(b, &op, layer, "GlobalAveragePooling2D", b->cur, -1, out, b->g->n_tensors);
    b->h = b->w = 1;
}

static void flatten(gb *b, const char *layer) {
    if (b->rc) return;
    avmit_gop op = {0};
    op.kind = AVMIT_OP_FLATTEN;
    int n = b->h * b->w * b->c;
    int out = value1(b, n);
    push(b, &op, layer, "Flatten", b->cur, -1, out, b->g->n_tensors);
    b->h = b->w = 1, b->c = n;
}

/* TF1 fully connected: weights [in, out], biases [out]. */
static void dense(gb *b, const char *layer, int units, int a) {
    if (b->rc) return;
    int p0 = b->g->n_tensors;
    tensor(b, layer, "weights", 0, AVMIT_GB_WEIGHTS, 2, b->c, units, 0, 0);
    tensor(b, layer, "biases", 1, AVMIT_GB_WEIGHTS, 1, units, 0, 0, 0);
    avmit_gop op = {0};
    op.kind = AVMIT_OP_DENSE;
    op.a.conv.act = a;
    op.a.conv.c_out = units;
    op.a.conv.has_bias = 1;
    int out = value1(b, units);
    push(b, &op, layer, "Dense", b->cur, -1, out, p0);
    b->c = units;
}

/* ---- VGGish (FEATURES §4) ----------------------------------------------------- */
static void build_vggish(gb *b) {
    static const struct { const char *scope; int c; int pool_after; } k_convs[] = {
        {"vggish/conv1", 64, 1},          {"vggish/conv2", 128, 1},
        {"vggish/conv3/conv3_1", 256, 0}, {"vggish/conv3/conv3_2", 256, 1},
        {"vggish/conv4/conv4_1", 512, 0}, {"vggish/conv4/conv4_2", 512, 1},
    };
    int pool_no = 1;
    for (size_t i = 0; i < sizeof k_convs / sizeof *k_convs; i++) {
        conv(b, k_convs[i].scope, 0, 3, 1, k_convs[i].c, 1, AVMIT_GACT_RELU, "weights", "biases", 1);
        if (k_convs[i].pool_after) {
            char name[32];
            snprintf(name, sizeof name, "vggish/pool%d", pool_no++);
            pool(b, name, AVMIT_OP_MAXPOOL, 2, 2, AVMIT_PAD_SAME);
        }
    }
    flatten(b, "vggish/Flatten");
    dense(b, "vggish/fc1/fc1_1", 4096, AVMIT_GACT_RELU);
    dense(b, "vggish/fc1/fc1_2", 4096, AVMIT_GACT_RELU);
    dense(b, "vggish/fc2", 128, AVMIT_GACT_NONE); /* pre-activation embedding */
}

/* ---- YAMNet (FEATURES §5): MobileNetV1, BN beta only, eps 1e-4 ----------------------- */
static void build_yamnet(gb *b) {
    static const struct { int stride, filters; } k_sep[13] = {
        {1, 64}, {2, 128}, {1, 128}, {2, 256}, {1, 256}, {2, 512}, {1, 512},
        {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024}};
    const float eps = 1e-4f;
    char l[64], lb[80];
    conv(b, "layer1/conv", 0, 3, 2, 32, 0, AVMIT_GACT_NONE, "kernel", "", 0);
    bnorm(b, "layer1/conv/bn", eps, 0);
    act(b, "layer1/relu", AVMIT_GACT_RELU);
    for (int i = 0; i < 13; i++) {
        snprintf(l, sizeof l, "layer%d/depthwise_conv", i + 2);
        snprintf(lb, sizeof lb, "%s/bn", l);
        conv(b, l, 1, 3, k_sep[i].stride, 0, 0, AVMIT_GACT_NONE, "depthwise_kernel", "", 0);
        bnorm(b, lb, eps, 0);
        snprintf(l, sizeof l, "layer%d/depthwise_conv/relu", i + 2);
        act(b, l, AVMIT_GACT_RELU);
        snprintf(l, sizeof l, "layer%d/pointwise_conv", i + 2);
        snprintf(lb, sizeof lb, "%s/bn", l);
        conv(b, l, 0, 1, 1, k_sep[i].filters, 0, AVMIT_GACT_NONE, "kernel", "", 0);
        bnorm(b, lb, eps, 0);
        snprintf(l, sizeof l, "layer%d/pointwise_conv/relu", i + 2);
        act(b, l, AVMIT_GACT_RELU);
    }
    gap(b, "embeddings");
}

/* ---- VGG16 notop + GAP (FEATURES §8) ----------------------------------------------- */
static void build_vgg16(gb *b) {
    static const int k_blocks[5][2] = {{2, 64}, {2, 128}, {3, 256}, {3, 512}, {3, 512}};
    char l[32];
    for (int blk = 0; blk < 5; blk++) {
        for (int i = 0; i < k_blocks[blk][0]; i++) {
            snprintf(l, sizeof l, "block%d_conv%d", blk + 1, i + 1);
            conv(b, l, 0, 3, 1, k_blocks[blk][1], 1, AVMIT_GACT_RELU, "kernel", "bias", 0);
        }
        snprintf(l, sizeof l, "block%d_pool", blk + 1);
        pool(b, l, AVMIT_OP_MAXPOOL, 2, 2, AVMIT_PAD_VALID);
    }
    gap(b, "global_average_pooling2d");
}

/* ---- EfficientNetB0 notop + GAP (FEATURES §9) --------------------------------------- */
static void build_effnet(gb *b, avmit_effnet_variant variant) {
    static const struct { int k, repeats, c_in, c_out, expand, stride; } k_stages[7] = {
        {3, 1, 32, 16, 1, 1}, {3, 2, 16, 24, 6, 2}, {5, 2, 24, 40, 6, 2}, {3, 3, 40, 80, 6, 2},
        {5, 3, 80, 112, 6, 1}, {5, 4, 112, 192, 6, 2}, {3, 1, 192, 320, 6, 1}};
    const float eps = 1e-3f;
    const int sw = AVMIT_GACT_SWISH;
    /* The input is what the visual front end wrote for `variant`; the graph maps it to
     * what this file's Normalization layer (mean, variance, count) expects. */
    {
        int p0 = b->g->n_tensors;
        tensor(b, "normalization", "mean:0", 0, AVMIT_GB_STATE, 1, 3, 0, 0, 0);
        tensor(b, "normalization", "variance:0", 1, AVMIT_GB_STATE, 1, 3, 0, 0, 0);
        tensor(b, "normalization", "count:0", 2, AVMIT_GB_STATE, 0, 0, 0, 0, 0);
        avmit_gop op = {0};
        op.kind = AVMIT_OP_RESCALE;
        op.a.rescale.variant = (int)variant;
        int out = value3(b, b->h, b->w, b->c);
        push(b, &op, "normalization", "Normalization", b->cur, -1, out, p0);
    }
    conv(b, "stem_conv", 0, 3, 2, 32, 0, AVMIT_GACT_NONE, "kernel", "", 0);
    bnorm(b, "stem_bn", eps, 1);
    act(b, "stem_activation", sw);
    char p[16], l[48], l2[48];
    for (int s = 0; s < 7; s++) {
        for (int r = 0; r < k_stages[s].repeats; r++) {
            int c_in = r ? k_stages[s].c_out : k_stages[s].c_in;
            int stride = r ? 1 : k_stages[s].stride;
            int block_in = b->cur;
            snprintf(p, sizeof p, "block%d%c_", s + 1, 'a' + r);
#define LN(suffix) (snprintf(l, sizeof l, "%s%s", p, suffix), l)
            if (k_stages[s].expand != 1) {
                conv(b, LN("expand_conv"), 0, 1, 1, c_in * k_stages[s].expand, 0, AVMIT_GACT_NONE, "kernel", "", 0);
                bnorm(b, LN("expand_bn"), eps, 1);
                act(b, LN("expand_activation"), sw);
            }
            conv(b, LN("dwconv"), 1, k_stages[s].k, stride, 0, 0, AVMIT_GACT_NONE, "depthwise_kernel", "", 0);
            bnorm(b, LN("bn"), eps, 1);
            act(b, LN("activation"), sw);
            /* squeeze-excite: se_reduce (kernel, bias), se_expand (kernel, bias) */
            if (!b->rc) {
                int sq = c_in / 4 > 1 ? c_in / 4 : 1;
                int p0 = b->g->n_tensors;
                snprintf(l2, sizeof l2, "%sse_reduce", p);
                tensor(b, l2, "kernel:0", 0, AVMIT_GB_WEIGHTS, 4, 1, 1, b->c, sq);
                tensor(b, l2, "bias:0", 1, AVMIT_GB_WEIGHTS, 1, sq, 0, 0, 0);
                snprintf(l2, sizeof l2, "%sse_expand", p);
                tensor(b, l2, "kernel:0", 0, AVMIT_GB_WEIGHTS, 4, 1, 1, sq, b->c);
                tensor(b, l2, "bias:0", 1, AVMIT_GB_WEIGHTS, 1, b->c, 0, 0, 0);
                avmit_gop op = {0};
                op.kind = AVMIT_OP_SE;
                op.a.se.squeeze = sq;
                int out = value3(b, b->h, b->w, b->c);
                push(b, &op, LN("se_excite"), "SqueezeExcite", b->cur, -1, out, p0);
            }
            conv(b, LN("project_conv"), 0, 1, 1, k_stages[s].c_out, 0, AVMIT_GACT_NONE, "kernel", "", 0);
            bnorm(b, LN("project_bn"), eps, 1);
            if (stride == 1 && c_in == k_stages[s].c_out && !b->rc) {
                avmit_gop op = {0};
                op.kind = AVMIT_OP_ADD;
                int out = value3(b, b->h, b->w, b->c);
                push(b, &op, LN("add"), "Add", b->cur, block_in, out, b->g->n_tensors);
            }
#undef LN
        }
    }
    conv(b, "top_conv", 0, 1, 1, 1280, 0, AVMIT_GACT_NONE, "kernel", "", 0);
    bnorm(b, "top_bn", eps, 1);
    act(b, "top_activation", sw);
    gap(b, "avg_pool");
}

int cnn_build_graph(avmit_graph *g, avmit_cnn_kind kind, avmit_effnet_variant variant,
                    avmit_error *err) {
    avmit_graph_init(g);
    int shape[3];
    avmit_cnn_input_shape(kind, shape);
    gb b = {.g = g, .err = err, .rc = 0, .h = shape[0], .w = shape[1], .c = shape[2]};
    b.cur = value3(&b, shape[0], shape[1], shape[2]);
    if (!b.rc) {
        avmit_gop op = {0};
        op.kind = AVMIT_OP_INPUT;
        push(&b, &op, "input", "InputLayer", b.cur, -1, b.cur, 0);
    }
    switch (kind) {
    case AVMIT_CNN_VGGISH: build_vggish(&b); break;
    case AVMIT_CNN_YAMNET: build_yamnet(&b); break;
    case AVMIT_CNN_VGG16: build_vgg16(&b); break;
    case AVMIT_CNN_EFFICIENTNETB0: build_effnet(&b, variant); break;
    default: b.rc = AVMIT_ERR(err, AVMIT_E_ARG, NULL, "", "unknown CNN kind %d", (int)kind);
    }
    if (b.rc) avmit_graph_free(g);
    return b.rc;
}
