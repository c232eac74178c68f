/*
 * avmit/synth.h — a SYNTHETIC stand-in for the AVMIT embedding files, so the
 * pipeline (check, validate, train) can run end to end without the real
 * embeddings (which are not available offline). The values are NOT real
 * VGGish/YAMNet/VGG16/EfficientNet outputs.
 *
 * For every video listed in split CSVs (any layout of FORMATS.md §4) one file
 * `<out_dir>/<tfrecord_filename>` is written in the real layout (FORMATS §3:
 * GZIP, one SequenceExample): context filename = the CSV `filename`, label =
 * the directory of tfrecord_filename (what the real extractor stored, §3.1;
 * when that directory is not one of the 16 classes the CSV label is stored
 * and the row is reported), T and D per embedding set (§3.3).
 *
 * Values: each class has a fixed random prototype per modality (from the seed
 * and class only); a timestep is softplus(base + s·prototype + video offset +
 * noise·N(0,1)), i.e. non-negative like pooled ReLU features, with
 * s = signal / sqrt(D) (signal 3.5 by default: two class means are about 4.9
 * per-dimension noise units apart whatever D is). A class is thus learnable
 * from either stream. A larger signal gives each timestep a larger share of
 * class variance (real CNN embeddings are far more class-structured per frame
 * than the default); `make demo` uses it for the SAVC step, whose
 * single-distance bottleneck sits at chance for a long time on the default. Weak / mismatched streams: a row with rating
 * counts and r3 < 2 (not prominently audiovisual), or an MIT-16-layout row
 * (never rated) with probability `mismatch_prob`, gets one of: audio from
 * another class's prototype (50%), audio without class signal (25%), visual
 * without class signal (25%). MIT-16 rows were never rated, and the AVMIT
 * paper's point is that many MIT videos are not prominently audiovisual, so
 * they carry such streams; AVMIT rows (all r3 >= 2) and test-set rows (all
 * three raters gave 3, SPEC §2) never do.
 *
 * Every value depends only on (seed, tfrecord_filename, CSV row content):
 * not on thread count or on the order of files or rows.
 *
 * Thread-safety: an avmit_synth is read-only after creation and may be shared
 * by threads; avmit_synth_run parallelises over videos itself.
 */
#ifndef AVMIT_SYNTH_H
#define AVMIT_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/embedding.h"
#include "avmit/error.h"
#include "avmit/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum avmit_synth_set {
    /* the embedding sets of registry.h (dimensions there) */
    AVMIT_SYNTH_YAMNET_EFFNET = AVMIT_SET_YAMNET_EFFNET, /* D_a 1024, D_v 1280, T_a 6, T_v 6
                                                            (7 for ~1 in 5) */
    AVMIT_SYNTH_VGGISH_VGG16 = AVMIT_SET_VGGISH_VGG16    /* D_a 128, D_v 512, T_a 3, T_v 4 */
} avmit_synth_set;

/* "yamnet-effnet" / "vggish-vgg16" -> set; AVMIT_E_ARG for any other name. */
int avmit_synth_set_parse(const char *name, avmit_synth_set *out, avmit_error *err);
const char *avmit_synth_set_name(avmit_synth_set s);

typedef struct avmit_synth_opts {
    avmit_synth_set set;
    uint64_t seed;
    double noise;          /* per-timestep noise std (default 1.0) */
    double signal;         /* class prototype scale s = signal / sqrt(D), [0, 100] (3.5) */
    double mismatch_prob;  /* weak/mismatched stream probability for unrated rows (0.35) */
    int n_threads;         /* <= 0: all cores */
    long limit_per_class;  /* > 0: from each CSV keep the first N rows of each label */
    /* Optional: called with (files done, files total) from one worker thread
     * at a time (thread 0) and once at the end from the caller's thread. */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
} avmit_synth_opts;

avmit_synth_opts avmit_synth_default_opts(void);

/* What a video's streams carry. */
typedef enum avmit_synth_kind {
    AVMIT_SYNTH_CONGRUENT = 0,   /* both streams show the class */
    AVMIT_SYNTH_AUDIO_OTHER,     /* audio shows another class (mismatched) */
    AVMIT_SYNTH_AUDIO_WEAK,      /* audio carries no class signal */
    AVMIT_SYNTH_VISUAL_WEAK      /* visual carries no class signal */
} avmit_synth_kind;

/* Class prototypes for one (set, seed); read-only once made. */
typedef struct avmit_synth avmit_synth;

int avmit_synth_create(avmit_synth **out, const avmit_synth_opts *opts, avmit_error *err);
void avmit_synth_free(avmit_synth *s);

/* One video to synthesise. */
typedef struct avmit_synth_item {
    const char *filename; /* context 'filename' */
    const char *label;    /* context 'label' */
    const char *key;      /* tfrecord_filename: seeds this video's random stream */
    int class_id;         /* 0..15: whose prototypes the streams show */
    int r3;               /* "prominently audiovisual" rating count, -1 = never rated */
} avmit_synth_item;

/* Fill *out (owned fields malloc'd; free with avmit_embedding_free). */
int avmit_synth_video(const avmit_synth *s, const avmit_synth_item *item, avmit_embedding *out,
                      avmit_synth_kind *kind, avmit_error *err);

/* Outcome of avmit_synth_run. */
typedef struct avmit_synth_report {
    size_t n_rows;           /* CSV rows read (after limit_per_class) */
    size_t n_written;        /* distinct files written */
    size_t n_duplicates;     /* rows whose tfrecord_filename another row already gave */
    size_t n_kind[4];        /* files per avmit_synth_kind */
    size_t n_label_fallback; /* tfrecord directory not one of the 16: CSV label stored */
    char **notes;            /* n_notes "<csv>: line <l>: ..." lines about such rows */
    size_t n_notes;
} avmit_synth_report;

/* Read the split CSVs, keep one row per tfrecord_filename (a row with ratings
 * over one without, then the bytewise-smallest filename), and write every
 * file atomically under out_dir (existing files are replaced). */
int avmit_synth_run(const char *const *split_paths, size_t n_splits, const char *out_dir,
                    const avmit_synth_opts *opts, avmit_synth_report *report, avmit_error *err);
void avmit_synth_report_free(avmit_synth_report *r);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SYNTH_H */
