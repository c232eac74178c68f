/*
 * avmit/check.h — checks a user runs on train/validation/test lists before training
 * (SPEC §2 "Checks", FORMATS.md §4 quirks, §10 CSV "report" column).
 *
 * Findings, each with file, line and video:
 *   error    duplicate filename or tfrecord_filename within a file; the same filename in
 *            two of the given files (leak); the same tfrecord_filename for different
 *            filenames in two files (the embedding would be shared, FORMATS §4 collisions);
 *            a TFRecord missing under the embedding root (when one is given)
 *   warning  label not one of the 16 classes; rating counts not summing to 3; the
 *            tfrecord_filename directory differs from the label (train.py would take the
 *            directory name as the class)
 *   info     ratings that are not a strict majority of 3s (2*r3 <= r1+r2+r3)
 * Only the files given together are compared: the AVMIT and MIT16 experiments overlap on
 * purpose.
 *
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_CHECK_H
#define AVMIT_CHECK_H

#include <stddef.h>

#include "avmit/error.h"
#include "avmit/labels.h"
#include "avmit/split.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum avmit_severity {
    AVMIT_SEV_ERROR = 0,
    AVMIT_SEV_WARNING,
    AVMIT_SEV_INFO
} avmit_severity;

typedef enum avmit_finding_kind {
    AVMIT_FIND_DUPLICATE_FILENAME = 0,
    AVMIT_FIND_DUPLICATE_TFRECORD,
    AVMIT_FIND_LEAK,
    AVMIT_FIND_TFRECORD_COLLISION,
    AVMIT_FIND_MISSING_TFRECORD,
    AVMIT_FIND_UNKNOWN_LABEL,
    AVMIT_FIND_RATING_SUM,
    AVMIT_FIND_TFRECORD_DIR,
    AVMIT_FIND_NOT_MAJORITY,
    AVMIT_N_FINDING_KINDS
} avmit_finding_kind;

/* Stable short name, e.g. "leak", "rating-sum". */
const char *avmit_finding_kind_name(avmit_finding_kind k);
avmit_severity avmit_finding_kind_severity(avmit_finding_kind k);

typedef struct avmit_finding {
    avmit_finding_kind kind;
    size_t file;        /* index into the checked lists */
    long line;
    char *video;        /* filename (owned) */
    char *what;         /* detail, e.g. "also in test (test_set.csv:17)" (owned) */
} avmit_finding;

/* Per-file summary. */
typedef struct avmit_check_file {
    size_t n_rows;
    long n_per_class[AVMIT_N_CLASSES];
    long n_unknown_label;
    long n_sum[9];         /* rows whose r1+r2+r3 == k (k = 0..7), [8]: >= 8; all 0 without ratings */
    long n_with_ratings;
    long n_kind[AVMIT_N_FINDING_KINDS];
} avmit_check_file;

typedef struct avmit_check_report {
    size_t n_files;
    avmit_check_file *files;     /* [n_files] */
    size_t n_findings;
    avmit_finding *findings;     /* in file order, then line order within each check */
    long n_by_severity[3];
} avmit_check_report;

/* Check lists[0..n-1] (roles[i] names each, e.g. "train"; used in messages). tfrecord_dir
 * may be NULL; when set, each row's DIR + "/" + tfrecord_filename must be a regular file. */
int avmit_check_splits(const avmit_split *const *lists, const char *const *roles, size_t n,
                       const char *tfrecord_dir, avmit_check_report *out, avmit_error *err);
void avmit_check_report_free(avmit_check_report *r);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_CHECK_H */
