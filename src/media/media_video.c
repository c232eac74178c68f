/*
 * media_video.c — sequential video decoding with OpenCV's timestamps, and the
 * AVMIT reference loop's frame selection (include/avmit/media_video.h,
 * FEATURES.md §6 and §7.1).
 *
 * What is copied from OpenCV's FFmpeg backend (videoio/src/cap_ffmpeg_impl.hpp,
 * 4.5.5+ with FFmpeg >= 5) and why:
 *  - the first video stream, avformat_find_stream_info before choosing it;
 *  - POS = ((double)(ts - start_time) * (num / (double)den)) * 1000 with
 *    ts = pts if set and != 0, else pkt_dts (grabFrame, dts_to_sec);
 *  - frames drained after end of file that carry no packet dts report POS 0
 *    [run: OpenCV 4.6 + FFmpeg 5.1 reports 0.0 for exactly these frames, the
 *    last has_b_frames frames of a B-frame H.264 clip, with any decoder thread
 *    count; frames drained because of frame threading keep their dts and POS];
 *  - at most nb_frames + 1 frames when the container states nb_frames;
 *  - libswscale at the coded size, same size in and out, SWS_BICUBIC, no
 *    further flags (retrieveFrame); RGB24 instead of OpenCV's BGR24 + cvtColor.
 * Only the selected frames are converted to RGB: the reference converts every
 * frame it reads, which changes nothing but time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "media_video_int.h"
#include "core/error_int.h"


static const char *av_err_text(int code, char *buf, size_t n) {
    if (av_strerror(code, buf, n) < 0) snprintf(buf, n, "FFmpeg error %d", code);
    return buf;
}

void avmit_video_quiet_ffmpeg_log(void) { av_log_set_level(AV_LOG_QUIET); }

void avmit_video_close(avmit_video *v) {
    if (!v) return;
    sws_freeContext(v->sws);
    av_frame_free(&v->rgb);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    free(v->path);
    free(v);
}

int avmit_video_width(const avmit_video *v) { return v->width; }
int avmit_video_height(const avmit_video *v) { return v->height; }
int64_t avmit_video_frame_index(const avmit_video *v) { return v->n_read - 1; }

/* Open the container; zero-length and unreadable files get their own message. */
static int open_input(avmit_video *v, const char *path, avmit_error *err) {
    char eb[256];
    struct stat st;
    if (stat(path, &st) != 0)
        return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return avmit_error_path(err, AVMIT_E_IO, path, "is a directory, not a video file");
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return avmit_error_path(err, AVMIT_E_FORMAT, path, "empty file (0 bytes), not a video");
    int r = avformat_open_input(&v->fmt, path, NULL, NULL);
    if (r < 0)
        return avmit_error_path(err, r == AVERROR(ENOENT) || r == AVERROR(EACCES)
                                         ? AVMIT_E_IO : AVMIT_E_FORMAT,
                                path, "FFmpeg cannot read it as a media file: %s",
                                av_err_text(r, eb, sizeof eb));
    r = avformat_find_stream_info(v->fmt, NULL);
    if (r < 0)
        return avmit_error_path(err, AVMIT_E_FORMAT, path, "cannot read stream parameters: %s",
                                av_err_text(r, eb, sizeof eb));
    return 0;
}

int avmit_video_open(avmit_video **out, const char *path, int n_threads, avmit_error *err) {
    *out = NULL;
    char eb[256];
    avmit_video *v = calloc(1, sizeof *v);
    if (!v || !(v->path = strdup(path))) {
        free(v);
        return AVMIT_NOMEM_AT(err, path, "video_open");
    }
    int rc = open_input(v, path, err);
    if (rc) goto fail;
    v->stream = -1;
    for (unsigned i = 0; i < v->fmt->nb_streams; i++)
        if (v->fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
            v->stream = (int)i;
            break;
        }
    if (v->stream < 0) {
        rc = avmit_error_path(err, AVMIT_E_NOTFOUND, path,
                              "no video stream (%u stream(s), none of them video)",
                              v->fmt->nb_streams);
        goto fail;
    }
    AVStream *st = v->fmt->streams[v->stream];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        rc = avmit_error_path(err, AVMIT_E_UNSUPPORTED, path,
                              "no FFmpeg decoder for the video codec '%s'",
                              avcodec_get_name(st->codecpar->codec_id));
        goto fail;
    }
    v->dec = avcodec_alloc_context3(codec);
    v->pkt = av_packet_alloc();
    v->frame = av_frame_alloc();
    v->rgb = av_frame_alloc();
    if (!v->dec || !v->pkt || !v->frame || !v->rgb) {
        rc = AVMIT_NOMEM_AT(err, path, "video_open");
        goto fail;
    }
    int r = avcodec_parameters_to_context(v->dec, st->codecpar);
    if (r >= 0) {
        v->dec->thread_count = n_threads > 0 ? n_threads : 1;
        r = avcodec_open2(v->dec, codec, NULL);
    }
    if (r < 0) {
        rc = avmit_error_path(err, AVMIT_E_FORMAT, path, "cannot open the %s decoder: %s",
                              codec->name, av_err_text(r, eb, sizeof eb));
        goto fail;
    }
    v->width = st->codecpar->width;
    v->height = st->codecpar->height;
    if (v->width < 1 || v->height < 1) {
        rc = avmit_error_path(err, AVMIT_E_FORMAT, path, "video stream has no frame size (%dx%d)",
                              v->width, v->height);
        goto fail;
    }
    v->start_time = st->start_time == AV_NOPTS_VALUE ? 0 : st->start_time;
    v->time_base = st->time_base;
    v->nb_frames = st->nb_frames > 0 ? st->nb_frames : 0;
    *out = v;
    return 0;
