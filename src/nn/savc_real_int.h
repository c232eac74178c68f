/*
 * savc_real_int.h — the scalar type of savc_layers.c (internal): float32 by
 * default, double when AVMIT_NN_F64 is defined (savc_f64.c), and the double
 * twins of the layer functions of avmit/savc.h for the finite-difference tests
 * (tests/unit/test_savc_layers.c). Same contracts with double in place of float.
 */
#ifndef AVMIT_SAVC_REAL_INT_H
#define AVMIT_SAVC_REAL_INT_H

#include <math.h>
#include <stddef.h>

#include "avmit/savc.h"

#ifdef AVMIT_NN_F64
typedef double sv_real;
#define SV_FN(name) name##_f64
#define SV_SQRT sqrt
#define SV_LOG log
#else
typedef float sv_real;
#define SV_FN(name) name
#define SV_SQRT sqrtf
#define SV_LOG logf
#endif

void avmit_l2norm_forward_f64(double *out, double *sumsq, const double *inp, int N, int D);
void avmit_l2norm_backward_f64(double *dinp, const double *dout, const double *inp,
                               const double *sumsq, int N, int D);
void avmit_euclid_forward_f64(double *out, double *sumsq, const double *a, const double *b, int N,
                              int D);
void avmit_euclid_backward_f64(double *da, double *db, const double *dout, const double *a,
                               const double *b, const double *out, const double *sumsq, int N,
                               int D);
double avmit_bce2_loss_f64(const double *probs, const int *labels, int B);
void avmit_softmax_bce2_backward_f64(double *dlogits, const double *probs, const int *labels,
                                     int B);
double avmit_bce2_accuracy_f64(const double *probs, const int *labels, int B);

#endif
