/*
 * cnn.c — the public CNN API (avmit/cnn.h): build the network's graph
 * (cnn_graphs.c), bind the weight file's tensors to it (by name for TF
 * checkpoints, by layer + position for Keras HDF5; every name, shape and
 * dtype checked), lower the graph to executor ops (BN folded into the
 * preceding convolution unless opts.fold_bn = 0; activation and residual add
 * fused into the convolution), and hand them to the oneDNN executor.
 */
#include "avmit/cnn.h"

#include "cnn/cnn_int.h"
#include "avmit/weights.h"
#include "core/error_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct avmit_cnn {
    avmit_cnn_kind kind;
    avmit_cnn_opts opts;
    avmit_precision precision; /* what runs */
    const char *why;           /* bf16 fallback reason */
    int in_count, out_dim;
    cnn_dnnl *exec;
};

static const char *const k_names[AVMIT_CNN_COUNT] = {"vggish", "yamnet", "vgg16", "efficientnetb0"};
static const char *const k_files[AVMIT_CNN_COUNT] = {
    "vggish_model.ckpt", "yamnet.h5", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "efficientnetb0_notop.h5"};

avmit_cnn_opts avmit_cnn_default_opts(void) {
    avmit_cnn_opts o = {.precision = AVMIT_PRECISION_FP32, .threads = 0, .max_batch = 32,
                        .effnet_variant = AVMIT_EFFNET_TF23, .fold_bn = 1};
    return o;
}

const char *avmit_cnn_name(avmit_cnn_kind kind) {
    return kind >= 0 && kind < AVMIT_CNN_COUNT ? k_names[kind] : "?";
}

int avmit_cnn_from_name(const char *name, avmit_cnn_kind *kind, avmit_error *err) {
    for (int i = 0; i < AVMIT_CNN_COUNT; i++)
        if (name && !strcmp(name, k_names[i])) { *kind = (avmit_cnn_kind)i; return 0; }
    return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "model",
                     "unknown network '%s' (vggish, yamnet, vgg16, efficientnetb0)", name ? name : "");
}

void avmit_cnn_input_shape(avmit_cnn_kind kind, int shape[3]) {
    int audio = kind == AVMIT_CNN_VGGISH || kind == AVMIT_CNN_YAMNET;
    shape[0] = audio ? 96 : 224;
    shape[1] = audio ? 64 : 224;
    shape[2] = audio ? 1 : 3;
}

int avmit_cnn_output_dim(avmit_cnn_kind kind) {
    static const int d[AVMIT_CNN_COUNT] = {128, 1024, 512, 1280};
    return kind >= 0 && kind < AVMIT_CNN_COUNT ? d[kind] : 0;
}

const char *avmit_cnn_weights_filename(avmit_cnn_kind kind) {
    return kind >= 0 && kind < AVMIT_CNN_COUNT ? k_files[kind] : "?";
}

/* ---- binding -------------------------------------------------------------------------- */
/* Layers of a published file that the embedding does not use: YAMNet's classifier
 * (Dense 1024 -> 521). Matched by shapes, whatever the layer is called. */
static int is_unused_head(avmit_cnn_kind kind, const avmit_wset *w, size_t i) {
    const avmit_wtensor *t = &w->t[i];
    if (kind != AVMIT_CNN_YAMNET) return 0;
    return (t->index == 0 && t->ndim == 2 && t->shape[0] == 1024 && t->shape[1] == 521) ||
           (t->index == 1 && t->ndim == 1 && t->shape[0] == 521);
}

static void shape_str(char *buf, size_t n, int ndim, const int64_t *s) {
    size_t k = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < ndim && k < n; i++) k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "," : "", (long long)s[i]);
    if (k < n) snprintf(buf + k, n - k, "]");
}

