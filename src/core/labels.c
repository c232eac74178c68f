/* labels.c — the 16 AVMIT classes (include/avmit/labels.h). */
#include "avmit/labels.h"

#include <string.h>

/* SPEC §1 / FORMATS §3.4: alphabetical, identical in every released train.yaml. */
static const char *const k_labels[AVMIT_N_CLASSES] = {
    "barking",  "diving",  "drumming", "frying",    "giggling", "howling",  "inflating", "mowing",
    "pouring",  "raining", "sanding",  "shredding", "sneezing", "tapping",  "vacuuming", "whistling"};

int avmit_label_id(const char *label) {
    if (!label) return -1;
    for (int i = 0; i < AVMIT_N_CLASSES; i++)
        if (strcmp(label, k_labels[i]) == 0) return i;
    return -1;
}

const char *avmit_label_name(int id) {
    return (id >= 0 && id < AVMIT_N_CLASSES) ? k_labels[id] : NULL;
}
