/*
 * avmit/similarity.h — audiovisual similarity of a video in a joint audio-visual space
 * (the paper's Figs. 4-5, SPEC §1, §10), and the Mann-Whitney U test used to compare
 * AVMIT-filtered with unfiltered MIT-16 videos per class.
 *
 * NOTE: the paper measured similarity in the MMV network's joint space (Alayrac et al.
 * 2020); avmit does not ship MMV. Here the joint space is either
 *   - a SAVC model's (avmit/savc.h): per timestep the L2-normalised outputs of its audio
 *     and visual towers (Dense_1 -> Dense_2 -> L2norm, avmit_savc_embed), or
 *   - a user-supplied linear projection pair W_a [D_a, E], W_v [D_v, E]: per timestep
 *     L2norm(x W) (epsilon 1e-12, as tf.math.l2_normalize).
 * Similarity of one video: the per-timestep unit vectors are averaged over the video's
 * own timesteps (no padding) for each modality, and the cosine of the two means is
 * taken (their dot product after re-normalising; 0 if a mean is zero). Range [-1, 1].
 *
 * Thread-safety: a joint space is read-only after creation and may be shared;
 * avmit_similarity_files uses its own per-thread workspaces.
 */
#ifndef AVMIT_SIMILARITY_H
#define AVMIT_SIMILARITY_H

#include <stddef.h>

#include "avmit/error.h"
#include "avmit/savc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_joint_space avmit_joint_space;

/* The joint space of a SAVC model; m is borrowed and must outlive the space. */
int avmit_joint_space_savc(avmit_joint_space **out, const avmit_savc_model *m, avmit_error *err);
/* A linear projection pair (copied): wa [Da, E], wv [Dv, E], row-major. */
int avmit_joint_space_projection(avmit_joint_space **out, const float *wa, int Da,
                                 const float *wv, int Dv, int E, avmit_error *err);
void avmit_joint_space_dims(const avmit_joint_space *s, int *Da, int *Dv, int *E);
void avmit_joint_space_free(avmit_joint_space *s);

/* Similarity of one video: audio [Ta, Da], visual [Tv, Dv] (Ta, Tv >= 1). */
int avmit_similarity_one(const avmit_joint_space *s, const float *audio, int Ta,
                         const float *visual, int Tv, double *out, avmit_error *err);

/* Read each embedding file paths[i] (avmit/embedding.h) and compute sim[i]; n_audio[i]
 * and n_visual[i] receive the timestep counts (either may be NULL). n_threads <= 0:
 * all cores. The first failing file (lowest index) is reported, naming it. */
int avmit_similarity_files(const avmit_joint_space *s, const char *const *paths, size_t n,
                           int n_threads, double *sim, int *n_audio, int *n_visual,
                           avmit_error *err);

/* Two-sided Mann-Whitney U test with the normal approximation, tie correction and
 * continuity correction (scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
 * method="asymptotic") gives the same u1 and p). u1 = U of x; effect = u1 / (n1 n2),
 * the probability that a random x exceeds a random y (ties count 1/2). n1, n2 >= 1. */
typedef struct avmit_mwu {
    size_t n1, n2;
    double u1, z, p, effect;
} avmit_mwu;
int avmit_mann_whitney_u(const double *x, size_t n1, const double *y, size_t n2,
                         avmit_mwu *out, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_SIMILARITY_H */
