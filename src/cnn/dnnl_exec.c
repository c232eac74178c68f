/*
 * dnnl_exec.c — the one module that calls oneDNN (2.x C API, dnnl.h): executor
 * ops (cnn/cnn_int.h) -> primitives for one batch size ("plan") -> run.
 * A later oneDNN 3.x port (op descriptors folded into *_primitive_desc_create,
 * memory descriptors as handles) stays inside this file.
 *
 * Layouts: the input arrives NHWC ([n,h,w,c] floats) and is reordered once into
 * the layout the first convolution prefers; every convolution and pooling then
 * takes format_tag any for its destination, so activations stay in oneDNN's
 * blocked layout (nChw8c on AVX2, nChw16c on AVX-512) end to end; the elementwise
 * ops, batch norms, binaries and SE scale follow their input's layout. Reorders:
 * the input, the VGGish flatten (to NHWC, the order the fc1 weights expect) and
 * the output. Activations, residual sums are fused as post-ops (eltwise, sum).
 *
 * Weights: each parameter starts as the caller's array in its published
 * layout; the first plan reorders it into the layout its primitive wants and
 * frees the original (never two full copies); plans for other batch sizes share
 * that copy when the layout agrees and otherwise reorder their own.
 *
 * Threads: Debian's oneDNN uses OpenMP. create/run set the calling thread's
 * OpenMP thread count (omp_set_num_threads, a per-thread ICV) to the object's
 * budget for their duration and restore it afterwards.
 */
#include "cnn/cnn_int.h"

#include "core/error_int.h"

#include <dnnl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The two OpenMP runtime calls used (libgomp, which libdnnl itself links); declared
 * here so that no -fopenmp / omp.h is needed to compile. */
int omp_get_max_threads(void);
void omp_set_num_threads(int n);

#define MAX_ARGS 8
#define MAX_PLANS 4

typedef struct step {
    dnnl_primitive_t prim;
    int nargs;
    dnnl_exec_arg_t args[MAX_ARGS];
} step;

/* A parameter after the first plan: its memory descriptor and data. */
typedef struct wmaster {
    dnnl_memory_desc_t md;
    void *ptr;
    int init;  /* md valid (else ptr is the caller's array in the published layout) */
} wmaster;

typedef struct plan {
    int n;
    step *steps;
    int n_steps, cap_steps;
    dnnl_memory_t *mems;   /* every memory object, destroyed with the plan */
    int n_mems, cap_mems;
    void **bufs;           /* buffers the plan owns */
    int n_bufs, cap_bufs;
    dnnl_memory_t in_mem, out_mem; /* user-side: data handle set per run */
    size_t out_floats;
} plan;

/* What clones of one network share: the graph, the parameters and the weights in
 * oneDNN's layouts (written only while the first plan of the original is built;
 * read-only once a clone exists). Freed with the last handle. */
typedef struct cnn_shared {
    cnn_xnet x;
    wmaster *wm;          /* per op: [0] w, [1] w2 */
    dnnl_data_type_t dt;  /* activations / weights: f32 or bf16 */
    atomic_int refs;
    atomic_int ready;     /* every master is in oneDNN's layout (a plan was built) */
} cnn_shared;

/* One handle: its own engine, stream, plans and activation buffers. */
struct cnn_dnnl {
    cnn_shared *s;
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    int threads;
    plan plans[MAX_PLANS];
    int n_plans, next_evict;
};

static int dn_fail(avmit_error *err, dnnl_status_t st, const char *what, const char *layer) {
    int code = st == dnnl_out_of_memory ? AVMIT_E_NOMEM
             : st == dnnl_unimplemented ? AVMIT_E_UNSUPPORTED : AVMIT_E_FORMAT;
    return AVMIT_ERR(err, code, NULL, layer, "oneDNN %s failed (status %d)", what, (int)st);
}

#define DN(call, what)                                                      \
    do {                                                                    \
        dnnl_status_t st_ = (call);                                         \
        if (st_ != dnnl_success) return dn_fail(err, st_, what, op->layer); \
    } while (0)

/* ---- small growable tables ------------------------------------------------------- */
static int grow(void **p, int *cap, int n, size_t size, avmit_error *err) {
    if (n < *cap) return 0;
    int nc = *cap ? *cap * 2 : 32;
    void *q = realloc(*p, (size_t)nc * size);
    if (!q) return AVMIT_NOMEM(err, "oneDNN plan");
    *p = q;
    *cap = nc;
    return 0;
}

static void *plan_alloc(plan *p, size_t bytes, avmit_error *err) {
    if (grow((void **)&p->bufs, &p->cap_bufs, p->n_bufs, sizeof *p->bufs, err)) return NULL;
    void *b = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
    if (!b) { AVMIT_NOMEM(err, "CNN activations"); return NULL; }
    p->bufs[p->n_bufs++] = b;
    return b;
}

static int plan_mem(plan *p, const dnnl_memory_desc_t *md, dnnl_engine_t eng, void *ptr,
                    dnnl_memory_t *out, avmit_error *err) {
    if (grow((void **)&p->mems, &p->cap_mems, p->n_mems, sizeof *p->mems, err)) return AVMIT_E_NOMEM;
    dnnl_status_t st = dnnl_memory_create(out, md, eng, ptr ? ptr : DNNL_MEMORY_NONE);
    if (st != dnnl_success) return dn_fail(err, st, "memory_create", "");
    p->mems[p->n_mems++] = *out;
    return 0;
}

