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
    AVMIT_LAYOUT_RATINGS      /* video_ratings.csv (per-video rating counts; see split.c) */
} avmit_layout;

const char *avmit_layout_name(avmit_layout l);

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

int avmit_split_read(avmit_split *out, const char *path, avmit_error *err);
/* Write s in `layout` atomically (columns the layout needs but s lacks are
 * derived where the rule is known, e.g. tfrecord_filename = label/stem.tfrecord). */
int avmit_split_write(const avmit_split *s, avmit_layout layout, const char *path,
                      avmit_error *err);
void avmit_split_free(avmit_split *s);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SPLIT_H */
