/* test_savc_pairs.c — SAVC pair rules (avmit/savc_pairs.h, SPEC.md §6, §1). */
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"
#include "avmit/fileio.h"
#include "avmit/savc_pairs.h"
#include "testutil.h"

static int read_split(avmit_savc_videos *v, const char *name) {
    char path[2048];
    snprintf(path, sizeof path, "%s/data/splits/%s", test_src_dir(), name);
    avmit_error err;
    int r = avmit_savc_videos_read(v, path, NULL, &err);
    CHECK(r == 0, "%s: %s", path, err.msg);
    return r;
}

/* Every pair property SPEC §6 states, for K per class and `cong_per_video` (0 = all). */
static void check_pair_rules(const avmit_savc_videos *v, const avmit_savc_pairs *cong,
                             const avmit_savc_pairs *incong, size_t K, size_t cong_per_video) {
    const size_t C = v->n_classes, q = K / (C - 1);
    size_t bad_cong = 0, bad_incong = 0, self = 0;
    unsigned *as_audio = calloc(v->n, sizeof *as_audio);
    unsigned *as_visual = calloc(v->n, sizeof *as_visual);
    for (size_t i = 0; i < cong->n; i++) {
        bad_cong += v->cls[cong->audio[i]] != v->cls[cong->visual[i]];
        self += cong->audio[i] == cong->visual[i];
        as_audio[cong->audio[i]]++;
        as_visual[cong->visual[i]]++;
    }
    CHECK(bad_cong == 0, "%zu congruent pairs mix classes", bad_cong);
    size_t per_video = cong_per_video ? cong_per_video : K, wrong_use = 0, used = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (!as_audio[i] && !as_visual[i]) continue;
        used++;
        wrong_use += as_audio[i] != per_video || as_visual[i] != per_video;
    }
    CHECK_INT(used, C * K);
    CHECK(wrong_use == 0, "%zu videos not used %zu times as audio and as visual", wrong_use,
          per_video);
    if (!cong_per_video) CHECK_INT(self, C * K); /* each video with itself, once */
    /* Incongruent: per audio video, q distinct visuals from each other class. */
    unsigned *per_class = calloc(v->n * C, sizeof *per_class);
    for (size_t i = 0; i < incong->n; i++) {
        uint32_t a = incong->audio[i], b = incong->visual[i];
        bad_incong += v->cls[a] == v->cls[b];
        per_class[(size_t)a * C + (size_t)v->cls[b]]++;
        /* the visual is one of the sampled videos */
        bad_incong += !as_audio[b];
    }
    CHECK(bad_incong == 0, "%zu incongruent pairs within a class or off-sample", bad_incong);
    size_t wrong = 0;
    for (size_t a = 0; a < v->n; a++) {
        if (!as_audio[a]) continue;
        for (size_t c = 0; c < C; c++)
            wrong += per_class[a * C + c] != ((int)c == v->cls[a] ? 0 : q);
    }
    CHECK(wrong == 0, "%zu (audio video, class) cells without exactly %zu visuals", wrong, q);
    free(per_class);
    free(as_audio);
    free(as_visual);
}

static int pairs_equal(const avmit_savc_pairs *a, const avmit_savc_pairs *b) {
    return a->n == b->n && !memcmp(a->audio, b->audio, a->n * 4) &&
           !memcmp(a->visual, b->visual, a->n * 4);
}

