/*
 * test_extract_jobs.c — avmit/extract.h without media or CNNs: job lists from
 * a directory tree and from the paper's three CSV layouts (FORMATS.md §4),
 * their errors, and the report (merge, JSON round trip).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "avmit/extract.h"
#include "avmit/fileio.h"
#include "extract/extract_int.h"
#include "testutil.h"

static void put(const char *rel, const char *text) {
    const char *p = test_path(rel);
    avmit_mkdirs_for_file(p, NULL);
    test_write_bytes(p, text, strlen(text));
}

static const avmit_extract_job *find(const avmit_extract_jobs *j, const char *filename) {
    for (size_t i = 0; i < j->n; i++)
        if (!strcmp(j->v[i].filename, filename)) return &j->v[i];
    return NULL;
}

static void test_dir(void) {
    put("tree/barking/b.mp4", "x");
    put("tree/barking/a.WEBM", "x");
    put("tree/barking/.hidden.mp4", "x");
    put("tree/diving/sub/c.mkv", "x");
    put("tree/diving/notes.txt", "x");
    avmit_extract_jobs j;
    avmit_error err;
    int r = avmit_extract_jobs_build(&j, test_path("tree"), NULL, &err);
    CHECK_INT(r, 0);
    CHECK_INT(j.n, 3); /* media endings only, hidden files skipped */
    if (j.n == 3) {
        CHECK_STR(j.v[0].filename, "barking/a.WEBM"); /* sorted by relative path */
        CHECK_STR(j.v[0].label, "barking");
        CHECK_STR(j.v[0].out_rel, "barking/a.tfrecord");
        CHECK_STR(j.v[2].filename, "diving/sub/c.mkv");
        CHECK_STR(j.v[2].label, "sub"); /* the parent directory */
        CHECK_STR(j.v[2].out_rel, "sub/c.tfrecord");
        CHECK(test_contains(j.v[1].video, "tree/barking/b.mp4"), "%s", j.v[1].video);
    }
    avmit_extract_jobs_free(&j);
    put("tree/top.mp4", "x");
    r = avmit_extract_jobs_build(&j, test_path("tree"), NULL, &err);
    CHECK_INT(r, AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "top.mp4") && test_contains(err.msg, "no label"), "%s", err.msg);
    remove(test_path("tree/top.mp4")); /* the scratch directory outlives the run */
    put("tree2/a/x.mp4", "x");
    put("tree2/a/x.mkv", "x");
    r = avmit_extract_jobs_build(&j, test_path("tree2"), NULL, &err);
    CHECK_INT(r, AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "a/x.tfrecord"), "two videos, one output: %s", err.msg);
    remove(test_path("tree2/a/x.mkv"));
    r = avmit_extract_jobs_build(&j, test_path("nonexistent"), NULL, &err);
    CHECK_INT(r, AVMIT_E_NOTFOUND);
}

static void test_csv(void) {
    avmit_extract_jobs j;
    avmit_error err;
    /* AVMIT layout: video_location, and a tfrecord directory that differs from the label */
    put("lists/avmit.csv",
        "filename,actual_label,r1,r2,r3,label,video_location,tfrecord_filename\n"
        "sneezing/vine-Mv_2.mp4,sneezing,0,0,3,sneezing,MIT_training,coughing/vine-Mv_2.tfrecord\n"
        "diving/yt-a_1.mp4,diving,0,1,2,diving,MIT_validation,diving/yt-a_1.tfrecord\n");
    int r = avmit_extract_jobs_build(&j, test_path("lists/avmit.csv"), "/data/mit", &err);
    CHECK_INT(r, 0);
    CHECK_INT(j.n, 2);
    if (j.n == 2) {
        CHECK_STR(j.v[0].video, "/data/mit/MIT_training/sneezing/vine-Mv_2.mp4");
        CHECK_STR(j.v[0].filename, "sneezing/vine-Mv_2.mp4");
        CHECK_STR(j.v[0].label, "coughing"); /* the record label is the directory (FORMATS §3.1) */
        CHECK_STR(j.v[0].out_rel, "coughing/vine-Mv_2.tfrecord");
        CHECK_INT(j.v[0].line, 2);
        CHECK_STR(j.v[1].video, "/data/mit/MIT_validation/diving/yt-a_1.mp4");
    }
    avmit_extract_jobs_free(&j);
    /* MIT16 layout: unnamed index column, no video_location; default root = CSV dir */
    put("lists/mit16.csv", ",filename,MIT label,AVMIT label,tfrecord_filename\n"
                           "0,laughing/yt-8k_5.mp4,laughing,giggling,giggling/yt-8k_5.tfrecord\n");
    r = avmit_extract_jobs_build(&j, test_path("lists/mit16.csv"), NULL, &err);
    CHECK_INT(r, 0);
    if (!r && j.n == 1) {
        CHECK(test_contains(j.v[0].video, "lists/laughing/yt-8k_5.mp4"), "%s", j.v[0].video);
        CHECK_STR(j.v[0].label, "giggling");
        CHECK_STR(j.v[0].out_rel, "giggling/yt-8k_5.tfrecord");
        avmit_extract_jobs_free(&j);
    }
    /* a CSV with only filename and a label column */
    put("lists/own.csv", "filename,label\nclips/one.mov,whistling\n");
    r = avmit_extract_jobs_build(&j, test_path("lists/own.csv"), "/v", &err);
    CHECK_INT(r, 0);
    if (!r && j.n == 1) {
        CHECK_STR(j.v[0].video, "/v/clips/one.mov");
        CHECK_STR(j.v[0].label, "whistling");
        CHECK_STR(j.v[0].out_rel, "whistling/one.tfrecord");
        avmit_extract_jobs_free(&j);
    }
    /* errors name the file, line and column */
    put("lists/nofile.csv", "video,label\na.mp4,x\n");
    r = avmit_extract_jobs_build(&j, test_path("lists/nofile.csv"), NULL, &err);
    CHECK_INT(r, AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "filename"), "%s", err.msg);
    put("lists/escape.csv", "filename,tfrecord_filename\na/b.mp4,a/b.tfrecord\na/c.mp4,../c.tfrecord\n");
    r = avmit_extract_jobs_build(&j, test_path("lists/escape.csv"), NULL, &err);
    CHECK_INT(r, AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "line 3") && test_contains(err.msg, "tfrecord_filename"), "%s",
          err.msg);
    put("lists/dup.csv", "filename,tfrecord_filename\na/b.mp4,a/b.tfrecord\nc/b.mp4,a/b.tfrecord\n");
    r = avmit_extract_jobs_build(&j, test_path("lists/dup.csv"), NULL, &err);
    CHECK_INT(r, AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "both map to output 'a/b.tfrecord'"), "%s", err.msg);
}