static int plan_step(plan *p, dnnl_primitive_t prim, int nargs, const dnnl_exec_arg_t *args,
                     avmit_error *err) {
    if (grow((void **)&p->steps, &p->cap_steps, p->n_steps, sizeof *p->steps, err)) {
        dnnl_primitive_destroy(prim);
        return AVMIT_E_NOMEM;
    }
    step *s = &p->steps[p->n_steps++];
    s->prim = prim;
    s->nargs = nargs;
    memcpy(s->args, args, (size_t)nargs * sizeof *args);
    return 0;
}

static void plan_free(plan *p) {
    for (int i = 0; i < p->n_steps; i++) dnnl_primitive_destroy(p->steps[i].prim);
    for (int i = 0; i < p->n_mems; i++) dnnl_memory_destroy(p->mems[i]);
    for (int i = 0; i < p->n_bufs; i++) free(p->bufs[i]);
    free(p->steps);
    free(p->mems);
    free(p->bufs);
    memset(p, 0, sizeof *p);
}

/* Create a primitive from pd (which is destroyed) and append it as a step. */
static int add_prim(plan *p, dnnl_primitive_desc_t pd, int nargs, const dnnl_exec_arg_t *args,
                    const char *layer, avmit_error *err) {
    dnnl_primitive_t prim;
    dnnl_status_t st = dnnl_primitive_create(&prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (st != dnnl_success) return dn_fail(err, st, "primitive_create", layer);
    return plan_step(p, prim, nargs, args, err);
}

/* Append a reorder src -> dst (both memories of this plan). */
static int add_reorder(plan *p, dnnl_engine_t eng, dnnl_memory_t src, const dnnl_memory_desc_t *smd,
                       dnnl_memory_t dst, const dnnl_memory_desc_t *dmd, const char *layer,
                       avmit_error *err) {
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_reorder_primitive_desc_create(&pd, smd, eng, dmd, eng, NULL);
    if (st != dnnl_success) return dn_fail(err, st, "reorder", layer);
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    return add_prim(p, pd, 2, a, layer, err);
}

/* Run a reorder now (weights, once per plan). */
static int reorder_now(cnn_dnnl *d, const dnnl_memory_desc_t *smd, void *sp,
                       const dnnl_memory_desc_t *dmd, void *dp, const char *layer,
                       avmit_error *err) {
    dnnl_memory_t s = NULL, t = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t prim = NULL;
    dnnl_status_t st = dnnl_memory_create(&s, smd, d->eng, sp);
    if (st == dnnl_success) st = dnnl_memory_create(&t, dmd, d->eng, dp);
    if (st == dnnl_success) st = dnnl_reorder_primitive_desc_create(&pd, smd, d->eng, dmd, d->eng, NULL);
    if (st == dnnl_success) st = dnnl_primitive_create(&prim, pd);
    if (st == dnnl_success) {
        dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, s}, {DNNL_ARG_TO, t}};
        st = dnnl_primitive_execute(prim, d->strm, 2, a);
        if (st == dnnl_success) st = dnnl_stream_wait(d->strm);
    }
    if (prim) dnnl_primitive_destroy(prim);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (s) dnnl_memory_destroy(s);
    if (t) dnnl_memory_destroy(t);
    return st == dnnl_success ? 0 : dn_fail(err, st, "weights reorder", layer);
}

/* ---- plan construction state ---------------------------------------------------------- */
typedef struct vstate {
    dnnl_memory_desc_t md;
    dnnl_memory_t mem;
    int ready;
    int buf;      /* activation buffer (pctx.bufs) holding it, or -1 */
    int last;     /* index of the last op reading it (-1: none; the output: n_ops) */
} vstate;

/* Activation buffers are shared by values whose lifetimes do not overlap: a value's
 * buffer returns to the free list once the op that reads it last has been planned
 * (ops run in plan order, so a later writer never overwrites a live value). */
typedef struct abuf {
    void *ptr;
    size_t size;
    int free;
} abuf;

typedef struct pctx {
    cnn_dnnl *d;
    plan *p;
    vstate *v;
    int n;
    avmit_error *err;
    abuf *bufs;
    int n_bufs, cap_bufs;
} pctx;

/* A free activation buffer of at least `bytes` (the smallest that fits), or a new one. */
static int abuf_get(pctx *c, size_t bytes, void **ptr) {
    int best = -1;
    for (int i = 0; i < c->n_bufs; i++)
        if (c->bufs[i].free && c->bufs[i].size >= bytes && (best < 0 || c->bufs[i].size < c->bufs[best].size))
            best = i;
    if (best < 0) {
        if (grow((void **)&c->bufs, &c->cap_bufs, c->n_bufs, sizeof *c->bufs, c->err)) return -1;
        void *b = plan_alloc(c->p, bytes, c->err);
        if (!b) return -1;
        best = c->n_bufs++;
        c->bufs[best] = (abuf){.ptr = b, .size = bytes, .free = 0};
    }
    c->bufs[best].free = 0;
    *ptr = c->bufs[best].ptr;
    return best;
}

static void md_tag(dnnl_memory_desc_t *md, int ndims, const dnnl_dims_t dims, dnnl_data_type_t dt,
                   dnnl_format_tag_t tag) {
    dnnl_memory_desc_init_by_tag(md, ndims, dims, dt, tag);
}

