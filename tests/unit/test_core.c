/* test_core.c — errors, atomic files, paths, RNG and parallel-for (src/core). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdatomic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avmit/error.h"
#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/parallel.h"
#include "avmit/rng.h"
#include "testutil.h"

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    if (!d) return -1;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_error_message(void) {
    avmit_error e;
    avmit_error_clear(&e);
    CHECK_INT(e.code, 0);
    int rc = avmit_error_set(&e, AVMIT_E_CRC, "emb/x.tfrecord", 17, -1, 40960, NULL,
                             "data CRC mismatch (stored 0x%08x, computed 0x%08x)", 0x1a2b3c4du,
                             0x5e6f7a8bu);
    CHECK_INT(rc, AVMIT_E_CRC);
    /* The message names file, record and byte offset before the detail. */
    CHECK_STR(e.msg, "emb/x.tfrecord: record 17 at byte 40960: data CRC mismatch "
                     "(stored 0x1a2b3c4d, computed 0x5e6f7a8b)");
    avmit_error_set(&e, AVMIT_E_FORMAT, "a.csv", -1, 12, -1, "r1", "expected a non-negative integer, got 'x'");
    CHECK_STR(e.msg, "a.csv: line 12: r1: expected a non-negative integer, got 'x'");
    CHECK_STR(avmit_strerror(AVMIT_E_TRUNCATED), "AVMIT_E_TRUNCATED");
    CHECK_STR(avmit_strerror(-999), "AVMIT_E_UNKNOWN");
    /* NULL error pointers are allowed everywhere. */
    CHECK_INT(avmit_error_path(NULL, AVMIT_E_IO, "p", "x"), AVMIT_E_IO);
}

static void test_atomic(void) {
    char name[64];
    snprintf(name, sizeof name, "atomic-%ld/sub/dir", (long)getpid()); /* fresh on every run */
    const char *dir = test_path(name);
    char file[2048];
    snprintf(file, sizeof file, "%s/out.bin", dir);
    avmit_error e;
    /* make_dirs creates parents; the file appears only on commit. */
    avmit_atomic_file *f = NULL;
    CHECK_INT(avmit_atomic_open(&f, file, 1, &e), 0);
    fputs("hello", avmit_atomic_stream(f));
    struct stat st;
    CHECK(stat(file, &st) != 0, "target exists before commit");
    CHECK_INT(count_entries(dir), 1); /* only the temp file */
    CHECK_INT(avmit_atomic_commit(f, &e), 0);
    unsigned char *buf;
    size_t n;
    CHECK_INT(avmit_read_file(file, &buf, &n, &e), 0);
    CHECK_INT(n, 5);
    CHECK(memcmp(buf, "hello", 5) == 0, "content");
    CHECK_INT(buf[5], 0); /* NUL-terminated */
    free(buf);
    /* Abort leaves the old file and no temp behind. */
    CHECK_INT(avmit_atomic_open(&f, file, 0, &e), 0);
    fputs("partial", avmit_atomic_stream(f));
    avmit_atomic_abort(f);
    CHECK_INT(count_entries(dir), 1);
    CHECK_INT(avmit_read_file(file, &buf, &n, &e), 0);
    CHECK_INT(n, 5);
    free(buf);
    avmit_atomic_abort(NULL);
    /* A missing parent without make_dirs is an error naming the path. */
    char bad[2100];
    snprintf(bad, sizeof bad, "%s/nope/x.bin", dir);
    CHECK(avmit_write_file_atomic(bad, "x", 1, 0, &e) == AVMIT_E_IO, "missing dir");
    CHECK(test_contains(e.msg, "nope/x.bin"), "message names the path: %s", e.msg);
    /* Reading a missing file / a directory. */
    CHECK(avmit_read_file(bad, &buf, &n, &e) == AVMIT_E_IO, "missing file");
    CHECK(avmit_read_file(dir, &buf, &n, &e) == AVMIT_E_IO, "directory");
    CHECK(test_contains(e.msg, "is a directory"), "%s", e.msg);
}

static void test_pathlist(void) {
    avmit_error e;
    char name[64];
    snprintf(name, sizeof name, "walk-%ld", (long)getpid());
    const char *root = test_path(name);
    const char *names[] = {"b/2.tfrecord", "a/1.tfrecord", "a/skip.txt", "c.tfrecord"};
    for (int i = 0; i < 4; i++) {
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", root, names[i]);
        CHECK_INT(avmit_write_file_atomic(p, "x", 1, 1, &e), 0);
    }
    avmit_pathlist l = {0};
    const char *args[] = {root};
    CHECK_INT(avmit_pathlist_expand(&l, args, 1, ".tfrecord", &e), 0);
    CHECK_INT(l.n, 3);
    if (l.n == 3) { /* sorted bytewise within each directory, depth first */
        CHECK(test_contains(l.paths[0], "/a/1.tfrecord"), "%s", l.paths[0]);
        CHECK(test_contains(l.paths[1], "/b/2.tfrecord"), "%s", l.paths[1]);
        CHECK(test_contains(l.paths[2], "/c.tfrecord"), "%s", l.paths[2]);
    }
    avmit_pathlist_free(&l);
    char *j = avmit_path_join("dir/", "/x/y");
    CHECK_STR(j, "dir/x/y");
    free(j);
}

