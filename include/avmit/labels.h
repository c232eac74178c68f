/*
 * avmit/labels.h — the 16 AVMIT classes and their ids (SPEC §1, FORMATS §3.4):
 * barking 0, diving 1, drumming 2, frying 3, giggling 4, howling 5,
 * inflating 6, mowing 7, pouring 8, raining 9, sanding 10, shredding 11,
 * sneezing 12, tapping 13, vacuuming 14, whistling 15 (alphabetical).
 * Unlike the reference's lookup table, an unknown label is never mapped to 0.
 *
 * Thread-safety: constant tables only.
 */
#ifndef AVMIT_LABELS_H
#define AVMIT_LABELS_H

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_N_CLASSES 16

/* Id 0..15 of an AVMIT label, or -1 when it is not one of the 16. */
int avmit_label_id(const char *label);
/* Name of id 0..15, or NULL. */
const char *avmit_label_name(int id);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_LABELS_H */
