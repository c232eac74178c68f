/*
 * avmit/savc.h — the Supervised Audiovisual Correspondence model of SPEC.md §4
 * (experiment 2), AVE-Net-style Euclidean fusion, with Keras/TensorFlow
 * semantics (the paper's SAVC/train_with_euclidean_distance.py).
 *
 * This part: the layers only SAVC needs, as forward/backward pairs in the
 * conventions of avmit/nn.h (float32, row-major; a backward ADDS into its
 * gradients; NULL gradient pointers are skipped where noted).
 *
 *   L2 normalisation per row (tf.math.l2_normalize, axis = features):
 *     y = x / sqrt(max(sum x^2, 1e-12)); the floor passes no gradient to sum x^2.
 *   Euclidean distance per row:  d = sqrt(max(sum (a - b)^2, 1e-7)),
 *     gradient (a - b)/d when sum >= 1e-7, zero below the floor.
 *   Binary cross-entropy over the 2 softmax outputs (label 1 = congruent =
 *     target [0,1]; 0 = incongruent = [1,0], FORMATS.md §3.4): p clipped to
 *     [1e-7, 1-1e-7], element loss -(y log(p+1e-7) + (1-y) log(1-p+1e-7)),
 *     mean over the 2 outputs and the batch (Keras BinaryCrossentropy).
 *   Accuracy: Keras binary_accuracy, element (p > 0.5) == y, mean of the 2.
 *
 * Thread-safety: every function is reentrant (touches only its arguments).
 */
#ifndef AVMIT_SAVC_H
#define AVMIT_SAVC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_L2NORM_EPSILON 1e-12 /* tf.math.l2_normalize default */
#define AVMIT_EUCLID_FLOOR 1e-7    /* Keras backend epsilon() in euclidean_distance */
#define AVMIT_BCE_EPSILON 1e-7     /* Keras backend epsilon() in binary_crossentropy */

/* out[N,D] = inp / ||inp|| per row; sumsq[N] caches sum inp^2 for the backward. */
void avmit_l2norm_forward(float *out, float *sumsq, const float *inp, int N, int D);
void avmit_l2norm_backward(float *dinp,        /* [N,D] += */
                           const float *dout,  /* [N,D] */
                           const float *inp,   /* [N,D] forward input */
                           const float *sumsq, /* [N] from the forward */
                           int N, int D);

/* out[N] = floored distance between rows of a and b; sumsq[N] cached. */
void avmit_euclid_forward(float *out, float *sumsq, const float *a, const float *b, int N, int D);
void avmit_euclid_backward(float *da, float *db, /* [N,D] += (either may be NULL) */
                           const float *dout,    /* [N] */
                           const float *a, const float *b, const float *out,
                           const float *sumsq, int N, int D);

/* Mean binary cross-entropy of probs [B,2] (softmax output) against labels [B] in {0,1}. */
double avmit_bce2_loss(const float *probs, const int *labels, int B);
/* dlogits [B,2] += d(mean loss)/d(logits) through the softmax. */
void avmit_softmax_bce2_backward(float *dlogits, const float *probs, const int *labels, int B);
/* Keras binary_accuracy of probs [B,2] against labels [B]. */
double avmit_bce2_accuracy(const float *probs, const int *labels, int B);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SAVC_H */