/* The 4-D (or 2-D for vectors) dims of value id for this batch. */
static int vdims(const pctx *c, int id, dnnl_dim_t *dims) {
    const cnn_xval *v = &c->d->s->x.vals[id];
    dims[0] = c->n;
    if (v->vec) { dims[1] = v->c; return 2; }
    dims[1] = v->c, dims[2] = v->h, dims[3] = v->w;
    return 4;
}

/* Give value `id` memory with descriptor md (allocated by the plan). */
static int set_value(pctx *c, int id, const dnnl_memory_desc_t *md) {
    vstate *v = &c->v[id];
    v->md = *md;
    void *buf = NULL;
    v->buf = abuf_get(c, dnnl_memory_desc_get_size(md), &buf);
    if (v->buf < 0) return AVMIT_E_NOMEM;
    int rc = plan_mem(c->p, md, c->d->eng, buf, &v->mem, c->err);
    if (!rc) v->ready = 1;
    return rc;
}

/* Memory holding value id in descriptor want: the value itself, or a reordered copy. */
static int as_md(pctx *c, int id, const dnnl_memory_desc_t *want, dnnl_memory_t *out,
                 const char *layer) {
    vstate *v = &c->v[id];
    if (dnnl_memory_desc_equal(&v->md, want)) { *out = v->mem; return 0; }
    void *buf = plan_alloc(c->p, dnnl_memory_desc_get_size(want), c->err);
    if (!buf) return AVMIT_E_NOMEM;
    int rc = plan_mem(c->p, want, c->d->eng, buf, out, c->err);
    if (!rc) rc = add_reorder(c->p, c->d->eng, v->mem, &v->md, *out, want, layer, c->err);
    return rc;
}

/* Memory of parameter slot (w or w2) of op i in the layout `want`; first plan
 * reorders the caller's array (user_md) and frees it. */
static int weight_mem(pctx *c, int i, int slot, const dnnl_memory_desc_t *user_md,
                      const dnnl_memory_desc_t *want, dnnl_memory_t *out) {
    cnn_dnnl *d = c->d;
    cnn_xop *op = &d->s->x.ops[i];
    wmaster *m = &d->s->wm[2 * i + slot];
    float **user = slot ? &op->w2 : &op->w;
    if (!m->init) {
        if (dnnl_memory_desc_equal(user_md, want)) {
            m->md = *user_md, m->ptr = *user;
        } else {
            void *buf = aligned_alloc(64, (dnnl_memory_desc_get_size(want) + 63) / 64 * 64);
            if (!buf) return AVMIT_NOMEM(c->err, "CNN weights");
            int rc = reorder_now(d, user_md, *user, want, buf, op->layer, c->err);
            if (rc) { free(buf); return rc; }
            free(*user);
            m->md = *want, m->ptr = buf;
        }
        *user = NULL;
        m->init = 1;
    }
    void *ptr = m->ptr;
    if (!dnnl_memory_desc_equal(&m->md, want)) {
        ptr = plan_alloc(c->p, dnnl_memory_desc_get_size(want), c->err);
        if (!ptr) return AVMIT_E_NOMEM;
        int rc = reorder_now(d, &m->md, m->ptr, want, ptr, op->layer, c->err);
        if (rc) return rc;
    }
    return plan_mem(c->p, want, d->eng, ptr, out, c->err);
}

/* A plain f32 1-D parameter (bias, BN statistics): never reordered. */
static int vec_mem(pctx *c, float *data, int len, dnnl_memory_t *out) {
    dnnl_memory_desc_t md;
    dnnl_dims_t dims = {len};
    md_tag(&md, 1, dims, dnnl_f32, dnnl_a);
    return plan_mem(c->p, &md, c->d->eng, data, out, c->err);
}

static int eltwise_alg(int act, dnnl_alg_kind_t *alg, float *alpha) {
    *alpha = 0.f;
    if (act == AVMIT_GACT_RELU) *alg = dnnl_eltwise_relu;
    else if (act == AVMIT_GACT_SWISH) *alg = dnnl_eltwise_swish, *alpha = 1.f;
    else if (act == AVMIT_GACT_SIGMOID) *alg = dnnl_eltwise_logistic;
    else return 0;
    return 1;
}

/* Attribute with the fused activation (and a residual sum before it: TF adds the
 * residual after the BN, and no activation follows an add in these graphs). */
static dnnl_primitive_attr_t make_attr(int act, int sum) {
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_attr_create(&attr);
    dnnl_post_ops_create(&po);
    dnnl_alg_kind_t alg;
    float alpha;
    if (sum) dnnl_post_ops_append_sum(po, 1.f);
    if (eltwise_alg(act, &alg, &alpha)) dnnl_post_ops_append_eltwise(po, 1.f, alg, alpha, 0.f);
    dnnl_primitive_attr_set_post_ops(attr, po);
    dnnl_post_ops_destroy(po);
    return attr;
}

