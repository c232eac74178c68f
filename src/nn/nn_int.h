/*
 * nn_int.h — double-precision twins of the layer functions of avmit/nn.h,
 * built by nn_f64.c from the same sources (nn_real.h). Used by the
 * finite-difference tests; same contracts with double in place of float.
 */
#ifndef AVMIT_NN_INT_H
#define AVMIT_NN_INT_H

#include <stddef.h>

#include "avmit/nn.h"

void avmit_dense_forward_f64(double *out, const double *inp, const double *w, const double *b,
                             int N, int n_in, int n_out, int ld_inp);
void avmit_dense_backward_f64(double *dinp, double *dw, double *db, const double *dout,
                              const double *inp, const double *w, int N, int n_in, int n_out, int ld_inp);
void avmit_batchnorm_forward_train_f64(double *out, double *mean, double *var, const double *inp,
                                       const double *gamma, const double *beta, int N, int C,
                                       double eps);
void avmit_batchnorm_forward_infer_f64(double *out, const double *inp, const double *gamma,
                                       const double *beta, const double *moving_mean,
                                       const double *moving_var, int N, int C, double eps);
void avmit_batchnorm_update_moving_f64(double *moving_mean, double *moving_var,
                                       const double *mean, const double *var, int C,
                                       double momentum);
void avmit_batchnorm_backward_f64(double *dinp, double *dgamma, double *dbeta,
                                  const double *dout, const double *inp, const double *gamma,
                                  const double *mean, const double *var, int N, int C, double eps);
void avmit_act_forward_f64(double *out, const double *inp, size_t n, avmit_act act);
void avmit_act_backward_f64(double *dinp, const double *dout, const double *inp, size_t n,
                            avmit_act act);
void avmit_rnn_forward_f64(avmit_rnn_kind k, double *h_out, double *cache, const double *x,
                           const double *mask, const double *w, const double *u, const double *b,
                           int B, int T, int D, int H, double *work);
void avmit_rnn_backward_f64(avmit_rnn_kind k, double *dx, double *dw, double *du, double *db,
                            const double *dh, const double *cache, const double *x,
                            const double *mask, const double *w, const double *u,
                            const double *b, int B, int T, int D, int H, double *work);
void avmit_softmax_forward_f64(double *probs, const double *logits, int B, int K);
double avmit_ce_loss_f64(const double *probs, const int *labels, int B, int K);
void avmit_softmax_ce_backward_f64(double *dlogits, const double *probs, const int *labels, int B,
                                   int K);

#endif
