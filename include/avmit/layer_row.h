/*
 * avmit/layer_row.h — one row of a Keras-style model summary, shared by every
 * network built on the one model description (experiment 1, SAVC; the summary
 * printer of src/graph). Types only.
 */
#ifndef AVMIT_LAYER_ROW_H
#define AVMIT_LAYER_ROW_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One row of the Keras-style summary. */
typedef struct avmit_layer_row {
    char name[32];      /* Keras layer name, e.g. "audio_bottleneck" */
    char type[48];      /* "TimeDistributed(Conv2D)", "GRU", ... */
    char output[48];    /* output shape, "(None, 7, 1, 1, 64)" */
    size_t n_params;    /* all weights of the layer (BN: 4*nb) */
    size_t n_trainable;
} avmit_layer_row;

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_LAYER_ROW_H */
