/* testutil.c — see testutil.h. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avmit/fileio.h"

int test_failures = 0;
int test_checks = 0;

int test_streq(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

int test_contains(const char *haystack, const char *needle) {
    return haystack && needle && strstr(haystack, needle) != NULL;
}

const char *test_tmpdir(void) {
    static char dir[1024];
    if (!dir[0]) {
        const char *t = getenv("AVMIT_TMP");
        if (t && *t)
            snprintf(dir, sizeof dir, "%s", t);
        else
            snprintf(dir, sizeof dir, "/tmp/avmit-test-%ld", (long)getpid());
        avmit_mkdirs(dir, NULL);
    }
    return dir;
}

const char *test_path(const char *name) {
    static char bufs[8][2048];
    static int k = 0;
    char *b = bufs[k++ & 7];
    snprintf(b, 2048, "%s/%s", test_tmpdir(), name);
    return b;
}

const char *test_shared_dir(void) {
    static char dir[1024];
    static int looked = 0;
    if (!looked) {
        looked = 1;
        const char *s = getenv("AVMIT_SHARED");
        if (!s || !*s) s = "../shared";
        struct stat st;
        char probe[1200];
        snprintf(probe, sizeof probe, "%s/data/avmit", s);
        if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode))
            snprintf(dir, sizeof dir, "%s", s);
        else
            fprintf(stderr, "skipped: %s/data/avmit not found (../shared absent)\n", s);
    }
    return dir[0] ? dir : NULL;
}

const char *test_src_dir(void) {
    const char *s = getenv("AVMIT_SRC");
    return (s && *s) ? s : ".";
}

int test_write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = n ? fwrite(data, 1, n, f) : 0;
    fclose(f);
    return w == n ? 0 : -1;
}

int test_finish(const char *name) {
    if (test_failures) {
        fprintf(stderr, "%s: %d of %d checks FAILED\n", name, test_failures, test_checks);
        return 1;
    }
    printf("%s: all %d checks passed\n", name, test_checks);
    return 0;
}
