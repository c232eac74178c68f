/*
 * nn_parity.c — the C side of the PyTorch parity test
 * (tests/reference/test_nn_parity.py). Builds an experiment-1 model from the
 * flags, initialises it from --seed, and on the batch in DIR (x.npy [B,T,D],
 * y.npy [B], optional mask.npy [B,Dr]) writes:
 *   init.safetensors    weights + BN moving statistics before anything runs
 *   probs_train.npy     training-mode probabilities [B,K] at init
 *   loss0.npy           the loss at init [1] (float64)
 *   grads.safetensors   d(loss)/d(weights) at init (weights' names)
 *   losses.npy          loss before each of --steps Adam steps [steps] (float64)
 *   final.safetensors   weights + moving statistics after the steps
 *   probs_infer.npy     inference-mode probabilities after the steps [B,K]
 * Exit 0, or 1 with the error on stderr.
 */
#include <getopt.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/model.h"
#include "avmit/npy.h"
#include "avmit/safetensors.h"

static int save_block(const avmit_model *m, const float *block, int with_stats, const char *path,
                      avmit_error *err) {
    avmit_st_entry e[AVMIT_P_COUNT + AVMIT_S_COUNT];
    size_t n = 0;
    for (int i = 0; i < AVMIT_P_COUNT; i++) {
        const avmit_param_info *p = &m->params[i];
        if (!p->count) continue;
        e[n++] = (avmit_st_entry){p->name, AVMIT_DTYPE_F32, p->ndim, p->shape, block + p->offset};
    }
    for (int s = 0; with_stats && s < AVMIT_S_COUNT; s++) {
        const avmit_param_info *p = &m->stats_info[s];
        if (!p->count) continue;
        e[n++] = (avmit_st_entry){p->name, AVMIT_DTYPE_F32, p->ndim, p->shape, m->stats + p->offset};
    }
    return avmit_safetensors_write(path, e, n, NULL, 0, err);
}

static char *in_dir(const char *dir, const char *name) { return avmit_path_join(dir, name); }

