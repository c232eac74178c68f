/*
 * synth.c — synthetic embeddings for one video (include/avmit/synth.h).
 *
 * Pre-activation of timestep t, dimension d, modality m (audio or visual):
 *   z = base_m[d] + s_m · proto_{m,c}[d] + 0.5 · video_m[d] + noise · N(0,1)
 * and the stored value is softplus(z). base and proto come from the seed only;
 * video and the per-timestep noise from (seed, tfrecord_filename).
 *
 * Signal strength s_m = signal / sqrt(D_m), signal = 3.5 by default (opts.signal,
 * `avmit synth --signal`): two class means are s·sqrt(2D) ≈ 4.9
 * apart whatever D is, about 7.7 standard deviations of a mean-pooled video's
 * noise at noise = 1, T = 6 (sqrt(0.25 + 1/6) ≈ 0.65). With 16 classes in
 * 1024+ dimensions and class means estimated from ~100 videos, a nearest-mean
 * classifier on one stream is right ~90-95% of the time and on both ~99%
 * (tests/reference/test_synth_learnable.py): learnable, yet noise, --noise and
 * weak streams still matter.
 */
#include "avmit/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/labels.h"
#include "avmit/registry.h"
#include "avmit/rng.h"
#include "core/error_int.h"

#define SYNTH_VIDEO_SCALE 0.5f  /* std of the per-video offset */
#define SYNTH_BASE_MEAN (-1.0f) /* softplus(-1) ≈ 0.31: small positive activations */
#define SYNTH_BASE_STD 0.5f
#define SYNTH_SIGNAL 3.5        /* default opts.signal: s_m = signal / sqrt(D_m) */
#define SYNTH_T_V7_PROB 0.2     /* yamnet-effnet: 25 fps videos give T_v = 7 (FORMATS §3.3) */

struct avmit_synth {
    avmit_synth_opts opts;
    int64_t dim[2];   /* D_a, D_v */
    float signal[2];  /* s_a, s_v */
    float *base[2];   /* [D] */
    float *proto[2];  /* [16, D] */
};

int avmit_synth_set_parse(const char *name, avmit_synth_set *out, avmit_error *err) {
    avmit_embedding_set set;
    int rc = avmit_embedding_set_parse(name, &set, err);
    if (!rc) *out = (avmit_synth_set)set;
    return rc;
}

const char *avmit_synth_set_name(avmit_synth_set s) {
    const avmit_embedding_set_info *e = avmit_embedding_set_get((avmit_embedding_set)s);
    return e ? e->name : avmit_embedding_set_get(AVMIT_SET_YAMNET_EFFNET)->name;
}

avmit_synth_opts avmit_synth_default_opts(void) {
    avmit_synth_opts o;
    memset(&o, 0, sizeof o);
    o.set = AVMIT_SYNTH_YAMNET_EFFNET;
    o.seed = 1;
    o.noise = 1.0;
    o.signal = SYNTH_SIGNAL;
    o.mismatch_prob = 0.35;
    return o;
}

/* Standard normals in pairs (Box-Muller uses both values; a cheaper pass than
 * avmit_rng_normal, which discards the second). */
static void fill_normal(avmit_rng *r, float *out, int64_t n, float mean, float std) {
    for (int64_t i = 0; i < n; i += 2) {
        double u1 = 1.0 - avmit_rng_uniform(r); /* (0, 1] */
        double u2 = avmit_rng_uniform(r);
        double rad = sqrt(-2.0 * log(u1));
        out[i] = mean + std * (float)(rad * cos(6.283185307179586 * u2));
        if (i + 1 < n) out[i + 1] = mean + std * (float)(rad * sin(6.283185307179586 * u2));
    }
}

void avmit_synth_free(avmit_synth *s) {
    if (!s) return;
    for (int m = 0; m < 2; m++) {
        free(s->base[m]);
        free(s->proto[m]);
    }
    free(s);
}

int avmit_synth_create(avmit_synth **out, const avmit_synth_opts *opts, avmit_error *err) {
    *out = NULL;
    if (!(opts->noise >= 0 && opts->noise <= 100))
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "noise", "noise %g outside [0, 100]",
                         opts->noise);
    if (!(opts->signal >= 0 && opts->signal <= 100))
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "signal", "signal %g outside [0, 100]",
                         opts->signal);
    if (!(opts->mismatch_prob >= 0 && opts->mismatch_prob <= 1))
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "mismatch_prob", "probability %g outside [0, 1]",
                         opts->mismatch_prob);
    if (opts->set != AVMIT_SYNTH_YAMNET_EFFNET && opts->set != AVMIT_SYNTH_VGGISH_VGG16)
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "embeddings", "unknown embedding set %d",
                         (int)opts->set);
    avmit_synth *s = calloc(1, sizeof *s);
    if (!s) return AVMIT_NOMEM(err, "synth_create");
    s->opts = *opts;
    const avmit_embedding_set_info *set = avmit_embedding_set_get((avmit_embedding_set)opts->set);
    s->dim[0] = set->audio_dim;
    s->dim[1] = set->visual_dim;
    static const char *const k_modality[2] = {"audio", "visual"};
    for (int m = 0; m < 2; m++) {
        int64_t d = s->dim[m];
        s->signal[m] = (float)(opts->signal / sqrt((double)d));
        s->base[m] = malloc((size_t)d * sizeof(float));
        s->proto[m] = malloc((size_t)(AVMIT_N_CLASSES * d) * sizeof(float));
        if (!s->base[m] || !s->proto[m]) {
            avmit_synth_free(s);
            return AVMIT_NOMEM(err, "synth_create");
        }
        char key[96];
        avmit_rng r;
        snprintf(key, sizeof key, "avmit-synth/%s/%s/base", avmit_synth_set_name(opts->set),
                 k_modality[m]);
        avmit_rng_seed(&r, opts->seed, avmit_hash64(key));
        fill_normal(&r, s->base[m], d, SYNTH_BASE_MEAN, SYNTH_BASE_STD);
        for (int c = 0; c < AVMIT_N_CLASSES; c++) {
            snprintf(key, sizeof key, "avmit-synth/%s/%s/class/%s",
                     avmit_synth_set_name(opts->set), k_modality[m], avmit_label_name(c));
            avmit_rng_seed(&r, opts->seed, avmit_hash64(key));
            fill_normal(&r, s->proto[m] + (size_t)c * (size_t)d, d, 0.0f, 1.0f);
        }
    }
    *out = s;
    return 0;
}

