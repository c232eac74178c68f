/* test_synth.c — synthetic embeddings for one video (include/avmit/synth.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/labels.h"
#include "avmit/synth.h"
#include "testutil.h"

static void free_fields(avmit_embedding *e) {
    free(e->filename);
    free(e->label);
    free(e->audio);
    free(e->visual);
    memset(e, 0, sizeof *e);
}

static avmit_synth *make(avmit_synth_set set, uint64_t seed, double mismatch) {
    avmit_synth_opts o = avmit_synth_default_opts();
    o.set = set;
    o.seed = seed;
    o.mismatch_prob = mismatch;
    avmit_synth *s = NULL;
    avmit_error err;
    CHECK_INT(avmit_synth_create(&s, &o, &err), 0);
    return s;
}

/* Dims and timesteps per embedding set (FORMATS §3.3); context strings copied. */
static void test_shapes(void) {
    avmit_synth *y = make(AVMIT_SYNTH_YAMNET_EFFNET, 1, 0.35);
    avmit_synth *g = make(AVMIT_SYNTH_VGGISH_VGG16, 1, 0.35);
    int n7 = 0, n = 400, nonneg = 1;
    for (int i = 0; i < n; i++) {
        char key[64];
        snprintf(key, sizeof key, "barking/v%d.tfrecord", i);
        avmit_synth_item it = {"barking/v.mp4", "barking", key, 0, 3};
        avmit_embedding e;
        CHECK_INT(avmit_synth_video(y, &it, &e, NULL, NULL), 0);
        CHECK(e.audio_dim == 1024 && e.visual_dim == 1280 && e.n_audio_steps == 6 &&
                  (e.n_visual_steps == 6 || e.n_visual_steps == 7),
              "yamnet-effnet shape %lld/%lld T %lld/%lld", (long long)e.audio_dim,
              (long long)e.visual_dim, (long long)e.n_audio_steps, (long long)e.n_visual_steps);
        n7 += e.n_visual_steps == 7;
        for (int64_t k = 0; k < e.n_audio_steps * e.audio_dim; k++)
            nonneg &= e.audio[k] >= 0 && isfinite(e.audio[k]);
        if (i == 0) {
            CHECK_STR(e.filename, "barking/v.mp4");
            CHECK_STR(e.label, "barking");
        }
        free_fields(&e);
        CHECK_INT(avmit_synth_video(g, &it, &e, NULL, NULL), 0);
        CHECK(e.audio_dim == 128 && e.visual_dim == 512 && e.n_audio_steps == 3 &&
                  e.n_visual_steps == 4,
              "vggish-vgg16 shape");
        free_fields(&e);
    }
    CHECK(n7 > n / 10 && n7 < n * 3 / 10, "T_v = 7 for %d of %d videos, expected ~1 in 5", n7, n);
    CHECK(nonneg, "values are not finite and non-negative");
    avmit_synth_free(y);
    avmit_synth_free(g);
}

/* Same (seed, key) gives the same bytes; another key or seed does not. */
static void test_determinism(void) {
    avmit_synth *a = make(AVMIT_SYNTH_VGGISH_VGG16, 5, 0.35);
    avmit_synth *b = make(AVMIT_SYNTH_VGGISH_VGG16, 5, 0.35);
    avmit_synth *c = make(AVMIT_SYNTH_VGGISH_VGG16, 6, 0.35);
    avmit_synth_item it = {"x/y.mp4", "mowing", "mowing/y.tfrecord", 7, -1};
    avmit_synth_item it2 = {"x/y.mp4", "mowing", "mowing/z.tfrecord", 7, -1};
    avmit_embedding e1, e2, e3, e4;
    CHECK_INT(avmit_synth_video(a, &it, &e1, NULL, NULL), 0);
    CHECK_INT(avmit_synth_video(b, &it, &e2, NULL, NULL), 0);
    CHECK_INT(avmit_synth_video(c, &it, &e3, NULL, NULL), 0);
    CHECK_INT(avmit_synth_video(a, &it2, &e4, NULL, NULL), 0);
    CHECK(!memcmp(e1.audio, e2.audio, 3 * 128 * 4) && !memcmp(e1.visual, e2.visual, 4 * 512 * 4),
          "same seed and key give different values");
    CHECK(memcmp(e1.audio, e3.audio, 3 * 128 * 4) != 0, "seed does not change the values");
    CHECK(memcmp(e1.audio, e4.audio, 3 * 128 * 4) != 0, "key does not change the values");
    free_fields(&e1);
    free_fields(&e2);
    free_fields(&e3);
    free_fields(&e4);
    avmit_synth_free(a);
    avmit_synth_free(b);
    avmit_synth_free(c);
}

