/*
 * media_audio.c — audio decoding through libavformat/libavcodec
 * (include/avmit/media_audio.h, FEATURES.md §2.1–2.2).
 *
 * What the reference ran: `ffmpeg -y -i FILE -acodec pcm_s<bits>le -vn -f wav -`
 * (pydub 0.24.1 AudioSegment.from_file), then set_channels(1),
 * set_sample_width(2), float32 / 32768. Here the decoded frames are quantised
 * with libswresample's conversion formulas (audioconvert.c) and downmixed with
 * pydub's integer rules, without the WAV round trip.
 */
#include "avmit/media_audio.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void set_quiet(void) { av_log_set_level(AV_LOG_QUIET); }

/* An AVERROR as an avmit error naming the file and FFmpeg's reason. */
static int av_fail(avmit_error *err, const char *path, int averr, const char *what) {
    char buf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, buf, sizeof buf);
    int code = AVMIT_E_FORMAT;
    if (averr == AVERROR(ENOENT)) code = AVMIT_E_NOTFOUND;
    else if (averr == AVERROR(EACCES) || averr == AVERROR(EIO) || averr == AVERROR(EISDIR))
        code = AVMIT_E_IO;
    else if (averr == AVERROR(ENOMEM)) code = AVMIT_E_NOMEM;
    return avmit_error_path(err, code, path, "%s: %s", what, buf);
}

/* pydub's bit depth for the first audio stream (FEATURES.md §2.1 step 2):
 * fltp + codec in {mp3, mp4, aac, webm, ogg} -> 16; else ffprobe's
 * bits_per_sample (the codec's, for PCM), else the width its stderr line
 * gives the sample format (u8 8, s16 16, s32/flt 32, s64/dbl 64). Widths
 * other than 16 are treated as 32: 24-bit PCM decodes to s32 in FFmpeg, and
 * 8- and 64-bit requests are outside what FEATURES.md settles. */
static int pydub_bits(const AVCodecParameters *par) {
    const char *name = avcodec_get_name(par->codec_id);
    if (par->format == AV_SAMPLE_FMT_FLTP &&
        (!strcmp(name, "mp3") || !strcmp(name, "aac") || !strcmp(name, "mp4") ||
         !strcmp(name, "webm") || !strcmp(name, "ogg")))
        return 16;
    int bits = av_get_bits_per_sample(par->codec_id);
    if (bits <= 0) bits = av_get_bytes_per_sample((enum AVSampleFormat)par->format) * 8;
    return bits == 16 ? 16 : 32;
}

/* The audio stream `ffmpeg -i FILE` maps by default (ffmpeg_opt.c, 5.1):
 * highest channel count, +5e6 for the default disposition, first on ties. */
static int pick_audio_stream(const AVFormatContext *fmt, int *first_audio) {
    int best = -1;
    long best_score = 0;
    *first_audio = -1;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        if (st->codecpar->codec_type != AVMEDIA_TYPE_AUDIO) continue;
        if (*first_audio < 0) *first_audio = (int)i;
        long score = st->codecpar->ch_layout.nb_channels +
                     5000000L * !!(st->disposition & AV_DISPOSITION_DEFAULT);
        if (best < 0 || score > best_score) {
            best = (int)i;
            best_score = score;
        }
    }
    return best;
}

/* av_clip_int16(lrintf(v)) for v = x·2^15: round half to even, saturate.
 * In range, adding and removing 1.5·2^23 rounds to an integer in the FPU's
 * default mode, as lrintf does; NaN gives INT16_MIN as lrintf's LONG_MIN does
 * after the clip. */
static inline int64_t f32_to_s16(float x) {
    float v = x * (float)(1 << 15);
    if (!(v == v) || v <= -32768.0f) return -32768;
    if (v >= 32767.0f) return 32767;
    float r = v + 12582912.0f; /* not folded away: no -ffast-math */
    return (int64_t)(r - 12582912.0f);
}

static inline int64_t clip16(long v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }
static inline int64_t clip32(long long v) {
    return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
}

/* Channel c of frame f as the integers ffmpeg would write with
 * -acodec pcm_s<bits>le (libswresample audioconvert.c formulas), into q[0..n). */