fail:
    avmit_video_close(v);
    return rc;
}

double avmit_video_pos_ms(const avmit_video *v, int64_t pts, int64_t pkt_dts, int flushed) {
    int64_t ts = pts != AV_NOPTS_VALUE && pts != 0 ? pts : pkt_dts;
    if (ts == AV_NOPTS_VALUE || (flushed && pkt_dts == AV_NOPTS_VALUE)) return 0.0;
    double tb = v->time_base.num == 0 || v->time_base.den == 0
                    ? 0.0 : (double)v->time_base.num / (double)v->time_base.den;
    return ((double)(ts - v->start_time) * tb) * 1000.0;
}

int avmit_video_next(avmit_video *v, double *pos_ms, avmit_error *err) {
    char eb[256];
    v->have_frame = 0;
    if (v->nb_frames > 0 && v->n_read > v->nb_frames) return 0;
    for (;;) {
        int r = avcodec_receive_frame(v->dec, v->frame);
        if (r == 0) break;
        if (r == AVERROR_EOF) return 0;
        if (r != AVERROR(EAGAIN))
            return avmit_error_path(err, AVMIT_E_FORMAT, v->path,
                                    "decoding video frame %lld failed: %s",
                                    (long long)v->n_read, av_err_text(r, eb, sizeof eb));
        if (v->flushed) return 0;
        r = av_read_frame(v->fmt, v->pkt);
        if (r == AVERROR_EOF) {
            v->flushed = 1;
            r = avcodec_send_packet(v->dec, NULL);
            if (r < 0 && r != AVERROR_EOF)
                return avmit_error_path(err, AVMIT_E_FORMAT, v->path,
                                        "flushing the video decoder failed: %s",
                                        av_err_text(r, eb, sizeof eb));
            continue;
        }
        if (r < 0)
            return avmit_error_path(err, AVMIT_E_FORMAT, v->path,
                                    "reading the container failed after %lld video frames: %s",
                                    (long long)v->n_read, av_err_text(r, eb, sizeof eb));
        if (v->pkt->stream_index != v->stream) {
            av_packet_unref(v->pkt);
            continue;
        }
        r = avcodec_send_packet(v->dec, v->pkt);
        av_packet_unref(v->pkt);
        if (r < 0)
            return avmit_error_path(err, AVMIT_E_FORMAT, v->path,
                                    "decoding video frame %lld failed: %s",
                                    (long long)v->n_read, av_err_text(r, eb, sizeof eb));
    }
    *pos_ms = avmit_video_pos_ms(v, v->frame->pts, v->frame->pkt_dts, v->flushed);
    v->n_read++;
    v->have_frame = 1;
    return 1;
}

int avmit_video_frame_rgb(avmit_video *v, uint8_t *rgb, avmit_error *err) {
    const AVFrame *f = v->frame;
    if (!v->have_frame)
        return avmit_error_path(err, AVMIT_E_ARG, v->path, "no decoded frame to convert");
    if (f->width != v->width || f->height != v->height)
        return avmit_error_path(err, AVMIT_E_UNSUPPORTED, v->path,
                                "frame %lld is %dx%d but the stream is %dx%d (size changes "
                                "inside a video are not supported)",
                                (long long)v->n_read - 1, f->width, f->height, v->width,
                                v->height);
    /* OpenCV converts the whole coded picture (sws "optimizations have some
     * assumptions about alignment"), then shows width x height of it. */
    int cw = v->dec->coded_width >= f->width ? v->dec->coded_width : f->width;
    int ch = v->dec->coded_height >= f->height ? v->dec->coded_height : f->height;
    v->sws = sws_getCachedContext(v->sws, cw, ch, (enum AVPixelFormat)f->format, cw, ch,
                                  AV_PIX_FMT_RGB24, SWS_BICUBIC, NULL, NULL, NULL);
    if (!v->sws)
        return avmit_error_path(err, AVMIT_E_UNSUPPORTED, v->path,
                                "cannot convert pixel format '%s' to RGB24",
                                av_get_pix_fmt_name((enum AVPixelFormat)f->format));
    if (v->rgb->width != cw || v->rgb->height != ch) {
        av_frame_unref(v->rgb);
        v->rgb->format = AV_PIX_FMT_RGB24;
        v->rgb->width = cw;
        v->rgb->height = ch;
        if (av_frame_get_buffer(v->rgb, 32) < 0)
            return avmit_error_path(err, AVMIT_E_NOMEM, v->path,
                                    "out of memory for a %dx%d RGB frame", cw, ch);
    }
    sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, v->rgb->data,
              v->rgb->linesize);
    size_t row = (size_t)v->width * 3;
    for (int y = 0; y < v->height; y++)
        memcpy(rgb + (size_t)y * row, v->rgb->data[0] + (size_t)y * (size_t)v->rgb->linesize[0],
               row);
    return 0;
}