/* SPEC §6: AVMIT train with K = 405 gives 2,624,400 congruent and 2,624,400 incongruent pairs. */
static void test_avmit_train_405(void) {
    avmit_savc_videos v;
    if (read_split(&v, "AVMIT_train.csv")) return;
    CHECK_INT(v.n, 6560);
    CHECK_INT(v.n_classes, 16);
    avmit_savc_pair_opts o = {405, 0, 7};
    size_t nc = 0, ni = 0;
    avmit_error err;
    CHECK_INT(avmit_savc_pair_counts(v.n_classes, &o, &nc, &ni, &err), 0);
    CHECK_INT(nc, 2624400);
    CHECK_INT(ni, 2624400);
    avmit_savc_pairs cong, incong, cong2, incong2;
    CHECK_INT(avmit_savc_make_pairs(&v, &o, &cong, &incong, &err), 0);
    CHECK_INT(cong.n, 2624400);
    CHECK_INT(incong.n, 2624400);
    check_pair_rules(&v, &cong, &incong, 405, 0);
    /* Same seed, same pairs; another seed, other pairs. */
    CHECK_INT(avmit_savc_make_pairs(&v, &o, &cong2, &incong2, &err), 0);
    CHECK(pairs_equal(&cong, &cong2) && pairs_equal(&incong, &incong2), "not deterministic");
    avmit_savc_pairs_free(&cong2);
    avmit_savc_pairs_free(&incong2);
    o.seed = 8;
    CHECK_INT(avmit_savc_make_pairs(&v, &o, &cong2, &incong2, &err), 0);
    CHECK(!pairs_equal(&incong, &incong2), "seed 8 gives the same incongruent pairs as seed 7");
    avmit_savc_pairs_free(&cong2);
    avmit_savc_pairs_free(&incong2);
    avmit_savc_pairs_free(&cong);
    avmit_savc_pairs_free(&incong);
    /* MIT-16 train, K = 600: 5,760,000 of each (counted only). */
    o.per_class = 600;
    CHECK_INT(avmit_savc_pair_counts(16, &o, &nc, &ni, &err), 0);
    CHECK_INT(nc, 5760000);
    CHECK_INT(ni, 5760000);
    avmit_savc_videos_free(&v);
}

/* --congruent N: N visual partners per audio video, every video N times as visual. */
static void test_congruent_sampled(void) {
    avmit_savc_videos v;
    if (read_split(&v, "AVMIT_validation.csv")) return;
    avmit_savc_pair_opts o = {45, 3, 1};
    avmit_savc_pairs cong, incong;
    avmit_error err;
    CHECK_INT(avmit_savc_make_pairs(&v, &o, &cong, &incong, &err), 0);
    CHECK_INT(cong.n, 16 * 45 * 3);
    CHECK_INT(incong.n, 16 * 45 * 45);
    check_pair_rules(&v, &cong, &incong, 45, 3);
    avmit_savc_pairs_free(&cong);
    avmit_savc_pairs_free(&incong);
    avmit_savc_videos_free(&v);
}

/* Written pair CSVs read back to the same (audio, visual) names, in order. */
static void test_write_read(void) {
    avmit_savc_videos v;
    if (read_split(&v, "AVMIT_validation.csv")) return;
    avmit_savc_pair_opts o = {45, 0, 3};
    avmit_savc_pairs cong, incong, back;
    avmit_error err;
    CHECK_INT(avmit_savc_make_pairs(&v, &o, &cong, &incong, &err), 0);
    const char *path = test_path("val_incong.csv");
    CHECK_INT(avmit_savc_pairs_write(&v, &incong, path, &err), 0);
    avmit_savc_videos r = {0};
    int rc = avmit_savc_pairs_read(&r, path, &back, &err);
    CHECK(rc == 0, "%s", err.msg);
    if (!rc) {
        CHECK_INT(back.n, incong.n);
        size_t diff = 0;
        for (size_t i = 0; i < back.n && i < incong.n; i++)
            diff += strcmp(r.tfrecord[back.audio[i]], v.tfrecord[incong.audio[i]]) != 0 ||
                    strcmp(r.tfrecord[back.visual[i]], v.tfrecord[incong.visual[i]]) != 0;
        CHECK(diff == 0, "%zu pairs differ after the round trip", diff);
        CHECK_INT(r.n, 16 * 45); /* distinct videos interned once */
        CHECK_INT(r.cls[0], -1);
    }
    avmit_savc_pairs_free(&back);
    avmit_savc_videos_free(&r);
    /* Header and column errors name the file and line. */
    const char *bad = test_path("bad_pairs.csv");
    const char *text = "audio_tfrecord,visual_tfrecord\na/x.tfrecord,b/y.tfrecord\na/x.tfrecord\n";
    test_write_bytes(bad, text, strlen(text));
    avmit_savc_videos r2 = {0};
    CHECK_INT(avmit_savc_pairs_read(&r2, bad, &back, &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "line 3") && test_contains(err.msg, "expected 2 columns"), "%s",
          err.msg);
    avmit_savc_videos_free(&r2);
    text = "audio,visual\n";
    test_write_bytes(bad, text, strlen(text));
    CHECK_INT(avmit_savc_pairs_read(&r2, bad, &back, &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "header"), "%s", err.msg);
    avmit_savc_videos_free(&r2);
    avmit_savc_pairs_free(&cong);
    avmit_savc_pairs_free(&incong);
    avmit_savc_videos_free(&v);
}

