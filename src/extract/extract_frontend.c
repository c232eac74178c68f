/*
 * extract_frontend.c — the front end of one video for `avmit extract`
 * (FEATURES.md §1) over the library's chains (avmit/frontend.h): the
 * reference's frames at 224x224 preprocessed for the visual network, and the
 * audio as log-mel patches (kaiser_best resampler, the reference). Each
 * front-end worker runs one video at a time on one thread; workers run
 * concurrently.
 *
 * Failure classification (extract_item.reason): the file is missing; FFmpeg
 * cannot open it (a file that starts with a known container signature —
 * ISO-BMFF 'ftyp', EBML, RIFF AVI — but cannot be opened is "truncated",
 * anything else "unreadable"); no video stream; a video stream without a
 * decodable frame; decoding that fails part-way, or a video stream that ends
 * more than interval + 1 s before the duration its container states
 * ("truncated": a cut-off WebM/MKV still decodes, just shorter); an audio
 * stream that cannot be decoded. A file without an audio stream gets the
 * reference's 48,000 zeros (it->no_audio); a decoded track whose samples are
 * all 0 sets it->silent (digital silence).
 */
#if defined(AVMIT_HAVE_FFMPEG) && defined(AVMIT_HAVE_FFTW) && defined(AVMIT_HAVE_DNNL)
#include <libavformat/avformat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "avmit/frontend.h"
#include "core/error_int.h"
#include "extract/extract_int.h"

struct extract_frontend {
    avmit_audio_frontend_opts audio;
    avmit_visual_frontend_opts visual;
};

double extract_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int extract_frontend_create(extract_frontend **out, avmit_embedding_set set, int interval_ms,
                            avmit_error *err) {
    const avmit_embedding_set_info *si = avmit_embedding_set_get(set);
    AVMIT_RETURN_IF(!si, err, AVMIT_E_ARG, NULL, "embeddings", "unknown embedding set %d",
                    (int)set);
    extract_frontend *fe = calloc(1, sizeof *fe);
    if (!fe) return AVMIT_NOMEM(err, "front end");
    fe->audio = avmit_audio_frontend_default_opts(si->audio == AVMIT_NET_VGGISH
                                                      ? AVMIT_LOGMEL_VGGISH
                                                      : AVMIT_LOGMEL_YAMNET);
    fe->audio.n_threads = 1;
    fe->visual = avmit_visual_frontend_default_opts(si->visual);
    fe->visual.n_threads = 1;
    if (interval_ms > 0) fe->visual.interval_ms = interval_ms;
    *out = fe;
    return 0;
}

void extract_frontend_free(extract_frontend *fe) { free(fe); }

void extract_item_free(extract_item *it) {
    free(it->patches);
    free(it->frames);
    free(it->audio_emb);
    free(it->visual_emb);
    it->patches = it->frames = it->audio_emb = it->visual_emb = NULL;
}

/* ---- container facts -------------------------------------------------------------- */

/* Does the file start like a container FFmpeg would know (then a failure to
 * open it means it was cut short)? */
static int known_signature(const char *path) {
    unsigned char b[12] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n >= 8 && !memcmp(b + 4, "ftyp", 4)) return 1;           /* mp4, mov, 3gp */
    if (n >= 4 && !memcmp(b, "\x1a\x45\xdf\xa3", 4)) return 1;   /* mkv, webm */
    if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "AVI ", 4)) return 1;
    return 0;
}

/* The video stream's stated duration in ms (stream, else container), or -1. */
static double stated_video_ms(const char *path) {
    AVFormatContext *fmt = NULL;
    double ms = -1;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0) return -1;
    if (avformat_find_stream_info(fmt, NULL) >= 0) {
        for (unsigned i = 0; i < fmt->nb_streams; i++) {
            AVStream *st = fmt->streams[i];
            if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) continue;
            if (st->duration > 0 && st->duration != AV_NOPTS_VALUE)
                ms = (double)st->duration * av_q2d(st->time_base) * 1e3;
            break;
        }
        if (ms < 0 && fmt->duration > 0 && fmt->duration != AV_NOPTS_VALUE)
            ms = (double)fmt->duration / AV_TIME_BASE * 1e3;
    }
    avformat_close_input(&fmt);
    return ms;
}

