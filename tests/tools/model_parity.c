/*
 * model_parity.c — the one C side of the PyTorch parity tests
 * (tests/reference/test_nn_parity.py: --model exp1, test_savc_parity.py:
 * --model savc). Builds the model from the flags, initialises it from --seed
 * and, on the batch in DIR, writes:
 *   init.safetensors    weights (+ BN moving statistics) before anything runs
 *   probs_train.npy     training-mode probabilities [B,K] at init (mask.npy if present)
 *   loss0.npy           the loss at init [1] (float64)
 *   grads.safetensors   d(loss)/d(weights) at init (weights' names)
 *   losses.npy          loss before each of --steps Adam steps [steps] (float64)
 *   final.safetensors   weights (+ moving statistics) after the steps
 * exp1 (DIR: x.npy [B,T,D], y.npy [B] int64): the model is re-initialised
 *   before the steps (the init forward moved the BN statistics once), and
 *   probs_infer.npy = inference-mode probabilities after the steps.
 * savc (DIR: xa.npy [B,T,D_a], xv.npy [B,T,D_v], y.npy [B] in {0,1}): the
 *   steps use decoupled weight decay --wd, and at init probs_full.npy (the
 *   full inference forward) and probs_split.npy (embed once + pair head).
 * Exit 0, or 1 with the error on stderr; 2 for bad flags.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/fileio.h"
#include "avmit/npy.h"
#include "avmit/safetensors.h"
#include "avmit/savc.h"

/* Either model behind one set of calls. */
typedef struct net {
    int savc;
    avmit_model *m;
    avmit_model_ws *mw;
    avmit_savc_model *s;
    avmit_savc_ws *sw;
    avmit_array x[2];   /* exp1: x; savc: xa, xv */
    int B, K;
} net;

static float *weights(const net *n) { return n->savc ? n->s->weights : n->m->weights; }
static size_t n_weights(const net *n) { return n->savc ? n->s->n_weights : n->m->n_weights; }

static const float *forward(net *n, int training, const float *mask) {
    if (n->savc) return avmit_savc_forward(n->s, n->sw, n->x[0].data, n->x[1].data, n->B, training ? mask : NULL);
    return avmit_model_forward(n->m, n->mw, n->x[0].data, n->B, training, mask);
}

static double loss(const net *n, const float *probs, const int *labels) {
    return n->savc ? avmit_bce2_loss(probs, labels, n->B) : avmit_model_loss(n->mw, labels);
}

static void backward(net *n, const int *labels, float *grads) {
    if (n->savc) avmit_savc_backward(n->s, n->sw, labels, grads);
    else avmit_model_backward(n->m, n->mw, labels, grads);
}

/* A block laid out like the weights (with the moving statistics when stats). */
static int save(const net *n, const float *block, int stats, const char *dir, const char *name, avmit_error *err) {
    avmit_st_entry e[AVMIT_P_COUNT + AVMIT_S_COUNT + AVMIT_SV_COUNT];
    size_t k = 0;
    const avmit_param_info *p = n->savc ? n->s->params : n->m->params;
    for (int i = 0; i < (n->savc ? AVMIT_SV_COUNT : AVMIT_P_COUNT); i++)
        if (p[i].count) e[k++] = (avmit_st_entry){p[i].name, AVMIT_DTYPE_F32, p[i].ndim, p[i].shape, block + p[i].offset};
    for (int i = 0; stats && !n->savc && i < AVMIT_S_COUNT; i++) {
        const avmit_param_info *q = &n->m->stats_info[i];
        if (q->count) e[k++] = (avmit_st_entry){q->name, AVMIT_DTYPE_F32, q->ndim, q->shape, n->m->stats + q->offset};
    }
    char *path = avmit_path_join(dir, name);
    int r = avmit_safetensors_write(path, e, k, NULL, 0, err);
    free(path);
    return r;
}

static int write_npy(const char *dir, const char *name, avmit_dtype t, int ndim, const int64_t *shape,
                     const void *data, avmit_error *err) {
    char *path = avmit_path_join(dir, name);
    int r = avmit_npy_write(path, t, ndim, shape, data, err);
    free(path);
    return r;
}

