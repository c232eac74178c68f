/*
 * avmit/embedding.h — the AVMIT embedding record (FORMATS.md §3): one
 * tf.train.SequenceExample with context {filename, label (bytes),
 * audio_timesteps, visual_timesteps (int64)} and feature lists
 * {audio, visual_object}, one bytes value of raw float32 LE per timestep.
 *
 * Context keys and feature lists other than the six above are ignored (their protobuf
 * structure is still checked), as tf.io.parse_sequence_example with a fixed feature spec
 * ignores them; opts->extras reports them, opts->reject_extra refuses them.
 *
 * Decoding is strict (FORMATS.md §10): wrong wire types, missing keys, keys
 * with != 1 value, row bytes not a multiple of 4 or unequal, timestep counts
 * that disagree with the lists, non-finite values (unless allowed) are each
 * an error naming the file, record index and field. Encoding writes keys
 * sorted bytewise, fields in number order, int64 lists packed — the bytes
 * protobuf's deterministic serialisation gives (FORMATS.md §3.5).
 *
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_EMBEDDING_H
#define AVMIT_EMBEDDING_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_embedding {
    char *filename;           /* context 'filename', e.g. "barking/a.mp4" */
    char *label;              /* context 'label', e.g. "barking" */
    int64_t n_audio_steps;    /* T_a = context 'audio_timesteps' */
    int64_t n_visual_steps;   /* T_v = context 'visual_timesteps' */
    int64_t audio_dim;        /* D_a (floats per audio row) */
    int64_t visual_dim;       /* D_v */
    float *audio;             /* [T_a, D_a] row-major */
    float *visual;            /* [T_v, D_v] row-major */
} avmit_embedding;

/* Keys a record carries beyond the AVMIT ones (e.g. context 'fps', a feature list of
 * per-frame logits), in record order. tf.io.parse_sequence_example with a fixed spec
 * ignores such keys, and so does the decoder; these lists only report them. Key bytes
 * that are not printable ASCII are written as '?'. */
typedef struct avmit_embedding_extras {
    size_t n_context;
    char **context;           /* [n_context] owned strings */
    size_t n_lists;
    char **lists;             /* [n_lists] owned strings */
} avmit_embedding_extras;

void avmit_embedding_extras_free(avmit_embedding_extras *x); /* zeroes; NULL allowed */

typedef struct avmit_embedding_opts {
    int allow_nonfinite;      /* accept NaN/Inf values */
    int check_label;          /* label must be one of the 16 AVMIT classes */
    int check_dims;           /* D_a in {128,1024}, D_v in {512,1280}, and paired */
    int64_t max_timesteps;    /* > 0: T_a and T_v must be <= this */
    int reject_extra;         /* an extra context key or feature list is an error
                               * (AVMIT_E_FORMAT naming the key; `validate --strict`) */
    avmit_embedding_extras *extras; /* non-NULL: filled (after freeing its old content)
                               * with the ignored keys, on success and on failure */
} avmit_embedding_opts;

/* Strict defaults: finite values, known label, known dims, no T cap; extra keys ignored
 * and not reported. */
avmit_embedding_opts avmit_embedding_default_opts(void);

/* Decode one serialized SequenceExample. `path` and `record` are used in errors.
 * On failure *out is left empty (nothing to free). opts NULL = defaults. */
int avmit_embedding_decode(avmit_embedding *out, const uint8_t *buf, size_t n,
                           const avmit_embedding_opts *opts, const char *path, long long record,
                           avmit_error *err);

/* Encode into a malloc'd buffer. */
int avmit_embedding_encode(const avmit_embedding *e, uint8_t **out, size_t *n, avmit_error *err);

/* Read an embedding file: exactly one record (GZIP or uncompressed). */
int avmit_embedding_read_file(avmit_embedding *out, const char *path,
                              const avmit_embedding_opts *opts, avmit_error *err);

/* Write an embedding file: GZIP, one record, atomic; creates parent dirs. */
int avmit_embedding_write_file(const avmit_embedding *e, const char *path, avmit_error *err);

/* Free the owned fields and zero the struct. NULL is allowed. */
void avmit_embedding_free(avmit_embedding *e);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_EMBEDDING_H */