/* map[g] = index in w of graph tensor g; every file tensor used once (or an unused head). */
static int bind(const avmit_graph *g, avmit_cnn_kind kind, const avmit_wset *w, long *map,
                avmit_error *err) {
    const char *path = w->path ? w->path : "";
    int by_name = w->format != AVMIT_WF_KERAS_H5;
    for (int i = 0; i < g->n_tensors; i++) map[i] = -1;
    for (size_t i = 0; i < w->n; i++) {
        const avmit_wtensor *t = &w->t[i];
        int gi = by_name ? avmit_graph_find(g, t->name) : avmit_graph_find_layer(g, t->layer, t->index);
        if (gi < 0) {
            if (is_unused_head(kind, w, i)) continue;
            return AVMIT_ERR(err, AVMIT_E_FORMAT, path, t->name,
                             "tensor '%s' (layer '%s', position %d) is not part of %s", t->name,
                             t->layer, t->index, avmit_cnn_name(kind));
        }
        const avmit_gtensor *gt = &g->tensors[gi];
        if (map[gi] >= 0)
            return AVMIT_ERR(err, AVMIT_E_FORMAT, path, t->name, "tensor '%s' appears twice", gt->name);
        int same = t->ndim == gt->ndim;
        for (int d = 0; same && d < gt->ndim; d++) same = t->shape[d] == gt->shape[d];
        if (!same) {
            char a[96], b[96];
            shape_str(a, sizeof a, t->ndim, t->shape);
            shape_str(b, sizeof b, gt->ndim, gt->shape);
            return AVMIT_ERR(err, AVMIT_E_FORMAT, path, t->name, "tensor '%s' has shape %s, %s expects %s",
                             t->name, a, avmit_cnn_name(kind), b);
        }
        /* float32 data; the EfficientNet normalization count may be stored as an
         * integer (int64 in TF 2.3, int32 in TF 2.2), which the reader converts */
        int int_ok = gt->ndim == 0 && (!strcmp(t->dtype, "int64") || !strcmp(t->dtype, "int32"));
        if (strcmp(t->dtype, "float32") != 0 && !int_ok)
            return AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, t->name, "tensor '%s' has dtype %s (float32 expected)",
                             t->name, t->dtype);
        map[gi] = (long)i;
    }
    for (int i = 0; i < g->n_tensors; i++)
        if (map[i] < 0) {
            char b[96];
            shape_str(b, sizeof b, g->tensors[i].ndim, g->tensors[i].shape);
            return AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, g->tensors[i].name,
                             "%s tensor '%s' (layer '%s', position %d, shape %s) is missing",
                             avmit_cnn_name(kind), g->tensors[i].name, g->tensors[i].layer,
                             g->tensors[i].index, b);
        }
    return 0;
}

int avmit_cnn_check_wset(avmit_cnn_kind kind, const avmit_wset *w, avmit_error *err) {
    avmit_graph g;
    int rc = cnn_build_graph(&g, kind, AVMIT_EFFNET_TF23, err);
    if (rc) return rc;
    long *map = malloc(sizeof *map * (size_t)(g.n_tensors ? g.n_tensors : 1));
    rc = map ? bind(&g, kind, w, map, err) : AVMIT_NOMEM(err, "weights map");
    free(map);
    avmit_graph_free(&g);
    return rc;
}

/* ---- lowering ----------------------------------------------------------------------------- */
void cnn_xnet_free(cnn_xnet *x) {
    for (int i = 0; i < x->n_ops; i++) {
        cnn_xop *o = &x->ops[i];
        free(o->w); free(o->b); free(o->w2); free(o->b2);
        free(o->gamma); free(o->beta); free(o->mean); free(o->var);
    }
    free(x->ops);
    free(x->vals);
    memset(x, 0, sizeof *x);
}

typedef struct lower {
    const avmit_graph *g;
    float **data;   /* per graph tensor; taken (set NULL) by the op that uses it */
    int *uses;      /* per value: number of op inputs reading it */
    int *alias;     /* per value: the executor value that holds it */
    cnn_xnet *x;
    int fold;
    avmit_effnet_variant variant;
    avmit_error *err;
} lower;

static float *take(lower *L, int t) { float *p = L->data[t]; L->data[t] = NULL; return p; }

/* TF SAME: total = max((out-1)*s + k - in, 0), before = total/2, after = the rest. */
static void same_pad(int in, int out, int k, int s, avmit_gpad pad, int *before, int *after) {
    int total = pad == AVMIT_PAD_SAME ? (out - 1) * s + k - in : 0;
    if (total < 0) total = 0;
    *before = total / 2;
    *after = total - *before;
}