void avmit_frame_selector_init(avmit_frame_selector *s, double interval_ms) {
    s->interval_ms = interval_ms;
    s->last_ms = -99999.0; /* extract_features.py: last = -99999 */
    s->pos_ms = 0.0;       /* CAP_PROP_POS_MSEC before any read */
    s->select_next = !(s->pos_ms < s->last_ms + s->interval_ms);
    if (s->select_next) s->last_ms = s->pos_ms;
}

int avmit_frame_selector_push(avmit_frame_selector *s, double pos_ms) {
    int selected = s->select_next;
    s->pos_ms = pos_ms;
    /* the reference's `while pos < last + P: read` ends at this frame: it is the
     * trigger, and the frame after it is selected */
    s->select_next = !(s->pos_ms < s->last_ms + s->interval_ms);
    if (s->select_next) s->last_ms = s->pos_ms;
    return selected;
}

int avmit_video_emit(avmit_video *v, double pos_ms, uint8_t *rgb, avmit_video_frame_fn fn,
                     void *ctx, avmit_error *err) {
    int rc = avmit_video_frame_rgb(v, rgb, err);
    if (rc) return rc;
    avmit_video_frame fr = {v->n_read - 1, pos_ms, v->width, v->height, rgb};
    return fn(ctx, &fr, err);
}

/* The reference loop over every decoded frame. */
static int select_full(avmit_video *v, double interval_ms, uint8_t *rgb, avmit_video_frame_fn fn,
                       void *ctx, int64_t *n_selected, avmit_error *err) {
    avmit_frame_selector sel;
    avmit_frame_selector_init(&sel, interval_ms);
    double pos;
    int rc;
    while ((rc = avmit_video_next(v, &pos, err)) == 1) {
        if (!avmit_frame_selector_push(&sel, pos)) continue;
        if ((rc = avmit_video_emit(v, pos, rgb, fn, ctx, err))) return rc;
        if (n_selected) (*n_selected)++;
    }
    if (rc == 0 && v->n_read == 0)
        rc = avmit_error_path(err, AVMIT_E_FORMAT, v->path,
                              "the video stream has no decodable frame");
    return rc;
}

int avmit_video_select_decode(const char *path, double interval_ms, int n_threads,
                              avmit_video_decode decode, avmit_video_frame_fn fn, void *ctx,
                              int64_t *n_selected, avmit_error *err) {
    if (n_selected) *n_selected = 0;
    if (!(interval_ms > 0))
        return avmit_error_path(err, AVMIT_E_ARG, path, "frame interval must be > 0 ms, got %g",
                                interval_ms);
    avmit_video *v;
    int rc = avmit_video_open(&v, path, n_threads, err);
    if (rc) return rc;
    uint8_t *rgb = malloc((size_t)v->width * (size_t)v->height * 3);
    if (!rgb) {
        rc = avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory for a %dx%d frame",
                              v->width, v->height);
        goto done;
    }
    if (decode != AVMIT_VIDEO_DECODE_FULL) {
        const char *why = "";
        if (avmit_video_select_fast(v, interval_ms, rgb, fn, ctx, n_selected, &rc, &why, err))
            goto done;
        if (decode == AVMIT_VIDEO_DECODE_PARTIAL) {
            rc = avmit_error_path(err, AVMIT_E_UNSUPPORTED, path,
                                  "partial decoding is not exact for this video: %s", why);
            goto done;
        }
        avmit_video_close(v); /* the fast path read the packets: start again */
        if ((rc = avmit_video_open(&v, path, n_threads, err))) {
            free(rgb);
            return rc;
        }
    }
    rc = select_full(v, interval_ms, rgb, fn, ctx, n_selected, err);
done:
    free(rgb);
    avmit_video_close(v);
    return rc;
}

int avmit_video_select(const char *path, double interval_ms, int n_threads,
                       avmit_video_frame_fn fn, void *ctx, int64_t *n_selected,
                       avmit_error *err) {
    return avmit_video_select_decode(path, interval_ms, n_threads, AVMIT_VIDEO_DECODE_AUTO, fn,
                                     ctx, n_selected, err);
}