/* The released split CSVs: every row a job, the 3 AVMIT_train rows whose
 * tfrecord directory differs from the label keep the directory. */
static void test_shared(void) {
    const char *s = test_shared_dir();
    if (!s) return;
    char *p = avmit_path_join(s, "data/avmit/AVMIT_train.csv");
    avmit_extract_jobs j;
    avmit_error err;
    int r = avmit_extract_jobs_build(&j, p, "/mit", &err);
    CHECK(r == 0, "%s", err.msg);
    if (!r) {
        CHECK_INT(j.n, 6560);
        const avmit_extract_job *x = find(&j, "sneezing/vine-MvdBVurYpPl_2.mp4");
        CHECK(x && !strcmp(x->label, "coughing") &&
                  !strcmp(x->out_rel, "coughing/vine-MvdBVurYpPl_2.tfrecord"),
              "the coughing/ row");
        avmit_extract_jobs_free(&j);
    }
    free(p);
}

static void test_report(void) {
    avmit_extract_report a, b, c;
    avmit_error err;
    avmit_extract_report_init(&a);
    avmit_extract_report_init(&b);
    snprintf(a.set, sizeof a.set, "yamnet-effnet");
    snprintf(a.precision, sizeof a.precision, "fp32");
    a.n_jobs = 3, a.n_written = 2, a.n_failed = 1, a.wall_s = 10;
    a.n_by_reason[AVMIT_EXTRACT_TRUNCATED] = 1;
    a.busy_s[AVMIT_STAGE_CNN_VISUAL] = 8, a.workers[AVMIT_STAGE_CNN_VISUAL] = 1;
    CHECK_INT(extract_note_push(&a.failed, "v/z.mp4", "z/z.tfrecord", AVMIT_EXTRACT_TRUNCATED, "bad", &err), 0);
    b.n_jobs = 2, b.n_skipped = 1, b.n_failed = 1, b.wall_s = 12;
    b.n_by_reason[AVMIT_EXTRACT_UNREADABLE] = 1;
    CHECK_INT(extract_note_push(&b.failed, "v/a.mp4", "a/a.tfrecord", AVMIT_EXTRACT_UNREADABLE, "bad", &err), 0);
    CHECK_INT(avmit_extract_report_merge(&a, &b, &err), 0);
    CHECK_INT(a.n_jobs, 5);
    CHECK_INT(a.n_failed, 2);
    CHECK_INT(a.n_shards, 2);
    CHECK(a.wall_s == 12, "wall = max over shards");
    CHECK(a.failed.n == 2 && !strcmp(a.failed.v[0].out_rel, "a/a.tfrecord"),
          "merged failures sorted by output");
    CHECK(avmit_extract_report_rate(&a) == 5 * 3600.0 / 12, "videos per hour");
    char *js = NULL;
    CHECK_INT(avmit_extract_report_to_json(&a, &js, &err), 0);
    CHECK_INT(avmit_extract_report_from_json(&c, js, &err), 0);
    CHECK_INT(c.n_jobs, 5);
    CHECK_INT(c.n_by_reason[AVMIT_EXTRACT_UNREADABLE], 1);
    CHECK(c.failed.n == 2 && !strcmp(c.failed.v[1].detail, "bad") &&
              c.failed.v[1].reason == AVMIT_EXTRACT_TRUNCATED,
          "notes survive the JSON round trip");
    CHECK(c.busy_s[AVMIT_STAGE_CNN_VISUAL] == 8, "busy times survive");
    CHECK_STR(c.set, "yamnet-effnet");
    avmit_extract_report_free(&c);
    CHECK_INT(avmit_extract_report_from_json(&c, "{\"videos\": 1}", &err) != 0, 1);
    free(js);
    avmit_extract_report_free(&a);
    avmit_extract_report_free(&b);
    avmit_extract_report_free(&c);
}

int main(void) {
    test_dir();
    test_csv();
    test_shared();
    test_report();
    return test_finish("test_extract_jobs");
}
