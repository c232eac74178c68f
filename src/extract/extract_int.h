/*
 * extract/extract_int.h — internals shared by the src/extract modules.
 */
#ifndef AVMIT_EXTRACT_INT_H
#define AVMIT_EXTRACT_INT_H

#include <stdint.h>

#include "avmit/cnn.h"
#include "avmit/extract.h"

/* Append a note (copies the strings). */
int extract_note_push(avmit_extract_note_list *l, const char *video, const char *out_rel,
                      avmit_extract_reason reason, const char *detail, avmit_error *err);

/* A video's front-end result, handed from a front-end worker to the CNN stage
 * and on to the writer. */
typedef struct extract_item {
    size_t job;             /* index into the job list */
    avmit_extract_reason reason; /* != OK: failed (detail says why), nothing else is set */
    char detail[AVMIT_ERROR_MSG_MAX + 256];
    int no_audio, silent;   /* audio notes */
    int skipped;            /* a valid output exists (resume) */
    int64_t n_patches;      /* audio: [n_patches, 96, 64] log-mel patches */
    float *patches;
    int64_t n_frames;       /* visual: [n_frames, 224, 224, 3] preprocessed frames */
    float *frames;
    float *audio_emb;       /* [n_patches, D_a], filled by the CNN stage */
    float *visual_emb;      /* [n_frames, D_v] */
} extract_item;

void extract_item_free(extract_item *it);

/* Front end of one video (a front-end worker): fills it->patches / frames or
 * it->reason. busy[] gets the audio and visual front-end seconds. */
typedef struct extract_frontend extract_frontend;
int extract_frontend_create(extract_frontend **out, avmit_embedding_set set, int interval_ms,
                            avmit_error *err);
void extract_frontend_free(extract_frontend *fe);
void extract_frontend_run(const extract_frontend *fe, const char *video, extract_item *it,
                          double busy[AVMIT_STAGE_COUNT]);

double extract_now(void);

#endif
