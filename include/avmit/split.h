/*
 * avmit/split.h — video lists in the released CSV layouts (FORMATS.md §4,
 * SPEC §2): the AVMIT split layout (with r1/r2/r3), the MIT-16 layout
 * (unnamed index column), the test-set layout, and the per-video ratings
 * layout (video_ratings.csv). The layout is detected from the exact header.
 *
 * Reading keeps unknown labels (label_id -1) so that `avmit check` can report
 * them with file:line; consumers that need a class must test label_id.
 *
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_SPLIT_H
#define AVMIT_SPLIT_H

#include <stddef.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum avmit_layout {
    AVMIT_LAYOUT_AVMIT = 0,   /* filename,actual_label,r1,r2,r3,label,video_location,tfrecord_filename */
    AVMIT_LAYOUT_MIT16,       /* ,filename,MIT label,AVMIT label,tfrecord_filename */
    AVMIT_LAYOUT_TEST,        /* filename,AVMIT_label,MIT_label,video_location,new_filename,tfrecord_filename */
    AVMIT_LAYOUT_RATINGS      /* filename,r1,r2,r3,AVMIT_label,MIT_label,video_location
                               * (video_ratings.csv as the paper repository's README documents it) */
} avmit_layout;

/* "AVMIT", "MIT16", "TEST", "RATINGS". */
const char *avmit_layout_name(avmit_layout l);
/* Case-insensitive inverse of avmit_layout_name; AVMIT_E_ARG when unknown. */
int avmit_layout_from_name(const char *name, avmit_layout *out);

typedef struct avmit_video {
    char *filename;        /* "<MIT class folder>/<video>.mp4" */
    char *mit_label;       /* MIT class ("" if the layout lacks it) */
    char *label;           /* AVMIT label as written in the CSV */
    int label_id;          /* 0..15, or -1 when not one of the 16 */
    char *tfrecord;        /* tfrecord_filename, relative to the embedding root ("" if none) */
    char *video_location;  /* MIT split folder ("" if none) */
    char *new_filename;    /* test layout only ("" otherwise) */
    int r1, r2, r3;        /* rating counts, -1 when the layout has none */
    long line;             /* 1-based line in the source file */
} avmit_video;

typedef struct avmit_split {
    avmit_layout layout;
    char *path;
    size_t n;
    avmit_video *v;
} avmit_split;

struct avmit_csv;

/* Read a CSV in any of the four layouts (detected by the exact header). Rejects (file,
 * line, column): an unknown header, wrong column counts, quoting errors, r1/r2/r3 that are
 * not non-negative integers, a tfrecord_filename not ending in ".tfrecord", absolute or with
 * a ".." component, an MIT16 index column that is not 0..n-1, an empty filename.
 * Keeps unknown labels and duplicate rows (see avmit_split_validate). */
int avmit_split_read(avmit_split *out, const char *path, avmit_error *err);
/* The same from an already parsed table (t->path names the file in errors). */
int avmit_split_from_csv(avmit_split *out, const struct avmit_csv *t, avmit_error *err);

/* What a consumer that trains on s needs on top of avmit_split_read: every label one of
 * the 16 classes, no duplicate filename, no duplicate tfrecord_filename. The first
 * problem is reported with file:line and the video. */
int avmit_split_validate(const avmit_split *s, avmit_error *err);

/* Keep the rows i with keep[i] != 0 (order preserved) and free the others. */
void avmit_split_keep(avmit_split *s, const unsigned char *keep);

/* Append a deep copy of v (the line number is kept). */
int avmit_split_push(avmit_split *s, const avmit_video *v, avmit_error *err);
/* Write s in `layout` atomically, byte-compatible with the released files (LF, no quoting
 * unless a field needs it, MIT16 with its index column 0..n-1). Columns the layout needs
 * but s lacks are derived: MIT class = filename's folder, tfrecord_filename =
 * "<label>/<stem>.tfrecord", TEST new_filename = "<label>/<label>_<k>.mp4" (k counts per
 * label in row order); video_location is written "MIT_training"/"MIT_validation" in the
 * AVMIT layout and "training"/"validation" in the others, as the released files do.
 * AVMIT and RATINGS layouts need r1/r2/r3 (AVMIT_E_ARG when a row has none). */
int avmit_split_write(const avmit_split *s, avmit_layout layout, const char *path,
                      avmit_error *err);
void avmit_split_free(avmit_split *s);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SPLIT_H */