static void frame_channel(const AVFrame *f, int c, int n_ch, int bits, int64_t *q) {
    enum AVSampleFormat fmt = (enum AVSampleFormat)f->format;
    const int planar = av_sample_fmt_is_planar(fmt);
    const uint8_t *base = planar ? f->extended_data[c] : f->extended_data[0];
    const size_t stride = planar ? 1 : (size_t)n_ch, off = planar ? 0 : (size_t)c;
    const int n = f->nb_samples;
    switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_U8: {
        const uint8_t *p = base;
        for (int s = 0; s < n; s++) {
            int64_t v = (int64_t)p[s * stride + off] - 0x80;
            q[s] = bits == 16 ? v * 256 : v * 16777216;
        }
        break;
    }
    case AV_SAMPLE_FMT_S16: {
        const int16_t *p = (const int16_t *)base;
        for (int s = 0; s < n; s++) q[s] = bits == 16 ? p[s * stride + off] : p[s * stride + off] * 65536LL;
        break;
    }
    case AV_SAMPLE_FMT_S32: {
        const int32_t *p = (const int32_t *)base;
        for (int s = 0; s < n; s++) q[s] = bits == 16 ? p[s * stride + off] >> 16 : p[s * stride + off];
        break;
    }
    case AV_SAMPLE_FMT_S64: {
        const int64_t *p = (const int64_t *)base;
        for (int s = 0; s < n; s++) q[s] = p[s * stride + off] >> (bits == 16 ? 48 : 32);
        break;
    }
    case AV_SAMPLE_FMT_FLT: {
        const float *p = (const float *)base;
        if (bits == 16)
            for (int s = 0; s < n; s++) q[s] = f32_to_s16(p[s * stride + off]);
        else
            for (int s = 0; s < n; s++) q[s] = clip32(llrintf(p[s * stride + off] * (float)(1U << 31)));
        break;
    }
    case AV_SAMPLE_FMT_DBL: {
        const double *p = (const double *)base;
        for (int s = 0; s < n; s++) {
            double x = p[s * stride + off];
            q[s] = bits == 16 ? clip16(lrint(x * (double)(1 << 15)))
                              : clip32(llrint(x * (double)(1U << 31)));
        }
        break;
    }
    default: break; /* not reached: append_frame checks the format */
    }
}

/* Python's floor division a // b for b > 0. */
static inline int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

typedef struct dec_state {
    const char *path;
    avmit_audio_pcm *pcm;
    int64_t cap;
    int64_t *q;     /* per-frame integer samples, channel-major */
    size_t q_cap;   /* entries */
} dec_state;

/* Quantise, downmix and append one decoded frame (FEATURES.md §2.2). */
static int append_frame(dec_state *S, const AVFrame *f, avmit_error *err) {
    avmit_audio_pcm *pcm = S->pcm;
    const int n_ch = f->ch_layout.nb_channels;
    if (n_ch != pcm->n_channels || f->sample_rate != pcm->sample_rate_hz)
        return avmit_error_path(err, AVMIT_E_UNSUPPORTED, S->path,
                                "audio changes from %d channels at %d Hz to %d channels at "
                                "%d Hz mid-stream (not supported)",
                                pcm->n_channels, pcm->sample_rate_hz, n_ch, f->sample_rate);
    switch (av_get_packed_sample_fmt((enum AVSampleFormat)f->format)) {
    case AV_SAMPLE_FMT_U8: case AV_SAMPLE_FMT_S16: case AV_SAMPLE_FMT_S32:
    case AV_SAMPLE_FMT_S64: case AV_SAMPLE_FMT_FLT: case AV_SAMPLE_FMT_DBL: break;
    default:
        return avmit_error_path(err, AVMIT_E_UNSUPPORTED, S->path,
                                "decoder output sample format %d not supported", f->format);
    }
    if (pcm->n_samples + f->nb_samples > S->cap) {
        int64_t cap = S->cap ? S->cap : 65536;
        while (cap < pcm->n_samples + f->nb_samples) cap *= 2;
        float *p = realloc(pcm->samples, (size_t)cap * sizeof *p);
        if (!p)
            return avmit_error_path(err, AVMIT_E_NOMEM, S->path,
                                    "out of memory for %lld audio samples", (long long)cap);
        pcm->samples = p;
        S->cap = cap;
    }
    const size_t need = (size_t)n_ch * (size_t)f->nb_samples;
    if (need > S->q_cap) {
        int64_t *q = realloc(S->q, need * sizeof *q);
        if (!q)
            return avmit_error_path(err, AVMIT_E_NOMEM, S->path, "out of memory for a frame");
        S->q = q;
        S->q_cap = need;
    }
    const int bits = pcm->quant_bits, n = f->nb_samples;
    for (int c = 0; c < n_ch; c++) frame_channel(f, c, n_ch, bits, S->q + (size_t)c * n);
    float *out = pcm->samples + pcm->n_samples;
    for (int s = 0; s < n; s++) {
        int64_t m;
        if (n_ch == 1) {
            m = S->q[s];
        } else if (n_ch == 2) { /* audioop.tomono(.., 0.5, 0.5): floor(0.5 L + 0.5 R) */
            m = floor_div(S->q[s] + S->q[n + s], 2);
        } else { /* pydub set_channels(1): sum of x_c // C */
            m = 0;
            for (int c = 0; c < n_ch; c++) m += floor_div(S->q[(size_t)c * n + s], n_ch);
        }
        if (bits == 32) m >>= 16; /* audioop.lin2lin(.., 4, 2): arithmetic shift */
        out[s] = (float)(int16_t)m / 32768.0f;
    }
    pcm->n_samples += f->nb_samples;
    return 0;
}

