/*
 * avmit/error.h — error codes and the error record every fallible libavmit
 * function fills in.
 *
 * Contract: a fallible function returns int, 0 on success or a negative
 * AVMIT_E_* code, and (when the caller passes a non-NULL avmit_error *) fills
 * in where and why it failed. err->msg is a complete sentence that names the
 * file, record/line and field, ready to print:
 *   "emb/x.tfrecord: record 0 at byte 40960: data CRC mismatch (stored ..., computed ...)"
 * The library never prints, exits or aborts on bad input.
 *
 * Thread-safety: an avmit_error belongs to one caller; nothing here is shared.
 */
#ifndef AVMIT_ERROR_H
#define AVMIT_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Stable error codes (never renumber; add at the end). */
enum {
    AVMIT_OK = 0,
    AVMIT_E_NOMEM = -1,       /* allocation failed */
    AVMIT_E_IO = -2,          /* open/read/write/rename/fsync failed (errno text in msg) */
    AVMIT_E_FORMAT = -3,      /* input is malformed (bad field, wire type, header, ...) */
    AVMIT_E_CRC = -4,         /* a stored checksum does not match the data */
    AVMIT_E_TRUNCATED = -5,   /* input ends early */
    AVMIT_E_ARG = -6,         /* bad argument from the caller */
    AVMIT_E_NONFINITE = -7,   /* NaN/Inf where finite values are required */
    AVMIT_E_UNSUPPORTED = -8, /* valid input that avmit does not handle */
    AVMIT_E_NOTFOUND = -9,    /* a required file, key, column or variable is absent */
    AVMIT_E_RANGE = -10,      /* a value outside its allowed range */
    AVMIT_E_CANCELLED = -11   /* stopped by the caller's abort callback */
};

#define AVMIT_ERROR_MSG_MAX 1536
#define AVMIT_ERROR_PATH_MAX 1024
#define AVMIT_ERROR_FIELD_MAX 128

/* Where and why an operation failed. Fields that do not apply are -1 / "". */
typedef struct avmit_error {
    int code;                            /* AVMIT_E_* (0 when no error) */
    char path[AVMIT_ERROR_PATH_MAX];     /* file the error is about, "" if none */
    long long record;                    /* record index in a TFRecord file, or -1 */
    long long line;                      /* 1-based line in a text file (CSV, YAML), or -1 */
    long long offset;                    /* byte offset in the (uncompressed) stream, or -1 */
    char field[AVMIT_ERROR_FIELD_MAX];   /* field/key/column name, "" if none */
    char msg[AVMIT_ERROR_MSG_MAX];       /* full printable message including the location */
} avmit_error;

/* Reset to "no error" (code 0, locations -1, strings empty). NULL is allowed. */
void avmit_error_clear(avmit_error *err);

/* The stable name of a code, e.g. "AVMIT_E_CRC". Never NULL. */
const char *avmit_strerror(int code);

/*
 * Fill in err (if not NULL) and return code. The message is built as
 *   "<path>: record <r> at byte <o>: line <l>: <field>: <detail>"
 * omitting the parts that are empty/-1. Use this from library code only.
 */
int avmit_error_set(avmit_error *err, int code, const char *path, long long record,
                    long long line, long long offset, const char *field,
                    const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

/* Shorthand for errors without a location besides the path. */
int avmit_error_path(avmit_error *err, int code, const char *path, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_ERROR_H */
