/*
 * similarity.c — audiovisual similarity in a joint space and the Mann-Whitney U test
 * (avmit/similarity.h). The SAVC towers are run through the public avmit_savc_embed;
 * a projection pair is a plain matrix product per timestep.
 */
#include "avmit/similarity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error_int.h"
#include "avmit/embedding.h"
#include "avmit/parallel.h"

struct avmit_joint_space {
    const avmit_savc_model *savc; /* or NULL: projection */
    int Da, Dv, E;
    float *wa, *wv; /* [Da,E], [Dv,E] */
};

int avmit_joint_space_savc(avmit_joint_space **out, const avmit_savc_model *m, avmit_error *err) {
    avmit_joint_space *s = calloc(1, sizeof *s);
    if (!s) return AVMIT_NOMEM(err, "joint space");
    s->savc = m, s->Da = m->cfg.audio_dim, s->Dv = m->cfg.visual_dim, s->E = m->cfg.embed;
    *out = s;
    return 0;
}

int avmit_joint_space_projection(avmit_joint_space **out, const float *wa, int Da,
                                 const float *wv, int Dv, int E, avmit_error *err) {
    AVMIT_RETURN_IF(Da < 1 || Dv < 1 || E < 1, err, AVMIT_E_ARG, NULL, "projection",
                    "projection shapes [%d,%d] and [%d,%d] must be positive", Da, E, Dv, E);
    avmit_joint_space *s = calloc(1, sizeof *s);
    if (s) s->wa = malloc(sizeof(float) * (size_t)Da * E), s->wv = malloc(sizeof(float) * (size_t)Dv * E);
    if (!s || !s->wa || !s->wv) {
        avmit_joint_space_free(s);
        return AVMIT_NOMEM(err, "joint space");
    }
    for (size_t i = 0; i < (size_t)Da * E; i++)
        AVMIT_RETURN_IF(!isfinite(wa[i]), (avmit_joint_space_free(s), err), AVMIT_E_NONFINITE, NULL,
                        "audio", "projection 'audio' has a non-finite value at %zu", i);
    for (size_t i = 0; i < (size_t)Dv * E; i++)
        AVMIT_RETURN_IF(!isfinite(wv[i]), (avmit_joint_space_free(s), err), AVMIT_E_NONFINITE, NULL,
                        "visual", "projection 'visual' has a non-finite value at %zu", i);
    memcpy(s->wa, wa, sizeof(float) * (size_t)Da * E);
    memcpy(s->wv, wv, sizeof(float) * (size_t)Dv * E);
    s->Da = Da, s->Dv = Dv, s->E = E;
    *out = s;
    return 0;
}

void avmit_joint_space_dims(const avmit_joint_space *s, int *Da, int *Dv, int *E) {
    if (Da) *Da = s->Da;
    if (Dv) *Dv = s->Dv;
    if (E) *E = s->E;
}

void avmit_joint_space_free(avmit_joint_space *s) {
    if (!s) return;
    free(s->wa);
    free(s->wv);
    free(s);
}

/* Per-call scratch: the unit vectors of one modality [T, E] and a SAVC workspace. */
typedef struct {
    avmit_savc_ws *ws;
    float *z;
    size_t cap;
} scratch;

/* mean[E] = mean over t of the unit vectors of modality k for x [T, D]. */
static int modality_mean(const avmit_joint_space *s, scratch *sc, int k, const float *x, int T,
                         double *mean, avmit_error *err) {
    const int D = k ? s->Dv : s->Da, E = s->E;
    if ((size_t)T * E > sc->cap) {
        float *z = realloc(sc->z, sizeof(float) * (size_t)T * E);
        if (!z) return AVMIT_NOMEM(err, "similarity scratch");
        sc->z = z, sc->cap = (size_t)T * E;
    }
    if (s->savc) {
        avmit_savc_embed(s->savc, sc->ws, k, x, (size_t)T, sc->z); /* already unit rows */
    } else {
        const float *w = k ? s->wv : s->wa;
        for (int t = 0; t < T; t++) {
            float *zr = sc->z + (size_t)t * E;
            double ss = 0;
            for (int e = 0; e < E; e++) {
                double acc = 0;
                for (int d = 0; d < D; d++) acc += (double)x[(size_t)t * D + d] * w[(size_t)d * E + e];
                zr[e] = (float)acc;
                ss += acc * acc;
            }
            double inv = 1.0 / sqrt(ss > 1e-12 ? ss : 1e-12); /* tf.math.l2_normalize */
            for (int e = 0; e < E; e++) zr[e] = (float)(zr[e] * inv);
        }
    }
    for (int e = 0; e < E; e++) mean[e] = 0;
    for (int t = 0; t < T; t++)
        for (int e = 0; e < E; e++) mean[e] += sc->z[(size_t)t * E + e];
    for (int e = 0; e < E; e++) mean[e] /= T;
    return 0;
}

