/*
 * avmit/media_video.h — decode a video's frames in order through FFmpeg, with
 * the timestamps OpenCV's cv2.VideoCapture reports, and pick the frames the
 * AVMIT reference loop picks (FEATURES.md §6 frame selection, §7.1 decode).
 *
 *   avmit_video *v;
 *   if (avmit_video_open(&v, "clip.mp4", 1, &err)) ...;
 *   double pos_ms;
 *   while ((rc = avmit_video_next(v, &pos_ms, &err)) == 1) {
 *       avmit_video_frame_rgb(v, rgb, &err);   // only for the frames you keep
 *   }
 *   avmit_video_close(v);
 *
 * or, for the whole reference loop, avmit_video_select().
 *
 * Decoding follows OpenCV's FFmpeg backend: the first video stream, every
 * frame in decode-output order, no seeking; pixels are converted with
 * libswscale at the native size (SWS_BICUBIC flags, default BT.601 matrix) to
 * packed RGB24; POS is CAP_PROP_POS_MSEC (see avmit_video_next).
 *
 * Thread-safety: an avmit_video belongs to one thread; distinct objects may be
 * used concurrently. avmit_video_quiet_ffmpeg_log changes FFmpeg's
 * process-wide log level (for programs, not libraries, to call).
 */
#ifndef AVMIT_MEDIA_VIDEO_H
#define AVMIT_MEDIA_VIDEO_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_video avmit_video;

/* Open path and its first video stream. n_threads: FFmpeg decoder threads
 * (<= 0: 1). Errors name the file: AVMIT_E_IO (cannot open), AVMIT_E_FORMAT
 * (not a media file FFmpeg reads), AVMIT_E_NOTFOUND (no video stream),
 * AVMIT_E_UNSUPPORTED (no decoder), AVMIT_E_NOMEM. */
int avmit_video_open(avmit_video **out, const char *path, int n_threads, avmit_error *err);
void avmit_video_close(avmit_video *v); /* NULL is allowed */

/* Frame size of the stream (codec parameters; what OpenCV reports). */
int avmit_video_width(const avmit_video *v);
int avmit_video_height(const avmit_video *v);

/*
 * Decode the next frame. Returns 1 (a frame; *pos_ms set), 0 (no more frames)
 * or a negative AVMIT_E_* (AVMIT_E_FORMAT: the stream cannot be demuxed or
 * decoded; the message names the file and the frame index).
 * *pos_ms is OpenCV's CAP_PROP_POS_MSEC after reading this frame:
 *   ts = pts if set and != 0, else pkt_dts;
 *   pos_ms = (double)(ts - stream start_time) * time_base * 1000  (double)
 * and 0 when ts is unset or when the frame is one the decoder hands out
 * while draining after end of file with no packet dts (the frames held back
 * for B-frame reordering; OpenCV 4.6 + FFmpeg 5.1 report 0 for exactly these).
 * Like OpenCV, at most nb_frames + 1 frames are returned when the container
 * states nb_frames.
 */
int avmit_video_next(avmit_video *v, double *pos_ms, avmit_error *err);

/* Index (0-based, decode-output order) of the frame avmit_video_next returned last. */
int64_t avmit_video_frame_index(const avmit_video *v);

/* Convert the frame avmit_video_next returned last to packed RGB24 in rgb
 * (width * height * 3 bytes, row stride width * 3). */
int avmit_video_frame_rgb(avmit_video *v, uint8_t *rgb, avmit_error *err);

/*
 * The reference loop's frame choice as a state machine (FEATURES.md §6.2):
 * push the POS of each frame in order; it returns 1 when that frame is
 * selected. Frame 0 is always selected; afterwards the frame after the first
 * frame whose POS reaches last + interval_ms is selected, and last becomes
 * that trigger frame's POS (comparisons in double).
 */
typedef struct avmit_frame_selector {
    double interval_ms; /* 480 (released script) or 960 (paper, VGG16) */
    double last_ms;     /* POS of the last trigger frame (-99999 at start) */
    double pos_ms;      /* POS of the last frame read (0 before any) */
    int select_next;    /* the next frame read is selected */
} avmit_frame_selector;

void avmit_frame_selector_init(avmit_frame_selector *s, double interval_ms);
int avmit_frame_selector_push(avmit_frame_selector *s, double pos_ms);

/* One selected frame, as avmit_video_select hands it out. */
typedef struct avmit_video_frame {
    int64_t index;      /* frame index in decode-output order */
    double pos_ms;      /* its CAP_PROP_POS_MSEC */
    int width, height;  /* native size */
    const uint8_t *rgb; /* packed RGB24, row stride width * 3; valid during the call */
} avmit_video_frame;

/* Called once per selected frame; a non-zero return stops the run and is returned. */
typedef int (*avmit_video_frame_fn)(void *ctx, const avmit_video_frame *frame,
                                    avmit_error *err);

/* Run the reference loop over path: decode every frame, select as
 * avmit_frame_selector does, convert only the selected frames and pass them
 * to fn. *n_selected (may be NULL) gets the number of frames passed. A video
 * with no decodable frame is an error (AVMIT_E_FORMAT). */
int avmit_video_select(const char *path, double interval_ms, int n_threads,
                       avmit_video_frame_fn fn, void *ctx, int64_t *n_selected,
                       avmit_error *err);

/* Set FFmpeg's process-wide log level to quiet (FFmpeg otherwise prints its
 * own warnings to stderr). For programs; the library never calls it. */
void avmit_video_quiet_ffmpeg_log(void);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_MEDIA_VIDEO_H */
