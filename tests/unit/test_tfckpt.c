/*
 * test_tfckpt.c — TF2 checkpoint paths and small index cases checked by hand:
 * the `checkpoint` text file (FORMATS.md §6.5: any field order, timestamps,
 * absolute paths, C escapes), resolving a folder / .index / .data / prefix,
 * the FORMATS §6.2 worked empty block, and the first bytes of a released
 * index decoded as FORMATS §6.3 lists them (when ../shared is present).
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/tfckpt.h"
#include "avmit/tfrecord.h"
#include "testutil.h"

static char *resolve_ok(const char *path) {
    avmit_error err;
    char *p = NULL;
    int rc = avmit_tfckpt_resolve(path, &p, &err);
    CHECK(rc == 0, "resolve %s: %s", path, err.msg);
    return p;
}

static void test_checkpoint_file(void) {
    const char *dir = test_tmpdir();
    /* released form */
    test_write_bytes(test_path("checkpoint"),
                     "model_checkpoint_path: \"weights.64-0.28.ckpt\"\n"
                     "all_model_checkpoint_paths: \"weights.64-0.28.ckpt\"\n", 97);
    char *p = resolve_ok(dir), want_buf[1200];
    const char *want = want_buf;
    snprintf(want_buf, sizeof want_buf, "%s/weights.64-0.28.ckpt", dir);
    CHECK_STR(p, want);
    free(p);
    p = resolve_ok(test_path("checkpoint"));
    CHECK_STR(p, want);
    free(p);
    /* any order, timestamps, comments, absolute path with escapes */
    const char *odd = "all_model_checkpoint_timestamps: 1700000000.5\n"
                      "# a comment\n"
                      "all_model_checkpoint_paths: \"old.ckpt\"\n"
                      "  model_checkpoint_path:   \"/abs/w\\\"q\\\\\\101\\x42.ckpt\"  \n"
                      "last_preserved_timestamp: 1.5e9\n";
    test_write_bytes(test_path("checkpoint"), odd, strlen(odd));
    p = resolve_ok(dir);
    CHECK_STR(p, "/abs/w\"q\\AB.ckpt");
    free(p);
    /* no model_checkpoint_path, or a broken line: errors naming the file */
    avmit_error err;
    const char *bad[] = {"all_model_checkpoint_paths: \"a\"\n", "model_checkpoint_path \"a\"\n",
                         "model_checkpoint_path: \"unterminated\n"};
    const char *needle[] = {"no model_checkpoint_path", "line 1", "bad string literal"};
    for (int i = 0; i < 3; i++) {
        test_write_bytes(test_path("checkpoint"), bad[i], strlen(bad[i]));
        p = NULL;
        CHECK(avmit_tfckpt_resolve(dir, &p, &err) != 0 && p == NULL, "case %d accepted", i);
        CHECK(test_contains(err.msg, needle[i]) && test_contains(err.msg, "checkpoint"),
              "case %d: %s", i, err.msg);
    }
}

static void test_suffixes(void) {
    char *p = resolve_ok("/x/w.ckpt.index");
    CHECK_STR(p, "/x/w.ckpt");
    free(p);
    p = resolve_ok("/x/w.ckpt.data-00000-of-00001");
    CHECK_STR(p, "/x/w.ckpt");
    free(p);
    p = resolve_ok("/x/w.ckpt");
    CHECK_STR(p, "/x/w.ckpt");
    free(p);
    CHECK(!avmit_tfckpt_probe("/nonexistent/w.ckpt"), "probe of a missing prefix");
}

/* A table with the header only: data block [00 00 06 "" 08 01 1a 02 08 01 |
 * restarts 0 | 1], the empty metaindex of FORMATS §6.2, index key "\x01". */
static size_t put_block(uint8_t *out, size_t at, const uint8_t *b, size_t n) {
    memcpy(out + at, b, n);
    out[at + n] = 0;
    uint32_t c = avmit_crc32c_mask(avmit_crc32c(0, out + at, n + 1));
    for (int i = 0; i < 4; i++) out[at + n + 1 + i] = (uint8_t)(c >> (8 * i));
    return at + n + 5;
}

