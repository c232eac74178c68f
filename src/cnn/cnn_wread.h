/*
 * cnn/cnn_wread.h — read a weight file into an avmit_wset (avmit/weights.h
 * types) for the CNN engine: Keras HDF5 and TF2 bundles. The stand-in for
 * avmit_wset_read until the V1-checkpoint-capable reader is merged.
 */
#ifndef AVMIT_CNN_CNN_WREAD_H
#define AVMIT_CNN_CNN_WREAD_H

#include "avmit/weights.h"

int cnn_wset_read(avmit_wset *s, const char *path, avmit_error *err);
void cnn_wset_free(avmit_wset *s);
/* Hand tensor i's data to the caller (free() it); NULL afterwards in s. */
float *cnn_wset_take(avmit_wset *s, size_t i);

#endif