/* ---- one op -> steps ----------------------------------------------------------------------- */
static int build_conv(pctx *c, int i) {
    cnn_dnnl *d = c->d;
    const cnn_xop *op = &d->s->x.ops[i];
    avmit_error *err = c->err;
    int dw = op->kind == CX_DWCONV;
    const cnn_xval *vi = &d->s->x.vals[op->in], *vo = &d->s->x.vals[op->out];
    dnnl_dims_t sd = {c->n, vi->c, vi->h, vi->w}, od = {c->n, vo->c, vo->h, vo->w};
    dnnl_memory_desc_t smd, wmd, bmd, dmd, wuser;
    md_tag(&smd, 4, sd, d->s->dt, dnnl_format_tag_any);
    md_tag(&dmd, 4, od, d->s->dt, dnnl_format_tag_any);
    if (dw) {
        dnnl_dims_t wd = {vi->c, 1, 1, op->kh, op->kw};
        md_tag(&wmd, 5, wd, d->s->dt, dnnl_format_tag_any);
        md_tag(&wuser, 5, wd, dnnl_f32, dnnl_hwigo);
    } else {
        dnnl_dims_t wd = {op->c_out, vi->c, op->kh, op->kw};
        md_tag(&wmd, 4, wd, d->s->dt, dnnl_format_tag_any);
        md_tag(&wuser, 4, wd, dnnl_f32, dnnl_hwio);
    }
    dnnl_dims_t bd = {op->c_out};
    md_tag(&bmd, 1, bd, dnnl_f32, dnnl_a);
    dnnl_dims_t strides = {op->sh, op->sw}, pl = {op->pt, op->pl}, pr = {op->pb, op->pr};
    /* With a fused residual the destination must be the residual's layout. */
    if (op->in2 >= 0) dmd = c->v[op->in2].md;
    dnnl_convolution_desc_t cd;
    DN(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
                                          &smd, &wmd, op->b ? &bmd : NULL, &dmd, strides, pl, pr),
       "convolution descriptor");
    dnnl_primitive_attr_t attr = make_attr(op->act, op->in2 >= 0);
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &cd, attr, d->eng, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success) return dn_fail(err, st, "convolution", op->layer);
    const dnnl_memory_desc_t *psrc = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *pw = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *pdst = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    dnnl_memory_t src, w, b = NULL;
    int rc = as_md(c, op->in, psrc, &src, op->layer);
    if (!rc) rc = weight_mem(c, i, 0, &wuser, pw, &w);
    if (!rc && op->b) rc = vec_mem(c, op->b, op->c_out, &b);
    if (!rc) rc = set_value(c, op->out, pdst);
    if (!rc && op->in2 >= 0) {
        /* the sum post-op adds what dst holds: copy the residual in first */
        rc = add_reorder(c->p, d->eng, c->v[op->in2].mem, &c->v[op->in2].md, c->v[op->out].mem,
                         pdst, op->layer, err);
    }
    if (rc) { dnnl_primitive_desc_destroy(pd); return rc; }
    dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, c->v[op->out].mem},
                            {DNNL_ARG_BIAS, b}};
    return add_prim(c->p, pd, b ? 4 : 3, a, op->layer, err);
}

/* Inner product: src a vector value or [N, C] view; weights [in,out] (dims {out,in}, tag ba). */
static int ip(pctx *c, int i, int slot, dnnl_memory_t src, const dnnl_memory_desc_t *smd, int c_in,
              int c_out, float *bias, int act, int out_id, dnnl_memory_t *out_mem) {
    cnn_dnnl *d = c->d;
    const cnn_xop *op = &d->s->x.ops[i];
    avmit_error *err = c->err;
    dnnl_dims_t wd = {c_out, c_in}, bd = {c_out}, od = {c->n, c_out};
    dnnl_memory_desc_t wmd, wuser, bmd, dmd;
    md_tag(&wmd, 2, wd, d->s->dt, dnnl_format_tag_any);
    md_tag(&wuser, 2, wd, dnnl_f32, dnnl_ba);
    md_tag(&bmd, 1, bd, dnnl_f32, dnnl_a);
    md_tag(&dmd, 2, od, d->s->dt, dnnl_nc);
    dnnl_inner_product_desc_t ipd;
    DN(dnnl_inner_product_forward_desc_init(&ipd, dnnl_forward_inference, smd, &wmd, &bmd, &dmd),
       "inner product descriptor");
    dnnl_primitive_attr_t attr = make_attr(act, 0);
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &ipd, attr, d->eng, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success) return dn_fail(err, st, "inner product", op->layer);
    const dnnl_memory_desc_t *pw = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    dnnl_memory_t w, b, dst;
    int rc = weight_mem(c, i, slot, &wuser, pw, &w);
    if (!rc) rc = vec_mem(c, bias, c_out, &b);
    if (!rc && out_id >= 0) { rc = set_value(c, out_id, &dmd); dst = c->v[out_id].mem; }
    else if (!rc) {
        void *buf = plan_alloc(c->p, dnnl_memory_desc_get_size(&dmd), err);
        rc = buf ? plan_mem(c->p, &dmd, d->eng, buf, &dst, err) : AVMIT_E_NOMEM;
    }
    if (rc) { dnnl_primitive_desc_destroy(pd); return rc; }
    if (out_mem) *out_mem = dst;
    dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, dst}};
    return add_prim(c->p, pd, 4, a, op->layer, err);
}

