/*
 * gexec.c — workspace planner, forward and backward executors and initial
 * values for the training op kinds of graph/graph.h (nn/gexec.h). Each op
 * kind is one case in fwd_op / bwd_op calling the forward/backward pair of
 * avmit/nn.h or avmit/savc.h; plan() is the only place that sizes and carves
 * the workspace, so the size formula cannot drift from the carving.
 */
#include "nn/gexec.h"

#include <stdlib.h>
#include <string.h>

#include "avmit/nn.h"
#include "avmit/rng.h"
#include "avmit/savc.h"
#include "core/error_int.h"

/* Per-op scratch and caches (only the fields of the op's kind are used). */
typedef struct op_ws {
    float *xc, *pc;   /* DENSE skip_zero_rows: compacted input rows [N, n_in] and output [N, n_out] */
    int *rows;        /* ... their row indices [N] */
    int n_rows;
    float *mean, *var;        /* BATCHNORM batch statistics [C] */
    float *ss;                /* L2NORM / EUCLID sum of squares per row [N] */
    float *cache, *work, *mask; /* RNN cache, scratch, dropout mask [B, D] */
    int has_mask;
} op_ws;

struct avmit_gexec {
    const avmit_graph *g;
    int max_batch, B, training;
    float **val;              /* [n_values] value buffers (bound / aliased / owned) */
    size_t *ld;               /* [n_values] row stride in floats */
    float **grad;             /* [n_values] gradient buffers, NULL when not needed */
    unsigned char *needs_grad; /* [n_values] */
    int *producer;            /* [n_values] op index, -1 for none */
    op_ws *ow;                /* [n_ops] */
    float *mem;
    int *imem;
};

static size_t last_dim(const avmit_gvalue *v) { return v->ndim ? (size_t)v->shape[v->ndim - 1] : 1; }
/* Rows of value v for B samples. */
static size_t rows_of(const avmit_graph *g, int v, int B) {
    const avmit_gvalue *x = &g->values[v];
    return (size_t)B * (x->count / last_dim(x));
}

static int owns_buffer(const avmit_graph *g, const int *producer, int v) {
    int p = producer[v];
    return p >= 0 && g->ops[p].kind != AVMIT_OP_INPUT && g->ops[p].kind != AVMIT_OP_IDENTITY;
}

/* The one planner: with base NULL it only counts floats (*nf) and ints (*ni);
 * with base set it also points ex's buffers into base / ibase. */
static void plan(const avmit_graph *g, const int *producer, const unsigned char *needs_grad, int Bm,
                 avmit_gexec *ex, float *base, int *ibase, size_t *nf, size_t *ni) {
    size_t f = 0, k = 0;
#define TAKE(dst, n) do { if (base) (dst) = base + f; f += (n); } while (0)
#define TAKE_INT(dst, n) do { if (base) (dst) = ibase + k; k += (n); } while (0)
    for (int v = 0; v < g->n_values; v++) {
        if (!owns_buffer(g, producer, v)) continue;
        size_t n = (size_t)Bm * g->values[v].count;
        TAKE(ex->val[v], n);
        if (base) ex->ld[v] = last_dim(&g->values[v]);
        if (needs_grad[v]) TAKE(ex->grad[v], n);
    }
    for (int i = 0; i < g->n_ops; i++) {
        const avmit_gop *op = &g->ops[i];
        op_ws tmp, *o = base ? &ex->ow[i] : &tmp;
        const avmit_gvalue *in = op->n_in ? &g->values[op->in[0]] : NULL;
        size_t N = op->n_in ? rows_of(g, op->in[0], Bm) : 0;
        switch (op->kind) {
        case AVMIT_OP_IDENTITY:
            if (base) ex->grad[op->out] = ex->grad[op->in[0]];
            break;
        case AVMIT_OP_DENSE:
            if (op->a.dense.skip_zero_rows) {
                TAKE(o->xc, N * last_dim(in));
                TAKE(o->pc, N * last_dim(&g->values[op->out]));
                TAKE_INT(o->rows, N);
            }
            break;
        case AVMIT_OP_BATCHNORM:
            TAKE(o->mean, last_dim(in));
            TAKE(o->var, last_dim(in));
            break;
        case AVMIT_OP_L2NORM:
        case AVMIT_OP_EUCLID:
            TAKE(o->ss, N);
            break;
        case AVMIT_OP_RNN: {
            int T = (int)in->shape[0], D = (int)last_dim(in), H = op->a.rnn.units;
            avmit_rnn_kind rk = (avmit_rnn_kind)op->a.rnn.kind;
            TAKE(o->cache, avmit_rnn_cache_size(rk, Bm, T, D, H));
            TAKE(o->work, avmit_rnn_work_size(rk, Bm, T, D, H));
            TAKE(o->mask, (size_t)Bm * D);
            break;
        }
        default:
            break;
        }
    }
#undef TAKE
#undef TAKE_INT
    *nf = f;
    *ni = k;
}