static float softplus(float z) { return z > 20.0f ? z : log1pf(expf(z)); }

/* rows[T, D] = softplus(base + signal·proto + video offset + noise·N(0,1)); proto may be NULL. */
static void fill_stream(avmit_rng *r, float *rows, int64_t n_steps, int64_t dim,
                        const float *base, const float *proto, float signal, float noise,
                        float *video) {
    fill_normal(r, video, dim, 0.0f, SYNTH_VIDEO_SCALE);
    for (int64_t d = 0; d < dim; d++) video[d] += base[d] + (proto ? signal * proto[d] : 0.0f);
    for (int64_t t = 0; t < n_steps; t++) {
        float *row = rows + t * dim;
        fill_normal(r, row, dim, 0.0f, noise);
        for (int64_t d = 0; d < dim; d++) row[d] = softplus(video[d] + row[d]);
    }
}

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

int avmit_synth_video(const avmit_synth *s, const avmit_synth_item *item, avmit_embedding *out,
                      avmit_synth_kind *kind, avmit_error *err) {
    memset(out, 0, sizeof *out);
    if (item->class_id < 0 || item->class_id >= AVMIT_N_CLASSES)
        return AVMIT_ERR(err, AVMIT_E_ARG, item->key, "class", "class id %d outside 0..15",
                         item->class_id);
    avmit_rng r;
    avmit_rng_seed(&r, s->opts.seed, avmit_hash64(item->key));
    /* A fixed sequence of draws first, so every video uses its stream the same way. */
    double u_weak = avmit_rng_uniform(&r);
    double u_kind = avmit_rng_uniform(&r);
    int other = (item->class_id + 1 + (int)avmit_rng_below(&r, AVMIT_N_CLASSES - 1)) %
                AVMIT_N_CLASSES;
    double u_steps = avmit_rng_uniform(&r);

    int weak = item->r3 >= 0 ? item->r3 < 2 : u_weak < s->opts.mismatch_prob;
    avmit_synth_kind k = AVMIT_SYNTH_CONGRUENT;
    if (weak)
        k = u_kind < 0.5 ? AVMIT_SYNTH_AUDIO_OTHER
            : u_kind < 0.75 ? AVMIT_SYNTH_AUDIO_WEAK
                            : AVMIT_SYNTH_VISUAL_WEAK;

    int vgg = s->opts.set == AVMIT_SYNTH_VGGISH_VGG16;
    out->n_audio_steps = vgg ? 3 : 6;
    out->n_visual_steps = vgg ? 4 : (u_steps < SYNTH_T_V7_PROB ? 7 : 6);
    out->audio_dim = s->dim[0];
    out->visual_dim = s->dim[1];
    out->filename = dup_str(item->filename);
    out->label = dup_str(item->label);
    out->audio = malloc((size_t)(out->n_audio_steps * out->audio_dim) * sizeof(float));
    out->visual = malloc((size_t)(out->n_visual_steps * out->visual_dim) * sizeof(float));
    int64_t dmax = s->dim[0] > s->dim[1] ? s->dim[0] : s->dim[1];
    float *video = malloc((size_t)dmax * sizeof(float));
    if (!out->filename || !out->label || !out->audio || !out->visual || !video) {
        free(video);
        free(out->filename);
        free(out->label);
        free(out->audio);
        free(out->visual);
        memset(out, 0, sizeof *out);
        return AVMIT_NOMEM_AT(err, item->key, "synth_video");
    }
    int audio_class = k == AVMIT_SYNTH_AUDIO_OTHER ? other : item->class_id;
    const float *pa = k == AVMIT_SYNTH_AUDIO_WEAK ? NULL
                                                   : s->proto[0] + (size_t)audio_class * (size_t)s->dim[0];
    const float *pv = k == AVMIT_SYNTH_VISUAL_WEAK
                          ? NULL
                          : s->proto[1] + (size_t)item->class_id * (size_t)s->dim[1];
    fill_stream(&r, out->audio, out->n_audio_steps, s->dim[0], s->base[0], pa, s->signal[0],
                (float)s->opts.noise, video);
    fill_stream(&r, out->visual, out->n_visual_steps, s->dim[1], s->base[1], pv, s->signal[1],
                (float)s->opts.noise, video);
    free(video);
    if (kind) *kind = k;
    return 0;
}
