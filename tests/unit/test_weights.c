/*
 * test_weights.c — avmit/weights.h (issue 13) without Python: a set built
 * with avmit_wset_add round-trips exactly through all three writers
 * (TF V1, TF2 bundle, Keras H5 with nested layer names, an int64 scalar and
 * absent root attributes); detection, lookups by name and (layer, position),
 * parameter counts and avmit_wset_take; the hand-computed bytes of a V1
 * checkpoint's key and entry; and errors that name the file and tensor (a
 * taken tensor, a non-weights file, a truncated checkpoint, a flipped byte).
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/weights.h"
#include "testutil.h"

static void fill(avmit_wset *s, const char *layer, const char *name, int index, int ndim,
                 const int64_t *shape, const char *dtype, float scale) {
    avmit_error err;
    int rc = avmit_wset_add(s, layer, name, index, ndim, shape, dtype, NULL, &err);
    CHECK(rc == 0, "add %s: %s", name, err.msg);
    if (rc) return;
    avmit_wtensor *t = &s->t[s->n - 1];
    for (int64_t i = 0; i < avmit_wtensor_count(t); i++) t->data[i] = scale * (float)(i % 97) - 3.0f;
}

static void same(const avmit_wset *a, const avmit_wset *b, const char *what) {
    CHECK_INT(a->n, b->n);
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        long j = avmit_wset_find(b, a->t[i].name);
        CHECK(j >= 0, "%s: %s missing", what, a->t[i].name);
        if (j < 0) continue;
        const avmit_wtensor *x = &a->t[i], *y = &b->t[j];
        CHECK(x->ndim == y->ndim && !memcmp(x->shape, y->shape, sizeof(int64_t) * (size_t)x->ndim),
              "%s: %s shape", what, x->name);
        CHECK(!memcmp(x->data, y->data, sizeof(float) * (size_t)avmit_wtensor_count(x)), "%s: %s values",
              what, x->name);
    }
}

/* The checkpoint layouts: VGGish-like names. */
static void test_checkpoints(void) {
    avmit_wset s = {0};
    avmit_error err;
    int64_t k[4] = {3, 3, 1, 8}, b[1] = {8}, fc[2] = {40, 5}, big[1] = {70000};
    fill(&s, NULL, "vggish/conv1/weights", 0, 4, k, NULL, 0.5f);
    fill(&s, NULL, "vggish/conv1/biases", 0, 1, b, NULL, 0.25f);
    fill(&s, NULL, "vggish/fc2/weights", 0, 2, fc, NULL, 0.125f);
    fill(&s, NULL, "vggish/fc1/big", 0, 1, big, NULL, 1.0f); /* > one 256 KiB block */
    fill(&s, NULL, "global_step_like", 0, 0, NULL, NULL, 2.0f);  /* a scalar */
    CHECK_STR(s.t[0].layer, "vggish/conv1");
    CHECK_INT(avmit_wset_param_count(&s), 72 + 8 + 200 + 70000 + 1);
    const char *v1 = test_path("w.ckpt"), *v2 = test_path("w2");
    CHECK(avmit_wset_write(&s, AVMIT_WF_TF_V1, v1, &err) == 0, "write v1: %s", err.msg);
    CHECK(avmit_wset_write(&s, AVMIT_WF_TF_V2, v2, &err) == 0, "write tf2: %s", err.msg);
    avmit_wformat f;
    CHECK(avmit_wset_detect(v1, &f, &err) == 0 && f == AVMIT_WF_TF_V1, "detect v1 %d", (int)f);
    CHECK(avmit_wset_detect(v2, &f, &err) == 0 && f == AVMIT_WF_TF_V2, "detect tf2 %d", (int)f);
    avmit_wset r = {0};
    CHECK(avmit_wset_read(&r, v1, &err) == 0, "read v1: %s", err.msg);
    same(&s, &r, "v1");
    CHECK_STR(avmit_wformat_name(r.format), "tf-v1-checkpoint");
    /* name order, as tf.train.Saver writes them */
    CHECK_STR(r.n ? r.t[0].name : "", "global_step_like");
    CHECK_INT(avmit_wset_find_layer(&r, "vggish/conv1", 0) >= 0, 1);
    avmit_wset_free(&r);
    CHECK(avmit_wset_read(&r, v2, &err) == 0, "read tf2: %s", err.msg);
    same(&s, &r, "tf2");
    /* take: the caller owns the buffer, the set forgets it */
    long i = avmit_wset_find(&r, "vggish/fc1/big");
    float *d = i >= 0 ? avmit_wset_take(&r, (size_t)i) : NULL;
    CHECK(d && d[96] == 96.0f - 3.0f && r.t[i].data == NULL, "take");
    free(d);
    CHECK(avmit_wset_write(&r, AVMIT_WF_TF_V1, test_path("x.ckpt"), &err) == AVMIT_E_ARG &&
              test_contains(err.msg, "vggish/fc1/big") && test_contains(err.msg, "taken"),
          "writing a taken tensor: %s", err.msg);
    avmit_wset_free(&r);

    /* V1 bytes by hand: the first data key is 00 | name 00 01 | 00 (rank 0) */
    FILE *fp = fopen(v1, "rb");
    unsigned char buf[512] = {0};
    size_t n = fp ? fread(buf, 1, sizeof buf, fp) : 0;
    if (fp) fclose(fp);
    static const unsigned char key[] = {0, 'g', 'l', 'o', 'b', 'a', 'l', '_', 's', 't', 'e', 'p', '_',
                                        'l', 'i', 'k', 'e', 0, 1, 0};
    int found = 0;
    for (size_t p = 0; p + sizeof key <= n; p++) found |= !memcmp(buf + p, key, sizeof key);
    CHECK(found, "V1 key of the scalar is 00 name 00 01 00");

    /* truncation and a flipped byte: errors naming the file, never a crash */
    unsigned char *all = NULL;
    size_t len = 0;
    fp = fopen(v1, "rb");
    if (fp) {
        fseek(fp, 0, SEEK_END);
        len = (size_t)ftell(fp);
        fseek(fp, 0, SEEK_SET);
        all = malloc(len);
        if (all && fread(all, 1, len, fp) != len) len = 0;
        fclose(fp);
    }
    const char *bad = test_path("bad.ckpt");
    for (int cut = 1; all && cut < 8; cut++) {
        test_write_bytes(bad, all, len * (size_t)cut / 8);
        int rc = avmit_wset_read(&r, bad, &err);
        CHECK(rc < 0 && test_contains(err.msg, "bad.ckpt"), "truncated at %d/8: rc %d %s", cut, rc, err.msg);
    }
    if (all && len > 300000) {
        all[200000] ^= 0x40; /* inside fc1/big's block */
        test_write_bytes(bad, all, len);
        int rc = avmit_wset_read(&r, bad, &err);
        CHECK(rc == AVMIT_E_CRC && test_contains(err.msg, "checksum"), "flipped byte: %d %s", rc, err.msg);
    }
    free(all);
    test_write_bytes(bad, "not a checkpoint at all, just some text of fifty bytes or so", 60);
    CHECK(avmit_wset_read(&r, bad, &err) == AVMIT_E_FORMAT && test_contains(err.msg, "not a weights file"),
          "text file: %s", err.msg);
    avmit_wset_free(&s);
}