/* producer[] and needs_grad[] of g (caller-allocated, n_values each). */
static void analyse(const avmit_graph *g, int *producer, unsigned char *needs_grad) {
    for (int v = 0; v < g->n_values; v++) producer[v] = -1, needs_grad[v] = 0;
    for (int i = 0; i < g->n_ops; i++) {
        const avmit_gop *op = &g->ops[i];
        int ng = op->n_param > 0;
        for (int j = 0; j < op->n_in; j++) ng |= needs_grad[op->in[j]];
        producer[op->out] = i;
        needs_grad[op->out] = (unsigned char)(ng && op->kind != AVMIT_OP_INPUT);
    }
}

size_t avmit_gexec_plan_size(const avmit_graph *g, int max_batch) {
    int *producer = malloc(sizeof(int) * ((size_t)g->n_values + 1));
    unsigned char *ng = malloc((size_t)g->n_values + 1);
    size_t nf = 0, ni = 0;
    if (producer && ng) {
        analyse(g, producer, ng);
        plan(g, producer, ng, max_batch, NULL, NULL, NULL, &nf, &ni);
    }
    free(producer);
    free(ng);
    return nf;
}

int avmit_gexec_create(avmit_gexec **out, const avmit_graph *g, int max_batch, avmit_error *err) {
    *out = NULL;
    AVMIT_RETURN_IF(max_batch < 1, err, AVMIT_E_ARG, NULL, "batch", "batch size %d < 1", max_batch);
    avmit_gexec *ex = calloc(1, sizeof *ex);
    if (!ex) return AVMIT_NOMEM(err, "workspace");
    size_t nv = (size_t)g->n_values + 1, no = (size_t)g->n_ops + 1;
    ex->g = g;
    ex->max_batch = max_batch;
    ex->val = calloc(nv, sizeof *ex->val);
    ex->ld = calloc(nv, sizeof *ex->ld);
    ex->grad = calloc(nv, sizeof *ex->grad);
    ex->needs_grad = calloc(nv, 1);
    ex->producer = calloc(nv, sizeof *ex->producer);
    ex->ow = calloc(no, sizeof *ex->ow);
    size_t nf = 0, ni = 0;
    if (ex->val && ex->ld && ex->grad && ex->needs_grad && ex->producer && ex->ow) {
        analyse(g, ex->producer, ex->needs_grad);
        plan(g, ex->producer, ex->needs_grad, max_batch, NULL, NULL, NULL, &nf, &ni);
        ex->mem = calloc(nf + 1, sizeof(float));
        ex->imem = calloc(ni + 1, sizeof(int));
    }
    if (!ex->mem || !ex->imem) {
        avmit_gexec_free(ex);
        return AVMIT_NOMEM(err, "model workspace");
    }
    plan(g, ex->producer, ex->needs_grad, max_batch, ex, ex->mem, ex->imem, &nf, &ni);
    *out = ex;
    return 0;
}

void avmit_gexec_free(avmit_gexec *ex) {
    if (!ex) return;
    free(ex->val);
    free(ex->ld);
    free(ex->grad);
    free(ex->needs_grad);
    free(ex->producer);
    free(ex->ow);
    free(ex->mem);
    free(ex->imem);
    free(ex);
}

int avmit_gexec_max_batch(const avmit_gexec *ex) { return ex->max_batch; }

