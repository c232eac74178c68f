/*
 * train_int.h — internals shared by the files of src/train.
 */
#ifndef AVMIT_TRAIN_INT_H
#define AVMIT_TRAIN_INT_H

/* Index of the first largest probability (Keras categorical_accuracy). */
int avmit_top1(const float *p, int K);
/* tf.math.in_top_k: fewer than k classes score strictly above class y. */
int avmit_in_top_k(const float *p, int K, int y, int k);

#endif
