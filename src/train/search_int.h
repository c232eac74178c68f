/* search_int.h — internals shared by src/train/search*.c. */
#ifndef AVMIT_SEARCH_INT_H
#define AVMIT_SEARCH_INT_H

#include "avmit/search.h"

/* Order of rows in trials.csv: (embeddings, rnn, trial). */
int search_key_cmp(avmit_search_key a, avmit_search_key b);

/* Text of one row's AVMIT_SEARCH_N_COLS cells, in avmit_search_columns order. */
typedef struct search_cells {
    char buf[AVMIT_SEARCH_N_COLS][48];
    const char *cell[AVMIT_SEARCH_N_COLS];
} search_cells;
void search_format_row(const avmit_search_row *row, search_cells *out);

/* "YamNet+EffNetB0" / "VGGish+VGG16", "FRNN" / "GRU" / "LSTM": the paper's names. */
const char *search_paper_embeddings(avmit_synth_set e);
const char *search_paper_rnn(avmit_search_rnn r);

#endif