void avmit_gexec_bind(avmit_gexec *ex, int v, const float *x, size_t ld) {
    ex->val[v] = (float *)x; /* inputs are only read */
    ex->ld[v] = ld;
}

float *avmit_gexec_value(const avmit_gexec *ex, int v) { return ex->val[v]; }

/* Parameter j of op (its slice position) in block w or s. */
static const float *param(const avmit_graph *g, const avmit_gop *op, int j, const float *w, const float *s) {
    const avmit_gtensor *t = &g->tensors[op->param0 + j];
    return (t->block == AVMIT_GB_WEIGHTS ? w : s) + t->offset;
}

/* out[N, n_out] = x[:, :n_in] . K + b, all-zero rows of x skipped (they give b). */
static void dense_skip_forward(op_ws *o, float *out, const float *x, size_t ld, const float *K,
                               const float *b, int N, int n_in, int n_out) {
    int n_rows = 0;
    for (int n = 0; n < N; n++) {
        const float *r = x + (size_t)n * ld;
        int nz = 0;
        for (int d = 0; d < n_in && !nz; d++) nz = r[d] != 0.0f;
        if (!nz) continue;
        memcpy(o->xc + (size_t)n_rows * n_in, r, sizeof(float) * n_in);
        o->rows[n_rows++] = n;
    }
    o->n_rows = n_rows;
    if (n_rows == N) {
        avmit_dense_forward(out, o->xc, K, b, N, n_in, n_out, n_in);
        return;
    }
    for (int n = 0; n < N; n++) memcpy(out + (size_t)n * n_out, b, sizeof(float) * n_out);
    if (n_rows) avmit_dense_forward(o->pc, o->xc, K, b, n_rows, n_in, n_out, n_in);
    for (int i = 0; i < n_rows; i++)
        memcpy(out + (size_t)o->rows[i] * n_out, o->pc + (size_t)i * n_out, sizeof(float) * n_out);
}

static void fwd_op(avmit_gexec *ex, int i, const float *w, float *s, const float *mask) {
    const avmit_graph *g = ex->g;
    const avmit_gop *op = &g->ops[i];
    op_ws *o = &ex->ow[i];
    const int B = ex->B;
    if (op->kind == AVMIT_OP_INPUT) return;
    const int x0 = op->in[0];
    const float *x = ex->val[x0];
    float *y = ex->val[op->out];
    const int N = (int)rows_of(g, x0, B), C = (int)last_dim(&g->values[x0]);
    const int Co = (int)last_dim(&g->values[op->out]);
    switch (op->kind) {
    case AVMIT_OP_IDENTITY:
        ex->val[op->out] = ex->val[x0];
        ex->ld[op->out] = ex->ld[x0];
        break;
    case AVMIT_OP_DENSE:
        if (op->a.dense.skip_zero_rows)
            dense_skip_forward(o, y, x, ex->ld[x0], param(g, op, 0, w, s), param(g, op, 1, w, s), N, C, Co);
        else
            avmit_dense_forward(y, x, param(g, op, 0, w, s), param(g, op, 1, w, s), N, C, Co, (int)ex->ld[x0]);
        break;
    case AVMIT_OP_BATCHNORM: {
        const float *gamma = param(g, op, 0, w, s), *beta = param(g, op, 1, w, s);
        float *mm = (float *)param(g, op, 2, w, s), *mv = (float *)param(g, op, 3, w, s);
        if (ex->training) {
            avmit_batchnorm_forward_train(y, o->mean, o->var, x, gamma, beta, N, C, op->a.bn.eps);
            avmit_batchnorm_update_moving(mm, mv, o->mean, o->var, C, op->a.bn.momentum);
        } else {
            avmit_batchnorm_forward_infer(y, x, gamma, beta, mm, mv, N, C, op->a.bn.eps);
        }
        break;
    }
    case AVMIT_OP_ACT:
        avmit_act_forward(y, x, (size_t)N * C, (avmit_act)op->a.act);
        break;
    case AVMIT_OP_CONCAT: {
        int off = 0;
        for (int j = 0; j < op->n_in; j++) {
            const int v = op->in[j], Cj = (int)last_dim(&g->values[v]);
            for (int n = 0; n < N; n++)
                memcpy(y + (size_t)n * Co + off, ex->val[v] + (size_t)n * ex->ld[v], sizeof(float) * Cj);
            off += Cj;
        }
        break;
    }
    case AVMIT_OP_RNN: {
        const avmit_gvalue *in = &g->values[x0];
        o->has_mask = ex->training && mask;
        if (o->has_mask) memcpy(o->mask, mask, sizeof(float) * (size_t)B * C);
        avmit_rnn_forward((avmit_rnn_kind)op->a.rnn.kind, y, o->cache, x, o->has_mask ? o->mask : NULL,
                          param(g, op, 0, w, s), param(g, op, 1, w, s), param(g, op, 2, w, s), B,
                          (int)in->shape[0], C, op->a.rnn.units, o->work);
        break;
    }
    case AVMIT_OP_L2NORM:
        avmit_l2norm_forward(y, o->ss, x, N, C);
        break;
    case AVMIT_OP_EUCLID:
        avmit_euclid_forward(y, o->ss, x, ex->val[op->in[1]], N, C);
        break;
    case AVMIT_OP_SOFTMAX:
        avmit_softmax_forward(y, x, N, C);
        break;
    default:
        break;
    }
}