/* Fold BN (tensors at t: [gamma], beta, mean, var) into conv weights w ([.., c_out]
 * innermost) and bias b (allocated when NULL): w *= s, b = (b - mean) s + beta,
 * s = gamma / sqrt(var + eps), in double. */
static int fold_bn(lower *L, const avmit_gop *bn, cnn_xop *x, size_t w_count) {
    int t = bn->param0, has_gamma = bn->n_param == 4;
    const float *gamma = has_gamma ? L->data[t] : NULL, *beta = L->data[t + has_gamma];
    const float *mean = L->data[t + has_gamma + 1], *var = L->data[t + has_gamma + 2];
    int c = x->c_out;
    if (!x->b) {
        x->b = calloc((size_t)c, sizeof *x->b);
        if (!x->b) return AVMIT_NOMEM(L->err, "folded bias");
    }
    for (int o = 0; o < c; o++) {
        double s = (gamma ? gamma[o] : 1.0) / sqrt((double)var[o] + (double)bn->a.bn.eps);
        x->b[o] = (float)(((double)x->b[o] - mean[o]) * s + beta[o]);
        for (size_t k = (size_t)o; k < w_count; k += (size_t)c) x->w[k] = (float)(x->w[k] * s);
    }
    return 0;
}

/* EfficientNet input: the front end wrote x_fe for `variant` with the published
 * constants (m0, v0); this file's Normalization has (m, v). y = x_fe * a + b with
 * a = sqrt(v0)/sqrt(v), b = (m0 - m) e / sqrt(v), e = 1 (TF 2.3) or 1/sqrt(v0)
 * (TF >= 2.10). Returns 1 (identity: skip) or 0 with scale/shift filled. */
static int rescale_params(const float *m, const float *v, avmit_effnet_variant variant,
                          float *scale, float *shift) {
    static const double m0[3] = {0.485, 0.456, 0.406}, v0[3] = {0.229, 0.224, 0.225};
    int identity = 1;
    for (int c = 0; c < 3; c++) {
        identity &= m[c] == (float)m0[c] && v[c] == (float)v0[c];
        double sv = fmax(sqrt((double)v[c]), 1e-7), e = variant == AVMIT_EFFNET_TF210 ? 1.0 / sqrt(v0[c]) : 1.0;
        scale[c] = (float)(sqrt(v0[c]) / sv);
        shift[c] = (float)((m0[c] - m[c]) * e / sv);
    }
    return identity;
}

static int push_x(lower *L, const cnn_xop *op) {
    cnn_xnet *x = L->x;
    cnn_xop *p = realloc(x->ops, (size_t)(x->n_ops + 1) * sizeof *p);
    if (!p) return AVMIT_NOMEM(L->err, "executor ops");
    x->ops = p;
    x->ops[x->n_ops++] = *op;
    return 0;
}

