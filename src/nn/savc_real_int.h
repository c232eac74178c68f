/*
 * savc_real_int.h — the double twins of the layer functions of avmit/savc.h,
 * built by savc_f64.c from savc_layers.c (written in nn_real, nn/nn_real.h),
 * for the finite-difference tests (tests/unit/test_savc_layers.c). Same
 * contracts with double in place of float.
 */
#ifndef AVMIT_SAVC_REAL_INT_H
#define AVMIT_SAVC_REAL_INT_H

#include <stddef.h>

#include "avmit/savc.h"

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
