/* fuzz_csv.c — the CSV parser and the split-layout reader on arbitrary bytes: every input
 * either parses or fails with an error message; nothing crashes or leaks. A table that
 * parses is written back and must re-parse to the same cells (writer round trip). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/csv.h"
#include "avmit/split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    avmit_csv t;
    avmit_error err;
    avmit_error_clear(&err);
    if (avmit_csv_parse(&t, (const char *)data, size, "fuzz.csv", &err)) {
        if (!err.msg[0]) abort(); /* every failure explains itself */
        return 0;
    }
    avmit_split s;
    if (avmit_split_from_csv(&s, &t, &err) == 0) {
        avmit_split_validate(&s, &err);
        avmit_split_free(&s);
    } else if (!err.msg[0]) {
        abort();
    }
    /* writer round trip */
    char path[64];
    snprintf(path, sizeof path, "/tmp/avmit-fuzz-csv-%ld.csv", (long)getpid());
    avmit_csv_writer *w;
    if (avmit_csv_writer_open(&w, path, t.n_cols, (const char *const *)t.header, &err) == 0) {
        int r = 0;
        for (size_t i = 0; i < t.n_rows && !r; i++)
            r = avmit_csv_writer_row(w, (const char *const *)&t.cells[i * t.n_cols], &err);
        if (r) {
            avmit_csv_writer_abort(w);
        } else if (avmit_csv_writer_commit(w, &err) == 0) {
            avmit_csv back;
            /* An empty single-column row is written as an empty line, which the reader
             * rejects; every other table must come back identical. */
            int single_empty = 0;
            for (size_t i = 0; i < t.n_rows && t.n_cols == 1; i++)
                if (!t.cells[i][0]) single_empty = 1;
            if (avmit_csv_read(&back, path, &err) == 0) {
                if (back.n_rows != t.n_rows || back.n_cols != t.n_cols) abort();
                for (size_t j = 0; j < t.n_cols; j++)
                    if (strcmp(back.header[j], t.header[j])) abort();
                for (size_t i = 0; i < t.n_rows * t.n_cols; i++)
                    if (strcmp(back.cells[i], t.cells[i])) abort();
                avmit_csv_free(&back);
            } else if (!single_empty) {
                abort();
            }
            unlink(path);
        }
    }
    avmit_csv_free(&t);
    return 0;
}