/* Drain every frame the decoder has ready. */
static int receive_all(dec_state *S, AVCodecContext *ctx, AVFrame *frame, avmit_error *err) {
    for (;;) {
        int r = avcodec_receive_frame(ctx, frame);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return 0;
        if (r < 0) { /* a broken packet; the ffmpeg CLI goes on */
            S->pcm->n_bad_packets++;
            return 0;
        }
        r = append_frame(S, frame, err);
        av_frame_unref(frame);
        if (r) return r;
    }
}

static int decode_silent(avmit_audio_pcm *pcm, const char *path, avmit_error *err) {
    pcm->samples = calloc(AVMIT_AUDIO_SILENT_SAMPLES, sizeof *pcm->samples);
    if (!pcm->samples)
        return avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory for silence");
    pcm->n_samples = AVMIT_AUDIO_SILENT_SAMPLES;
    pcm->sample_rate_hz = AVMIT_AUDIO_SILENT_RATE_HZ;
    pcm->quant_bits = 16;
    pcm->silent = 1;
    return 0;
}

int avmit_media_audio_decode(const char *path, avmit_audio_pcm *pcm, avmit_error *err) {
    memset(pcm, 0, sizeof *pcm);
    pthread_once(&quiet_once, set_quiet);
    AVFormatContext *fmt = NULL;
    AVCodecContext *ctx = NULL;
    AVPacket *pkt = NULL;
    AVFrame *frame = NULL;
    int rc = 0, r;
    dec_state S = {path, pcm, 0, NULL, 0};

    if ((r = avformat_open_input(&fmt, path, NULL, NULL)) < 0)
        return av_fail(err, path, r, "cannot open as a media file");
    if ((r = avformat_find_stream_info(fmt, NULL)) < 0) {
        rc = av_fail(err, path, r, "cannot read the stream layout");
        goto done;
    }
    int first_audio;
    int si = pick_audio_stream(fmt, &first_audio);
    if (si < 0) { /* FEATURES.md §2.1 step 1: the reference's 3 s of zeros */
        rc = decode_silent(pcm, path, err);
        goto done;
    }
    const AVCodecParameters *par = fmt->streams[si]->codecpar;
    const AVCodec *dec = avcodec_find_decoder(par->codec_id);
    snprintf(pcm->codec, sizeof pcm->codec, "%s", avcodec_get_name(par->codec_id));
    if (!dec) {
        rc = avmit_error_path(err, AVMIT_E_UNSUPPORTED, path,
                              "stream %d: no decoder for audio codec '%s'", si, pcm->codec);
        goto done;
    }
    ctx = avcodec_alloc_context3(dec);
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (!ctx || !pkt || !frame) {
        rc = avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory for the decoder");
        goto done;
    }
    if ((r = avcodec_parameters_to_context(ctx, par)) < 0 ||
        (ctx->thread_count = 1, r = avcodec_open2(ctx, dec, NULL)) < 0) {
        rc = av_fail(err, path, r, "cannot open the audio decoder");
        goto done;
    }
    pcm->n_channels = ctx->ch_layout.nb_channels;
    pcm->sample_rate_hz = ctx->sample_rate;
    pcm->quant_bits = pydub_bits(fmt->streams[first_audio]->codecpar);
    if (pcm->n_channels < 1 || pcm->sample_rate_hz < 1) {
        rc = avmit_error_path(err, AVMIT_E_FORMAT, path,
                              "stream %d: audio with %d channels at %d Hz", si,
                              pcm->n_channels, pcm->sample_rate_hz);
        goto done;
    }
    int last_err = 0;
    while ((r = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index == si) {
            r = avcodec_send_packet(ctx, pkt);
            if (r < 0 && r != AVERROR(EAGAIN)) {
                pcm->n_bad_packets++;
                last_err = r;
            }
            rc = receive_all(&S, ctx, frame, err);
        }
        av_packet_unref(pkt);
        if (rc) goto done;
    }
    if (r != AVERROR_EOF) last_err = r; /* a read error ends the input, as in the CLI */
    avcodec_send_packet(ctx, NULL);
    if ((rc = receive_all(&S, ctx, frame, err))) goto done;
    if (pcm->n_samples == 0) {
        if (last_err)
            rc = av_fail(err, path, last_err, "no audio could be decoded");
        else
            rc = avmit_error_path(err, AVMIT_E_FORMAT, path,
                                  "the audio stream (%s) decodes to 0 samples", pcm->codec);
    }
done:
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
    avformat_close_input(&fmt);
    free(S.q);
    if (rc) avmit_audio_pcm_free(pcm);
    return rc;
}

void avmit_audio_pcm_free(avmit_audio_pcm *pcm) {
    if (!pcm) return;
    free(pcm->samples);
    memset(pcm, 0, sizeof *pcm);
}
