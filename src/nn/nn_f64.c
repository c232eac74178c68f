/*
 * nn_f64.c — the double-precision build of the layer sources (see nn_real.h),
 * for finite-difference gradient checks (tests/unit/test_nn_gradcheck.c).
 */
#define AVMIT_NN_F64 1
#include "nn/dense.c"
#include "nn/batchnorm.c"
#include "nn/activation.c"
#include "nn/rnn.c"
#include "nn/softmax_ce.c"
