/*
 * avmit/frontend.h — the two input chains that turn a media file into what
 * the embedding networks consume, with per-stage wall-clock timings:
 *
 *   audio:  decode (media_audio.h) -> resample to 16 kHz (resample.h)
 *           -> log-mel patches (logmel.h)             float32 [n, 96, 64]
 *   visual: select + decode (media_video.h) -> resize to 224x224 (vision.h)
 *           -> preprocess (vision.h)                  uint8 / float32 [n, 224, 224, 3]
 *
 * These are the chains `avmit features audio|visual` run and `avmit extract`
 * feeds to the CNNs; the outputs are bit-identical to running the stages by
 * hand. Default frame intervals and shapes come from avmit/registry.h.
 *
 * Availability: the audio chain needs FFmpeg and FFTW3/soxr
 * (AVMIT_HAVE_FFMPEG && AVMIT_HAVE_FFTW), the visual chain FFmpeg
 * (AVMIT_HAVE_FFMPEG); without them these functions are not built.
 *
 * Thread-safety: reentrant; the library prints nothing (the caller reports
 * `silent` and the timings).
 */
#ifndef AVMIT_FRONTEND_H
#define AVMIT_FRONTEND_H

#include <stdint.h>

#include "avmit/error.h"
#include "avmit/logmel.h"
#include "avmit/media_audio.h"
#include "avmit/media_video.h"
#include "avmit/registry.h"
#include "avmit/resample.h"
#include "avmit/vision.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- audio ------------------------------------------------------------------------ */

typedef struct avmit_audio_frontend_opts {
    avmit_logmel_params logmel; /* the model's front end (avmit_logmel_default_params) */
    avmit_resampler resampler;  /* AVMIT_RESAMPLER_KAISER_BEST (resampy, the reference) */
    int n_threads;              /* resample + log-mel threads; <= 0: all cores. The
                                   output does not depend on it. */
    int keep_waveform;          /* 1: the result keeps the 16 kHz waveform */
} avmit_audio_frontend_opts;

/* The reference settings for model (VGGish or YAMNet), all cores, no waveform. */
avmit_audio_frontend_opts avmit_audio_frontend_default_opts(avmit_logmel_model model);

typedef struct avmit_audio_frontend_timings {
    double decode_s;   /* avmit_media_audio_decode */
    double resample_s; /* avmit_resample to 16 kHz */
    double logmel_s;   /* avmit_logmel_create + avmit_logmel_patches */
} avmit_audio_frontend_timings;

typedef struct avmit_audio_features {
    float *patches;     /* [n_patches][96][64] float32, malloc'd (NULL when n_patches is 0) */
    int64_t n_patches;
    float *waveform;    /* [n_waveform] 16 kHz mono; only with keep_waveform, else NULL */
    int64_t n_waveform; /* samples at 16 kHz (set either way) */
    avmit_audio_pcm source; /* facts of the decoded stream (codec, channels, rate, samples,
                               silent, ...); source.samples is NULL */
    avmit_audio_frontend_timings timings;
} avmit_audio_features;

/*
 * Run the audio chain over the media file at path into *out (free with
 * avmit_audio_features_free; zeroed on error). A file without audio gives 3 s
 * of silence with out->source.silent set. Errors are those of the stages
 * (media_audio.h, resample.h, logmel.h), naming the file.
 */
int avmit_audio_frontend_run(const char *path, const avmit_audio_frontend_opts *opts,
                             avmit_audio_features *out, avmit_error *err);
void avmit_audio_features_free(avmit_audio_features *f); /* NULL is allowed */

/* ---- visual ----------------------------------------------------------------------- */

typedef struct avmit_visual_frontend_opts {
    double interval_ms;           /* frame interval (FEATURES.md §6); > 0 */
    avmit_preprocess preprocess;  /* NONE keeps uint8 RGB only */
    avmit_effnet_variant variant; /* EfficientNetB0 input layers (AVMIT_EFFNET_TF23) */
    avmit_video_decode decode;    /* AVMIT_VIDEO_DECODE_AUTO */
    int n_threads;                /* FFmpeg decoder threads; <= 0: all cores */
} avmit_visual_frontend_opts;

/* The default frame interval for a preprocessing: that of the network it belongs to
 * (registry.h: 960 ms VGG16, 480 ms EfficientNetB0); 0 for AVMIT_PREPROCESS_NONE,
 * which has no network (the caller must choose). */
double avmit_visual_default_interval_ms(avmit_preprocess pre);

/* The visual network's settings: its preprocessing and frame interval, TF 2.3
 * EfficientNet layers, AUTO decode, all cores. For a network that is not
 * visual: preprocess NONE and interval_ms 0. */
avmit_visual_frontend_opts avmit_visual_frontend_default_opts(avmit_network net);

typedef struct avmit_visual_frontend_timings {
    double decode_s;     /* frame choice + decoding + colour conversion (avmit_video_select_decode,
                            less the resizing it calls back into) */
    double resize_s;     /* avmit_resize_linear_u8 to 224x224 */
    double preprocess_s; /* avmit_preprocess_* (0 for NONE) */
} avmit_visual_frontend_timings;

typedef struct avmit_visual_frames {
    int64_t n;        /* selected frames */
    uint8_t *rgb;     /* [n][224][224][3] uint8 RGB, resized; malloc'd */
    float *input;     /* [n][224][224][3] float32 network input; NULL for PREPROCESS_NONE */
    int64_t *index;   /* [n] each frame's index in decode-output order */
    double *pos_ms;   /* [n] each frame's CAP_PROP_POS_MSEC */
    avmit_visual_frontend_timings timings;
} avmit_visual_frames;

/*
 * Run the visual chain over the video at path into *out (free with
 * avmit_visual_frames_free; zeroed on error). Errors: AVMIT_E_ARG
 * (interval_ms <= 0), those of avmit_video_select_decode (naming the file),
 * AVMIT_E_NOMEM.
 */
int avmit_visual_frontend_run(const char *path, const avmit_visual_frontend_opts *opts,
                              avmit_visual_frames *out, avmit_error *err);
void avmit_visual_frames_free(avmit_visual_frames *f); /* NULL is allowed */

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_FRONTEND_H */
