/*
 * frontend_audio.c — the audio chain of avmit/frontend.h: decode -> resample
 * to 16 kHz -> log-mel patches (FEATURES.md §2–3), timed per stage.
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/frontend.h"
#include "core/clock_int.h"

avmit_audio_frontend_opts avmit_audio_frontend_default_opts(avmit_logmel_model model) {
    avmit_audio_frontend_opts o;
    memset(&o, 0, sizeof o);
    o.logmel = avmit_logmel_default_params(model);
    o.resampler = AVMIT_RESAMPLER_KAISER_BEST;
    return o;
}

void avmit_audio_features_free(avmit_audio_features *f) {
    if (!f) return;
    free(f->patches);
    free(f->waveform);
    avmit_audio_pcm_free(&f->source);
    memset(f, 0, sizeof *f);
}

int avmit_audio_frontend_run(const char *path, const avmit_audio_frontend_opts *opts,
                             avmit_audio_features *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_logmel *lm = NULL;
    float *wav = NULL;
    double t0 = avmit_now_s();
    int rc = avmit_media_audio_decode(path, &out->source, err);
    if (rc) return rc;
    double t1 = avmit_now_s();
    rc = avmit_resample(out->source.samples, out->source.n_samples, out->source.sample_rate_hz,
                        AVMIT_LOGMEL_SAMPLE_RATE_HZ, opts->resampler, opts->n_threads, &wav,
                        &out->n_waveform, err);
    /* the stream's facts stay; its samples are not needed past this point */
    free(out->source.samples);
    out->source.samples = NULL;
    if (rc) goto fail;
    double t2 = avmit_now_s();
    rc = avmit_logmel_create(&lm, &opts->logmel, err);
    if (!rc)
        rc = avmit_logmel_patches(lm, wav, out->n_waveform, opts->n_threads, &out->patches,
                                  &out->n_patches, err);
    avmit_logmel_free(lm);
    if (rc) goto fail;
    double t3 = avmit_now_s();
    out->timings.decode_s = t1 - t0;
    out->timings.resample_s = t2 - t1;
    out->timings.logmel_s = t3 - t2;
    if (opts->keep_waveform)
        out->waveform = wav;
    else
        free(wav);
    return 0;
fail:
    free(wav);
    avmit_audio_features_free(out);
    return rc;
}
