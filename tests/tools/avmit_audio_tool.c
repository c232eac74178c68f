/*
 * avmit_audio_tool — runs one stage of the audio front end on .npy arrays so
 * the Python references (tests/reference/test_audio_*.py) can compare stages
 * in isolation:
 *   avmit_audio_tool resample IN.npy SR_IN SR_OUT OUT.npy [kaiser_best|soxr] [THREADS]
 *   avmit_audio_tool logmel IN.npy vggish|yamnet OUT.npy [THREADS] [double|single]
 *   avmit_audio_tool table OUT.npy          (the unscaled kaiser_best half filter, f64)
 * Exit 0 ok, 1 failure (message on stderr), 2 usage, 77 when the build lacks
 * the audio module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/npy.h"
#if defined(AVMIT_HAVE_FFTW)
#include "avmit/logmel.h"
#include "avmit/resample.h"
#endif

#if !defined(AVMIT_HAVE_FFTW)
int main(void) {
    printf("skipped: built without FFTW3/soxr (AVMIT_WITH_FFTW=OFF)\n");
    return 77;
}
#else
static int fail(const avmit_error *err) {
    fprintf(stderr, "avmit_audio_tool: %s\n", err->msg);
    return 1;
}

int main(int argc, char **argv) {
    avmit_error err;
    avmit_error_clear(&err);
    if (argc >= 3 && !strcmp(argv[1], "table")) {
        double *h = malloc(32769 * sizeof *h);
        if (!h) return 1;
        int64_t n = (int64_t)avmit_resample_kaiser_best_table(h, 32769);
        int rc = avmit_npy_write(argv[2], AVMIT_DTYPE_F64, 1, &n, h, &err);
        free(h);
        return rc ? fail(&err) : 0;
    }
    if (argc >= 6 && !strcmp(argv[1], "resample")) {
        avmit_array a;
        if (avmit_npy_read_f32(&a, argv[2], &err)) return fail(&err);
        avmit_resampler kind = AVMIT_RESAMPLER_KAISER_BEST;
        if (argc >= 7 && avmit_resampler_parse(argv[6], &kind, &err)) return fail(&err);
        int threads = argc >= 8 ? atoi(argv[7]) : 1;
        float *y;
        int64_t n_out;
        int rc = avmit_resample(a.data, avmit_array_count(&a), atoi(argv[3]), atoi(argv[4]), kind,
                                threads, &y, &n_out, &err);
        avmit_array_free(&a);
        if (!rc) rc = avmit_npy_write(argv[5], AVMIT_DTYPE_F32, 1, &n_out, y, &err);
        free(y);
        return rc ? fail(&err) : 0;
    }
    if (argc >= 5 && !strcmp(argv[1], "logmel")) {
        avmit_logmel_model m;
        if (avmit_logmel_model_parse(argv[3], &m, &err)) return fail(&err);
        avmit_logmel_params p = avmit_logmel_default_params(m);
        if (argc >= 7 && !strcmp(argv[6], "single")) p.fft = AVMIT_LOGMEL_FFT_SINGLE;
        avmit_array a;
        if (avmit_npy_read_f32(&a, argv[2], &err)) return fail(&err);
        avmit_logmel *lm;
        float *patches = NULL;
        int64_t np = 0;
        int rc = avmit_logmel_create(&lm, &p, &err);
        if (!rc)
            rc = avmit_logmel_patches(lm, a.data, avmit_array_count(&a),
                                      argc >= 6 ? atoi(argv[5]) : 1, &patches, &np, &err);
        avmit_logmel_free(lm);
        avmit_array_free(&a);
        int64_t shape[3] = {np, AVMIT_LOGMEL_PATCH_FRAMES, AVMIT_LOGMEL_BANDS};
        if (!rc) rc = avmit_npy_write(argv[4], AVMIT_DTYPE_F32, 3, shape, patches, &err);
        free(patches);
        return rc ? fail(&err) : 0;
    }
    fprintf(stderr, "usage: avmit_audio_tool resample IN SR_IN SR_OUT OUT [kind] [threads] | "
                    "logmel IN vggish|yamnet OUT [threads] | table OUT\n");
    return 2;
}
#endif