static void test_header_only_table(void) {
    const uint8_t data[] = {0, 0, 6, 0x08, 0x01, 0x1a, 0x02, 0x08, 0x01, 0, 0, 0, 0, 1, 0, 0, 0};
    const uint8_t meta[] = {0, 0, 0, 0, 1, 0, 0, 0};
    const uint8_t index[] = {0, 1, 2, 1, 0, sizeof data, 0, 0, 0, 0, 1, 0, 0, 0};
    uint8_t t[200] = {0};
    size_t at = put_block(t, 0, data, sizeof data);
    size_t meta_at = at;
    at = put_block(t, at, meta, sizeof meta);
    size_t index_at = at;
    at = put_block(t, at, index, sizeof index);
    uint8_t *foot = t + at;
    foot[0] = (uint8_t)meta_at, foot[1] = sizeof meta, foot[2] = (uint8_t)index_at,
    foot[3] = sizeof index;
    const uint8_t magic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
    memcpy(foot + 40, magic, 8);
    size_t n = at + 48;
    avmit_tfckpt ck;
    avmit_error err;
    CHECK(avmit_tfckpt_parse_index(&ck, t, n, "h.index", &err) == 0, "%s", err.msg);
    CHECK_INT(ck.n_entries, 0);
    CHECK_INT(ck.producer, 1);
    avmit_tfckpt_free(&ck);
    t[0] ^= 1; /* block CRC */
    CHECK(avmit_tfckpt_parse_index(&ck, t, n, "h.index", &err) == AVMIT_E_CRC, "%s", err.msg);
    CHECK(test_contains(err.msg, "h.index: byte 0: data block checksum mismatch"), "%s", err.msg);
    t[0] ^= 1;
    CHECK(avmit_tfckpt_parse_index(&ck, t, n - 1, "h.index", &err) == AVMIT_E_FORMAT, "cut");
    CHECK(test_contains(err.msg, "bad magic number"), "%s", err.msg);
    CHECK(avmit_tfckpt_parse_index(&ck, t, 10, "h.index", &err) == AVMIT_E_FORMAT, "tiny");
    CHECK(test_contains(err.msg, "not an sstable"), "%s", err.msg);
}

/* The first entries of YamNet_EffNet_GRU_AVMIT's index (FORMATS §6.3 worked decode). */
static void test_released(void) {
    const char *shared = test_shared_dir();
    if (!shared) return;
    char path[1024];
    snprintf(path, sizeof path,
             "%s/data/models/action_recognition/YamNet_EffNet_GRU_AVMIT/weights.64-0.28.ckpt",
             shared);
    avmit_tfckpt ck;
    avmit_error err;
    if (avmit_tfckpt_open(&ck, path, &err)) {
        CHECK(0, "%s", err.msg);
        return;
    }
    CHECK_INT(ck.n_entries, 51);
    const avmit_tfckpt_entry *g = avmit_tfckpt_find(&ck, "_CHECKPOINTABLE_OBJECT_GRAPH");
    CHECK(g && g->dtype == AVMIT_TF_STRING && g->ndim == 0 && g->offset == 2988772 &&
              g->size == 7290 && g->crc32c == avmit_crc32c_unmask(0x5d0f4888u),
          "object graph entry");
    const avmit_tfckpt_entry *b = avmit_tfckpt_find_var(&ck, "layer_with_weights-0/layer/bias");
    CHECK(b && b->dtype == AVMIT_TF_FLOAT && b->ndim == 1 && b->shape[0] == 64 &&
              b->offset == 270424 && b->size == 256 && b->crc32c == 0x4b292668u,
          "bias entry");
    CHECK(avmit_tfckpt_load(&ck, &err) == 0, "%s", err.msg);
    CHECK(b && b->crc_verified && b->full_name && !strcmp(b->full_name, "audio_bottleneck/bias"),
          "bias verified and named");
    const avmit_tfckpt_entry *it = avmit_tfckpt_find(&ck, "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE");
    CHECK(it && it->dtype == AVMIT_TF_INT64 && it->data && it->data[0] + 256 * it->data[1] == 26240,
          "optimizer/iter = 26240");
    const avmit_tfckpt_entry *lr =
        avmit_tfckpt_find(&ck, "optimizer/learning_rate/.ATTRIBUTES/VARIABLE_VALUE");
    float v = 0;
    CHECK(lr && avmit_tfckpt_entry_f32(lr, &v, &err) == 0 && v > 1.2046e-7f && v < 1.2048e-7f,
          "learning rate %g", (double)v);
    avmit_tfckpt_free(&ck);
}

int main(void) {
    test_checkpoint_file();
    test_suffixes();
    test_header_only_table();
    test_released();
    return test_finish("test_tfckpt");
}
