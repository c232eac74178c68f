/*
 * avmit/savc_pairs.h — audio/visual pairs for the Supervised Audiovisual
 * Correspondence task (SPEC.md §6, §1 "Table 7"; FORMATS.md §4 "SAVC pair
 * CSVs"): which audio stream is shown with which visual stream, and whether
 * both come from the same action class.
 *
 * A pair is two indices into an avmit_savc_videos list (one entry per
 * distinct tfrecord_filename), so millions of pairs cost 8 bytes each and
 * training never copies embeddings per pair.
 *
 * Rules (SPEC §6), for C classes and K videos per class:
 *  - sampling: from each class, K videos drawn without replacement (seeded,
 *    stream avmit_hash64(label)), in sampled order; K > class size is an error;
 *  - congruent, "all": every ordered (audio, visual) pair of the class's K
 *    videos, a video with itself included: C*K^2 pairs;
 *    congruent "N per video": N rounds; each round pairs every sampled video's
 *    audio with the visual of a random permutation of the class's sample (so
 *    every video is also used N times as visual; self pairs can occur): C*K*N;
 *  - incongruent: for every sampled video as audio and every other class, K/(C-1)
 *    distinct visual videos drawn from that class's sample: C*K*K pairs; K must
 *    be divisible by C-1 (the paper: 405, 45, 600, 60 with C = 16).
 *    The reference script (SAVC/prepare_av_correspondence_csvs.py) re-seeds its
 *    sampler with random_state=0 for every audio video, so all audio videos of a
 *    class get the same visual partners; avmit draws them independently per
 *    audio video, as the paper describes.
 *  - test pairs (SPEC §1: 1,920 on the 960-video test set): every video's audio
 *    once in a congruent pair and once in an incongruent pair. Congruent partner:
 *    the next video in a random cyclic order of its class (never itself unless
 *    the class has one video), so every visual stream is also used exactly once.
 *    Incongruent: when all classes have n videos and C-1 divides n, class c's
 *    shuffled audio videos go q = n/(C-1) to each other class and every visual
 *    stream is used exactly once; otherwise a random other class and video.
 * Output order: classes in bytewise label order; within a class the sampled
 * order (test pairs: the row order of the split).
 *
 * Silence (--drop-silent, MIT-16): the reference removed videos without an
 * audio stream, for which the feature extractor embedded 3 s of digital zeros
 * (FEATURES.md §2.1, §3.4) — every audio patch is the same constant log-mel
 * patch, so every audio row of the record is the same vector. avmit judges
 * from the record: audio is SILENT when it has no rows, when every value is 0,
 * or when it has >= 2 rows and every row equals the first within
 * |x_t - x_0| <= 1e-5 * (1 + |x_0|) element-wise (a real soundtrack never gives
 * identical patches; a constant or digitally silent one does, and carries no
 * class information either).
 *
 * Thread-safety: reentrant; avmit_savc_find_silent runs its own threads.
 */
#ifndef AVMIT_SAVC_PAIRS_H
#define AVMIT_SAVC_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/embedding.h"
#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The videos pairs index into: one entry per distinct tfrecord_filename. */
typedef struct avmit_savc_videos {
    size_t n;
    char **tfrecord;     /* [n] relative to the embedding root */
    int *cls;            /* [n] index into classes; -1 when unknown (read from pair CSVs) */
    long *line;          /* [n] 1-based line of the first mention in `path` */
    size_t n_classes;
    char **classes;      /* [n_classes] labels in bytewise order */
    char *path;          /* the CSV the list came from (errors) */
    void *index;         /* private: tfrecord -> entry */
} avmit_savc_videos;

/* Read a split CSV (any layout of FORMATS.md §4, or any CSV with a
 * tfrecord_filename column) with its class in `label_col` (NULL: the first of
 * "label", "AVMIT label", "AVMIT_label" present). A duplicated tfrecord_filename
 * or an empty label is an error naming the line. */
int avmit_savc_videos_read(avmit_savc_videos *out, const char *path, const char *label_col,
                           avmit_error *err);
/* Index of `tfrecord` in v, or -1. */
long avmit_savc_videos_find(const avmit_savc_videos *v, const char *tfrecord);
/* Keep entries with keep[i] != 0 (order preserved; classes left as they are). */
int avmit_savc_videos_keep(avmit_savc_videos *v, const unsigned char *keep, avmit_error *err);
void avmit_savc_videos_free(avmit_savc_videos *v);

typedef struct avmit_savc_pairs {
    size_t n;
    uint32_t *audio;     /* [n] video index of the audio stream */
    uint32_t *visual;    /* [n] video index of the visual stream */
} avmit_savc_pairs;

void avmit_savc_pairs_free(avmit_savc_pairs *p);

typedef struct avmit_savc_pair_opts {
    long per_class;      /* K >= 1 */
    long congruent;      /* 0: all K^2 per class; N > 0: N per video */
    uint64_t seed;
} avmit_savc_pair_opts;

/* Pair counts without building them (AVMIT_E_ARG / AVMIT_E_RANGE as for make). */
int avmit_savc_pair_counts(size_t n_classes, const avmit_savc_pair_opts *o, size_t *n_cong,
                           size_t *n_incong, avmit_error *err);
/* Build the congruent and incongruent pairs of v (classes with no video are an
 * error: every class in v->classes has at least one row by construction). */
int avmit_savc_make_pairs(const avmit_savc_videos *v, const avmit_savc_pair_opts *o,
                          avmit_savc_pairs *cong, avmit_savc_pairs *incong, avmit_error *err);
/* The test-set pairs: v->n congruent and v->n incongruent (rules above). */
int avmit_savc_make_test_pairs(const avmit_savc_videos *v, uint64_t seed,
                               avmit_savc_pairs *cong, avmit_savc_pairs *incong,
                               avmit_error *err);

/* Write pairs as "audio_tfrecord,visual_tfrecord" rows, atomically. */
int avmit_savc_pairs_write(const avmit_savc_videos *v, const avmit_savc_pairs *p,
                           const char *path, avmit_error *err);
/* Read a pair CSV (header exactly audio_tfrecord,visual_tfrecord; LF or CRLF;
 * no quoting), streaming. Names are added to `v` (created empty by the first
 * call on a zeroed struct; new entries get class -1), so several files share
 * one video list. */
int avmit_savc_pairs_read(avmit_savc_videos *v, const char *path, avmit_savc_pairs *out,
                          avmit_error *err);

/* 1 when e's audio is silent by the rule above, else 0. */
int avmit_savc_audio_silent(const avmit_embedding *e);
/* Read <tfrecord_dir>/<tfrecord> of every video (n_threads; <= 0 all cores)
 * and set silent[i]. A missing or invalid file is an error. */
int avmit_savc_find_silent(const avmit_savc_videos *v, const char *tfrecord_dir, int n_threads,
                           unsigned char *silent, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SAVC_PAIRS_H */
