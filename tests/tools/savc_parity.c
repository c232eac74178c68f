/*
 * savc_parity.c — the C side of tests/reference/test_savc_parity.py. Builds a
 * SAVC model from the flags, initialises it from --seed, and on the batch in
 * DIR (xa.npy [B,T,D_a], xv.npy [B,T,D_v], y.npy [B] int64 in {0,1}, optional
 * mask.npy [B]) writes:
 *   init.safetensors    weights before anything runs
 *   probs_train.npy     probabilities [B,2] at init (with the mask)
 *   probs_split.npy     inference probabilities at init through embed + head
 *   probs_full.npy      inference probabilities at init through the full forward
 *   loss0.npy           the loss at init [1] (float64)
 *   grads.safetensors   d(loss)/d(weights) at init
 *   losses.npy          loss before each of --steps Adam steps (weight decay --wd)
 *   final.safetensors   weights after the steps
 * Exit 0, or 1 with the error on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/fileio.h"
#include "avmit/npy.h"
#include "avmit/savc.h"

static int write_probs(const char *dir, const char *name, const float *probs, int B,
                       avmit_error *err) {
    char *p = avmit_path_join(dir, name);
    int64_t shape[2] = {B, 2};
    int r = avmit_npy_write(p, AVMIT_DTYPE_F32, 2, shape, probs, err);
    free(p);
    return r;
}

int main(int argc, char **argv) {
    avmit_savc_config cfg = avmit_savc_default_config();
    const char *dir = NULL;
    unsigned long long seed = 1;
    double lr = 1e-3, wd = 1e-5;
    int steps = 10;
    static const struct option opts[] = {
        {"rnn", 1, 0, 'r'}, {"units", 1, 0, 'u'}, {"embed", 1, 0, 'e'}, {"da", 1, 0, 'A'},
        {"dv", 1, 0, 'V'},  {"T", 1, 0, 'T'},     {"seed", 1, 0, 's'},  {"lr", 1, 0, 'l'},
        {"wd", 1, 0, 'w'},  {"steps", 1, 0, 'n'}, {"dir", 1, 0, 'd'},   {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': if (avmit_rnn_parse(optarg, &cfg.rnn)) return 2; break;
        case 'u': cfg.units = atoi(optarg); break;
        case 'e': cfg.embed = atoi(optarg); break;
        case 'A': cfg.audio_dim = atoi(optarg); break;
        case 'V': cfg.visual_dim = atoi(optarg); break;
        case 'T': cfg.timesteps = atoi(optarg); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'l': lr = atof(optarg); break;
        case 'w': wd = atof(optarg); break;
        case 'n': steps = atoi(optarg); break;
        case 'd': dir = optarg; break;
        default: return 2;
        }
    }
    if (!dir) return 2;
    avmit_error err;
    avmit_error_clear(&err);
    avmit_savc_model *m = NULL;
    avmit_savc_ws *ws = NULL;
    avmit_array xa = {0}, xv = {0}, y = {0}, mk = {0};
    int *labels = NULL, rc = 1;
    float *grads = NULL, *am = NULL, *av = NULL, *ea = NULL, *ev = NULL;
    uint32_t *idx = NULL;
    double *losses = NULL;
    char *p = NULL;
    avmit_nn_set_threads(1);
#define TRY(expr) do { if ((expr)) goto fail; } while (0)
#define IN(name) (free(p), p = avmit_path_join(dir, name))
    TRY(avmit_savc_create(&m, &cfg, &err));
    TRY(avmit_savc_init(m, seed, &err));
    TRY(avmit_npy_read_f32(&xa, IN("xa.npy"), &err));
    TRY(avmit_npy_read_f32(&xv, IN("xv.npy"), &err));
    TRY(avmit_npy_read(&y, IN("y.npy"), &err));
    if (!access(IN("mask.npy"), 0)) TRY(avmit_npy_read_f32(&mk, p, &err));
    const int B = (int)xa.shape[0], T = cfg.timesteps, E = cfg.embed;
    if (xa.ndim != 3 || xa.shape[1] != T || xa.shape[2] != cfg.audio_dim || xv.ndim != 3 ||
        xv.shape[0] != B || xv.shape[1] != T || xv.shape[2] != cfg.visual_dim || y.ndim != 1 ||
        y.shape[0] != B || y.dtype != AVMIT_DTYPE_I64) {
        fprintf(stderr, "savc_parity: input shapes do not match the flags\n");
        goto out;
    }
    labels = malloc(sizeof(int) * B);
    grads = calloc(m->n_weights, sizeof(float));
    am = calloc(m->n_weights, sizeof(float));
    av = calloc(m->n_weights, sizeof(float));
    ea = malloc(sizeof(float) * (size_t)B * T * E);
    ev = malloc(sizeof(float) * (size_t)B * T * E);
    idx = malloc(sizeof(uint32_t) * B);
    losses = calloc((size_t)steps + 1, sizeof(double));
    if (!labels || !grads || !am || !av || !ea || !ev || !idx || !losses) goto out;
    for (int i = 0; i < B; i++) {
        labels[i] = (int)((const int64_t *)y.data)[i];
        idx[i] = (uint32_t)i;
    }
    TRY(avmit_savc_ws_create(&ws, m, B, &err));
    TRY(avmit_savc_write_block(m, m->weights, IN("init.safetensors"), NULL, 0, &err));

    /* Inference two ways: the full forward and embed-once + head. */
    TRY(write_probs(dir, "probs_full.npy", avmit_savc_forward(m, ws, xa.data, xv.data, B, NULL), B, &err));
    avmit_savc_embed(m, ws, 0, xa.data, (size_t)B * T, ea);
    avmit_savc_embed(m, ws, 1, xv.data, (size_t)B * T, ev);
    TRY(write_probs(dir, "probs_split.npy", avmit_savc_head_pairs(m, ws, ea, ev, idx, idx, B), B, &err));

    const float *mask = mk.data ? mk.data : NULL;
    const float *probs = avmit_savc_forward(m, ws, xa.data, xv.data, B, mask);
    TRY(write_probs(dir, "probs_train.npy", probs, B, &err));
    double loss0 = avmit_bce2_loss(probs, labels, B);
    int64_t one = 1, ns = steps;
    TRY(avmit_npy_write(IN("loss0.npy"), AVMIT_DTYPE_F64, 1, &one, &loss0, &err));
    avmit_savc_backward(m, ws, labels, grads);
    TRY(avmit_savc_write_block(m, grads, IN("grads.safetensors"), NULL, 0, &err));

    avmit_adam_params ap = avmit_adam_default_params((float)lr);
    ap.weight_decay = (float)wd;
    for (int s = 1; s <= steps; s++) {
        probs = avmit_savc_forward(m, ws, xa.data, xv.data, B, mask);
        losses[s - 1] = avmit_bce2_loss(probs, labels, B);
        memset(grads, 0, sizeof(float) * m->n_weights);
        avmit_savc_backward(m, ws, labels, grads);
        avmit_adam_step(m->weights, grads, am, av, m->n_weights, &ap, s);
    }
    TRY(avmit_npy_write(IN("losses.npy"), AVMIT_DTYPE_F64, 1, &ns, losses, &err));
    TRY(avmit_savc_write_block(m, m->weights, IN("final.safetensors"), NULL, 0, &err));
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "savc_parity: %s\n", err.msg);
out:
    free(p);
    avmit_savc_ws_free(ws);
    avmit_savc_free(m);
    avmit_array_free(&xa);
    avmit_array_free(&xv);
    avmit_array_free(&y);
    avmit_array_free(&mk);
    free(labels);
    free(grads);
    free(am);
    free(av);
    free(ea);
    free(ev);
    free(idx);
    free(losses);
    return rc;
}
