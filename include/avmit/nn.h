/*
 * avmit/nn.h — the neural-network core: layers as forward/backward pairs with
 * Keras semantics (SPEC.md §4), the Keras initialisers, and Keras's Adam.
 *
 * Conventions (STYLE.md §2 "Forward/backward pairs"):
 *  - float32, row-major, C order. Shape letters: N rows (= B*T for per-timestep
 *    layers), B batch, T timesteps, D input width, H hidden units, G gates
 *    (SimpleRNN 1, GRU 3, LSTM 4), K classes, n_in/n_out dense widths.
 *  - A forward writes its outputs (overwrites) and what its backward needs.
 *  - A backward ADDS into every gradient it produces (dinp and the parameter
 *    gradients); the caller zeroes gradient buffers once per step. A NULL dinp
 *    means "not needed" (e.g. the input is data).
 *  - GEMMs go through OpenBLAS cblas. Threads are arguments: library calls
 *    that train take a thread budget and never change OpenBLAS's process-wide
 *    count; see "Threads" below. Results are deterministic.
 *
 * Keras details implemented here: Dense y = x.W + b (W [n_in,n_out]); BatchNormalization
 * eps 1e-3, momentum 0.99, batch statistics (biased variance) in training;
 * swish x*sigmoid(x); RNN input dropout = one inverted mask per sample shared by
 * all timesteps and gates (GRU/LSTM implementation=2); SimpleRNN tanh; GRU
 * reset_after=True with kernel blocks [z|r|h] and bias [2,3H] (row 0 input, row
 * 1 recurrent); LSTM blocks [i|f|c|o], bias [4H]; categorical cross-entropy on
 * probabilities normalised by their sum and clipped to [1e-7, 1-1e-7]; Adam as
 * tf.raw_ops.ResourceApplyAdam (eps added to sqrt of the uncorrected v).
 *
 * Threads: OpenBLAS's own thread count is process-wide in the OpenBLAS that
 * Debian bookworm ships (0.3.21), and results depend on it (its threaded
 * GEMV splits sums). A run's budget (n_threads of avmit/train.h,
 * avmit/savc_train.h) goes to the calling thread only, through
 * avmit_nn_thread_budget, where the OpenBLAS loaded at run time has a
 * thread-local count (openblas_set_num_threads_local, OpenBLAS >= 0.3.27).
 * Otherwise GEMMs use the process-wide count, which only a program sets
 * (avmit_nn_set_threads: the CLI does it once from --threads; the library
 * never calls it), so concurrent runs cannot change each other's count and
 * give the same bits as runs alone under the same process count
 * (tests/unit/test_train_threads.c); the budget then sizes only avmit's own
 * parallel loops.
 *
 * Thread-safety: all functions are reentrant (they touch only their arguments),
 * except avmit_nn_set_threads, which sets OpenBLAS's process-wide thread count.
 */
#ifndef AVMIT_NN_H
#define AVMIT_NN_H

#include <stddef.h>

#include "avmit/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_BN_EPSILON 1e-3f   /* Keras BatchNormalization default */
#define AVMIT_BN_MOMENTUM 0.99f  /* Keras BatchNormalization default */
#define AVMIT_CE_CLIP 1e-7f      /* Keras backend epsilon() used by categorical_crossentropy */

/* Process-wide: OpenBLAS threads for every GEMM (n <= 0: all cores). For
 * programs (the CLI); the library never calls it. */
void avmit_nn_set_threads(int n);
int avmit_nn_get_threads(void);
/* The calling thread's OpenBLAS budget (n <= 0: all cores) where OpenBLAS has
 * a thread-local count; returns the previous budget to restore (pass it back),
 * or 0 (nothing changed) when the loaded OpenBLAS lacks one. */
int avmit_nn_thread_budget(int n);

/* ---- Dense: out = inp . w + b --------------------------------------------- */
void avmit_dense_forward(float *out,        /* [N,n_out] */
                         const float *inp,  /* [N,*] rows of stride ld_inp, first n_in used */
                         const float *w,    /* [n_in,n_out] */
                         const float *b,    /* [n_out] or NULL */
                         int N, int n_in, int n_out, int ld_inp);
void avmit_dense_backward(float *dinp,       /* [N,n_in] or NULL */
                          float *dw,         /* [n_in,n_out] */
                          float *db,         /* [n_out] or NULL */
                          const float *dout, /* [N,n_out] */
                          const float *inp,  /* [N,*] stride ld_inp */
                          const float *w,    /* [n_in,n_out] */
                          int N, int n_in, int n_out, int ld_inp);

/* ---- BatchNormalization over the N rows, per channel C --------------------- */
/* Training mode: batch mean and biased variance, written to mean/var (the cache). */
void avmit_batchnorm_forward_train(float *out,        /* [N,C] */
                                   float *mean,       /* [C] out */
                                   float *var,        /* [C] out */
                                   const float *inp,  /* [N,C] */
                                   const float *gamma, const float *beta, /* [C] */
                                   int N, int C, float eps);
/* Inference mode: moving statistics. */
void avmit_batchnorm_forward_infer(float *out, const float *inp, const float *gamma,
                                   const float *beta, const float *moving_mean,
                                   const float *moving_var, int N, int C, float eps);
/* moving = moving * momentum + batch * (1 - momentum) (Keras assign_moving_average). */
void avmit_batchnorm_update_moving(float *moving_mean, float *moving_var, const float *mean,
                                   const float *var, int C, float momentum);
void avmit_batchnorm_backward(float *dinp,        /* [N,C] or NULL */
                              float *dgamma,      /* [C] */
                              float *dbeta,       /* [C] */
                              const float *dout,  /* [N,C] */
                              const float *inp,   /* [N,C] */
                              const float *gamma, const float *mean, const float *var,
                              int N, int C, float eps);