int avmit_gexec_forward(avmit_gexec *ex, const float *w, float *s, int B, int training,
                        const float *mask, const unsigned char *run) {
    if (B < 1 || B > ex->max_batch) return AVMIT_E_ARG;
    ex->B = B;
    ex->training = training;
    for (int i = 0; i < ex->g->n_ops; i++)
        if (!run || run[i]) fwd_op(ex, i, w, s, mask);
    return 0;
}

static void bwd_op(avmit_gexec *ex, int i, const float *w, const int *labels, float *grads) {
    const avmit_graph *g = ex->g;
    const avmit_gop *op = &g->ops[i];
    op_ws *o = &ex->ow[i];
    const int B = ex->B;
    if (op->kind == AVMIT_OP_INPUT || op->kind == AVMIT_OP_IDENTITY) return;
    const int x0 = op->in[0];
    const float *x = ex->val[x0], *dy = ex->grad[op->out];
    float *dx = ex->needs_grad[x0] ? ex->grad[x0] : NULL;
    const int N = (int)rows_of(g, x0, B), C = (int)last_dim(&g->values[x0]);
    const int Co = (int)last_dim(&g->values[op->out]);
#define GRAD(j) (grads + g->tensors[op->param0 + (j)].offset)
#define W(j) (w + g->tensors[op->param0 + (j)].offset)
    switch (op->kind) {
    case AVMIT_OP_SOFTMAX:
        if (g->loss == AVMIT_LOSS_BCE2) avmit_softmax_bce2_backward(dx, ex->val[op->out], labels, N);
        else avmit_softmax_ce_backward(dx, ex->val[op->out], labels, N, C);
        break;
    case AVMIT_OP_DENSE:
        if (op->a.dense.skip_zero_rows) {
            /* bias: every row; kernel: only the non-zero rows (the input is data) */
            float *db = GRAD(1);
            for (int n = 0; n < N; n++)
                for (int j = 0; j < Co; j++) db[j] += dy[(size_t)n * Co + j];
            const int nr = o->n_rows;
            if (nr) {
                const float *dsel = dy;
                if (nr != N) {
                    for (int r = 0; r < nr; r++)
                        memcpy(o->pc + (size_t)r * Co, dy + (size_t)o->rows[r] * Co, sizeof(float) * Co);
                    dsel = o->pc;
                }
                avmit_dense_backward(NULL, GRAD(0), NULL, dsel, o->xc, W(0), nr, C, Co, C);
            }
        } else {
            avmit_dense_backward(dx, GRAD(0), GRAD(1), dy, x, W(0), N, C, Co, (int)ex->ld[x0]);
        }
        break;
    case AVMIT_OP_BATCHNORM:
        avmit_batchnorm_backward(dx, GRAD(0), GRAD(1), dy, x, W(0), o->mean, o->var, N, C, op->a.bn.eps);
        break;
    case AVMIT_OP_ACT:
        if (dx) avmit_act_backward(dx, dy, x, (size_t)N * C, (avmit_act)op->a.act);
        break;
    case AVMIT_OP_CONCAT: {
        int off = 0;
        for (int j = 0; j < op->n_in; j++) {
            const int v = op->in[j], Cj = (int)last_dim(&g->values[v]);
            float *d = ex->needs_grad[v] ? ex->grad[v] : NULL;
            for (int n = 0; d && n < N; n++)
                for (int c = 0; c < Cj; c++) d[(size_t)n * Cj + c] += dy[(size_t)n * Co + off + c];
            off += Cj;
        }
        break;
    }
    case AVMIT_OP_RNN:
        avmit_rnn_backward((avmit_rnn_kind)op->a.rnn.kind, dx, GRAD(0), GRAD(1), GRAD(2), dy, o->cache, x,
                           o->has_mask ? o->mask : NULL, W(0), W(1), W(2), B, (int)g->values[x0].shape[0],
                           C, op->a.rnn.units, o->work);
        break;
    case AVMIT_OP_L2NORM:
        if (dx) avmit_l2norm_backward(dx, dy, x, o->ss, N, C);
        break;
    case AVMIT_OP_EUCLID: {
        const int x1 = op->in[1];
        avmit_euclid_backward(dx, ex->needs_grad[x1] ? ex->grad[x1] : NULL, dy, x, ex->val[x1],
                              ex->val[op->out], o->ss, N, C);
        break;
    }
    default:
        break;
    }
#undef GRAD
#undef W
}