static int similarity_scratch(const avmit_joint_space *s, scratch *sc, const float *audio, int Ta,
                              const float *visual, int Tv, double *out, avmit_error *err) {
    AVMIT_RETURN_IF(Ta < 1 || Tv < 1, err, AVMIT_E_ARG, NULL, "timesteps",
                    "a video needs at least one audio and one visual timestep (got %d, %d)", Ta, Tv);
    double *ma = malloc(sizeof(double) * 2 * (size_t)s->E), *mv = ma + s->E;
    if (!ma) return AVMIT_NOMEM(err, "similarity means");
    int r = modality_mean(s, sc, 0, audio, Ta, ma, err);
    if (!r) r = modality_mean(s, sc, 1, visual, Tv, mv, err);
    if (!r) {
        double dot = 0, na = 0, nv = 0;
        for (int e = 0; e < s->E; e++) dot += ma[e] * mv[e], na += ma[e] * ma[e], nv += mv[e] * mv[e];
        *out = na > 0 && nv > 0 ? dot / sqrt(na * nv) : 0.0;
    }
    free(ma);
    return r;
}

static int scratch_init(const avmit_joint_space *s, scratch *sc, avmit_error *err) {
    memset(sc, 0, sizeof *sc);
    return s->savc ? avmit_savc_ws_create(&sc->ws, s->savc, 8, err) : 0;
}

static void scratch_free(scratch *sc) {
    avmit_savc_ws_free(sc->ws);
    free(sc->z);
}

int avmit_similarity_one(const avmit_joint_space *s, const float *audio, int Ta,
                         const float *visual, int Tv, double *out, avmit_error *err) {
    scratch sc;
    int r = scratch_init(s, &sc, err);
    if (!r) r = similarity_scratch(s, &sc, audio, Ta, visual, Tv, out, err);
    scratch_free(&sc);
    return r;
}

typedef struct {
    const avmit_joint_space *s;
    const char *const *paths;
    double *sim;
    int *na, *nv;
    scratch *sc;      /* [n_threads] */
    avmit_error *errs; /* [n] */
    int *rc;          /* [n] */
} files_ctx;

static void one_file(void *vctx, size_t i, int tid) {
    files_ctx *c = vctx;
    avmit_embedding e;
    avmit_embedding_opts o = avmit_embedding_default_opts();
    o.check_label = 0, o.check_dims = 0;
    avmit_error *err = &c->errs[i];
    int r = avmit_embedding_read_file(&e, c->paths[i], &o, err);
    if (!r && (e.audio_dim != c->s->Da || e.visual_dim != c->s->Dv))
        r = AVMIT_ERR(err, AVMIT_E_FORMAT, c->paths[i], "audio/visual",
                      "embedding widths %lld/%lld, the joint space expects %d/%d", (long long)e.audio_dim,
                      (long long)e.visual_dim, c->s->Da, c->s->Dv);
    if (!r) {
        r = similarity_scratch(c->s, &c->sc[tid], e.audio, (int)e.n_audio_steps, e.visual,
                               (int)e.n_visual_steps, &c->sim[i], err);
        if (r && err->path[0] == 0) { /* name the file (the message is copied: set overwrites it) */
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            avmit_error_set(err, r, c->paths[i], -1, -1, -1, NULL, "%s", msg);
        }
    }
    if (!r && c->na) c->na[i] = (int)e.n_audio_steps;
    if (!r && c->nv) c->nv[i] = (int)e.n_visual_steps;
    avmit_embedding_free(&e);
    c->rc[i] = r;
}