static int lower_graph(lower *L) {
    const avmit_graph *g = L->g;
    cnn_xnet *x = L->x;
    x->n_vals = g->n_values;
    x->vals = calloc((size_t)g->n_values, sizeof *x->vals);
    if (!x->vals) return AVMIT_NOMEM(L->err, "executor values");
    for (int v = 0; v < g->n_values; v++) {
        const avmit_gvalue *gv = &g->values[v];
        cnn_xval *xv = &x->vals[v];
        if (gv->ndim == 3) xv->h = (int)gv->shape[0], xv->w = (int)gv->shape[1], xv->c = (int)gv->shape[2];
        else xv->h = xv->w = 1, xv->c = (int)gv->shape[0];
        xv->vec = gv->ndim == 1;
        L->alias[v] = v;
    }
    x->input = 0;
    for (int i = 0; i < g->n_ops; i++) {
        const avmit_gop *op = &g->ops[i];
        cnn_xop o;
        memset(&o, 0, sizeof o);
        snprintf(o.layer, sizeof o.layer, "%s", op->layer);
        o.in = L->alias[op->in[0]];
        o.in2 = -1;
        o.out = op->out;
        o.act = AVMIT_GACT_NONE;
        const cnn_xval *vi = &x->vals[o.in], *vo = &x->vals[op->out];
        o.c_in = vi->c;
        int rc = 0;
        switch (op->kind) {
        case AVMIT_OP_INPUT: continue;
        case AVMIT_OP_CONV2D:
        case AVMIT_OP_DWCONV2D: {
            const avmit_gconv *cv = &op->a.conv;
            o.kind = op->kind == AVMIT_OP_CONV2D ? CX_CONV : CX_DWCONV;
            o.kh = cv->kh, o.kw = cv->kw, o.sh = cv->sh, o.sw = cv->sw, o.c_out = cv->c_out;
            o.act = cv->act;
            same_pad(vi->h, vo->h, cv->kh, cv->sh, cv->pad, &o.pt, &o.pb);
            same_pad(vi->w, vo->w, cv->kw, cv->sw, cv->pad, &o.pl, &o.pr);
            o.w = take(L, op->param0);
            if (cv->has_bias) o.b = take(L, op->param0 + 1);
            size_t wc = g->tensors[op->param0].count;
            int j = i + 1;
            if (L->fold && j < g->n_ops && g->ops[j].kind == AVMIT_OP_BATCHNORM && g->ops[j].a.bn.fold &&
                g->ops[j].in[0] == o.out && L->uses[o.out] == 1 && o.act == AVMIT_GACT_NONE) {
                if ((rc = fold_bn(L, &g->ops[j], &o, wc))) { free(o.w); free(o.b); return rc; }
                o.out = g->ops[j++].out;
            }
            if (j < g->n_ops && g->ops[j].kind == AVMIT_OP_ACT && g->ops[j].in[0] == o.out &&
                L->uses[o.out] == 1 && o.act == AVMIT_GACT_NONE) {
                o.act = g->ops[j].a.act;
                o.out = g->ops[j++].out;
            }
            if (j < g->n_ops && g->ops[j].kind == AVMIT_OP_ADD && g->ops[j].in[0] == o.out &&
                L->uses[o.out] == 1 && o.act == AVMIT_GACT_NONE) {
                o.in2 = L->alias[g->ops[j].in[1]];
                o.out = g->ops[j++].out;
            }
            i = j - 1;
            break;
        }
        case AVMIT_OP_DENSE:
            o.kind = CX_DENSE;
            o.c_out = op->a.conv.c_out;
            o.act = op->a.conv.act;
            o.w = take(L, op->param0);
            o.b = take(L, op->param0 + 1);
            break;
        case AVMIT_OP_BATCHNORM: {
            int t = op->param0, hg = op->n_param == 4;
            o.kind = CX_BN;
            o.c_out = vi->c;
            o.eps = op->a.bn.eps;
            o.gamma = hg ? take(L, t) : NULL;
            o.beta = take(L, t + hg);
            o.mean = take(L, t + hg + 1);
            o.var = take(L, t + hg + 2);
            break;
        }
        case AVMIT_OP_ACT: o.kind = CX_ACT; o.act = op->a.act; o.c_out = vi->c; break;
        case AVMIT_OP_MAXPOOL:
            o.kind = CX_MAXPOOL;
            o.kh = op->a.conv.kh, o.kw = op->a.conv.kw, o.sh = op->a.conv.sh, o.sw = op->a.conv.sw;
            o.c_out = vi->c;
            same_pad(vi->h, vo->h, o.kh, o.sh, op->a.conv.pad, &o.pt, &o.pb);
            same_pad(vi->w, vo->w, o.kw, o.sw, op->a.conv.pad, &o.pl, &o.pr);
            break;
        case AVMIT_OP_GAP: o.kind = CX_GAP; o.c_out = vi->c; break;
        case AVMIT_OP_FLATTEN: o.kind = CX_FLATTEN; o.c_out = vo->c; break;
        case AVMIT_OP_ADD: o.kind = CX_ADD; o.in2 = L->alias[op->in[1]]; o.c_out = vi->c; break;
        case AVMIT_OP_SE:
            o.kind = CX_SE;
            o.c_out = vi->c;
            o.sq = op->a.se.squeeze;
            o.w = take(L, op->param0), o.b = take(L, op->param0 + 1);
            o.w2 = take(L, op->param0 + 2), o.b2 = take(L, op->param0 + 3);
            break;
        case AVMIT_OP_RESCALE: {
            float sc[3], sh[3];
            int c = vi->c;
            if (c != 3) return AVMIT_ERR(L->err, AVMIT_E_ARG, NULL, op->layer, "normalization of %d channels", c);
            if (rescale_params(L->data[op->param0], L->data[op->param0 + 1],
                               (avmit_effnet_variant)op->a.rescale.variant, sc, sh)) {
                L->alias[op->out] = o.in; /* the front end already applied exactly this */
                continue;
            }
            /* a depthwise 1x1 convolution with bias: y = x * scale + shift per channel */
            o.kind = CX_DWCONV;
            o.kh = o.kw = o.sh = o.sw = 1;
            o.c_out = c;
            o.w = malloc(3 * sizeof *o.w);
            o.b = malloc(3 * sizeof *o.b);
            if (!o.w || !o.b) { free(o.w); free(o.b); return AVMIT_NOMEM(L->err, "normalization"); }
            memcpy(o.w, sc, sizeof sc);
            memcpy(o.b, sh, sizeof sh);
            break;
        }
        default:
            return AVMIT_ERR(L->err, AVMIT_E_UNSUPPORTED, NULL, op->layer, "op kind %d in a CNN graph", (int)op->kind);
        }
        if ((rc = push_x(L, &o))) { free(o.w); free(o.b); free(o.w2); free(o.b2); return rc; }
    }
    x->output = L->alias[g->output];
    return 0;
}