/* ---- Activations ----------------------------------------------------------- */
typedef enum avmit_act { AVMIT_ACT_RELU = 0, AVMIT_ACT_SWISH = 1 } avmit_act;
/* "relu" / "swish" (NULL for another value); parse returns -1 for an unknown name. */
const char *avmit_act_name(avmit_act a);
int avmit_act_parse(const char *name, avmit_act *out);
void avmit_act_forward(float *out, const float *inp, size_t n, avmit_act act);
void avmit_act_backward(float *dinp, const float *dout, const float *inp, size_t n,
                        avmit_act act);

/* Inverted dropout mask: each of n entries is 0 with probability `rate`, else
 * 1/(1-rate) (tf.nn.dropout: kept when uniform >= rate). rate 0 gives all ones. */
void avmit_dropout_mask(float *mask, size_t n, float rate, avmit_rng *rng);

/* ---- Recurrent layers (one layer, returns the last hidden state) ------------ */
typedef enum avmit_rnn_kind {
    AVMIT_RNN_SIMPLE = 0, /* Keras SimpleRNN, tanh */
    AVMIT_RNN_GRU = 1,    /* Keras GRU, reset_after=True */
    AVMIT_RNN_LSTM = 2    /* Keras LSTM */
} avmit_rnn_kind;

/* "SimpleRNN", "GRU", "LSTM"; parse also accepts "tf.keras.layers.<name>",
 * "FRNN" and lower case; -1 for anything else. */
const char *avmit_rnn_name(avmit_rnn_kind k);
int avmit_rnn_parse(const char *name, avmit_rnn_kind *out);
int avmit_rnn_gates(avmit_rnn_kind k);                 /* G: 1, 3, 4 */
size_t avmit_rnn_bias_count(avmit_rnn_kind k, int H);  /* H, 2*3H, 4H */
/* Floats of the forward cache and of the scratch buffer for (B, T, D, H). */
size_t avmit_rnn_cache_size(avmit_rnn_kind k, int B, int T, int D, int H);
size_t avmit_rnn_work_size(avmit_rnn_kind k, int B, int T, int D, int H);

/* Runs the cell over all T steps from h = 0 (and c = 0): zero padding is not
 * masked, as in the reference. The input projection of all timesteps is one
 * GEMM; each step adds one [B,H]x[H,G*H] GEMM. */
void avmit_rnn_forward(avmit_rnn_kind k,
                       float *h_out,        /* [B,H] last hidden state */
                       float *cache,        /* avmit_rnn_cache_size floats */
                       const float *x,      /* [B,T,D] */
                       const float *mask,   /* [B,D] dropout mask or NULL */
                       const float *w,      /* kernel [D,G*H] */
                       const float *u,      /* recurrent kernel [H,G*H] */
                       const float *b,      /* bias, avmit_rnn_bias_count floats */
                       int B, int T, int D, int H,
                       float *work);        /* avmit_rnn_work_size floats */
void avmit_rnn_backward(avmit_rnn_kind k,
                        float *dx,          /* [B,T,D] or NULL */
                        float *dw, float *du, float *db,
                        const float *dh,    /* [B,H] gradient of the last hidden state */
                        const float *cache, const float *x, const float *mask,
                        const float *w, const float *u, const float *b,
                        int B, int T, int D, int H, float *work);

/* ---- Softmax + categorical cross-entropy ----------------------------------- */
void avmit_softmax_forward(float *probs, const float *logits, int B, int K);
/* Mean over the batch of -log(clip(p_y / sum(p), 1e-7, 1-1e-7)); labels[B] in [0,K). */
double avmit_ce_loss(const float *probs, const int *labels, int B, int K);
/* dlogits += (p - onehot(y)) / B for each row whose p_y lies inside the clip
 * range; rows clipped at either end get no gradient (tf.clip_by_value). */
void avmit_softmax_ce_backward(float *dlogits, const float *probs, const int *labels, int B,
                               int K);

/* ---- Initialisers (Keras defaults, seeded from avmit_rng) ------------------ */
/* uniform(-l, l), l = sqrt(6 / (fan_in + fan_out)). */
void avmit_init_glorot_uniform(float *w, size_t n, size_t fan_in, size_t fan_out,
                               avmit_rng *rng);
/* Keras Orthogonal(gain 1) for a [rows, cols] matrix: QR of a normal
 * [max, min] matrix with the signs of diag(R) applied, transposed when
 * rows < cols (so the whole matrix has orthonormal rows or columns).
 * Returns 0 or AVMIT_E_NOMEM. */
int avmit_init_orthogonal(float *w, size_t rows, size_t cols, avmit_rng *rng);

/* ---- Adam (Keras / TensorFlow form) ----------------------------------------- */
typedef struct avmit_adam_params {
    float lr;            /* learning rate of this step */
    float beta1;         /* 0.9 */
    float beta2;         /* 0.999 */
    float eps;           /* 1e-7 (Keras default) */
    float weight_decay;  /* decoupled: w -= lr * wd * w before the step; 0 = off */
} avmit_adam_params;
avmit_adam_params avmit_adam_default_params(float lr);
/* Step t (1-based) over n parameters:
 *   m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
 *   w -= (lr sqrt(1 - b2^t) / (1 - b1^t)) m / (sqrt(v) + eps). */
void avmit_adam_step(float *w, const float *g, float *m, float *v, size_t n,
                     const avmit_adam_params *p, long long t);

/* fp16 storage for data (IEEE binary16, round to nearest even). */
unsigned short avmit_f32_to_f16(float f);
float avmit_f16_to_f32(unsigned short h);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_NN_H */
