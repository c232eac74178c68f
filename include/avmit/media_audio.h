/*
 * avmit/media_audio.h — decode a media file's audio to mono float PCM the
 * way the AVMIT reference did (pydub 0.24.1 over the ffmpeg CLI).
 *
 * Implements FEATURES.md §2.1–2.2 with FFmpeg's libavformat/libavcodec:
 *  - the audio stream the ffmpeg CLI would pick (most channels; a stream
 *    marked default first; ties go to the first), all of it, at its native
 *    rate, as libavcodec emits it (leading priming samples skipped, trailing
 *    padding kept: a 3 s 44.1 kHz AAC track gives 133120 samples);
 *  - quantised to the integer width pydub asks ffmpeg for: 16 bits when the
 *    first audio stream is float planar and its codec is mp3 or aac, else the
 *    codec's bits per sample, else the sample format's width (float -> 32);
 *    float -> int as libswresample does (lrintf(x·2^15) or llrintf(x·2^31),
 *    round half to even, saturated);
 *  - to mono by pydub's rule (2 channels: floor((L+R)/2); C > 2: the sum of
 *    floor(x_c / C)), then 32 -> 16 bits by an arithmetic shift, then
 *    float32(s16) / 32768.
 * A file without an audio stream gives 48000 zeros at 16 kHz with `silent`
 * set (the reference's fallback). Packets the decoder rejects are skipped,
 * as the ffmpeg CLI skips them; a file that cannot be opened, whose audio
 * cannot be decoded at all, or that decodes to no samples is an error.
 *
 * Thread-safety: reentrant. The first call sets FFmpeg's process-wide log
 * level to quiet (libavmit never prints); FFmpeg's messages are not needed
 * because errors carry av_strerror's text.
 */
#ifndef AVMIT_MEDIA_AUDIO_H
#define AVMIT_MEDIA_AUDIO_H

#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Samples of the no-audio fallback: 3 s at 16 kHz. */
#define AVMIT_AUDIO_SILENT_SAMPLES 48000
#define AVMIT_AUDIO_SILENT_RATE_HZ 16000

typedef struct avmit_audio_pcm {
    float *samples;      /* mono, float32(s16) / 32768, malloc'd (n_samples) */
    int64_t n_samples;
    int sample_rate_hz;
    int n_channels;      /* channels of the decoded stream (0 when silent) */
    int quant_bits;      /* 16 or 32: the width pydub would have asked for */
    int silent;          /* 1: no audio stream; 48000 zeros at 16 kHz */
    int n_bad_packets;   /* packets the decoder rejected (and skipped) */
    char codec[32];      /* codec name, e.g. "aac" ("" when silent) */
} avmit_audio_pcm;

/*
 * Decode path's audio into *pcm (free with avmit_audio_pcm_free).
 * Errors (message names the file and FFmpeg's reason): AVMIT_E_NOTFOUND
 * (no such file), AVMIT_E_IO (unreadable), AVMIT_E_FORMAT (not a media file
 * FFmpeg can parse, or nothing decodable), AVMIT_E_UNSUPPORTED (no decoder,
 * or channel count / rate changing mid-stream), AVMIT_E_NOMEM.
 */
int avmit_media_audio_decode(const char *path, avmit_audio_pcm *pcm, avmit_error *err);

/* Free the samples and zero *pcm. NULL is allowed. */
void avmit_audio_pcm_free(avmit_audio_pcm *pcm);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_MEDIA_AUDIO_H */