/* ---- load / embed ----------------------------------------------------------------------- */
static int prepare(avmit_cnn *net, const avmit_graph *g, avmit_wset *w, cnn_xnet *x, avmit_error *err) {
    long *map = malloc(sizeof *map * (size_t)g->n_tensors);
    float **data = calloc((size_t)g->n_tensors, sizeof *data);
    int *uses = calloc((size_t)g->n_values, sizeof *uses), *alias = calloc((size_t)g->n_values, sizeof *alias);
    int rc = map && data && uses && alias ? 0 : AVMIT_NOMEM(err, "CNN load");
    if (!rc) rc = bind(g, net->kind, w, map, err);
    if (!rc) {
        for (int i = 0; i < g->n_tensors; i++) data[i] = avmit_wset_take(w, (size_t)map[i]);
        for (int i = 0; i < g->n_ops; i++)
            if (g->ops[i].kind != AVMIT_OP_INPUT)
                for (int k = 0; k < g->ops[i].n_in; k++) uses[g->ops[i].in[k]]++;
        lower L = {.g = g, .data = data, .uses = uses, .alias = alias, .x = x,
                   .fold = net->opts.fold_bn, .variant = net->opts.effnet_variant, .err = err};
        rc = lower_graph(&L);
    }
    if (data)
        for (int i = 0; i < g->n_tensors; i++) free(data[i]);
    free(map);
    free(data);
    free(uses);
    free(alias);
    return rc;
}

int avmit_cnn_load(avmit_cnn **out, avmit_cnn_kind kind, const char *weights_path,
                   const avmit_cnn_opts *opts, avmit_error *err) {
    *out = NULL;
    if (kind < 0 || kind >= AVMIT_CNN_COUNT)
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "model", "unknown CNN kind %d", (int)kind);
    avmit_cnn *net = calloc(1, sizeof *net);
    if (!net) return AVMIT_NOMEM(err, "CNN");
    net->kind = kind;
    net->opts = opts ? *opts : avmit_cnn_default_opts();
    if (net->opts.max_batch < 1) net->opts.max_batch = 32;
    if (net->opts.threads < 1) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        net->opts.threads = nc > 0 ? (int)nc : 1;
    }
    int shape[3];
    avmit_cnn_input_shape(kind, shape);
    net->in_count = shape[0] * shape[1] * shape[2];
    net->out_dim = avmit_cnn_output_dim(kind);
    avmit_graph g;
    avmit_wset w;
    cnn_xnet x;
    memset(&w, 0, sizeof w);
    memset(&x, 0, sizeof x);
    int rc = cnn_build_graph(&g, kind, net->opts.effnet_variant, err);
    if (rc) { free(net); return rc; }
    rc = avmit_wset_read(&w, weights_path, err);
    if (!rc) rc = prepare(net, &g, &w, &x, err);
    avmit_wset_free(&w);
    avmit_graph_free(&g);
    int bf16 = net->opts.precision == AVMIT_PRECISION_BF16;
    if (!rc) {
        rc = cnn_dnnl_create(&net->exec, &x, bf16, net->opts.threads, &net->why, err);
        if (rc == AVMIT_E_UNSUPPORTED && bf16) {
            avmit_error_clear(err);
            bf16 = 0;
            rc = cnn_dnnl_create(&net->exec, &x, 0, net->opts.threads, NULL, err);
        }
    }
    net->precision = bf16 ? AVMIT_PRECISION_BF16 : AVMIT_PRECISION_FP32;
    cnn_xnet_free(&x);
    if (rc) { avmit_cnn_free(net); return rc; }
    *out = net;
    return 0;
}