/* Pooling: max (kernel, stride, pads) or average over the whole grid (GAP). */
static int pool(pctx *c, const cnn_xop *op, int in, int gap, dnnl_format_tag_t dst_tag,
                dnnl_memory_t *dst_out, dnnl_memory_desc_t *dst_md_out, int *abuf_out) {
    cnn_dnnl *d = c->d;
    avmit_error *err = c->err;
    const cnn_xval *vi = &d->s->x.vals[in];
    int oh = gap ? 1 : d->s->x.vals[op->out].h, ow = gap ? 1 : d->s->x.vals[op->out].w;
    dnnl_dims_t od = {c->n, vi->c, oh, ow};
    dnnl_dims_t k = {gap ? vi->h : op->kh, gap ? vi->w : op->kw};
    dnnl_dims_t s = {gap ? 1 : op->sh, gap ? 1 : op->sw};
    dnnl_dims_t pl = {gap ? 0 : op->pt, gap ? 0 : op->pl}, pr = {gap ? 0 : op->pb, gap ? 0 : op->pr};
    dnnl_memory_desc_t dmd;
    md_tag(&dmd, 4, od, d->s->dt, dst_tag);
    dnnl_pooling_desc_t pdsc;
    DN(dnnl_pooling_forward_desc_init(&pdsc, dnnl_forward_inference,
                                      gap ? dnnl_pooling_avg_exclude_padding : dnnl_pooling_max,
                                      &c->v[in].md, &dmd, s, k, pl, pr),
       "pooling descriptor");
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &pdsc, NULL, d->eng, NULL);
    if (st != dnnl_success) return dn_fail(err, st, "pooling", op->layer);
    *dst_md_out = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    void *buf = NULL;
    size_t bytes = dnnl_memory_desc_get_size(dst_md_out);
    if (abuf_out) *abuf_out = abuf_get(c, bytes, &buf);
    else buf = plan_alloc(c->p, bytes, err);
    int rc = buf ? plan_mem(c->p, dst_md_out, d->eng, buf, dst_out, err) : AVMIT_E_NOMEM;
    if (rc) { dnnl_primitive_desc_destroy(pd); return rc; }
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_SRC, c->v[in].mem}, {DNNL_ARG_DST, *dst_out}};
    return add_prim(c->p, pd, 2, a, op->layer, err);
}

/* Elementwise activation or binary op (add / mul with broadcast src1) in src0's layout. */
static int eltwise(pctx *c, const cnn_xop *op, int act, dnnl_memory_t src, const dnnl_memory_desc_t *md,
                   dnnl_memory_t dst) {
    avmit_error *err = c->err;
    dnnl_alg_kind_t alg;
    float alpha;
    if (!eltwise_alg(act, &alg, &alpha))
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, op->layer, "unknown activation %d", act);
    dnnl_eltwise_desc_t ed;
    DN(dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference, alg, md, alpha, 0.f), "eltwise descriptor");
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &ed, NULL, c->d->eng, NULL);
    if (st != dnnl_success) return dn_fail(err, st, "eltwise", op->layer);
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    return add_prim(c->p, pd, 2, a, op->layer, err);
}

static int binary(pctx *c, const cnn_xop *op, dnnl_alg_kind_t alg, dnnl_memory_t s0,
                  const dnnl_memory_desc_t *md0, dnnl_memory_t s1, const dnnl_memory_desc_t *md1,
                  dnnl_memory_t dst) {
    avmit_error *err = c->err;
    dnnl_binary_desc_t bd;
    DN(dnnl_binary_desc_init(&bd, alg, md0, md1, md0), "binary descriptor");
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &bd, NULL, c->d->eng, NULL);
    if (st != dnnl_success) return dn_fail(err, st, "binary", op->layer);
    dnnl_exec_arg_t a[3] = {{DNNL_ARG_SRC_0, s0}, {DNNL_ARG_SRC_1, s1}, {DNNL_ARG_DST, dst}};
    return add_prim(c->p, pd, 3, a, op->layer, err);
}

static int build_bn(pctx *c, int i) {
    cnn_dnnl *d = c->d;
    const cnn_xop *op = &d->s->x.ops[i];
    avmit_error *err = c->err;
    const dnnl_memory_desc_t *md = &c->v[op->in].md;
    dnnl_batch_normalization_desc_t bd;
    unsigned flags = dnnl_use_global_stats | dnnl_use_shift | (op->gamma ? dnnl_use_scale : 0);
    DN(dnnl_batch_normalization_forward_desc_init(&bd, dnnl_forward_inference, md, op->eps, flags),
       "batch norm descriptor");
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &bd, NULL, d->eng, NULL);
    if (st != dnnl_success) return dn_fail(err, st, "batch norm", op->layer);
    dnnl_memory_t mean, var, beta, gamma = NULL;
    int rc = vec_mem(c, op->mean, op->c_out, &mean);
    if (!rc) rc = vec_mem(c, op->var, op->c_out, &var);
    if (!rc) rc = vec_mem(c, op->beta, op->c_out, &beta);
    if (!rc && op->gamma) rc = vec_mem(c, op->gamma, op->c_out, &gamma);
    if (!rc) rc = set_value(c, op->out, md);
    if (rc) { dnnl_primitive_desc_destroy(pd); return rc; }
    dnnl_exec_arg_t a[6] = {{DNNL_ARG_SRC, c->v[op->in].mem}, {DNNL_ARG_DST, c->v[op->out].mem},
                            {DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, var},
                            {DNNL_ARG_SHIFT, beta}, {DNNL_ARG_SCALE, gamma}};
    return add_prim(c->p, pd, gamma ? 6 : 5, a, op->layer, err);
}

