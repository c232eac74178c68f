/*
 * avmit/dataset.h — building balanced train/validation splits from per-video ratings
 * (SPEC §2 "Split building"), the way the released AVMIT files were made:
 *   1. keep the videos that pass the named rule (avmit/ratings.h);
 *   2. keep the classes with >= min_class_size passing videos (paper: 500 prominent);
 *      optionally only the 16 AVMIT classes;
 *   3. remove excluded videos (the test set), matched by filename;
 *   4. balance: take the largest equal number per class (the smallest remaining class
 *      size, or per_class if given and smaller), sampled with a seeded avmit_rng — stream
 *      avmit_hash64(class label) — so the result depends only on the seed and the input;
 *   5. per class, the first round(per_class * val_fraction) sampled videos go to
 *      validation, the rest to train (paper: 46 of 456, fraction 0.1).
 * Output order: classes in bytewise label order, videos in sampled order within a class.
 *
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_DATASET_H
#define AVMIT_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/ratings.h"
#include "avmit/split.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_build_opts {
    avmit_rule rule;
    long min_class_size;        /* classes with fewer passing videos are dropped */
    int only_avmit_classes;     /* non-zero: keep only the 16 AVMIT classes */
    long per_class;             /* 0 = the largest equal number; else at most this many */
    double val_fraction;        /* in [0, 1) */
    uint64_t seed;
    const avmit_split *exclude; /* videos to remove (matched by filename); may be NULL */
} avmit_build_opts;

/* Sensible defaults: prominent, 500, all classes, largest equal, 0.1, seed 0. */
avmit_build_opts avmit_build_default_opts(void);

typedef struct avmit_build_class {
    char *label;
    long n_passing;   /* videos passing the rule (before exclusion) */
    long n_excluded;  /* passing videos removed because they are in the exclude list */
    int kept;         /* 1 when the class is in the dataset */
} avmit_build_class;

typedef struct avmit_build_result {
    avmit_split train, val;      /* layout RATINGS-like rows carrying r1/r2/r3 */
    size_t n_classes;
    avmit_build_class *cls;      /* every class seen, sorted by label */
    size_t n_kept;               /* classes in the dataset */
    long per_class;              /* videos per kept class (train + validation) */
    long n_val_per_class;
} avmit_build_result;

/* Build from `ratings` (rows with r1/r2/r3). AVMIT_E_ARG for bad options or rows without
 * ratings; AVMIT_E_RANGE when no class is left. */
int avmit_dataset_build(const avmit_split *ratings, const avmit_build_opts *opts,
                        avmit_build_result *out, avmit_error *err);
void avmit_build_result_free(avmit_build_result *r);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_DATASET_H */
