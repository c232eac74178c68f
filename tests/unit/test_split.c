/* test_split.c — the released split layouts (avmit/split.h, FORMATS.md §4). */
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/split.h"
#include "testutil.h"

typedef struct {
    const char *name;
    avmit_layout layout;
    size_t rows;
    long per_class;
} released;

/* FORMATS §4 table: rows and per-class counts of the five released files. */
static const released k_files[] = {{"AVMIT_train.csv", AVMIT_LAYOUT_AVMIT, 6560, 410},
                                   {"AVMIT_validation.csv", AVMIT_LAYOUT_AVMIT, 736, 46},
                                   {"MIT16_train.csv", AVMIT_LAYOUT_MIT16, 20240, 1265},
                                   {"MIT16_validation.csv", AVMIT_LAYOUT_MIT16, 2256, 141},
                                   {"test_set.csv", AVMIT_LAYOUT_TEST, 960, 60}};

static void split_path(char *buf, size_t cap, const char *name) {
    snprintf(buf, cap, "%s/data/splits/%s", test_src_dir(), name);
}

static void test_released(void) {
    for (size_t f = 0; f < sizeof k_files / sizeof k_files[0]; f++) {
        char path[2048];
        split_path(path, sizeof path, k_files[f].name);
        avmit_split s;
        avmit_error err;
        avmit_error_clear(&err);
        int r = avmit_split_read(&s, path, &err);
        CHECK(r == 0, "%s: %s", path, err.msg);
        if (r) continue;
        CHECK_INT(s.layout, k_files[f].layout);
        CHECK_INT(s.n, k_files[f].rows);
        long per[AVMIT_N_CLASSES] = {0};
        long unknown = 0;
        for (size_t i = 0; i < s.n; i++) {
            if (s.v[i].label_id < 0) unknown++;
            else per[s.v[i].label_id]++;
        }
        CHECK(unknown == 0, "%s: %ld unknown labels", k_files[f].name, unknown);
        for (int c = 0; c < AVMIT_N_CLASSES; c++)
            CHECK(per[c] == k_files[f].per_class, "%s: class %s has %ld rows, expected %ld",
                  k_files[f].name, avmit_label_name(c), per[c], k_files[f].per_class);
        CHECK(avmit_split_validate(&s, &err) == 0, "%s validates: %s", k_files[f].name, err.msg);
        CHECK_INT(s.v[0].line, 2);
        /* Writing in the file's own layout reproduces it byte for byte. */
        const char *out = test_path("rewrite.csv");
        CHECK_INT(avmit_split_write(&s, s.layout, out, &err), 0);
        unsigned char *a, *b;
        size_t na, nb;
        CHECK_INT(avmit_read_file(path, &a, &na, &err), 0);
        CHECK_INT(avmit_read_file(out, &b, &nb, &err), 0);
        CHECK(na == nb && !memcmp(a, b, na), "%s: rewrite differs (%zu vs %zu bytes)",
              k_files[f].name, na, nb);
        free(a);
        free(b);
        avmit_split_free(&s);
    }
}

static void test_first_rows(void) {
    char path[2048];
    avmit_split s;
    avmit_error err;
    split_path(path, sizeof path, "AVMIT_train.csv");
    if (avmit_split_read(&s, path, &err)) return;
    CHECK_STR(s.v[0].filename, "inflating/yt-vvIxdBxctWY_15.mp4");
    CHECK_STR(s.v[0].tfrecord, "inflating/yt-vvIxdBxctWY_15.tfrecord");
    CHECK_STR(s.v[0].video_location, "MIT_training");
    CHECK(s.v[0].r1 == 0 && s.v[0].r2 == 1 && s.v[0].r3 == 2, "first row ratings 0,1,2");
    avmit_split_free(&s);
    split_path(path, sizeof path, "MIT16_train.csv");
    if (avmit_split_read(&s, path, &err)) return;
    CHECK_STR(s.v[0].mit_label, "mowing");
    CHECK_INT(s.v[0].r1, -1);
    avmit_split_free(&s);
}

/* Parse `text` as a file; return the error code and fill err. */
static int read_text(const char *text, avmit_split *s, avmit_error *err) {
    const char *p = test_path("case.csv");
    test_write_bytes(p, text, strlen(text));
    avmit_error_clear(err);
    int r = avmit_split_read(s, p, err);
    if (!r) avmit_split_free(s);
    return r;
}