/* One fully connected layer of the squeeze-excite as a 1x1 convolution on [N,C,1,1]
 * (weights HWIO [1,1,c_in,c_out]); the convolution kernels never split the
 * reduction across threads, so the result does not depend on the thread count
 * (a small-M inner product's GEMM may). */
static int se_fc(pctx *c, int i, int slot, dnnl_memory_t src, const dnnl_memory_desc_t *smd,
                 int c_in, int c_out, float *bias, int act, dnnl_memory_t *dst,
                 dnnl_memory_desc_t *dmd_out) {
    cnn_dnnl *d = c->d;
    const cnn_xop *op = &d->s->x.ops[i];
    avmit_error *err = c->err;
    dnnl_dims_t wd = {c_out, c_in, 1, 1}, bd = {c_out}, od = {c->n, c_out, 1, 1};
    dnnl_dims_t one = {1, 1}, zero = {0, 0};
    dnnl_memory_desc_t wmd, wuser, bmd, dmd;
    md_tag(&wmd, 4, wd, d->s->dt, dnnl_format_tag_any);
    md_tag(&wuser, 4, wd, dnnl_f32, dnnl_hwio);
    md_tag(&bmd, 1, bd, dnnl_f32, dnnl_a);
    md_tag(&dmd, 4, od, d->s->dt, dnnl_format_tag_any);
    dnnl_convolution_desc_t cd;
    DN(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
                                          smd, &wmd, &bmd, &dmd, one, zero, zero),
       "squeeze-excite descriptor");
    dnnl_primitive_attr_t attr = make_attr(act, 0);
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_primitive_desc_create(&pd, &cd, attr, d->eng, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success) return dn_fail(err, st, "squeeze-excite convolution", op->layer);
    const dnnl_memory_desc_t *pw = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    *dmd_out = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    dnnl_memory_t w, b;
    int rc = weight_mem(c, i, slot, &wuser, pw, &w);
    if (!rc) rc = vec_mem(c, bias, c_out, &b);
    void *buf = rc ? NULL : plan_alloc(c->p, dnnl_memory_desc_get_size(dmd_out), err);
    if (!rc) rc = buf ? plan_mem(c->p, dmd_out, d->eng, buf, dst, err) : AVMIT_E_NOMEM;
    if (rc) { dnnl_primitive_desc_destroy(pd); return rc; }
    dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, *dst}};
    return add_prim(c->p, pd, 4, a, op->layer, err);
}

/* Squeeze-excite: GAP -> 1x1 conv + swish -> 1x1 conv + sigmoid -> x * s (broadcast). */
static int build_se(pctx *c, int i) {
    cnn_dnnl *d = c->d;
    const cnn_xop *op = &d->s->x.ops[i];
    const cnn_xval *vi = &d->s->x.vals[op->in];
    dnnl_memory_t g, s1, s2, src;
    dnnl_memory_desc_t gmd, s1md, s2md, want;
    (void)vi;
    int rc = pool(c, op, op->in, 1, dnnl_format_tag_any, &g, &gmd, NULL);
    if (!rc) rc = se_fc(c, i, 0, g, &gmd, vi->c, op->sq, op->b, AVMIT_GACT_SWISH, &s1, &s1md);
    if (!rc) rc = se_fc(c, i, 1, s1, &s1md, op->sq, vi->c, op->b2, AVMIT_GACT_SIGMOID, &s2, &s2md);
    if (rc) return rc;
    /* the scale [N,C,1,1] in the layout the 1x1 convolution chose: the blocked layout
     * of the activation, which the optimised binary kernel needs (a plain nchw src1
     * against a blocked src0 falls back to the reference kernel, ~30x slower) */
    want = s2md;
    src = s2;
    if ((rc = set_value(c, op->out, &c->v[op->in].md))) return rc;
    return binary(c, op, dnnl_binary_mul, c->v[op->in].mem, &c->v[op->in].md, src, &want,
                  c->v[op->out].mem);
}

