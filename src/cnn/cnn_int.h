/*
 * cnn/cnn_int.h — internals of the CNN engine (issue 13), shared by
 *   cnn_graphs.c  builders: the four networks as graphs (graph/graph.h)
 *   cnn.c         public API: load weights, bind them to the graph, lower the
 *                 graph to executor ops (BN folding, activation / residual fusion)
 *   dnnl_exec.c   the ONLY file that includes dnnl.h: compiles executor ops into
 *                 oneDNN primitives for a batch size and runs them
 *
 * Executor ops ("xops") are the graph after lowering: a conv carries its fused
 * activation and residual; a batch norm left unfolded is its own op. Shapes
 * are per example, NHWC at the API boundary; inside oneDNN every activation
 * keeps the layout the producing primitive chose (format_tag any), reorders
 * happen only at the input, the VGGish flatten and the output.
 */
#ifndef AVMIT_CNN_CNN_INT_H
#define AVMIT_CNN_CNN_INT_H

#include <stddef.h>

#include "avmit/cnn.h"
#include "avmit/error.h"
#include "graph/graph.h"

/* Build the graph of `kind` (tensors unbound). variant: what the EfficientNet
 * input already has (FEATURES §9.1). 0 or AVMIT_E_*; g is empty on error. */
int cnn_build_graph(avmit_graph *g, avmit_cnn_kind kind, avmit_effnet_variant variant,
                    avmit_error *err);

typedef enum cnn_xkind {
    CX_CONV = 0, /* w HWIO [kh,kw,c_in,c_out], b [c_out] or NULL; act; sum_in */
    CX_DWCONV,   /* w [kh,kw,C,1], b or NULL; act; sum_in */
    CX_DENSE,    /* w [c_in,c_out], b [c_out]; act; input a vector */
    CX_MAXPOOL,  /* kh..sw, pads */
    CX_GAP,      /* mean over H, W -> [1,1,C] */
    CX_FLATTEN,  /* [H,W,C] -> vector of H*W*C in NHWC order */
    CX_BN,       /* unfolded BN: gamma (or NULL), beta, mean, var, eps */
    CX_ACT,      /* standalone activation */
    CX_ADD,      /* standalone residual add: out = in + in2 */
    CX_SE        /* squeeze-excite: w [C,sq], b [sq] (swish); w2 [sq,C], b2 [C] (sigmoid); scale */
} cnn_xkind;

typedef struct cnn_xop {
    cnn_xkind kind;
    char layer[96];      /* graph layer name (errors, verbose) */
    int in, in2, out;    /* executor value ids; in2 = residual (CONV/DWCONV sum, ADD) or -1 */
    int act;             /* AVMIT_GACT_NONE or avmit_act / AVMIT_GACT_SIGMOID */
    int kh, kw, sh, sw;  /* kernel, stride (CONV, DWCONV, MAXPOOL) */
    int pt, pl, pb, pr;  /* explicit padding top, left, bottom, right */
    int c_in, c_out;
    float eps;           /* CX_BN */
    int sq;              /* CX_SE squeeze width */
    /* Parameters (malloc'd; the executor takes ownership of all of them). */
    float *w, *b, *w2, *b2;
    float *gamma, *beta, *mean, *var;
} cnn_xop;

typedef struct cnn_xval {
    int h, w, c;  /* per example */
    int vec;      /* 1: a vector [c] (after FLATTEN / DENSE), else [h,w,c] */
} cnn_xval;

typedef struct cnn_xnet {
    cnn_xop *ops;
    int n_ops;
    cnn_xval *vals;
    int n_vals;
    int input, output;   /* value ids */
} cnn_xnet;

/* Free the parameter arrays still owned by xnet (those not taken) and the tables. */
void cnn_xnet_free(cnn_xnet *x);

/* ---- dnnl_exec.c ---------------------------------------------------------------- */
typedef struct cnn_dnnl cnn_dnnl;

/* Take ownership of x (its tables and every parameter array; x is zeroed) and
 * prepare to run it with `threads` OpenMP threads in bf16 or fp32. bf16 on a CPU
 * without AVX512_BF16 / AMX returns AVMIT_E_UNSUPPORTED (x untouched) and *why. */
int cnn_dnnl_create(cnn_dnnl **out, cnn_xnet *x, int bf16, int threads, const char **why,
                    avmit_error *err);
/* Another handle on d's network for another thread: it shares the graph and the
 * weights (read-only from now on; made ready here if d has not run yet) and
 * has its own engine, stream and plans. Handles may run concurrently; the
 * shared part is freed with the last one. */
int cnn_dnnl_clone(cnn_dnnl **out, cnn_dnnl *d, int threads, avmit_error *err);
/* out[n, D] for in[n, H, W, C] (NHWC floats); n >= 1. Plans (primitives,
 * weight layouts, activation buffers) are made per batch size and cached. */
int cnn_dnnl_run(cnn_dnnl *d, const float *in, int n, float *out, avmit_error *err);
void cnn_dnnl_free(cnn_dnnl *d);
/* The ISA oneDNN dispatches to ("avx2", "avx512_core_amx", ...) and its version. */
const char *cnn_dnnl_isa(void);
void cnn_dnnl_version(int *major, int *minor, int *patch);
/* 1 if bf16 kernels exist on this CPU (AVX512_BF16 or AMX), else 0 and *why. */
int cnn_dnnl_bf16_available(const char **why);

#endif /* AVMIT_CNN_CNN_INT_H */