static int read_f32(avmit_array *a, const char *dir, const char *name, avmit_error *err) {
    char *path = avmit_path_join(dir, name);
    int r = access(path, 0) ? 1 : avmit_npy_read_f32(a, path, err);
    free(path);
    return r;
}

int main(int argc, char **argv) {
    avmit_model_config mc = avmit_model_default_config();
    avmit_savc_config sc = avmit_savc_default_config();
    const char *dir = NULL;
    unsigned long long seed = 1;
    double lr = 1e-3, wd = 1e-5;
    int steps = 10;
    net n = {0};
    static const struct option opts[] = {
        {"model", 1, 0, 'm'}, {"rnn", 1, 0, 'r'}, {"act", 1, 0, 'a'}, {"units", 1, 0, 'u'},
        {"nb", 1, 0, 'b'},    {"embed", 1, 0, 'e'}, {"da", 1, 0, 'A'}, {"dv", 1, 0, 'V'},
        {"T", 1, 0, 'T'},     {"K", 1, 0, 'K'},   {"seed", 1, 0, 's'}, {"lr", 1, 0, 'l'},
        {"wd", 1, 0, 'w'},    {"steps", 1, 0, 'n'}, {"dir", 1, 0, 'd'}, {"dropout", 1, 0, 'p'},
        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm': n.savc = !strcmp(optarg, "savc"); if (!n.savc && strcmp(optarg, "exp1")) return 2; break;
        case 'r': if (avmit_rnn_parse(optarg, &mc.rnn) || avmit_rnn_parse(optarg, &sc.rnn)) return 2; break;
        case 'a': if (avmit_act_parse(optarg, &mc.act)) return 2; break;
        case 'u': mc.units = sc.units = atoi(optarg); break;
        case 'b': mc.bottleneck = atoi(optarg); break;
        case 'e': sc.embed = atoi(optarg); break;
        case 'A': mc.audio_dim = sc.audio_dim = atoi(optarg); mc.use_audio = mc.audio_dim > 0; break;
        case 'V': mc.visual_dim = sc.visual_dim = atoi(optarg); mc.use_visual = mc.visual_dim > 0; break;
        case 'T': mc.timesteps = sc.timesteps = atoi(optarg); break;
        case 'K': mc.n_classes = atoi(optarg); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'l': lr = atof(optarg); break;
        case 'w': wd = atof(optarg); break;
        case 'n': steps = atoi(optarg); break;
        case 'd': dir = optarg; break;
        case 'p': mc.dropout = (float)atof(optarg); break;
        default: return 2;
        }
    }
    if (!dir) return 2;
    avmit_error err;
    avmit_error_clear(&err);
    avmit_array y = {0}, mk = {0};
    int *labels = NULL, rc = 1;
    float *grads = NULL, *am = NULL, *av = NULL, *ea = NULL, *ev = NULL;
    uint32_t *idx = NULL;
    double *losses = NULL;
    const int T = n.savc ? sc.timesteps : mc.timesteps;
    avmit_nn_set_threads(1);