static void test_rng(void) {
    avmit_rng a, b;
    avmit_rng_seed(&a, 42, 7);
    avmit_rng_seed(&b, 42, 7);
    int same = 1;
    for (int i = 0; i < 1000; i++) same &= avmit_rng_u64(&a) == avmit_rng_u64(&b);
    CHECK(same, "same (seed, stream) gives the same sequence");
    avmit_rng_seed(&b, 42, 8);
    avmit_rng_seed(&a, 42, 7);
    CHECK(avmit_rng_u64(&a) != avmit_rng_u64(&b), "streams differ");
    /* Uniform mean ~ 0.5, normal mean ~ 0 and variance ~ 1 over 200k draws. */
    double su = 0, sn = 0, sn2 = 0;
    int below_ok = 1;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = avmit_rng_uniform(&a);
        below_ok &= u >= 0 && u < 1;
        su += u;
        double z = avmit_rng_normal(&a);
        sn += z;
        sn2 += z * z;
        below_ok &= avmit_rng_below(&a, 7) < 7;
    }
    CHECK(below_ok, "ranges");
    CHECK(fabs(su / n - 0.5) < 0.005, "uniform mean %f", su / n);
    CHECK(fabs(sn / n) < 0.01, "normal mean %f", sn / n);
    CHECK(fabs(sn2 / n - 1) < 0.02, "normal variance %f", sn2 / n);
    uint32_t idx[100];
    for (uint32_t i = 0; i < 100; i++) idx[i] = i;
    avmit_rng_shuffle_u32(&a, idx, 100);
    int seen[100] = {0}, perm = 1;
    for (int i = 0; i < 100; i++) seen[idx[i]]++;
    for (int i = 0; i < 100; i++) perm &= seen[i] == 1;
    CHECK(perm, "shuffle is a permutation");
    CHECK(avmit_hash64("barking/a.tfrecord") != avmit_hash64("barking/b.tfrecord"), "hash");
}

typedef struct {
    atomic_int calls;
    int hit[1000];
} pf_ctx;

static void pf_fn(void *ctx, size_t i, int tid) {
    pf_ctx *c = ctx;
    (void)tid;
    c->hit[i]++;
    atomic_fetch_add(&c->calls, 1);
}

static void test_parallel(void) {
    for (int t = 1; t <= 4; t++) {
        pf_ctx *c = calloc(1, sizeof *c);
        atomic_init(&c->calls, 0);
        CHECK_INT(avmit_parallel_for(t, 1000, pf_fn, c), 0);
        int ok = 1;
        for (int i = 0; i < 1000; i++) ok &= c->hit[i] == 1;
        CHECK(ok && atomic_load(&c->calls) == 1000, "each item exactly once with %d threads", t);
        free(c);
    }
    CHECK(avmit_cpu_count() >= 1, "cpu count");
}

/* items divisible by 7 (from 700 up) fail, naming their index */
static int try_fn(void *ctx, size_t i, int tid, avmit_error *err) {
    (void)tid;
    _Atomic long *ran_below = ctx;
    if (i < 700) atomic_fetch_add(ran_below, 1);
    if (i >= 700 && i % 7 == 0)
        return avmit_error_set(err, AVMIT_E_FORMAT, NULL, (long long)i, -1, -1, NULL, "item %zu", i);
    return 0;
}

static void test_parallel_try(void) {
    for (int t = 1; t <= 8; t++) {
        _Atomic long ran_below = 0;
        avmit_error err;
        avmit_error_clear(&err);
        CHECK_INT(avmit_parallel_try(t, 5000, try_fn, (void *)&ran_below, &err), AVMIT_E_FORMAT);
        CHECK_INT(err.record, 700); /* the lowest failing item, whatever the thread count */
        CHECK_STR(err.msg, "record 700: item 700");
        CHECK_INT(atomic_load(&ran_below), 700); /* every item below it ran */
    }
    _Atomic long n = 0;
    avmit_error err;
    CHECK_INT(avmit_parallel_try(3, 600, try_fn, (void *)&n, &err), 0);
    CHECK_INT(avmit_parallel_try(3, 0, try_fn, (void *)&n, &err), 0);
}

static void test_labels(void) {
    CHECK_INT(avmit_label_id("barking"), 0);
    CHECK_INT(avmit_label_id("whistling"), 15);
    CHECK_INT(avmit_label_id("pouring"), 8);
    CHECK_INT(avmit_label_id("coughing"), -1); /* never defaults to barking */
    CHECK_INT(avmit_label_id(NULL), -1);
    CHECK_STR(avmit_label_name(10), "sanding");
    CHECK(avmit_label_name(16) == NULL, "out of range");
}

int main(void) {
    test_error_message();
    test_atomic();
    test_pathlist();
    test_rng();
    test_parallel();
    test_parallel_try();
    test_labels();
    return test_finish("test_core");
}
