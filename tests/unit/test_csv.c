/* test_csv.c — the RFC 4180 reader and writer (avmit/csv.h, FORMATS.md §4, §10 CSV). */
#include <stdlib.h>
#include <string.h>

#include "avmit/csv.h"
#include "avmit/fileio.h"
#include "testutil.h"

static int parse(avmit_csv *t, const char *text, avmit_error *err) {
    avmit_error_clear(err);
    return avmit_csv_parse(t, text, strlen(text), "t.csv", err);
}

/* A parse that must fail with AVMIT_E_FORMAT at `line` and a message containing `needle`. */
static void expect_error(const char *text, long line, const char *needle) {
    avmit_csv t;
    avmit_error err;
    int r = parse(&t, text, &err);
    CHECK(r == AVMIT_E_FORMAT, "'%s' should fail with AVMIT_E_FORMAT, got %d", text, r);
    CHECK(err.line == line, "'%s': error line %lld, expected %ld (%s)", text, err.line, line,
          err.msg);
    CHECK(test_contains(err.msg, needle), "'%s': message '%s' lacks '%s'", text, err.msg,
          needle);
    CHECK(test_contains(err.msg, "t.csv"), "message '%s' names the file", err.msg);
}

static void test_quoting_and_line_ends(void) {
    avmit_csv t;
    avmit_error err;
    /* quoted comma, doubled quote, embedded CRLF + LF newline, CRLF line ends, no final newline */
    const char *text = "a,b,c\r\n\"x,y\",\"say \"\"hi\"\"\",\"l1\r\nl2\nl3\"\r\n1,,3";
    CHECK_INT(parse(&t, text, &err), 0);
    CHECK_INT(t.n_cols, 3);
    CHECK_INT(t.n_rows, 2);
    CHECK_STR(avmit_csv_cell(&t, 0, 0), "x,y");
    CHECK_STR(avmit_csv_cell(&t, 0, 1), "say \"hi\"");
    CHECK_STR(avmit_csv_cell(&t, 0, 2), "l1\r\nl2\nl3");
    CHECK_STR(avmit_csv_cell(&t, 1, 1), "");
    CHECK_STR(avmit_csv_cell(&t, 1, 2), "3");
    CHECK_INT(t.line[0], 2);
    CHECK_INT(t.line[1], 5); /* the quoted field spans lines 2..4 */
    CHECK_INT(avmit_csv_col(&t, "c"), 2);
    CHECK_INT(avmit_csv_col(&t, "zz"), -1);
    avmit_csv_free(&t);
}

static void test_empty_header_name(void) {
    avmit_csv t;
    avmit_error err;
    CHECK_INT(parse(&t, ",filename,MIT label\n0,a.mp4,x\n", &err), 0);
    CHECK_STR(t.header[0], "");
    CHECK_STR(t.header[2], "MIT label");
    CHECK_INT(avmit_csv_col(&t, ""), 0);
    CHECK_INT(t.n_rows, 1);
    avmit_csv_free(&t);
    /* a header only: zero rows */
    CHECK_INT(parse(&t, "a,b\n", &err), 0);
    CHECK_INT(t.n_rows, 0);
    avmit_csv_free(&t);
}

static void test_errors(void) {
    expect_error("a,b\n1,2\n1,2,3\n", 3, "3 columns, expected 2");
    expect_error("a,b\n1,2\n1\n", 3, "1 columns, expected 2");
    expect_error("a,b\n1,2\n\"open,2\n3,4\n", 3, "unterminated quoted field");
    expect_error("a,b\n1,x\"y\n", 2, "quote inside an unquoted field");
    expect_error("a,b\n\"1\"x,2\n", 2, "after a closing quote");
    expect_error("a,b\n1,2\n\n3,4\n", 3, "empty line");
    expect_error("a,b\n1,2\r3,4\n", 2, "carriage return");
    avmit_csv t;
    avmit_error err;
    avmit_error_clear(&err);
    CHECK_INT(avmit_csv_parse(&t, "a,b\n1,\0\n", 8, "t.csv", &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "NUL"), "NUL byte rejected: %s", err.msg);
    CHECK_INT(avmit_csv_parse(&t, "", 0, "t.csv", &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "no header"), "empty file: %s", err.msg);
    CHECK_INT(avmit_csv_read(&t, test_path("does-not-exist.csv"), &err), AVMIT_E_IO);
}

static void test_writer_round_trip(void) {
    const char *path = test_path("round.csv");
    const char *header[3] = {"", "name", "note"};
    const char *rows[3][3] = {{"0", "plain", "a,b"},
                              {"1", "quote\"d", "multi\nline"},
                              {"2", "", "cr\r\nlf"}};
    avmit_csv_writer *w;
    avmit_error err;
    avmit_error_clear(&err);
    CHECK_INT(avmit_csv_writer_open(&w, path, 3, header, &err), 0);
    for (int i = 0; i < 3; i++) CHECK_INT(avmit_csv_writer_row(w, rows[i], &err), 0);
    CHECK_INT(avmit_csv_writer_commit(w, &err), 0);
    unsigned char *buf;
    size_t n;
    CHECK_INT(avmit_read_file(path, &buf, &n, &err), 0);
    /* quotes only where needed, LF line ends */
    CHECK_STR((char *)buf, ",name,note\n0,plain,\"a,b\"\n1,\"quote\"\"d\",\"multi\nline\"\n"
                           "2,,\"cr\r\nlf\"\n");
    free(buf);
    avmit_csv t;
    CHECK_INT(avmit_csv_read(&t, path, &err), 0);
    CHECK_INT(t.n_rows, 3);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) CHECK_STR(avmit_csv_cell(&t, (size_t)i, (size_t)j), rows[i][j]);
    avmit_csv_free(&t);
    /* abort leaves nothing behind */
    const char *gone = test_path("aborted.csv");
    CHECK_INT(avmit_csv_writer_open(&w, gone, 3, header, &err), 0);
    avmit_csv_writer_abort(w);
    CHECK(avmit_read_file(gone, &buf, &n, &err) == AVMIT_E_IO, "aborted output must not exist");
}

int main(void) {
    test_quoting_and_line_ends();
    test_empty_header_name();
    test_errors();
    test_writer_round_trip();
    return test_finish("test_csv");
}