/* ---- visual ------------------------------------------------------------------------ */

static void fail(extract_item *it, avmit_extract_reason why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(extract_item *it, avmit_extract_reason why, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    it->reason = why;
    vsnprintf(it->detail, sizeof it->detail, fmt, ap);
    va_end(ap);
}

static void visual(const extract_frontend *fe, const char *video, extract_item *it) {
    struct stat st;
    if (stat(video, &st) != 0) {
        fail(it, AVMIT_EXTRACT_MISSING, "%s: no such file", video);
        return;
    }
    avmit_visual_frames f;
    avmit_error e;
    avmit_error_clear(&e);
    int r = avmit_visual_frontend_run(video, &fe->visual, &f, &e);
    if (r) {
        if (r == AVMIT_E_NOMEM) fail(it, AVMIT_EXTRACT_UNREADABLE, "%s", e.msg);
        else if (r == AVMIT_E_NOTFOUND) fail(it, AVMIT_EXTRACT_NO_VIDEO, "%s", e.msg);
        else if (strstr(e.msg, "no decodable frame")) fail(it, AVMIT_EXTRACT_ZERO_FRAMES, "%s", e.msg);
        else if (strstr(e.msg, "frame ")) fail(it, AVMIT_EXTRACT_TRUNCATED, "%s", e.msg);
        else if (known_signature(video))
            fail(it, AVMIT_EXTRACT_TRUNCATED, "%s (the file starts like a video container: "
                                              "cut short?)", e.msg);
        else fail(it, AVMIT_EXTRACT_UNREADABLE, "%s", e.msg);
        return;
    }
    double last = 0, stated = stated_video_ms(video);
    for (int64_t i = 0; i < f.n; i++)
        if (f.pos_ms[i] > last) last = f.pos_ms[i];
    if (stated > 0 && last + fe->visual.interval_ms + 1000.0 < stated) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s: the video stream ends at %.0f ms but its container "
                 "states %.0f ms", video, last, stated);
        fail(it, AVMIT_EXTRACT_TRUNCATED, "%s", msg);
    } else {
        it->frames = f.input;
        it->n_frames = f.n;
        f.input = NULL;
    }
    avmit_visual_frames_free(&f);
}

/* ---- audio ------------------------------------------------------------------------- */

static void audio(const extract_frontend *fe, const char *video, extract_item *it) {
    avmit_audio_features f;
    avmit_error e;
    avmit_error_clear(&e);
    avmit_audio_frontend_opts o = fe->audio;
    o.keep_waveform = 1; /* to tell digital silence from sound */
    if (avmit_audio_frontend_run(video, &o, &f, &e)) {
        fail(it, AVMIT_EXTRACT_AUDIO_ERROR, "%s", e.msg);
        return;
    }
    it->no_audio = f.source.silent;
    if (!f.source.silent) {
        int64_t i = 0;
        while (i < f.n_waveform && f.waveform[i] == 0.0f) i++;
        it->silent = i == f.n_waveform;
    }
    if (f.n_patches == 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "%lld", (long long)f.n_waveform);
        fail(it, AVMIT_EXTRACT_AUDIO_ERROR, "audio too short for one log-mel patch "
                                            "(%s samples at 16 kHz)", msg);
    } else {
        it->patches = f.patches;
        it->n_patches = f.n_patches;
        f.patches = NULL;
    }
    avmit_audio_features_free(&f);
}

void extract_frontend_run(const extract_frontend *fe, const char *video, extract_item *it,
                          double busy[AVMIT_STAGE_COUNT]) {
    double t0 = extract_now();
    visual(fe, video, it);
    double t1 = extract_now();
    busy[AVMIT_STAGE_VISUAL_FRONT] += t1 - t0;
    if (it->reason != AVMIT_EXTRACT_OK) return;
    audio(fe, video, it);
    busy[AVMIT_STAGE_AUDIO_FRONT] += extract_now() - t1;
    if (it->reason != AVMIT_EXTRACT_OK) extract_item_free(it);
}
#endif
