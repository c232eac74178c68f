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

static void test_errors(void) {
    avmit_synth_opts o = avmit_synth_default_opts();
    avmit_synth *s = NULL;
    avmit_error err;
    o.mismatch_prob = 1.5;
    CHECK_INT(avmit_synth_create(&s, &o, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "1.5"), "message: %s", err.msg);
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
    test_errors();
    return test_finish("test_synth");
}
