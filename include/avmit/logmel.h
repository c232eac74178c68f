/*
 * avmit/logmel.h — the log-mel front end of the TF-Hub VGGish and YAMNet
 * models: 16 kHz mono float32 waveform -> float32 patches [n, 96, 64].
 *
 * Implements FEATURES.md §3 (both Hub models run YAMNet's TensorFlow feature
 * code, float32): optional YAMNet waveform padding (§3.4); frames of 400
 * samples every 160 (only frames fully inside the signal, §3.1); periodic
 * Hann window; |rfft| with FFT length 512 (magnitude, not power); the 257x64
 * HTK mel matrix from 125 to 7500 Hz with its DC row zeroed (§3.2);
 * ln(mel + offset); patches of 96 frames every `patch_hop_frames` frames,
 * complete patches only (§3.3). FFTs run through FFTW3.
 *
 * FFT precision: TF windows and transforms in float32. The windowed frame is
 * rounded to float32 here too, but by default the FFT itself runs in double:
 * a float32 FFT's rounding noise (~1e-7 of the frame's norm per bin) is
 * independent of TF's own, and in the near-silent bands of tonal sounds it
 * moves ln(mel + 0.001) by up to 7e-3 (measured on a 0.8-amplitude chirp),
 * while the double FFT stays within 4e-7 of a float64 NumPy evaluation of
 * the same float32 inputs. AVMIT_LOGMEL_FFT_SINGLE selects FFTW's float32
 * transform.
 *
 *                       log_offset  patch_hop_frames  pad_waveform
 *   VGGish (Hub)        0.01        96                0 (§3.4: assumed)
 *   YAMNet (Hub)        0.001       48                1
 *
 * Thread-safety: an avmit_logmel is read-only after avmit_logmel_create and
 * may be shared by threads; avmit_logmel_patches is reentrant. create/free
 * serialise FFTW's planner (which is not thread-safe) on an internal mutex.
 */
#ifndef AVMIT_LOGMEL_H
#define AVMIT_LOGMEL_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_LOGMEL_SAMPLE_RATE_HZ 16000
#define AVMIT_LOGMEL_WINDOW 400       /* samples per STFT frame (0.025 s) */
#define AVMIT_LOGMEL_HOP 160          /* samples between frames (0.010 s) */
#define AVMIT_LOGMEL_FFT 512          /* FFT length; 257 bins */
#define AVMIT_LOGMEL_BINS 257
#define AVMIT_LOGMEL_BANDS 64         /* mel bands, 125..7500 Hz */
#define AVMIT_LOGMEL_PATCH_FRAMES 96  /* frames per patch (0.96 s) */

typedef enum avmit_logmel_model {
    AVMIT_LOGMEL_VGGISH = 0,
    AVMIT_LOGMEL_YAMNET = 1
} avmit_logmel_model;

typedef enum avmit_logmel_fft {
    AVMIT_LOGMEL_FFT_DOUBLE = 0, /* fftw_plan_dft_r2c_1d (default) */
    AVMIT_LOGMEL_FFT_SINGLE = 1  /* fftwf_plan_dft_r2c_1d */
} avmit_logmel_fft;

typedef struct avmit_logmel_params {
    float log_offset;     /* added before the natural log */
    int patch_hop_frames; /* frames between patch starts (>= 1) */
    int pad_waveform;     /* 1: YAMNet's features.pad_waveform before framing */
    avmit_logmel_fft fft; /* FFT precision (see above) */
} avmit_logmel_params;

/* The Hub model's parameters (table above), double-precision FFT. */
avmit_logmel_params avmit_logmel_default_params(avmit_logmel_model model);

/* "vggish" or "yamnet" -> *out; AVMIT_E_ARG otherwise. */
int avmit_logmel_model_parse(const char *name, avmit_logmel_model *out, avmit_error *err);

/* Samples after YAMNet's padding (§3.4) of an n-sample waveform; n itself
 * when pad_waveform is 0. */
int64_t avmit_logmel_padded_len(const avmit_logmel_params *p, int64_t n_samples);
/* STFT frames of an n-sample (already padded) waveform: 1 + (n−400) div 160, or 0. */
int64_t avmit_logmel_n_frames(int64_t n_samples);
/* Patches the front end produces for an n-sample (unpadded) waveform. */
int64_t avmit_logmel_n_patches(const avmit_logmel_params *p, int64_t n_samples);

/* The mel matrix W[257][64] (row-major, bin by band) as float32, built in
 * double and rounded (§3.2). */
void avmit_logmel_mel_matrix(float *w);

typedef struct avmit_logmel avmit_logmel;

/* Precompute the window, mel matrix and FFT plan. Errors: AVMIT_E_ARG
 * (bad params), AVMIT_E_NOMEM. */
int avmit_logmel_create(avmit_logmel **out, const avmit_logmel_params *p, avmit_error *err);
void avmit_logmel_free(avmit_logmel *lm);

/*
 * Log-mel patches of wav[0..n) (16 kHz mono). *patches is malloc'd
 * [*n_patches][96][64] float32 (free() it; NULL when *n_patches is 0).
 * n_threads <= 0 means all cores; the result does not depend on it.
 * Errors: AVMIT_E_ARG, AVMIT_E_NOMEM, AVMIT_E_IO (threads).
 */
int avmit_logmel_patches(const avmit_logmel *lm, const float *wav, int64_t n, int n_threads,
                         float **patches, int64_t *n_patches, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_LOGMEL_H */
