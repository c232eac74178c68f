/* test_embedding.c — AVMIT SequenceExample codec (FORMATS.md §3, §10):
 * the §3.5 worked bytes exactly, round trips through files, every
 * strictness rule with its message, and the protobuf liberties a reader
 * must allow (unpacked lists, any entry order, unknown fields). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"
#include "avmit/fileio.h"
#include "avmit/tfrecord.h"
#include "testutil.h"

static const uint8_t k_example196[] = {
#include "embedding_example196.inc"
};

/* ---- a tiny protobuf builder for hand-made records ---------------------------------- */
#define PB_CAP 40000
typedef struct pbuf {
    uint8_t b[PB_CAP];
    size_t n;
} pbuf;

static void p_raw(pbuf *p, const void *d, size_t n) {
    if (p->n + n > PB_CAP) {
        fprintf(stderr, "test builder overflow\n");
        exit(2);
    }
    memcpy(p->b + p->n, d, n);
    p->n += n;
}
static void p_varint(pbuf *p, uint64_t v) {
    uint8_t t[10];
    size_t k = 0;
    while (v >= 0x80) {
        t[k++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[k++] = (uint8_t)v;
    p_raw(p, t, k);
}
static void p_lenraw(pbuf *p, unsigned field, const void *d, size_t n) {
    p_varint(p, field << 3 | 2);
    p_varint(p, n);
    p_raw(p, d, n);
}
static void p_len(pbuf *p, unsigned field, const pbuf *sub) {
    p_lenraw(p, field, sub->b, sub->n);
}
static void p_vfield(pbuf *p, unsigned field, uint64_t v) {
    p_varint(p, field << 3 | 0);
    p_varint(p, v);
}

/* Features: bytes_list of one string; int64_list packed/unpacked; a row of floats. */
static void feat_string(pbuf *f, const char *s) {
    pbuf l = {{0}, 0};
    p_lenraw(&l, 1, s, strlen(s));
    f->n = 0;
    p_len(f, 1, &l);
}
static void feat_int64(pbuf *f, const int64_t *v, int n, int packed) {
    pbuf l = {{0}, 0}, pk = {{0}, 0};
    for (int i = 0; i < n; i++) {
        if (packed)
            p_varint(&pk, (uint64_t)v[i]);
        else
            p_vfield(&l, 1, (uint64_t)v[i]);
    }
    if (packed) p_len(&l, 1, &pk);
    f->n = 0;
    p_len(f, 3, &l);
}
static void feat_row(pbuf *f, const float *x, int d) {
    pbuf l = {{0}, 0};
    p_lenraw(&l, 1, x, (size_t)d * 4);
    f->n = 0;
    p_len(f, 1, &l);
}

/* A record as a list of context entries and feature-list entries, in order. */
typedef struct kv {
    const char *key;
    pbuf val; /* Feature (context) or FeatureList payload */
} kv;
typedef struct spec {
    kv ctx[6];
    int n_ctx;
    kv lists[3];
    int n_lists;
    int lists_first;  /* write feature_lists before context */
    int unknown;      /* sprinkle unknown fields at every level */
} spec;

static float value_at(int list, int t, int j) {
    return (float)((list * 7 + t * 13 + j) % 201 - 100) * 0.125f;
}

static void list_rows(pbuf *fl, int list, int t_rows, int d) {
    fl->n = 0;
    static float row[2048];
    for (int t = 0; t < t_rows; t++) {
        for (int j = 0; j < d; j++) row[j] = value_at(list, t, j);
        pbuf f = {{0}, 0};
        feat_row(&f, row, d);
        p_len(fl, 1, &f);
    }
}

static void spec_default(spec *s, int ta, int da, int tv, int dv) {
    memset(s, 0, sizeof *s);
    int64_t a = ta, v = tv;
    s->ctx[0].key = "audio_timesteps";
    feat_int64(&s->ctx[0].val, &a, 1, 1);
    s->ctx[1].key = "filename";
    feat_string(&s->ctx[1].val, "barking/a.mp4");
    s->ctx[2].key = "label";
    feat_string(&s->ctx[2].val, "barking");
    s->ctx[3].key = "visual_timesteps";
    feat_int64(&s->ctx[3].val, &v, 1, 1);
    s->n_ctx = 4;
    s->lists[0].key = "audio";
    list_rows(&s->lists[0].val, 0, ta, da);
    s->lists[1].key = "visual_object";
    list_rows(&s->lists[1].val, 1, tv, dv);
    s->n_lists = 2;
}

static kv *spec_find(spec *s, const char *key) {
    for (int i = 0; i < s->n_ctx; i++)
        if (!strcmp(s->ctx[i].key, key)) return &s->ctx[i];
    for (int i = 0; i < s->n_lists; i++)
        if (!strcmp(s->lists[i].key, key)) return &s->lists[i];
    return NULL;
}

static void spec_remove(spec *s, const char *key) {
    for (int i = 0; i < s->n_ctx; i++)
        if (!strcmp(s->ctx[i].key, key)) s->ctx[i] = s->ctx[--s->n_ctx];
    for (int i = 0; i < s->n_lists; i++)
        if (!strcmp(s->lists[i].key, key)) s->lists[i] = s->lists[--s->n_lists];
}

static void add_unknown(pbuf *p, int on) {
    if (!on) return;
    p_vfield(p, 99, 12345);        /* varint */
    p_lenraw(p, 98, "junk", 4);    /* bytes */
    const uint8_t f32[] = {0x8d, 0x06, 1, 2, 3, 4}; /* field 97, fixed32 */
    p_raw(p, f32, sizeof f32);
}

static void build_map(pbuf *out, unsigned field, const kv *e, int n, int unknown) {
    for (int i = 0; i < n; i++) {
        pbuf ent = {{0}, 0};
        add_unknown(&ent, unknown);
        p_lenraw(&ent, 1, e[i].key, strlen(e[i].key));
        p_len(&ent, 2, &e[i].val);
        p_len(out, field, &ent);
    }
    add_unknown(out, unknown);
}

static pbuf g_rec;
static const pbuf *build(const spec *s) {
    static pbuf ctx, fl;
    ctx.n = fl.n = g_rec.n = 0;
    build_map(&ctx, 1, s->ctx, s->n_ctx, s->unknown);
    build_map(&fl, 1, s->lists, s->n_lists, s->unknown);
    add_unknown(&g_rec, s->unknown);
    if (s->lists_first) p_len(&g_rec, 2, &fl);
    p_len(&g_rec, 1, &ctx);
    if (!s->lists_first) p_len(&g_rec, 2, &fl);
    return &g_rec;
}

/* Decode a spec; expect success (want == NULL) or failure with code and message fragment. */
static void expect(const char *what, const spec *s, const avmit_embedding_opts *o, int code,
                   const char *want) {
    const pbuf *r = build(s);
    avmit_embedding e;
    avmit_error err;
    avmit_error_clear(&err);
    int rc = avmit_embedding_decode(&e, r->b, r->n, o, "x.tfrecord", 0, &err);
    if (!want) {
        CHECK(rc == 0, "%s: expected success, got %d: %s", what, rc, err.msg);
    } else {
        CHECK(rc == code, "%s: rc %d (%s), expected %d", what, rc, err.msg, code);
        CHECK(test_contains(err.msg, want), "%s: message \"%s\" lacks \"%s\"", what, err.msg,
              want);
        CHECK(test_contains(err.msg, "x.tfrecord: record 0: "),
              "%s: message \"%s\" does not name file and record", what, err.msg);
    }
    avmit_embedding_free(&e);
}

static void test_worked_example(void) {
    /* FORMATS.md §3.5: 2 timesteps x 2 floats */
    float audio[4] = {1.0f, 2.0f, 3.0f, 4.0f}, visual[4] = {0.5f, -1.0f, 0.0f, 0.25f};
    avmit_embedding e = {(char *)"barking/a.mp4", (char *)"barking", 2, 2, 2, 2, audio, visual};
    uint8_t *buf;
    size_t n;
    CHECK_INT(avmit_embedding_encode(&e, &buf, &n, NULL), 0);
    CHECK_INT(n, 196);
    CHECK(n == sizeof k_example196 && !memcmp(buf, k_example196, n),
          "encoding differs from the FORMATS.md §3.5 bytes");
    /* framed: 212 bytes with the documented header and footer */
    uint8_t framed[212];
    avmit_tfrecord_frame(framed, buf, n);
    const uint8_t head[12] = {0xc4, 0, 0, 0, 0, 0, 0, 0, 0x40, 0xf1, 0xe5, 0x7d};
    const uint8_t foot[4] = {0x8a, 0xef, 0xc5, 0x2b};
    CHECK(!memcmp(framed, head, 12), "§3.5 frame header");
    CHECK(!memcmp(framed + 208, foot, 4), "§3.5 frame footer");
    CHECK(!memcmp(framed + 12, k_example196, 196), "§3.5 frame body");
    free(buf);

    /* decoding it gives the content back (D = 2 is not a model dimension) */
    avmit_embedding_opts o = avmit_embedding_default_opts();
    o.check_dims = 0;
    avmit_embedding d;
    avmit_error err;
    int rc = avmit_embedding_decode(&d, k_example196, sizeof k_example196, &o, "ex", 0, &err);
    CHECK(rc == 0, "decode §3.5: %s", err.msg);
    if (rc == 0) {
        CHECK_STR(d.filename, "barking/a.mp4");
        CHECK_STR(d.label, "barking");
        CHECK(d.n_audio_steps == 2 && d.audio_dim == 2 && d.n_visual_steps == 2 &&
                  d.visual_dim == 2,
              "§3.5 shapes");
        CHECK(!memcmp(d.audio, audio, sizeof audio) && !memcmp(d.visual, visual, sizeof visual),
              "§3.5 values");
    }
    avmit_embedding_free(&d);
    /* with the default (strict) options D = 2 is rejected */
    rc = avmit_embedding_decode(&d, k_example196, sizeof k_example196, NULL, "ex", 0, &err);
    CHECK(rc == AVMIT_E_RANGE && test_contains(err.msg, "rows have 2 floats, expected 128"),
          "strict dims on §3.5: %s", err.msg);
}

static void fill(float *x, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (float)(int)(seed >> 8 & 0xFFFF) / 4096.0f - 8.0f;
    }
}

static void test_file_roundtrip(void) {
    static float audio[6 * 1024], visual[7 * 1280];
    fill(audio, 6 * 1024, 1);
    fill(visual, 7 * 1280, 2);
    avmit_embedding e = {(char *)"laughing/yt-8kvAdUSm5BY_5.mp4", (char *)"giggling", 6, 7,
                         1024, 1280, audio, visual};
    const char *path = test_path("rt/giggling/yt-8kvAdUSm5BY_5.tfrecord"); /* dirs made */
    avmit_error err;
    int rc = avmit_embedding_write_file(&e, path, &err);
    CHECK(rc == 0, "write_file: %s", err.msg);
    unsigned char *raw = NULL;
    size_t n_raw = 0;
    CHECK_INT(avmit_read_file(path, &raw, &n_raw, NULL), 0);
    const uint8_t gz_head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    CHECK(n_raw > 10 && !memcmp(raw, gz_head, 10), "gzip header 1f 8b 08 00 00000000 00 03");
    free(raw);
    avmit_embedding d;
    rc = avmit_embedding_read_file(&d, path, NULL, &err);
    CHECK(rc == 0, "read_file: %s", err.msg);
    if (rc == 0) {
        CHECK_STR(d.filename, e.filename);
        CHECK_STR(d.label, e.label);
        CHECK(d.n_audio_steps == 6 && d.audio_dim == 1024 && d.n_visual_steps == 7 &&
                  d.visual_dim == 1280,
              "round-trip shapes");
        CHECK(!memcmp(d.audio, audio, sizeof audio) && !memcmp(d.visual, visual, sizeof visual),
              "round-trip values");
    }
    avmit_embedding_free(&d);

    /* the same content written uncompressed reads back identically */
    uint8_t *buf;
    size_t n;
    CHECK_INT(avmit_embedding_encode(&e, &buf, &n, NULL), 0);
    uint8_t *framed = malloc(n + 16);
    avmit_tfrecord_frame(framed, buf, n);
    const char *plain = test_path("rt/plain.tfrecord");
    test_write_bytes(plain, framed, n + 16);
    rc = avmit_embedding_read_file(&d, plain, NULL, &err);
    CHECK(rc == 0 && d.n_visual_steps == 7, "uncompressed file: %s", err.msg);
    avmit_embedding_free(&d);

    /* two records and zero records are rejected, naming the count */
    const char *two = test_path("rt/two.tfrecord");
    avmit_tfrecord_writer *w;
    CHECK_INT(avmit_tfrecord_writer_open(&w, two, AVMIT_COMPRESSION_GZIP, 1, NULL), 0);
    avmit_tfrecord_writer_write(w, buf, n, NULL);
    avmit_tfrecord_writer_write(w, buf, n, NULL);
    CHECK_INT(avmit_tfrecord_writer_commit(w, NULL), 0);
    rc = avmit_embedding_read_file(&d, two, NULL, &err);
    CHECK(rc == AVMIT_E_FORMAT && test_contains(err.msg, "contains 2 records, expected exactly 1"),
          "2-record file: %d %s", rc, err.msg);
    CHECK(d.audio == NULL, "nothing left allocated after a failed read");
    const char *zero = test_path("rt/zero.tfrecord");
    CHECK_INT(avmit_tfrecord_writer_open(&w, zero, AVMIT_COMPRESSION_GZIP, 1, NULL), 0);
    CHECK_INT(avmit_tfrecord_writer_commit(w, NULL), 0);
    rc = avmit_embedding_read_file(&d, zero, NULL, &err);
    CHECK(rc == AVMIT_E_FORMAT && test_contains(err.msg, "contains 0 records"),
          "0-record file: %d %s", rc, err.msg);
    /* decode errors from a file name the file and record 0 */
    avmit_embedding bad = e;
    bad.label = (char *)"coughing";
    const char *badp = test_path("rt/bad.tfrecord");
    CHECK_INT(avmit_embedding_write_file(&bad, badp, NULL), 0);
    rc = avmit_embedding_read_file(&d, badp, NULL, &err);
    CHECK(rc == AVMIT_E_RANGE && test_contains(err.msg, "bad.tfrecord: record 0: context 'label'"),
          "bad label from file: %s", err.msg);
    free(framed);
    free(buf);
}

static void test_strictness(void) {
    static spec s;
    avmit_embedding_opts def = avmit_embedding_default_opts(), o;
    int64_t two[2] = {2, 2}, zero = 0, neg = -1, three = 3;

    spec_default(&s, 2, 128, 3, 512);
    expect("well-formed VGGish record", &s, NULL, 0, NULL);

    const char *keys[4] = {"audio_timesteps", "filename", "label", "visual_timesteps"};
    for (int k = 0; k < 4; k++) {
        char want[96];
        spec_default(&s, 2, 128, 3, 512);
        spec_remove(&s, keys[k]);
        snprintf(want, sizeof want, "context key '%s' is missing", keys[k]);
        expect("missing context key", &s, NULL, AVMIT_E_NOTFOUND, want);
    }
    spec_default(&s, 2, 128, 3, 512);
    spec_remove(&s, "visual_object");
    expect("missing list", &s, NULL, AVMIT_E_NOTFOUND, "feature list 'visual_object' is missing");

    spec_default(&s, 2, 128, 3, 512);
    feat_int64(&spec_find(&s, "label")->val, &three, 1, 1);
    expect("label of the wrong kind", &s, NULL, AVMIT_E_FORMAT,
           "context 'label' must be a bytes_list, found int64_list");
    spec_default(&s, 2, 128, 3, 512);
    feat_string(&spec_find(&s, "audio_timesteps")->val, "2");
    expect("timesteps of the wrong kind", &s, NULL, AVMIT_E_FORMAT,
           "context 'audio_timesteps' must be a int64_list, found bytes_list");
    spec_default(&s, 2, 128, 3, 512);
    feat_int64(&spec_find(&s, "audio_timesteps")->val, two, 2, 1);
    expect("two int64 values", &s, NULL, AVMIT_E_FORMAT,
           "context 'audio_timesteps' must have exactly 1 value, found 2");
    spec_default(&s, 2, 128, 3, 512);
    feat_int64(&spec_find(&s, "visual_timesteps")->val, NULL, 0, 1);
    expect("zero int64 values", &s, NULL, AVMIT_E_FORMAT,
           "context 'visual_timesteps' must have exactly 1 value, found 0");
    spec_default(&s, 2, 128, 3, 512);
    { /* filename with two bytes values */
        pbuf l = {{0}, 0};
        p_lenraw(&l, 1, "a", 1);
        p_lenraw(&l, 1, "b", 1);
        pbuf *f = &spec_find(&s, "filename")->val;
        f->n = 0;
        p_len(f, 1, &l);
    }
    expect("two bytes values", &s, NULL, AVMIT_E_FORMAT,
           "context 'filename' must have exactly 1 value, found 2");

    /* timestep Features */
    spec_default(&s, 2, 128, 3, 512);
    { /* audio timestep 1 is a float_list */
        pbuf *fl = &spec_find(&s, "audio")->val, row = {{0}, 0}, fls = {{0}, 0};
        list_rows(fl, 0, 1, 128);
        p_lenraw(&fls, 1, "\0\0\0\0", 4);
        p_len(&row, 2, &fls);
        p_len(fl, 1, &row);
    }
    expect("float_list timestep", &s, NULL, AVMIT_E_FORMAT,
           "feature list 'audio' timestep 1: expected a bytes_list with exactly 1 value, found "
           "float_list");
    spec_default(&s, 2, 128, 3, 512);
    { /* visual timestep 0 holds two bytes values */
        pbuf *fl = &spec_find(&s, "visual_object")->val, row = {{0}, 0}, bl = {{0}, 0};
        float x[512] = {0};
        p_lenraw(&bl, 1, x, sizeof x);
        p_lenraw(&bl, 1, x, sizeof x);
        p_len(&row, 1, &bl);
        fl->n = 0;
        p_len(fl, 1, &row);
        list_rows(&s.ctx[0].val, 0, 0, 0); /* keep audio as is; ctx[0] rebuilt below */
        int64_t a = 2;
        feat_int64(&s.ctx[0].val, &a, 1, 1);
        int64_t v = 1;
        feat_int64(&spec_find(&s, "visual_timesteps")->val, &v, 1, 1);
    }
    expect("timestep with 2 values", &s, NULL, AVMIT_E_FORMAT,
           "feature list 'visual_object' timestep 0: expected a bytes_list with exactly 1 value, "
           "found bytes_list with 2 values");
    spec_default(&s, 1, 128, 3, 512);
    {
        pbuf *fl = &spec_find(&s, "audio")->val, row = {{0}, 0};
        p_lenraw(&row, 1, "0123456789", 10);
        pbuf f = {{0}, 0};
        p_len(&f, 1, &row);
        fl->n = 0;
        p_len(fl, 1, &f);
    }
    expect("row of 10 bytes", &s, NULL, AVMIT_E_FORMAT,
           "feature list 'audio' timestep 0: row has 10 bytes, expected a positive multiple of 4");
    spec_default(&s, 2, 128, 3, 512);
    {
        pbuf *fl = &spec_find(&s, "audio")->val;
        float x[64] = {0};
        pbuf f = {{0}, 0};
        feat_row(&f, x, 64);
        list_rows(fl, 0, 1, 128);
        p_len(fl, 1, &f);
    }
    expect("unequal rows", &s, NULL, AVMIT_E_FORMAT,
           "feature list 'audio' timestep 1: row has 256 bytes but timestep 0 has 512 (unequal "
           "rows)");

    /* timestep counts */
    spec_default(&s, 2, 128, 3, 512);
    feat_int64(&spec_find(&s, "audio_timesteps")->val, &three, 1, 1);
    expect("T disagrees with the list", &s, NULL, AVMIT_E_FORMAT,
           "context 'audio_timesteps' = 3 but feature list 'audio' has 2 entries");
    spec_default(&s, 2, 128, 3, 512);
    feat_int64(&spec_find(&s, "visual_timesteps")->val, &zero, 1, 1);
    list_rows(&spec_find(&s, "visual_object")->val, 1, 0, 512);
    expect("T = 0", &s, NULL, AVMIT_E_RANGE, "context 'visual_timesteps' = 0, expected > 0");
    spec_default(&s, 2, 128, 3, 512);
    feat_int64(&spec_find(&s, "audio_timesteps")->val, &neg, 1, 1);
    expect("T = -1 (10-byte varint)", &s, NULL, AVMIT_E_RANGE,
           "context 'audio_timesteps' = -1, expected > 0");
    spec_default(&s, 2, 128, 3, 512);
    o = def;
    o.max_timesteps = 2;
    expect("T over max_timesteps", &s, &o, AVMIT_E_RANGE,
           "context 'visual_timesteps' = 3 exceeds the maximum of 2 timesteps");
    o.max_timesteps = 3;
    expect("T at max_timesteps", &s, &o, 0, NULL);

    /* dimensions */
    spec_default(&s, 2, 100, 3, 512);
    expect("D_a = 100", &s, NULL, AVMIT_E_RANGE,
           "feature list 'audio' rows have 100 floats, expected 128 (VGGish) or 1024 (YAMNet)");
    spec_default(&s, 2, 128, 3, 1000);
    expect("D_v = 1000", &s, NULL, AVMIT_E_RANGE,
           "feature list 'visual_object' rows have 1000 floats, expected 512");
    spec_default(&s, 2, 128, 3, 1280);
    expect("D_a/D_v unpaired", &s, NULL, AVMIT_E_RANGE,
           "audio dimension 128 (VGGish) pairs with visual dimension 512 (VGG16), found 1280");
    o = def;
    o.check_dims = 0;
    expect("unpaired dims allowed without check_dims", &s, &o, 0, NULL);

    /* labels */
    spec_default(&s, 2, 128, 3, 512);
    feat_string(&spec_find(&s, "label")->val, "coughing");
    expect("unknown label", &s, NULL, AVMIT_E_RANGE,
           "context 'label' = 'coughing' is not one of the 16 AVMIT classes");
    o = def;
    o.check_label = 0;
    expect("unknown label allowed without check_label", &s, &o, 0, NULL);
    spec_default(&s, 2, 128, 3, 512);
    {
        pbuf l = {{0}, 0};
        p_lenraw(&l, 1, "bark\0ing", 8);
        pbuf *f = &spec_find(&s, "label")->val;
        f->n = 0;
        p_len(f, 1, &l);
    }
    expect("NUL in label", &s, NULL, AVMIT_E_FORMAT, "context 'label' contains a NUL byte");

    /* duplicate map keys */
    spec_default(&s, 2, 128, 3, 512);
    s.ctx[s.n_ctx++] = s.ctx[2];
    expect("duplicate context key", &s, NULL, AVMIT_E_FORMAT,
           "context key 'label' appears twice (duplicate map key)");
    spec_default(&s, 2, 128, 3, 512);
    s.lists[s.n_lists++] = s.lists[0];
    expect("duplicate list key", &s, NULL, AVMIT_E_FORMAT,
           "feature list key 'audio' appears twice (duplicate map key)");

    /* non-finite values */
    spec_default(&s, 2, 128, 3, 512);
    {
        static float row[512];
        for (int j = 0; j < 512; j++) row[j] = value_at(1, 1, j);
        row[3] = NAN;
        pbuf *fl = &spec_find(&s, "visual_object")->val, f = {{0}, 0};
        list_rows(fl, 1, 1, 512);
        feat_row(&f, row, 512);
        p_len(fl, 1, &f);
        list_rows(&f, 1, 0, 0);
        row[3] = value_at(1, 2, 3);
        feat_row(&f, row, 512);
        p_len(fl, 1, &f);
    }
    expect("NaN", &s, NULL, AVMIT_E_NONFINITE,
           "feature list 'visual_object' timestep 1 column 3: value nan is not finite");
    o = def;
    o.allow_nonfinite = 1;
    expect("NaN allowed with allow_nonfinite", &s, &o, 0, NULL);
    spec_default(&s, 1, 128, 3, 512);
    {
        static float row[128];
        for (int j = 0; j < 128; j++) row[j] = 1.0f;
        row[127] = -INFINITY;
        pbuf *fl = &spec_find(&s, "audio")->val, f = {{0}, 0};
        fl->n = 0;
        feat_row(&f, row, 128);
        p_len(fl, 1, &f);
    }
    expect("-Inf", &s, NULL, AVMIT_E_NONFINITE,
           "feature list 'audio' timestep 0 column 127: value -inf is not finite");

    /* protobuf-level rejections surface with the record's location */
    spec_default(&s, 2, 128, 3, 512);
    {
        pbuf *f = &spec_find(&s, "label")->val;
        const uint8_t group[] = {0x0b, 0x0c}; /* field 1 start-group, end-group */
        f->n = 0;
        p_raw(f, group, 2);
    }
    expect("group wire type", &s, NULL, AVMIT_E_FORMAT, "unsupported wire type");
    spec_default(&s, 2, 128, 3, 512);
    {
        pbuf *f = &spec_find(&s, "filename")->val;
        f->n = 0;
        p_vfield(f, 1, 7); /* bytes_list as a varint */
    }
    expect("known field with the wrong wire type", &s, NULL, AVMIT_E_FORMAT,
           "field 1 has wire type 0, expected 2");
    spec_default(&s, 2, 128, 3, 512);
    {
        const pbuf *r = build(&s);
        avmit_embedding e;
        avmit_error err;
        int rc = avmit_embedding_decode(&e, r->b, r->n - 1, NULL, "x.tfrecord", 4, &err);
        CHECK(rc == AVMIT_E_FORMAT && test_contains(err.msg, "x.tfrecord: record 4: ") &&
                  test_contains(err.msg, "runs past the end"),
              "record cut by one byte: %s", err.msg);
        rc = avmit_embedding_decode(&e, (const uint8_t *)"", 0, NULL, "x.tfrecord", 0, &err);
        CHECK(rc == AVMIT_E_NOTFOUND, "empty message: %s", err.msg);
    }
}

static void test_liberties(void) {
    static spec s;
    int64_t v2 = 2, v3 = 3;
    spec_default(&s, 2, 1024, 3, 1280);
    feat_int64(&spec_find(&s, "audio_timesteps")->val, &v2, 1, 0);
    expect("unpacked int64 list", &s, NULL, 0, NULL);
    { /* a mix: an empty packed run and one unpacked value = exactly 1 value */
        pbuf l = {{0}, 0}, *f = &spec_find(&s, "visual_timesteps")->val;
        p_lenraw(&l, 1, "", 0);
        p_vfield(&l, 1, (uint64_t)v3);
        f->n = 0;
        p_len(f, 3, &l);
    }
    expect("packed + unpacked mix", &s, NULL, 0, NULL);

    spec_default(&s, 2, 128, 3, 512);
    kv t = s.ctx[0];
    s.ctx[0] = s.ctx[3];
    s.ctx[3] = t;
    t = s.ctx[1];
    s.ctx[1] = s.ctx[2];
    s.ctx[2] = t;
    t = s.lists[0];
    s.lists[0] = s.lists[1];
    s.lists[1] = t;
    s.lists_first = 1;
    expect("reordered map entries and messages", &s, NULL, 0, NULL);
    s.unknown = 1;
    expect("unknown fields at every level", &s, NULL, 0, NULL);
    s.ctx[s.n_ctx].key = "extra_key";
    feat_string(&s.ctx[s.n_ctx++].val, "ignored");
    expect("an extra context key", &s, NULL, 0, NULL);

    /* the same content, entries reversed, decodes to the same values as the canonical one */
    spec_default(&s, 2, 128, 3, 512);
    const pbuf *r = build(&s);
    avmit_embedding a, b;
    CHECK_INT(avmit_embedding_decode(&a, r->b, r->n, NULL, "a", 0, NULL), 0);
    s.lists_first = 1;
    s.unknown = 1;
    r = build(&s);
    CHECK_INT(avmit_embedding_decode(&b, r->b, r->n, NULL, "b", 0, NULL), 0);
    CHECK(a.audio && b.audio && a.visual && b.visual &&
              !memcmp(a.audio, b.audio, 2 * 128 * 4) && !memcmp(a.visual, b.visual, 3 * 512 * 4),
          "reordered record decodes to the same values");
    /* and re-encoding the decoded one gives canonical bytes that decode again */
    uint8_t *enc;
    size_t n;
    CHECK_INT(avmit_embedding_encode(&b, &enc, &n, NULL), 0);
    avmit_embedding c;
    CHECK_INT(avmit_embedding_decode(&c, enc, n, NULL, "c", 0, NULL), 0);
    CHECK(c.visual && !memcmp(c.visual, a.visual, 3 * 512 * 4), "re-encoded values");
    free(enc);
    avmit_embedding_free(&a);
    avmit_embedding_free(&b);
    avmit_embedding_free(&c);

    /* the encoder refuses empty shapes */
    avmit_embedding z = {(char *)"f", (char *)"barking", 0, 1, 2, 2, NULL, NULL};
    uint8_t *zb;
    size_t zn;
    avmit_error err;
    CHECK_INT(avmit_embedding_encode(&z, &zb, &zn, &err), AVMIT_E_ARG);
}

int main(void) {
    test_worked_example();
    test_file_roundtrip();
    test_strictness();
    test_liberties();
    return test_finish("test_embedding");
}
