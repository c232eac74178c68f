/* test_registry.c — the network and embedding-set tables (registry.h) agree with
 * each other and with FEATURES.md §11, and the front ends' defaults come from them. */
#include <string.h>

#include "avmit/registry.h"
#include "testutil.h"
#ifdef AVMIT_HAVE_FFMPEG
#include "avmit/frontend.h"
#endif

static void test_networks(void) {
    static const struct {
        const char *name;
        avmit_modality m;
        int dim, interval;
    } want[AVMIT_NETWORK_COUNT] = {{"vggish", AVMIT_MODALITY_AUDIO, 128, 0},
                                   {"yamnet", AVMIT_MODALITY_AUDIO, 1024, 0},
                                   {"vgg16", AVMIT_MODALITY_VISUAL, 512, 960},
                                   {"efficientnetb0", AVMIT_MODALITY_VISUAL, 1280, 480}};
    avmit_error err;
    for (int i = 0; i < AVMIT_NETWORK_COUNT; i++) {
        const avmit_network_info *n = avmit_network_get((avmit_network)i);
        CHECK(n && (int)n->id == i, "row %d holds network %d", i, i);
        if (!n) continue;
        CHECK_STR(n->name, want[i].name);
        CHECK_INT(n->modality, want[i].m);
        CHECK_INT(n->dim, want[i].dim);
        CHECK_INT(n->frame_interval_ms, want[i].interval);
        avmit_network parsed = AVMIT_NETWORK_COUNT;
        CHECK_INT(avmit_network_parse(want[i].name, &parsed, &err), 0);
        CHECK_INT(parsed, i);
        CHECK(avmit_network_by_dim(n->modality, n->dim) == n, "%s found by its width", n->name);
        CHECK_INT(n->input_shape[0] * n->input_shape[1] * n->input_shape[2],
                  n->modality == AVMIT_MODALITY_AUDIO ? 96 * 64 : 224 * 224 * 3);
    }
    CHECK(!avmit_network_get(AVMIT_NETWORK_COUNT), "out of range gives NULL");
    CHECK(!avmit_network_by_dim(AVMIT_MODALITY_AUDIO, 512), "512 is visual only");
    CHECK_INT(avmit_network_parse("resnet50", &(avmit_network){0}, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "resnet50"), "the bad name is named: %s", err.msg);
}

static void test_sets(void) {
    avmit_error err;
    for (int i = 0; i < AVMIT_EMBEDDING_SET_COUNT; i++) {
        const avmit_embedding_set_info *s = avmit_embedding_set_get((avmit_embedding_set)i);
        CHECK(s && (int)s->id == i, "row %d holds set %d", i, i);
        if (!s) continue;
        const avmit_network_info *a = avmit_network_get(s->audio);
        const avmit_network_info *v = avmit_network_get(s->visual);
        CHECK(a && a->modality == AVMIT_MODALITY_AUDIO, "%s: audio network is audio", s->name);
        CHECK(v && v->modality == AVMIT_MODALITY_VISUAL, "%s: visual network is visual", s->name);
        if (a) CHECK_INT(s->audio_dim, a->dim);
        if (v) CHECK_INT(s->visual_dim, v->dim);
        CHECK(avmit_embedding_set_by_audio_dim(s->audio_dim) == s, "%s by audio width", s->name);
        avmit_embedding_set parsed = AVMIT_EMBEDDING_SET_COUNT;
        CHECK_INT(avmit_embedding_set_parse(s->name, &parsed, &err), 0);
        CHECK_INT(parsed, i);
    }
    CHECK_STR(avmit_embedding_set_get(AVMIT_SET_YAMNET_EFFNET)->name, "yamnet-effnet");
    CHECK_INT(avmit_embedding_set_get(AVMIT_SET_VGGISH_VGG16)->visual_dim, 512);
    CHECK_INT(avmit_embedding_set_parse("yamnet", &(avmit_embedding_set){0}, &err), AVMIT_E_ARG);
}

static void test_frontend_defaults(void) {
#ifdef AVMIT_HAVE_FFMPEG
    avmit_visual_frontend_opts o = avmit_visual_frontend_default_opts(AVMIT_NET_VGG16);
    CHECK(o.preprocess == AVMIT_PREPROCESS_VGG16 && o.interval_ms == 960.0, "vgg16 defaults");
    o = avmit_visual_frontend_default_opts(AVMIT_NET_EFFICIENTNETB0);
    CHECK(o.preprocess == AVMIT_PREPROCESS_EFFICIENTNET && o.interval_ms == 480.0,
          "efficientnetb0 defaults");
    o = avmit_visual_frontend_default_opts(AVMIT_NET_YAMNET);
    CHECK(o.preprocess == AVMIT_PREPROCESS_NONE && o.interval_ms == 0.0, "audio net: none");
    CHECK(avmit_visual_default_interval_ms(AVMIT_PREPROCESS_NONE) == 0.0, "none has no default");
    avmit_visual_frames f;
    avmit_error err;
    CHECK_INT(avmit_visual_frontend_run("x.mp4", &o, &f, &err), AVMIT_E_ARG);
    CHECK(f.n == 0 && !f.rgb, "nothing is kept on error");
#endif
}

int main(void) {
    test_networks();
    test_sets();
    test_frontend_defaults();
    return test_finish("test_registry");
}