int avmit_similarity_files(const avmit_joint_space *s, const char *const *paths, size_t n,
                           int n_threads, double *sim, int *n_audio, int *n_visual,
                           avmit_error *err) {
    int nt = n_threads > 0 ? n_threads : avmit_cpu_count();
    if ((size_t)nt > n) nt = n ? (int)n : 1;
    files_ctx c = {s, paths, sim, n_audio, n_visual, calloc((size_t)nt, sizeof(scratch)),
                   calloc(n ? n : 1, sizeof(avmit_error)), calloc(n ? n : 1, sizeof(int))};
    int r = 0, t = 0;
    if (!c.sc || !c.errs || !c.rc) r = AVMIT_NOMEM(err, "similarity");
    for (; !r && t < nt; t++) r = scratch_init(s, &c.sc[t], err);
    if (!r) r = avmit_parallel_for(nt, n, one_file, &c);
    if (r && err && !err->code) AVMIT_ERR(err, r, NULL, NULL, "cannot start %d threads", nt);
    for (size_t i = 0; !r && i < n; i++)
        if (c.rc[i]) {
            r = c.rc[i];
            if (err) *err = c.errs[i];
        }
    for (int k = 0; k < t; k++) scratch_free(&c.sc[k]);
    free(c.sc);
    free(c.errs);
    free(c.rc);
    return r;
}

/* ---- Mann-Whitney U ------------------------------------------------------------- */

typedef struct {
    double v;
    int from_x;
} tagged;

static int cmp_tagged(const void *a, const void *b) {
    double x = ((const tagged *)a)->v, y = ((const tagged *)b)->v;
    return (x > y) - (x < y);
}

int avmit_mann_whitney_u(const double *x, size_t n1, const double *y, size_t n2,
                         avmit_mwu *out, avmit_error *err) {
    AVMIT_RETURN_IF(n1 < 1 || n2 < 1, err, AVMIT_E_ARG, NULL, NULL,
                    "Mann-Whitney U needs two non-empty samples (got %zu and %zu)", n1, n2);
    size_t n = n1 + n2;
    tagged *a = malloc(sizeof *a * n);
    if (!a) return AVMIT_NOMEM(err, "Mann-Whitney U");
    for (size_t i = 0; i < n1; i++) {
        AVMIT_RETURN_IF(!isfinite(x[i]), (free(a), err), AVMIT_E_NONFINITE, NULL, NULL, "sample 1 value %zu is not finite", i);
        a[i].v = x[i], a[i].from_x = 1;
    }
    for (size_t i = 0; i < n2; i++) {
        AVMIT_RETURN_IF(!isfinite(y[i]), (free(a), err), AVMIT_E_NONFINITE, NULL, NULL, "sample 2 value %zu is not finite", i);
        a[n1 + i].v = y[i], a[n1 + i].from_x = 0;
    }
    qsort(a, n, sizeof *a, cmp_tagged);
    /* Mid-ranks of tied groups; R1 = rank sum of x; tie term sum(t^3 - t). */
    double r1 = 0, ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && a[j].v == a[i].v) j++;
        double t = (double)(j - i), rank = (double)(i + j + 1) / 2.0; /* ranks i+1..j */
        for (size_t k = i; k < j; k++)
            if (a[k].from_x) r1 += rank;
        ties += t * t * t - t;
        i = j;
    }
    free(a);
    double dn1 = (double)n1, dn2 = (double)n2, dn = (double)n;
    double u1 = r1 - dn1 * (dn1 + 1) / 2, u2 = dn1 * dn2 - u1, u = u1 > u2 ? u1 : u2;
    double mu = dn1 * dn2 / 2;
    double var = dn1 * dn2 / 12 * ((dn + 1) - (n > 1 ? ties / (dn * (dn - 1)) : 0));
    out->n1 = n1, out->n2 = n2, out->u1 = u1, out->effect = u1 / (dn1 * dn2);
    if (var <= 0) { /* every value equal: no evidence either way */
        out->z = 0, out->p = 1;
        return 0;
    }
    out->z = (u - mu - 0.5) / sqrt(var); /* continuity correction, as scipy */
    double p = erfc(out->z / sqrt(2.0)); /* 2 * normal survival function */
    out->p = p > 1 ? 1 : p;
    return 0;
}