int main(int argc, char **argv) {
    avmit_model_config cfg = avmit_model_default_config();
    const char *dir = NULL;
    unsigned long long seed = 1;
    double lr = 1e-3;
    int steps = 10;
    static const struct option opts[] = {
        {"rnn", 1, 0, 'r'}, {"act", 1, 0, 'a'}, {"units", 1, 0, 'u'}, {"nb", 1, 0, 'b'},
        {"da", 1, 0, 'A'},  {"dv", 1, 0, 'V'},  {"T", 1, 0, 'T'},     {"K", 1, 0, 'K'},
        {"seed", 1, 0, 's'}, {"lr", 1, 0, 'l'}, {"steps", 1, 0, 'n'}, {"dir", 1, 0, 'd'},
        {"dropout", 1, 0, 'p'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': if (avmit_rnn_parse(optarg, &cfg.rnn)) return 2; break;
        case 'a': if (avmit_act_parse(optarg, &cfg.act)) return 2; break;
        case 'u': cfg.units = atoi(optarg); break;
        case 'b': cfg.bottleneck = atoi(optarg); break;
        case 'A': cfg.audio_dim = atoi(optarg); cfg.use_audio = cfg.audio_dim > 0; break;
        case 'V': cfg.visual_dim = atoi(optarg); cfg.use_visual = cfg.visual_dim > 0; break;
        case 'T': cfg.timesteps = atoi(optarg); break;
        case 'K': cfg.n_classes = atoi(optarg); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'l': lr = atof(optarg); break;
        case 'n': steps = atoi(optarg); break;
        case 'd': dir = optarg; break;
        case 'p': cfg.dropout = (float)atof(optarg); break;
        default: return 2;
        }
    }
    if (!dir) return 2;
    avmit_error err;
    avmit_error_clear(&err);
    avmit_model *m = NULL;
    avmit_model_ws *ws = NULL;
    avmit_array x = {0}, y = {0}, mk = {0};
    int *labels = NULL, rc = 1, has_mask = 0;
    float *grads = NULL, *am = NULL, *av = NULL;
    double *losses = NULL;
    char *p = NULL;
    avmit_nn_set_threads(1);
#define TRY(expr) do { if ((expr)) goto fail; } while (0)
    TRY(avmit_model_create(&m, &cfg, &err));
    TRY(avmit_model_init(m, seed, &err));
    TRY(avmit_npy_read_f32(&x, p = in_dir(dir, "x.npy"), &err)); free(p); p = NULL;
    TRY(avmit_npy_read(&y, p = in_dir(dir, "y.npy"), &err)); free(p); p = NULL;
    p = in_dir(dir, "mask.npy");
    if (!access(p, 0)) {
        TRY(avmit_npy_read_f32(&mk, p, &err));
        has_mask = 1;
    }
    free(p); p = NULL;
    int B = (int)x.shape[0], K = cfg.n_classes;
    if (x.ndim != 3 || x.shape[1] != cfg.timesteps || x.shape[2] != avmit_model_input_dim(&cfg) ||
        y.ndim != 1 || y.shape[0] != B || y.dtype != AVMIT_DTYPE_I64) {
        fprintf(stderr, "nn_parity: x/y shapes do not match the flags\n");
        goto out;
    }
    labels = malloc(sizeof(int) * B);
    grads = calloc(m->n_weights, sizeof(float));
    am = calloc(m->n_weights, sizeof(float));
    av = calloc(m->n_weights, sizeof(float));
    losses = calloc((size_t)steps + 1, sizeof(double));
    if (!labels || !grads || !am || !av || !losses) goto out;
    for (int i = 0; i < B; i++) labels[i] = (int)((const int64_t *)y.data)[i];
    TRY(avmit_model_ws_create(&ws, m, B, &err));
    TRY(save_block(m, m->weights, 1, p = in_dir(dir, "init.safetensors"), &err)); free(p); p = NULL;

    const float *mask = has_mask ? mk.data : NULL;
    const float *probs = avmit_model_forward(m, ws, x.data, B, 1, mask);
    int64_t pshape[2] = {B, K}, one = 1;
    TRY(avmit_npy_write(p = in_dir(dir, "probs_train.npy"), AVMIT_DTYPE_F32, 2, pshape, probs, &err)); free(p); p = NULL;
    double loss0 = avmit_model_loss(ws, labels);
    TRY(avmit_npy_write(p = in_dir(dir, "loss0.npy"), AVMIT_DTYPE_F64, 1, &one, &loss0, &err)); free(p); p = NULL;
    avmit_model_backward(m, ws, labels, grads);
    TRY(save_block(m, grads, 0, p = in_dir(dir, "grads.safetensors"), &err)); free(p); p = NULL;

    /* Adam steps on the same batch; the init forward above already updated the
     * moving statistics once, so reset them to keep the oracle's count simple. */
    TRY(avmit_model_init(m, seed, &err));
    avmit_adam_params ap = avmit_adam_default_params((float)lr);
    for (int s = 1; s <= steps; s++) {
        avmit_model_forward(m, ws, x.data, B, 1, mask);
        losses[s - 1] = avmit_model_loss(ws, labels);
        memset(grads, 0, sizeof(float) * m->n_weights);
        avmit_model_backward(m, ws, labels, grads);
        avmit_adam_step(m->weights, grads, am, av, m->n_weights, &ap, s);
    }
    int64_t ns = steps;
    TRY(avmit_npy_write(p = in_dir(dir, "losses.npy"), AVMIT_DTYPE_F64, 1, &ns, losses, &err)); free(p); p = NULL;
    TRY(save_block(m, m->weights, 1, p = in_dir(dir, "final.safetensors"), &err)); free(p); p = NULL;
    probs = avmit_model_forward(m, ws, x.data, B, 0, NULL);
    TRY(avmit_npy_write(p = in_dir(dir, "probs_infer.npy"), AVMIT_DTYPE_F32, 2, pshape, probs, &err)); free(p); p = NULL;
    rc = 0;
    goto out;
fail:
    free(p); p = NULL;
    fprintf(stderr, "nn_parity: %s\n", err.msg);
out:
    avmit_model_ws_free(ws);
    avmit_model_free(m);
    avmit_array_free(&x);
    avmit_array_free(&y);
    avmit_array_free(&mk);
    free(labels);
    free(grads);
    free(am);
    free(av);
    free(losses);
    return rc;
}