#define TRY(expr) do { if ((expr)) goto fail; } while (0)
    if (n.savc) {
        TRY(avmit_savc_create(&n.s, &sc, &err) || avmit_savc_init(n.s, seed, &err));
        TRY(read_f32(&n.x[0], dir, "xa.npy", &err) || read_f32(&n.x[1], dir, "xv.npy", &err));
    } else {
        TRY(avmit_model_create(&n.m, &mc, &err) || avmit_model_init(n.m, seed, &err));
        TRY(read_f32(&n.x[0], dir, "x.npy", &err));
    }
    char *yp = avmit_path_join(dir, "y.npy");
    int yr = avmit_npy_read(&y, yp, &err);
    free(yp);
    TRY(yr);
    if (read_f32(&mk, dir, "mask.npy", &err) < 0) goto fail;
    n.B = (int)n.x[0].shape[0];
    n.K = n.savc ? 2 : mc.n_classes;
    const int D0 = n.savc ? sc.audio_dim : avmit_model_input_dim(&mc);
    if (n.x[0].ndim != 3 || n.x[0].shape[1] != T || n.x[0].shape[2] != D0 ||
        (n.savc && (n.x[1].ndim != 3 || n.x[1].shape[0] != n.B || n.x[1].shape[1] != T ||
                    n.x[1].shape[2] != sc.visual_dim)) ||
        y.ndim != 1 || y.shape[0] != n.B || y.dtype != AVMIT_DTYPE_I64) {
        fprintf(stderr, "model_parity: input shapes do not match the flags\n");
        goto out;
    }
    const size_t nw = n_weights(&n);
    labels = malloc(sizeof(int) * n.B);
    grads = calloc(nw, sizeof(float));
    am = calloc(nw, sizeof(float));
    av = calloc(nw, sizeof(float));
    idx = malloc(sizeof(uint32_t) * n.B);
    losses = calloc((size_t)steps + 1, sizeof(double));
    if (!labels || !grads || !am || !av || !idx || !losses) goto out;
    for (int i = 0; i < n.B; i++) labels[i] = (int)((const int64_t *)y.data)[i], idx[i] = (uint32_t)i;
    TRY(n.savc ? avmit_savc_ws_create(&n.sw, n.s, n.B, &err) : avmit_model_ws_create(&n.mw, n.m, n.B, &err));
    TRY(save(&n, weights(&n), 1, dir, "init.safetensors", &err));
    int64_t pshape[2] = {n.B, n.K}, one = 1, ns = steps;
    if (n.savc) { /* inference two ways: the full forward and embed-once + head */
        const size_t TE = (size_t)n.B * T * sc.embed;
        if (!(ea = malloc(sizeof(float) * TE)) || !(ev = malloc(sizeof(float) * TE))) goto out;
        TRY(write_npy(dir, "probs_full.npy", AVMIT_DTYPE_F32, 2, pshape, forward(&n, 0, NULL), &err));
        avmit_savc_embed(n.s, n.sw, 0, n.x[0].data, (size_t)n.B * T, ea);
        avmit_savc_embed(n.s, n.sw, 1, n.x[1].data, (size_t)n.B * T, ev);
        TRY(write_npy(dir, "probs_split.npy", AVMIT_DTYPE_F32, 2, pshape,
                      avmit_savc_head_pairs(n.s, n.sw, ea, ev, idx, idx, n.B), &err));
    }
    const float *mask = mk.data;
    const float *probs = forward(&n, 1, mask);
    TRY(write_npy(dir, "probs_train.npy", AVMIT_DTYPE_F32, 2, pshape, probs, &err));
    double loss0 = loss(&n, probs, labels);
    TRY(write_npy(dir, "loss0.npy", AVMIT_DTYPE_F64, 1, &one, &loss0, &err));
    backward(&n, labels, grads);
    TRY(save(&n, grads, 0, dir, "grads.safetensors", &err));
    /* exp1: the init forward already updated the moving statistics once; reset
     * them to keep the oracle's count simple */
    if (!n.savc) TRY(avmit_model_init(n.m, seed, &err));
    avmit_adam_params ap = avmit_adam_default_params((float)lr);
    if (n.savc) ap.weight_decay = (float)wd;
    for (int s = 1; s <= steps; s++) {
        probs = forward(&n, 1, mask);
        losses[s - 1] = loss(&n, probs, labels);
        memset(grads, 0, sizeof(float) * nw);
        backward(&n, labels, grads);
        avmit_adam_step(weights(&n), grads, am, av, nw, &ap, s);
    }
    TRY(write_npy(dir, "losses.npy", AVMIT_DTYPE_F64, 1, &ns, losses, &err));
    TRY(save(&n, weights(&n), 1, dir, "final.safetensors", &err));
    if (!n.savc)
        TRY(write_npy(dir, "probs_infer.npy", AVMIT_DTYPE_F32, 2, pshape, forward(&n, 0, NULL), &err));
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "model_parity: %s\n", err.msg);
out:
    avmit_model_ws_free(n.mw);
    avmit_model_free(n.m);
    avmit_savc_ws_free(n.sw);
    avmit_savc_free(n.s);
    avmit_array_free(&n.x[0]);
    avmit_array_free(&n.x[1]);
    avmit_array_free(&y);
    avmit_array_free(&mk);
    free(labels), free(grads), free(am), free(av), free(ea), free(ev), free(idx), free(losses);
    return rc;
}
