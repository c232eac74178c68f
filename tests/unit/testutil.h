/*
 * testutil.h — the few helpers the C unit tests share: checks that report
 * the failing expression with file:line and keep going, a per-test scratch
 * directory, and the location of ../shared (tests needing it skip with 77).
 * A test's main() returns test_finish().
 */
#ifndef AVMIT_TESTUTIL_H
#define AVMIT_TESTUTIL_H

#include <stddef.h>
#include <stdio.h>

extern int test_failures;
extern int test_checks;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        test_checks++;                                                           \
        if (!(cond)) {                                                           \
            test_failures++;                                                     \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

#define CHECK_INT(a, b)                                                                  \
    CHECK((long long)(a) == (long long)(b), "%s = %lld, expected %s = %lld", #a,          \
          (long long)(a), #b, (long long)(b))

#define CHECK_STR(a, b) CHECK(test_streq((a), (b)), "%s = \"%s\", expected \"%s\"", #a, \
                              (a) ? (a) : "(null)", (b) ? (b) : "(null)")

int test_streq(const char *a, const char *b);
int test_contains(const char *haystack, const char *needle);

/* Scratch directory for this test (AVMIT_TMP or /tmp/avmit-test-<pid>), created empty-ish. */
const char *test_tmpdir(void);
/* path = tmpdir/name in a static rotating buffer. */
const char *test_path(const char *name);

/* ../shared data folder, or NULL (prints "skipped: ..." once). */
const char *test_shared_dir(void);
/* The source tree (AVMIT_SRC or "."). */
const char *test_src_dir(void);

int test_write_bytes(const char *path, const void *data, size_t n);

/* Print a summary; return 0 if all checks passed, else 1. */
int test_finish(const char *name);

#endif
