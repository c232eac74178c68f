/*
 * media_video_int.h — internals of the video decoder shared by media_video.c
 * (sequential decoding, OpenCV's timestamps) and media_video_fast.c (the
 * partial-decode path of avmit_video_select).
 */
#ifndef AVMIT_MEDIA_VIDEO_INT_H
#define AVMIT_MEDIA_VIDEO_INT_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "avmit/media_video.h"

struct avmit_video {
    char *path;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    struct SwsContext *sws;
    AVFrame *rgb;         /* swscale output at the coded size (OpenCV's rgb_picture) */
    int stream;           /* index of the video stream */
    int width, height;    /* codec parameters */
    int64_t start_time;   /* stream start_time (0 if unset) */
    AVRational time_base;
    int64_t nb_frames;    /* container's frame count, 0 if unknown */
    int64_t n_read;       /* frames returned so far */
    int flushed;          /* the end-of-file flush was sent to the decoder */
    int have_frame;       /* frame holds the last frame returned */
};

/* OpenCV's CAP_PROP_POS_MSEC for a frame with this pts and packet dts;
 * flushed: handed out after the end-of-file flush (media_video.c's header). */
double avmit_video_pos_ms(const avmit_video *v, int64_t pts, int64_t pkt_dts, int flushed);

/* Convert the frame v holds (v->frame, index v->n_read - 1) to RGB in rgb and
 * hand it to fn as a selected frame with this POS. */
int avmit_video_emit(avmit_video *v, double pos_ms, uint8_t *rgb, avmit_video_frame_fn fn,
                     void *ctx, avmit_error *err);

/*
 * The selection loop of avmit_video_select, decoding only the frames it needs
 * (media_video_fast.c). v is freshly opened; rgb holds one frame. Returns 1
 * when it ran (*rc: 0 or the error of fn or of a conversion; *n_selected, if
 * not NULL, counts the frames passed), or 0 when the stream is not one whose
 * OpenCV timestamps follow from its packets (*why says why; fn was not
 * called; v is spent and must be reopened).
 */
int avmit_video_select_fast(avmit_video *v, double interval_ms, uint8_t *rgb,
                            avmit_video_frame_fn fn, void *ctx, int64_t *n_selected, int *rc,
                            const char **why, avmit_error *err);

#endif /* AVMIT_MEDIA_VIDEO_INT_H */