static int build_op(pctx *c, int i) {
    cnn_dnnl *d = c->d;
    const cnn_xop *op = &d->s->x.ops[i];
    int rc;
    switch (op->kind) {
    case CX_CONV:
    case CX_DWCONV: return build_conv(c, i);
    case CX_DENSE: {
        dnnl_dims_t dims = {0};
        vdims(c, op->in, dims);
        dnnl_memory_desc_t smd;
        md_tag(&smd, 2, dims, d->s->dt, dnnl_nc);
        dnnl_memory_t src;
        if ((rc = as_md(c, op->in, &smd, &src, op->layer))) return rc;
        return ip(c, i, 0, src, &smd, op->c_in, op->c_out, op->b, op->act, op->out, NULL);
    }
    case CX_MAXPOOL:
    case CX_GAP: {
        dnnl_memory_t m;
        dnnl_memory_desc_t md;
        if ((rc = pool(c, op, op->in, op->kind == CX_GAP, dnnl_format_tag_any, &m, &md,
                       &c->v[op->out].buf)))
            return rc;
        c->v[op->out].md = md, c->v[op->out].mem = m, c->v[op->out].ready = 1;
        return 0;
    }
    case CX_FLATTEN: {
        /* NHWC order = the order of VGGish's fc1 weight rows (h, w, c) */
        const cnn_xval *vi = &d->s->x.vals[op->in];
        dnnl_dims_t dims = {c->n, vi->c, vi->h, vi->w}, fd = {c->n, (dnnl_dim_t)vi->c * vi->h * vi->w};
        dnnl_memory_desc_t nhwc, flat;
        md_tag(&nhwc, 4, dims, d->s->dt, dnnl_nhwc);
        md_tag(&flat, 2, fd, d->s->dt, dnnl_nc);
        dnnl_memory_t m;
        if ((rc = as_md(c, op->in, &nhwc, &m, op->layer))) return rc;
        if (m == c->v[op->in].mem) { /* a view of the input: its buffer now lives as long as the output */
            c->v[op->out].buf = c->v[op->in].buf;
            c->v[op->in].buf = -1;
        }
        void *ptr = NULL;
        dnnl_memory_get_data_handle(m, &ptr);
        c->v[op->out].md = flat, c->v[op->out].ready = 1;
        return plan_mem(c->p, &flat, d->eng, ptr, &c->v[op->out].mem, c->err);
    }
    case CX_BN: return build_bn(c, i);
    case CX_ACT:
        if ((rc = set_value(c, op->out, &c->v[op->in].md))) return rc;
        return eltwise(c, op, op->act, c->v[op->in].mem, &c->v[op->in].md, c->v[op->out].mem);
    case CX_ADD: {
        dnnl_memory_t s1;
        if ((rc = as_md(c, op->in2, &c->v[op->in].md, &s1, op->layer))) return rc;
        if ((rc = set_value(c, op->out, &c->v[op->in].md))) return rc;
        return binary(c, op, dnnl_binary_add, c->v[op->in].mem, &c->v[op->in].md, s1,
                      &c->v[op->in].md, c->v[op->out].mem);
    }
    case CX_SE: return build_se(c, i);
    }
    return AVMIT_ERR(c->err, AVMIT_E_ARG, NULL, op->layer, "unknown executor op %d", (int)op->kind);
}

/* Build the plan for batch n: input reorder, every op, output reorder. */
static int build_plan(cnn_dnnl *d, plan *p, int n, avmit_error *err) {
    memset(p, 0, sizeof *p);
    p->n = n;
    vstate *v = calloc((size_t)d->s->x.n_vals, sizeof *v);
    if (!v) return AVMIT_NOMEM(err, "oneDNN plan");
    pctx c = {.d = d, .p = p, .v = v, .n = n, .err = err};
    int rc = 0;
    for (int i = 0; i < d->s->x.n_vals; i++) v[i].buf = v[i].last = -1;
    for (int i = 0; i < d->s->x.n_ops; i++) {
        v[d->s->x.ops[i].in].last = i;
        if (d->s->x.ops[i].in2 >= 0) v[d->s->x.ops[i].in2].last = i;
    }
    v[d->s->x.output].last = d->s->x.n_ops;
    /* input: user NHWC f32 -> a value in the compute type (still NHWC; the first
     * convolution reorders it into its preferred layout) */
    {
        const cnn_xval *vi = &d->s->x.vals[d->s->x.input];
        dnnl_dims_t dims = {n, vi->c, vi->h, vi->w};
        dnnl_memory_desc_t umd, imd;
        md_tag(&umd, 4, dims, dnnl_f32, dnnl_nhwc);
        md_tag(&imd, 4, dims, d->s->dt, dnnl_nhwc);
        rc = plan_mem(p, &umd, d->eng, NULL, &p->in_mem, err);
        if (!rc && d->s->dt == dnnl_f32) {
            v[d->s->x.input].md = umd, v[d->s->x.input].mem = p->in_mem, v[d->s->x.input].ready = 1;
        } else if (!rc) {
            rc = set_value(&c, d->s->x.input, &imd);
            if (!rc) rc = add_reorder(p, d->eng, p->in_mem, &umd, v[d->s->x.input].mem, &imd, "input", err);
        }
    }
    for (int i = 0; !rc && i < d->s->x.n_ops; i++) {
        rc = build_op(&c, i);
        const int ins[2] = {d->s->x.ops[i].in, d->s->x.ops[i].in2};
        for (int k = 0; !rc && k < 2; k++)
            if (ins[k] >= 0 && v[ins[k]].last == i && v[ins[k]].buf >= 0) c.bufs[v[ins[k]].buf].free = 1;
    }
    if (!rc) {
        int o = d->s->x.output;
        /* [N,D] or, after a global average pool, [N,D,1,1]: the same floats */
        int nd = v[o].md.ndims;
        dnnl_dims_t dims = {n, d->s->x.vals[o].c, 1, 1};
        dnnl_memory_desc_t omd;
        md_tag(&omd, nd, dims, dnnl_f32, nd == 4 ? dnnl_nchw : dnnl_nc);
        p->out_floats = (size_t)n * (size_t)d->s->x.vals[o].c;
        rc = plan_mem(p, &omd, d->eng, NULL, &p->out_mem, err);
        if (!rc) rc = add_reorder(p, d->eng, v[o].mem, &v[o].md, p->out_mem, &omd, "output", err);
    }
    free(v);
    free(c.bufs);
    if (rc) plan_free(p);
    else atomic_store(&d->s->ready, 1);
    return rc;
}

/* ---- public (internal) API ----------------------------------------------------------------- */
int cnn_dnnl_bf16_available(const char **why) {
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    if ((isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16) { if (why) *why = NULL; return 1; }
    if (why) *why = "this CPU has neither AMX nor AVX512_BF16: bf16 was requested, fp32 runs";
    return 0;
}

const char *cnn_dnnl_isa(void) {
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    default: return "other";
    }
}