/* Keras H5: nested names (YAMNet), int64 count (EfficientNet), Keras 1 attributes. */
static void test_h5(void) {
    avmit_wset s = {0};
    avmit_error err;
    int64_t k[4] = {3, 3, 1, 4}, c[1] = {4};
    fill(&s, "layer1/conv", "layer1/conv/kernel:0", 0, 4, k, NULL, 0.5f);
    fill(&s, "layer1/conv/bn", "layer1/conv/bn/beta:0", 0, 1, c, NULL, 1.0f);
    fill(&s, "layer1/conv/bn", "layer1/conv/bn/moving_mean:0", 1, 1, c, NULL, 2.0f);
    fill(&s, "normalization", "normalization/count:0", 2, 0, NULL, "int64", 0.0f);
    fill(&s, "normalization", "normalization/mean:0", 0, 1, c, NULL, 1.5f);
    fill(&s, "normalization", "normalization/variance:0", 1, 1, c, NULL, 1.5f);
    const char *layers[4] = {"input_1", "layer1/conv", "layer1/conv/bn", "normalization"};
    CHECK(avmit_wset_set_keras(&s, layers, 4, NULL, "", &err) == 0, "set keras");
    s.t[3].data[0] = 42.0f;
    const char *p = test_path("w.h5");
    int rc = avmit_wset_write(&s, AVMIT_WF_KERAS_H5, p, &err);
    if (rc == AVMIT_E_UNSUPPORTED) {
        printf("skipped: H5 part (no libhdf5 in this build)\n");
        avmit_wset_free(&s);
        return;
    }
    CHECK(rc == 0, "write h5: %s", err.msg);
    avmit_wset r = {0};
    CHECK(avmit_wset_read(&r, p, &err) == 0, "read h5: %s", err.msg);
    same(&s, &r, "h5");
    CHECK_INT(r.n_layer_names, 4);
    CHECK(r.n_layer_names == 4 && !strcmp(r.layer_names[0], "input_1") && !strcmp(r.layer_names[2], "layer1/conv/bn"),
          "layer_names kept, weightless ones included");
    CHECK(r.keras_version && !r.keras_version[0], "no keras_version attribute (Keras 1 file)");
    long i = avmit_wset_find_layer(&r, "normalization", 2);
    CHECK(i >= 0 && !strcmp(r.t[i].dtype, "int64") && r.t[i].data[0] == 42.0f, "int64 count kept");
    CHECK_INT(avmit_wset_find_layer(&r, "layer1/conv/bn", 1), avmit_wset_find(&r, "layer1/conv/bn/moving_mean:0"));
    avmit_wset_free(&r);
    avmit_wset_free(&s);
}

int main(void) {
    test_checkpoints();
    test_h5();
    return test_finish("test_weights");
}
