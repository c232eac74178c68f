/*
 * avmit/resample.h — mono float32 resampling to the model rate (16 kHz).
 *
 * Implements FEATURES.md §2.3. The default, AVMIT_RESAMPLER_KAISER_BEST, is
 * resampy 0.2.2's `resample(x, sr_orig, sr_new)` with its default filter
 * `kaiser_best`, reproduced operation for operation: the windowed-sinc table
 * (Z = 64 zero crossings, L = 512 entries per crossing, roll-off 0.9475937...,
 * Kaiser beta 14.7696...), the truncated table step int(min(1, ratio)·L),
 * the sequentially accumulated double time register, linear interpolation
 * between table entries, and the float32 rounding after every tap. Output
 * length is int(n_in · sr_new / sr_orig). AVMIT_RESAMPLER_SOXR runs libsoxr
 * (very-high quality, 28-bit) instead: a good resampler, but not the one the
 * AVMIT embeddings were made with (differences are listed in FEATURES.md §2.3).
 *
 * Every output sample depends only on the input, so the result does not
 * depend on n_threads.
 *
 * Thread-safety: reentrant. The unscaled kaiser_best table is a constant
 * computed once per process (pthread_once).
 */
#ifndef AVMIT_RESAMPLE_H
#define AVMIT_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum avmit_resampler {
    AVMIT_RESAMPLER_KAISER_BEST = 0, /* resampy 0.2.2 kaiser_best (the reference) */
    AVMIT_RESAMPLER_SOXR = 1         /* libsoxr SOXR_VHQ */
} avmit_resampler;

/* "kaiser_best" or "soxr" -> *out; AVMIT_E_ARG (naming the choices) otherwise. */
int avmit_resampler_parse(const char *name, avmit_resampler *out, avmit_error *err);
/* The name avmit_resampler_parse accepts for r ("?" for an unknown value). */
const char *avmit_resampler_name(avmit_resampler r);

/* Output length for n_in samples: int(n_in * (double)sr_out / sr_in), as
 * resampy computes it. Rates must be positive. */
int64_t avmit_resample_len(int64_t n_in, int sr_in_hz, int sr_out_hz);

/*
 * Resample x[0..n_in) from sr_in_hz to sr_out_hz into a malloc'd array
 * *y of *n_out = avmit_resample_len(...) samples (free() it; *y may be NULL
 * when *n_out is 0). Equal rates give a copy. n_threads <= 0 means all cores.
 * Errors: AVMIT_E_ARG (rates <= 0, n_in < 0, x NULL with n_in > 0),
 * AVMIT_E_NOMEM, AVMIT_E_IO (libsoxr failed; its message is included).
 */
int avmit_resample(const float *x, int64_t n_in, int sr_in_hz, int sr_out_hz,
                   avmit_resampler kind, int n_threads, float **y, int64_t *n_out,
                   avmit_error *err);

/* The unscaled kaiser_best half filter h[0..32768] (FEATURES.md §2.3), for
 * tests: copies min(n, 32769) values into out and returns 32769. */
size_t avmit_resample_kaiser_best_table(double *out, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_RESAMPLE_H */
