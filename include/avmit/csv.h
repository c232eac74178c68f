/*
 * avmit/csv.h — RFC 4180 CSV tables (FORMATS.md §4): comma separator,
 * optional double-quote quoting with "" escapes, LF or CRLF line ends, a
 * header row, every row with the header's column count. Empty header names
 * (the MIT-16 files' unnamed pandas index column) are allowed.
 *
 * The writer quotes a field only when it contains a comma, quote, CR or LF
 * (as pandas/csv.writer do), writes LF line ends and a final newline, and is
 * atomic (temp file + rename).
 *
 * Errors name the file, the 1-based line and the column.
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_CSV_H
#define AVMIT_CSV_H

#include <stddef.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct avmit_csv {
    size_t n_cols;
    size_t n_rows;     /* data rows, header excluded */
    char **header;     /* [n_cols] */
    char **cells;      /* [n_rows * n_cols], row-major; never NULL entries */
    long *line;        /* [n_rows] 1-based line where each row starts */
    char *path;        /* name used in errors */
} avmit_csv;

/* Parse text (n bytes; need not be NUL-terminated). */
int avmit_csv_parse(avmit_csv *out, const char *text, size_t n, const char *name,
                    avmit_error *err);
int avmit_csv_read(avmit_csv *out, const char *path, avmit_error *err);

/* Column index of `name`, or -1. */
int avmit_csv_col(const avmit_csv *t, const char *name);
static inline const char *avmit_csv_cell(const avmit_csv *t, size_t row, size_t col) {
    return t->cells[row * t->n_cols + col];
}
void avmit_csv_free(avmit_csv *t);

typedef struct avmit_csv_writer avmit_csv_writer;
int avmit_csv_writer_open(avmit_csv_writer **out, const char *path, size_t n_cols,
                          const char *const *header, avmit_error *err);
int avmit_csv_writer_row(avmit_csv_writer *w, const char *const *cells, avmit_error *err);
/* Flush, fsync, rename; frees w in every case. */
int avmit_csv_writer_commit(avmit_csv_writer *w, avmit_error *err);
void avmit_csv_writer_abort(avmit_csv_writer *w);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_CSV_H */