/* Rated rows: weak exactly when r3 < 2; unrated: at about mismatch_prob. */
static void test_weak_rule(void) {
    avmit_synth *s = make(AVMIT_SYNTH_VGGISH_VGG16, 1, 0.35);
    int n = 2000, n_unrated_weak = 0, rated_ok = 1, kinds[4] = {0};
    for (int i = 0; i < n; i++) {
        char key[64];
        snprintf(key, sizeof key, "tapping/k%d.tfrecord", i);
        avmit_synth_item it = {"tapping/k.mp4", "tapping", key, 13, -1};
        avmit_embedding e;
        avmit_synth_kind k;
        CHECK_INT(avmit_synth_video(s, &it, &e, &k, NULL), 0);
        free_fields(&e);
        n_unrated_weak += k != AVMIT_SYNTH_CONGRUENT;
        kinds[k]++;
        it.r3 = i % 4; /* 0, 1 weak; 2, 3 congruent */
        CHECK_INT(avmit_synth_video(s, &it, &e, &k, NULL), 0);
        free_fields(&e);
        rated_ok &= (k != AVMIT_SYNTH_CONGRUENT) == (it.r3 < 2);
    }
    CHECK(rated_ok, "rated rows: weak stream not exactly when r3 < 2");
    double p = (double)n_unrated_weak / n;
    CHECK(p > 0.31 && p < 0.39, "unrated weak rate %.3f, expected ~0.35", p);
    CHECK(kinds[1] > kinds[2] && kinds[1] > kinds[3] && kinds[2] > 0 && kinds[3] > 0,
          "kind mix other/audio-weak/visual-weak = %d/%d/%d, expected ~2:1:1", kinds[1],
          kinds[2], kinds[3]);
    avmit_synth_free(s);
}

/* Mean audio of n videos of class c (rated congruent rows) under signal g. */
static void class_mean(double g, int c, int n, double *mean) {
    avmit_synth_opts o = avmit_synth_default_opts();
    o.set = AVMIT_SYNTH_VGGISH_VGG16;
    o.signal = g;
    avmit_synth *s = NULL;
    CHECK_INT(avmit_synth_create(&s, &o, NULL), 0);
    memset(mean, 0, 128 * sizeof *mean);
    for (int i = 0; i < n; i++) {
        char key[64];
        snprintf(key, sizeof key, "c%d/v%d.tfrecord", c, i);
        avmit_synth_item it = {"v.mp4", "x", key, c, 3};
        avmit_embedding e;
        CHECK_INT(avmit_synth_video(s, &it, &e, NULL, NULL), 0);
        for (int64_t k = 0; k < e.n_audio_steps * e.audio_dim; k++)
            mean[k % 128] += e.audio[k] / (double)(n * e.n_audio_steps);
        free_fields(&e);
    }
    avmit_synth_free(s);
}

static double mean_dist(double g) {
    double m0[128], m1[128], d = 0;
    class_mean(g, 0, 200, m0);
    class_mean(g, 1, 200, m1);
    for (int k = 0; k < 128; k++) d += (m0[k] - m1[k]) * (m0[k] - m1[k]);
    return sqrt(d);
}

/* opts.signal scales the class prototypes: 0 leaves no class in the values (same
 * key, other class: identical floats); a larger signal separates class means more. */
static void test_signal(void) {
    CHECK(avmit_synth_default_opts().signal == 3.5, "default signal %g, expected 3.5",
          avmit_synth_default_opts().signal);
    avmit_synth_opts o = avmit_synth_default_opts();
    o.signal = 0;
    avmit_synth *s = NULL;
    CHECK_INT(avmit_synth_create(&s, &o, NULL), 0);
    avmit_synth_item a = {"v.mp4", "x", "k/v.tfrecord", 2, 3}, b = a;
    b.class_id = 9;
    avmit_embedding ea, eb;
    CHECK_INT(avmit_synth_video(s, &a, &ea, NULL, NULL), 0);
    CHECK_INT(avmit_synth_video(s, &b, &eb, NULL, NULL), 0);
    CHECK(!memcmp(ea.audio, eb.audio, (size_t)(ea.n_audio_steps * ea.audio_dim) * sizeof(float)) &&
              !memcmp(ea.visual, eb.visual,
                      (size_t)(ea.n_visual_steps * ea.visual_dim) * sizeof(float)),
          "signal 0: classes 2 and 9 differ");
    free_fields(&ea);
    free_fields(&eb);
    avmit_synth_free(s);
    double d35 = mean_dist(3.5), d10 = mean_dist(10);
    CHECK(d10 > 2.2 * d35, "class-mean distance %.3f at signal 10 vs %.3f at 3.5, expected > 2.2x",
          d10, d35);
}

static void test_errors(void) {
    avmit_synth_opts o = avmit_synth_default_opts();
    avmit_synth *s = NULL;
    avmit_error err;
    o.mismatch_prob = 1.5;
    CHECK_INT(avmit_synth_create(&s, &o, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "1.5"), "message: %s", err.msg);
    o.mismatch_prob = 0.35;
    o.signal = -1;
    CHECK_INT(avmit_synth_create(&s, &o, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "signal -1"), "message: %s", err.msg);
    avmit_synth_set set;
    CHECK_INT(avmit_synth_set_parse("resnet", &set, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "'resnet'"), "message: %s", err.msg);
    CHECK_INT(avmit_synth_set_parse("vggish-vgg16", &set, &err), 0);
    CHECK_INT(set, AVMIT_SYNTH_VGGISH_VGG16);
    s = make(AVMIT_SYNTH_VGGISH_VGG16, 1, 0.35);
    avmit_synth_item it = {"a.mp4", "x", "x/a.tfrecord", 16, -1};
    avmit_embedding e;
    CHECK_INT(avmit_synth_video(s, &it, &e, NULL, &err), AVMIT_E_ARG);
    CHECK(e.audio == NULL, "output not empty on error");
    avmit_synth_free(s);
}

int main(void) {
    test_shapes();
    test_determinism();
    test_weak_rule();
    test_signal();
    test_errors();
    return test_finish("test_synth");
}
