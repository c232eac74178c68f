/*
 * savc_f64.c — the double-precision build of savc_layers.c (see
 * savc_real_int.h), for finite-difference gradient checks.
 */
#define AVMIT_NN_F64 1
#include "nn/savc_layers.c"