int avmit_cnn_clone(avmit_cnn **out, avmit_cnn *net, int threads, avmit_error *err) {
    *out = NULL;
    avmit_cnn *c = malloc(sizeof *c);
    if (!c) return AVMIT_NOMEM(err, "CNN");
    *c = *net;
    if (threads > 0) c->opts.threads = threads;
    int rc = cnn_dnnl_clone(&c->exec, net->exec, c->opts.threads, err);
    if (rc) { free(c); return rc; }
    *out = c;
    return 0;
}

void avmit_cnn_free(avmit_cnn *net) {
    if (!net) return;
    cnn_dnnl_free(net->exec);
    free(net);
}

int avmit_cnn_embed(avmit_cnn *net, const float *in, size_t n, float *out, avmit_error *err) {
    size_t b = (size_t)net->opts.max_batch;
    for (size_t i = 0; i < n; i += b) {
        size_t m = n - i < b ? n - i : b;
        int rc = cnn_dnnl_run(net->exec, in + i * (size_t)net->in_count, (int)m,
                              out + i * (size_t)net->out_dim, err);
        if (rc) return rc;
    }
    return 0;
}

avmit_cnn_kind avmit_cnn_kind_of(const avmit_cnn *net) { return net->kind; }

avmit_precision avmit_cnn_precision(const avmit_cnn *net, const char **why) {
    if (why) *why = net->why;
    return net->precision;
}

/* ---- counts ------------------------------------------------------------------------------- */
double avmit_cnn_flops(avmit_cnn_kind kind) {
    avmit_graph g;
    avmit_error err;
    if (cnn_build_graph(&g, kind, AVMIT_EFFNET_TF23, &err)) return 0;
    double f = 0;
    for (int i = 0; i < g.n_ops; i++) {
        const avmit_gop *op = &g.ops[i];
        const avmit_gvalue *vi = &g.values[op->in[0]], *vo = &g.values[op->out];
        if (op->kind == AVMIT_OP_CONV2D)
            f += 2.0 * (double)vo->count * op->a.conv.kh * op->a.conv.kw * (double)vi->shape[2];
        else if (op->kind == AVMIT_OP_DWCONV2D)
            f += 2.0 * (double)vo->count * op->a.conv.kh * op->a.conv.kw;
        else if (op->kind == AVMIT_OP_DENSE)
            f += 2.0 * (double)vi->count * (double)vo->count;
        else if (op->kind == AVMIT_OP_SE)
            f += 4.0 * (double)vi->shape[2] * op->a.se.squeeze;
    }
    avmit_graph_free(&g);
    return f;
}

size_t avmit_cnn_param_count(avmit_cnn_kind kind) {
    avmit_graph g;
    avmit_error err;
    if (cnn_build_graph(&g, kind, AVMIT_EFFNET_TF23, &err)) return 0;
    size_t n = g.n_weights + g.n_state;
    avmit_graph_free(&g);
    return n;
}

void avmit_cnn_backend(char *buf, size_t n) {
    int ma, mi, pa;
    cnn_dnnl_version(&ma, &mi, &pa);
    snprintf(buf, n, "oneDNN %d.%d.%d, ISA %s", ma, mi, pa, cnn_dnnl_isa());
}