static void expect_reject(const char *text, long line, const char *field, const char *needle) {
    avmit_split s;
    avmit_error err;
    int r = read_text(text, &s, &err);
    CHECK(r == AVMIT_E_FORMAT, "should be rejected: %s", text);
    CHECK(err.line == line, "line %lld, expected %ld (%s)", err.line, line, err.msg);
    if (field) CHECK_STR(err.field, field);
    CHECK(test_contains(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
}

#define AVH "filename,actual_label,r1,r2,r3,label,video_location,tfrecord_filename\n"

static void test_rejections(void) {
    expect_reject("filename,label\na.mp4,x\n", 1, NULL, "not one of the known layouts");
    expect_reject(AVH "a/b.mp4,a,0,0,3,barking,MIT_training,barking/b.tfrecord\n"
                      "a/c.mp4,a,0,-1,3,barking,MIT_training,barking/c.tfrecord\n",
                  3, "r2", "non-negative integer");
    expect_reject(AVH "a/b.mp4,a,0,0,x,barking,MIT_training,barking/b.tfrecord\n", 2, "r3",
                  "non-negative integer");
    expect_reject(AVH "a/b.mp4,a,0,0,3,barking,MIT_training,barking/b.tfrec\n", 2,
                  "tfrecord_filename", "does not end in '.tfrecord'");
    expect_reject(AVH "a/b.mp4,a,0,0,3,barking,MIT_training,/abs/b.tfrecord\n", 2,
                  "tfrecord_filename", "absolute");
    expect_reject(AVH "a/b.mp4,a,0,0,3,barking,MIT_training,barking/../../b.tfrecord\n", 2,
                  "tfrecord_filename", "'..'");
    expect_reject(AVH "a/b.mp4,a,0,0,3,barking,MIT_training\n", 2, NULL, "7 columns, expected 8");
    expect_reject(",filename,MIT label,AVMIT label,tfrecord_filename\n"
                  "0,a/b.mp4,a,barking,barking/b.tfrecord\n"
                  "2,a/c.mp4,a,barking,barking/c.tfrecord\n",
                  3, NULL, "pandas row index 1");
}

static void test_unknown_label_kept_and_validate(void) {
    const char *p = test_path("unknown.csv");
    const char *text = AVH "a/b.mp4,a,0,0,3,coughing,MIT_training,coughing/b.tfrecord\n"
                           "a/b.mp4,a,0,0,3,barking,MIT_training,barking/b.tfrecord\n";
    test_write_bytes(p, text, strlen(text));
    avmit_split s;
    avmit_error err;
    CHECK_INT(avmit_split_read(&s, p, &err), 0);
    CHECK_INT(s.n, 2);
    CHECK_INT(s.v[0].label_id, -1);
    CHECK_INT(s.v[1].label_id, 0);
    CHECK_INT(avmit_split_validate(&s, &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "not one of the 16"), "validate: %s", err.msg);
    avmit_split_free(&s);
}

static void test_derived_columns(void) {
    /* RATINGS rows written as AVMIT, MIT16 and TEST layouts derive the missing columns. */
    const char *p = test_path("ratings.csv");
    const char *text = "filename,r1,r2,r3,AVMIT_label,MIT_label,video_location\n"
                       "cooking/x_1.mp4,0,1,2,frying,cooking,training\n"
                       "barking/y.mp4,0,0,3,barking,barking,validation\n";
    test_write_bytes(p, text, strlen(text));
    avmit_split s;
    avmit_error err;
    CHECK_INT(avmit_split_read(&s, p, &err), 0);
    CHECK_INT(s.layout, AVMIT_LAYOUT_RATINGS);
    const char *out = test_path("derived.csv");
    unsigned char *buf;
    size_t n;
    CHECK_INT(avmit_split_write(&s, AVMIT_LAYOUT_AVMIT, out, &err), 0);
    CHECK_INT(avmit_read_file(out, &buf, &n, &err), 0);
    CHECK_STR((char *)buf, AVH "cooking/x_1.mp4,cooking,0,1,2,frying,MIT_training,frying/x_1.tfrecord\n"
                               "barking/y.mp4,barking,0,0,3,barking,MIT_validation,barking/y.tfrecord\n");
    free(buf);
    CHECK_INT(avmit_split_write(&s, AVMIT_LAYOUT_MIT16, out, &err), 0);
    CHECK_INT(avmit_read_file(out, &buf, &n, &err), 0);
    CHECK_STR((char *)buf, ",filename,MIT label,AVMIT label,tfrecord_filename\n"
                           "0,cooking/x_1.mp4,cooking,frying,frying/x_1.tfrecord\n"
                           "1,barking/y.mp4,barking,barking,barking/y.tfrecord\n");
    free(buf);
    CHECK_INT(avmit_split_write(&s, AVMIT_LAYOUT_TEST, out, &err), 0);
    CHECK_INT(avmit_read_file(out, &buf, &n, &err), 0);
    CHECK_STR((char *)buf, "filename,AVMIT_label,MIT_label,video_location,new_filename,tfrecord_filename\n"
                           "cooking/x_1.mp4,frying,cooking,training,frying/frying_1.mp4,frying/x_1.tfrecord\n"
                           "barking/y.mp4,barking,barking,validation,barking/barking_1.mp4,barking/y.tfrecord\n");
    free(buf);
    avmit_split_free(&s);
    /* MIT16 rows have no ratings: the AVMIT layout cannot be written. */
    const char *m = test_path("m.csv");
    const char *mt = ",filename,MIT label,AVMIT label,tfrecord_filename\n0,a/b.mp4,a,barking,barking/b.tfrecord\n";
    test_write_bytes(m, mt, strlen(mt));
    CHECK_INT(avmit_split_read(&s, m, &err), 0);
    CHECK_INT(avmit_split_write(&s, AVMIT_LAYOUT_AVMIT, out, &err), AVMIT_E_ARG);
    CHECK(test_contains(err.msg, "needs r1/r2/r3"), "%s", err.msg);
    avmit_split_free(&s);
}

static void test_push_keep(void) {
    avmit_split s = {0};
    avmit_video v = {.filename = "a/b.mp4", .label = "barking", .r1 = 0, .r2 = 0, .r3 = 3};
    avmit_error err;
    unsigned char keep[37];
    for (int i = 0; i < 37; i++) {
        CHECK_INT(avmit_split_push(&s, &v, &err), 0);
        keep[i] = (unsigned char)(i % 3 == 0);
    }
    CHECK_INT(s.n, 37);
    avmit_split_keep(&s, keep);
    CHECK_INT(s.n, 13);
    for (int i = 0; i < 20; i++) CHECK_INT(avmit_split_push(&s, &v, &err), 0);
    CHECK_INT(s.n, 33);
    CHECK_STR(s.v[32].filename, "a/b.mp4");
    CHECK_STR(s.v[32].tfrecord, "");
    avmit_split_free(&s);
}

int main(void) {
    test_released();
    test_first_rows();
    test_rejections();
    test_unknown_label_kept_and_validate();
    test_derived_columns();
    test_push_keep();
    return test_finish("test_split");
}
