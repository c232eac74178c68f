/*
 * avmit/cnn.h — the four embedding CNNs of FEATURES.md §3-5, §7-10 (issue 13):
 * VGGish (128-d, pre-activation fc2, no PCA), YAMNet (1024-d, GAP of layer 14),
 * VGG16 notop + GAP (512-d), EfficientNetB0 notop + GAP (1280-d).
 *
 * The networks are graphs of the one model description (src/graph/graph.h)
 * built from a table per network; convolutions, pooling and inner products run
 * on oneDNN (only src/cnn/dnnl_*.c includes dnnl.h). Weights come from the
 * files their publishers ship (avmit/weights.h reads them), passed by path:
 * nothing is downloaded.
 *
 * Input to avmit_cnn_embed is exactly what `avmit features audio|visual`
 * produces for that network: log-mel patches [n,96,64] (VGGish, YAMNet) or
 * frames [n,224,224,3] as `avmit features visual --preprocess vgg16|efficientnetb0`
 * writes them (whichever part of EfficientNetB0's input normalisation the front
 * end does not apply, the graph applies). Output: float32 [n, D].
 *
 * Thread-safety: an avmit_cnn owns its oneDNN engine, stream and scratch
 * buffers: use one from one thread at a time (it parallelises inside, over
 * opts.threads). Separate avmit_cnn objects may run concurrently, and
 * avmit_cnn_clone gives each thread its own handle on one copy of the weights.
 *
 * Threads: Debian's oneDNN runs on OpenMP (libgomp). avmit_cnn_load and
 * avmit_cnn_embed set the calling thread's OpenMP thread count
 * (omp_set_num_threads: a per-thread setting) to opts.threads for their
 * duration and restore it, so each object keeps its own budget. fp32 results
 * do not depend on the thread count (the tests check identical bits).
 * Across batch sizes they agree to 1e-6 relative; they are bit-identical for
 * VGG16, YAMNet and EfficientNetB0 in the tests, not for VGGish (oneDNN blocks
 * the fully connected layers' GEMM differently for other batch sizes).
 *
 * Memory: the weights are held once (the file's buffers are taken, BN is
 * folded in place, and each is reordered once into oneDNN's layout, the
 * original freed); activations of one batch share buffers by lifetime.
 */
#ifndef AVMIT_CNN_H
#define AVMIT_CNN_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/vision.h" /* avmit_effnet_variant */
#include "avmit/weights.h" /* avmit_wset */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum avmit_cnn_kind {
    AVMIT_CNN_VGGISH = 0,
    AVMIT_CNN_YAMNET = 1,
    AVMIT_CNN_VGG16 = 2,
    AVMIT_CNN_EFFICIENTNETB0 = 3,
    AVMIT_CNN_COUNT
} avmit_cnn_kind;

typedef enum avmit_precision {
    AVMIT_PRECISION_FP32 = 0,
    AVMIT_PRECISION_BF16 = 1 /* bf16 weights/activations, fp32 accumulation (AMX / AVX512_BF16) */
} avmit_precision;

typedef struct avmit_cnn_opts {
    avmit_precision precision;   /* requested; see avmit_cnn_precision() for what runs */
    int threads;                 /* thread budget of this object (>= 1; 0 = all cores) */
    int max_batch;               /* largest n per avmit_cnn_embed call the plan is made for */
    avmit_effnet_variant effnet_variant;
    int fold_bn;                 /* fold batch norms into the preceding convolutions (default 1) */
} avmit_cnn_opts;

avmit_cnn_opts avmit_cnn_default_opts(void);

/* "vggish", "yamnet", "vgg16", "efficientnetb0" <-> kind. from_name returns
 * AVMIT_E_ARG (err names the value and the accepted names) for anything else. */
const char *avmit_cnn_name(avmit_cnn_kind kind);
int avmit_cnn_from_name(const char *name, avmit_cnn_kind *kind, avmit_error *err);
/* Input shape per example ({96,64,1} or {224,224,3}) and embedding width D. */
void avmit_cnn_input_shape(avmit_cnn_kind kind, int shape[3]);
int avmit_cnn_output_dim(avmit_cnn_kind kind);
/* The published file name of the weights (FEATURES.md), e.g. "vggish_model.ckpt". */
const char *avmit_cnn_weights_filename(avmit_cnn_kind kind);

typedef struct avmit_cnn avmit_cnn;

/* Build the network and bind the weights in `weights_path` (any format
 * avmit/weights.h reads). Every tensor's name, shape and dtype is checked;
 * a missing, extra or misshapen tensor is an error naming the file and the
 * tensor with both shapes. */
int avmit_cnn_load(avmit_cnn **out, avmit_cnn_kind kind, const char *weights_path,
                   const avmit_cnn_opts *opts, avmit_error *err);
void avmit_cnn_free(avmit_cnn *net);
/* A second handle on net for another thread (threads: its budget; 0 = net's):
 * it shares net's weights, held once, and has its own plans and buffers, so
 * the two can run at the same time. Its results are net's, bit for bit.
 * Either may be freed first; the weights go with the last handle. Call it
 * before net is used from another thread (it may put the shared weights
 * into oneDNN's layout). */
int avmit_cnn_clone(avmit_cnn **out, avmit_cnn *net, int threads, avmit_error *err);

/* out[n, D] = network(in[n, input shape]); any n >= 0 (internally split into
 * batches of at most max_batch). In fp32 the result does not depend on the
 * thread count. */
int avmit_cnn_embed(avmit_cnn *net, const float *in, size_t n, float *out, avmit_error *err);

avmit_cnn_kind avmit_cnn_kind_of(const avmit_cnn *net);
/* The precision that actually runs (bf16 falls back to fp32 where the CPU has
 * neither AMX nor AVX512_BF16; *why gets a sentence saying so, or NULL). */
avmit_precision avmit_cnn_precision(const avmit_cnn *net, const char **why);
/* Multiply-adds per example x 2 (for GFLOP/s figures). */
double avmit_cnn_flops(avmit_cnn_kind kind);
/* Trainable + non-trainable parameter count as Keras would count it. */
size_t avmit_cnn_param_count(avmit_cnn_kind kind);

/* 0 if the tensors of w are exactly those of `kind` (names or layer + position,
 * shapes, float32; YAMNet's unused classifier may be present), else the error
 * avmit_cnn_load would give, naming the tensor. */
int avmit_cnn_check_wset(avmit_cnn_kind kind, const avmit_wset *w, avmit_error *err);
/* Seeded random weights for `kind` as the tensor list of its published file
 * (docs/cnn-weights.md: names, positions, shapes; out->format is the published
 * format) — write them with avmit_wset_write. Same seed, same bits. *out must
 * not hold a set (it is overwritten); free with avmit_wset_free. */
int avmit_cnn_init_weights(avmit_cnn_kind kind, uint64_t seed, avmit_wset *out, avmit_error *err);
/* "oneDNN 2.6.3, ISA avx2": the library version and the ISA its kernels dispatch to. */
void avmit_cnn_backend(char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_CNN_H */