/* Bad options: K not divisible by C-1, K above a class size. */
static void test_errors(void) {
    avmit_savc_videos v;
    if (read_split(&v, "AVMIT_validation.csv")) return;
    avmit_savc_pairs cong, incong;
    avmit_error err;
    avmit_savc_pair_opts o = {40, 0, 0};
    CHECK_INT(avmit_savc_make_pairs(&v, &o, &cong, &incong, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "not divisible by 15"), "%s", err.msg);
    o.per_class = 60; /* validation has 46 per class */
    CHECK_INT(avmit_savc_make_pairs(&v, &o, &cong, &incong, &err), AVMIT_E_RANGE);
    CHECK(test_contains(err.msg, "has 46 videos"), "%s", err.msg);
    avmit_savc_videos_free(&v);
    char path[2048];
    snprintf(path, sizeof path, "%s/data/splits/AVMIT_validation.csv", test_src_dir());
    CHECK_INT(avmit_savc_videos_read(&v, path, "no_such_column", &err), AVMIT_E_NOTFOUND);
    CHECK(test_contains(err.msg, "no_such_column"), "%s", err.msg);
}

/* SPEC §1: 1,920 test pairs, every test video's audio once congruent, once incongruent. */
static void test_test_pairs(void) {
    avmit_savc_videos v;
    if (read_split(&v, "test_set.csv")) return;
    avmit_savc_pairs cong, incong, c2, i2;
    avmit_error err;
    CHECK_INT(avmit_savc_make_test_pairs(&v, 5, &cong, &incong, &err), 0);
    CHECK_INT(cong.n + incong.n, 1920);
    unsigned *na = calloc(v.n, sizeof *na), *nv = calloc(v.n, sizeof *nv);
    unsigned *ia = calloc(v.n, sizeof *ia), *iv = calloc(v.n, sizeof *iv);
    size_t bad = 0;
    for (size_t i = 0; i < cong.n; i++) {
        na[cong.audio[i]]++;
        nv[cong.visual[i]]++;
        bad += v.cls[cong.audio[i]] != v.cls[cong.visual[i]] || cong.audio[i] == cong.visual[i];
    }
    for (size_t i = 0; i < incong.n; i++) {
        ia[incong.audio[i]]++;
        iv[incong.visual[i]]++;
        bad += v.cls[incong.audio[i]] == v.cls[incong.visual[i]];
    }
    CHECK(bad == 0, "%zu test pairs break the class rule", bad);
    size_t off = 0;
    for (size_t i = 0; i < v.n; i++) off += na[i] != 1 || nv[i] != 1 || ia[i] != 1 || iv[i] != 1;
    CHECK(off == 0, "%zu test videos not used exactly once per role and kind", off);
    CHECK_INT(avmit_savc_make_test_pairs(&v, 5, &c2, &i2, &err), 0);
    CHECK(pairs_equal(&cong, &c2) && pairs_equal(&incong, &i2), "test pairs not deterministic");
    free(na);
    free(nv);
    free(ia);
    free(iv);
    avmit_savc_pairs_free(&c2);
    avmit_savc_pairs_free(&i2);
    avmit_savc_pairs_free(&cong);
    avmit_savc_pairs_free(&incong);
    avmit_savc_videos_free(&v);
}