void cnn_dnnl_version(int *major, int *minor, int *patch) {
    const dnnl_version_t *v = dnnl_version();
    *major = v->major, *minor = v->minor, *patch = v->patch;
}

static int handle_new(cnn_dnnl **out, cnn_shared *sh, int threads, avmit_error *err) {
    cnn_dnnl *d = calloc(1, sizeof *d);
    if (!d) return AVMIT_NOMEM(err, "CNN engine");
    d->s = sh;
    d->threads = threads > 0 ? threads : 1;
    dnnl_status_t st = dnnl_engine_create(&d->eng, dnnl_cpu, 0);
    if (st == dnnl_success) st = dnnl_stream_create(&d->strm, d->eng, dnnl_stream_default_flags);
    if (st != dnnl_success) {
        if (d->eng) dnnl_engine_destroy(d->eng);
        free(d);
        return dn_fail(err, st, "engine/stream", "");
    }
    *out = d;
    return 0;
}

static void shared_release(cnn_shared *sh) {
    if (!sh || atomic_fetch_sub(&sh->refs, 1) != 1) return;
    if (sh->wm) {
        for (int i = 0; i < 2 * sh->x.n_ops; i++) {
            const cnn_xop *op = &sh->x.ops[i / 2];
            /* a master that is the caller's array is freed by cnn_xnet_free below */
            if (sh->wm[i].init && sh->wm[i].ptr != (i % 2 ? (void *)op->w2 : (void *)op->w))
                free(sh->wm[i].ptr);
        }
    }
    free(sh->wm);
    cnn_xnet_free(&sh->x);
    free(sh);
}

int cnn_dnnl_create(cnn_dnnl **out, cnn_xnet *x, int bf16, int threads, const char **why,
                    avmit_error *err) {
    *out = NULL;
    if (bf16 && !cnn_dnnl_bf16_available(why))
        return AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, NULL, "", "%s", *why);
    cnn_shared *sh = calloc(1, sizeof *sh);
    if (!sh) return AVMIT_NOMEM(err, "CNN engine");
    sh->wm = calloc((size_t)(x->n_ops > 0 ? x->n_ops : 1) * 2, sizeof *sh->wm);
    if (!sh->wm) { free(sh); return AVMIT_NOMEM(err, "CNN engine"); }
    sh->x = *x;
    memset(x, 0, sizeof *x);
    sh->dt = bf16 ? dnnl_bf16 : dnnl_f32;
    atomic_init(&sh->refs, 1);
    atomic_init(&sh->ready, 0);
    int rc = handle_new(out, sh, threads, err);
    if (rc) shared_release(sh);
    return rc;
}

int cnn_dnnl_clone(cnn_dnnl **out, cnn_dnnl *d, int threads, avmit_error *err) {
    *out = NULL;
    if (!atomic_load(&d->s->ready)) {
        /* The first plan puts every weight into oneDNN's layout (the shared masters);
         * a throw-away plan does it here, for a batch of 4: a plan whose layout differs
         * from the master's reorders a private copy, and oneDNN's GEMM picks the same
         * inner-product weight layout for every batch of 3 or more (at 1-2 rows it
         * wants the transpose), so the usual batches share the one copy (VGGish's fc1
         * is 201 MB). */
        plan p;
        int rc = build_plan(d, &p, 4, err);
        if (rc) return rc;
        plan_free(&p);
    }
    atomic_fetch_add(&d->s->refs, 1);
    int rc = handle_new(out, d->s, threads, err);
    if (rc) shared_release(d->s);
    return rc;
}

int cnn_dnnl_run(cnn_dnnl *d, const float *in, int n, float *out, avmit_error *err) {
    int prev = omp_get_max_threads();
    omp_set_num_threads(d->threads);
    plan *p = NULL;
    int rc = 0;
    for (int i = 0; i < d->n_plans; i++)
        if (d->plans[i].n == n) p = &d->plans[i];
    if (!p) {
        int slot = d->n_plans < MAX_PLANS ? d->n_plans++ : d->next_evict++ % MAX_PLANS;
        if (d->plans[slot].n) plan_free(&d->plans[slot]);
        p = &d->plans[slot];
        rc = build_plan(d, p, n, err);
        if (rc && slot == d->n_plans - 1) d->n_plans--;
    }
    dnnl_status_t st = dnnl_success;
    if (!rc) {
        dnnl_memory_set_data_handle(p->in_mem, (void *)in);
        dnnl_memory_set_data_handle(p->out_mem, out);
        for (int i = 0; st == dnnl_success && i < p->n_steps; i++)
            st = dnnl_primitive_execute(p->steps[i].prim, d->strm, p->steps[i].nargs, p->steps[i].args);
        if (st == dnnl_success) st = dnnl_stream_wait(d->strm);
        if (st != dnnl_success) rc = dn_fail(err, st, "execute", "");
    }
    omp_set_num_threads(prev);
    return rc;
}

void cnn_dnnl_free(cnn_dnnl *d) {
    if (!d) return;
    for (int i = 0; i < d->n_plans; i++) plan_free(&d->plans[i]);
    shared_release(d->s);
    if (d->strm) dnnl_stream_destroy(d->strm);
    if (d->eng) dnnl_engine_destroy(d->eng);
    free(d);
}