void avmit_gexec_backward(avmit_gexec *ex, const float *w, const int *labels, float *grads) {
    const avmit_graph *g = ex->g;
    for (int v = 0; v < g->n_values; v++)
        if (ex->needs_grad[v] && owns_buffer(g, ex->producer, v))
            memset(ex->grad[v], 0, sizeof(float) * (size_t)ex->B * g->values[v].count);
    for (int i = g->n_ops - 1; i >= 0; i--) bwd_op(ex, i, w, labels, grads);
}

int avmit_graph_ancestors(const avmit_graph *g, int v, unsigned char *run, avmit_error *err) {
    unsigned char *mark = calloc((size_t)g->n_values + 1, 1);
    if (!mark) return AVMIT_NOMEM(err, "graph walk");
    mark[v] = 1;
    for (int i = g->n_ops - 1; i >= 0; i--) {
        const avmit_gop *op = &g->ops[i];
        run[i] = mark[op->out];
        for (int j = 0; run[i] && j < op->n_in; j++) mark[op->in[j]] = 1;
    }
    free(mark);
    return 0;
}

int avmit_graph_init_params(const avmit_graph *g, float *w, float *s, uint64_t seed,
                            int constants_only, avmit_error *err) {
    for (int i = 0; i < g->n_tensors; i++) {
        const avmit_gtensor *t = &g->tensors[i];
        float *d = (t->block == AVMIT_GB_WEIGHTS ? w : s) + t->offset;
        size_t cols = t->ndim ? (size_t)t->shape[t->ndim - 1] : 1, rows = t->count / cols;
        avmit_rng rng;
        avmit_rng_seed(&rng, seed, avmit_hash64(t->name));
        memset(d, 0, sizeof(float) * t->count);
        switch (constants_only && t->init != AVMIT_INIT_ONES ? AVMIT_INIT_ZEROS : t->init) {
        case AVMIT_INIT_ONES:
            for (size_t k = 0; k < t->count; k++) d[k] = 1.0f;
            break;
        case AVMIT_INIT_GLOROT:
            avmit_init_glorot_uniform(d, t->count, rows, cols, &rng);
            break;
        case AVMIT_INIT_ORTHOGONAL:
            if (avmit_init_orthogonal(d, rows, cols, &rng)) return AVMIT_NOMEM(err, t->name);
            break;
        case AVMIT_INIT_FORGET_BIAS: /* Keras unit_forget_bias: blocks [i|f|c|o] */
            for (size_t k = t->count / 4; k < t->count / 2; k++) d[k] = 1.0f;
            break;
        default:
            break;
        }
    }
    return 0;
}