static void fill_embedding(avmit_embedding *e, int T, const float *rows, const char *label) {
    memset(e, 0, sizeof *e);
    e->filename = strdup("barking/a.mp4");
    e->label = strdup(label);
    e->n_audio_steps = T;
    e->n_visual_steps = 1;
    e->audio_dim = 128;
    e->visual_dim = 512;
    e->audio = calloc((size_t)T * 128, sizeof(float));
    e->visual = calloc(512, sizeof(float));
    for (int t = 0; t < T; t++)
        for (int d = 0; d < 128; d++) e->audio[t * 128 + d] = rows[t] + 0.01f * (float)d;
}

/* The --drop-silent rule: identical audio rows or all zeros are silent. */
static void test_silence(void) {
    avmit_embedding e;
    const float same[3] = {-4.6f, -4.6f, -4.6f}, varied[3] = {0.1f, 0.5f, 0.2f};
    fill_embedding(&e, 3, same, "barking");
    CHECK_INT(avmit_savc_audio_silent(&e), 1);
    e.audio[200] += 1e-3f; /* one patch differs: a real soundtrack */
    CHECK_INT(avmit_savc_audio_silent(&e), 0);
    e.audio[200] -= 1e-3f;
    e.audio[200] += 1e-7f; /* within the tolerance: still silent */
    CHECK_INT(avmit_savc_audio_silent(&e), 1);
    const char *dir = test_path("silence");
    char p1[2048], p2[2048];
    snprintf(p1, sizeof p1, "%s/barking/s.tfrecord", dir);
    snprintf(p2, sizeof p2, "%s/barking/v.tfrecord", dir);
    avmit_error err;
    CHECK_INT(avmit_embedding_write_file(&e, p1, &err), 0);
    avmit_embedding_free(&e);
    fill_embedding(&e, 3, varied, "barking");
    CHECK_INT(avmit_savc_audio_silent(&e), 0);
    CHECK_INT(avmit_embedding_write_file(&e, p2, &err), 0);
    memset(e.audio, 0, 3 * 128 * sizeof(float));
    CHECK_INT(avmit_savc_audio_silent(&e), 1);
    avmit_embedding_free(&e);
    fill_embedding(&e, 1, varied, "barking"); /* one non-zero row: not judged silent */
    CHECK_INT(avmit_savc_audio_silent(&e), 0);
    avmit_embedding_free(&e);

    const char *csv = test_path("silence.csv");
    const char *text = "tfrecord_filename,label\nbarking/s.tfrecord,barking\n"
                       "barking/v.tfrecord,barking\nbarking/missing.tfrecord,barking\n";
    test_write_bytes(csv, text, strlen(text));
    avmit_savc_videos v;
    CHECK_INT(avmit_savc_videos_read(&v, csv, "label", &err), 0);
    unsigned char silent[3];
    CHECK_INT(avmit_savc_find_silent(&v, dir, 2, silent, &err), AVMIT_E_IO);
    CHECK(test_contains(err.msg, "missing.tfrecord"), "%s", err.msg);
    unsigned char keep[3] = {1, 1, 0};
    CHECK_INT(avmit_savc_videos_keep(&v, keep, &err), 0);
    CHECK_INT(v.n, 2);
    CHECK_INT(avmit_savc_videos_find(&v, "barking/v.tfrecord"), 1);
    CHECK_INT(avmit_savc_videos_find(&v, "barking/missing.tfrecord"), -1);
    CHECK_INT(avmit_savc_find_silent(&v, dir, 2, silent, &err), 0);
    CHECK_INT(silent[0], 1);
    CHECK_INT(silent[1], 0);
    avmit_savc_videos_free(&v);
}

int main(void) {
    test_avmit_train_405();
    test_congruent_sampled();
    test_write_read();
    test_errors();
    test_test_pairs();
    test_silence();
    return test_finish("savc_pairs");
}
