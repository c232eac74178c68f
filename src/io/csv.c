/*
 * csv.c — RFC 4180 reader and writer (avmit/csv.h, FORMATS.md §4, §10 CSV row).
 *
 * Reader: one pass over the bytes. All cell strings (header included) are
 * unquoted into a single arena owned by the table; `header`, `cells` point
 * into it. Invariants checked per row: every row has the header's column
 * count; a quote may only open a field; a closing quote must be followed by
 * a comma or a line end; CR is only allowed before LF; no NUL bytes.
 */
#include "avmit/csv.h"

#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "core/error_int.h"

/* Growable array of pointers. */
typedef struct {
    char **v;
    size_t n, cap;
} ptrvec;

static int ptrvec_push(ptrvec *p, char *s) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        char **v = realloc(p->v, cap * sizeof *v);
        if (!v) return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = s;
    return 0;
}

typedef struct {
    long *v;
    size_t n, cap;
} linevec;

static int linevec_push(linevec *p, long x) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        long *v = realloc(p->v, cap * sizeof *v);
        if (!v) return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = x;
    return 0;
}

/* Parser state shared by the helpers below. */
typedef struct {
    const char *s;
    size_t n, i;
    long line;       /* current 1-based line */
    char *arena;     /* unquoted cell text, NUL-separated */
    size_t arena_n;
    const char *name;
    avmit_error *err;
} csv_parser;

/* Parse one field starting at p->i into the arena; *cell = its start.
 * On return p->i is at the separator (',', '\n', '\r') or at the end. */
static int parse_field(csv_parser *p, char **cell, size_t col) {
    char colname[32];
    snprintf(colname, sizeof colname, "column %zu", col + 1);
    *cell = p->arena + p->arena_n;
    if (p->i < p->n && p->s[p->i] == '"') {
        long start_line = p->line;
        p->i++;
        for (;;) {
            if (p->i >= p->n)
                return avmit_error_set(p->err, AVMIT_E_FORMAT, p->name, -1, start_line, -1,
                                       colname, "unterminated quoted field (opened here)");
            char c = p->s[p->i];
            if (c == '\0')
                return avmit_error_set(p->err, AVMIT_E_FORMAT, p->name, -1, p->line, -1,
                                       colname, "NUL byte in the file");
            if (c == '"') {
                if (p->i + 1 < p->n && p->s[p->i + 1] == '"') {
                    p->arena[p->arena_n++] = '"';
                    p->i += 2;
                    continue;
                }
                p->i++;
                break;
            }
            if (c == '\n') p->line++;
            p->arena[p->arena_n++] = c;
            p->i++;
        }
        if (p->i < p->n) {
            char c = p->s[p->i];
            if (c != ',' && c != '\n' && c != '\r')
                return avmit_error_set(p->err, AVMIT_E_FORMAT, p->name, -1, p->line, -1,
                                       colname,
                                       "expected ',' or a line end after a closing quote, "
                                       "found '%c'", c);
        }
    } else {
        while (p->i < p->n) {
            char c = p->s[p->i];
            if (c == ',' || c == '\n' || c == '\r') break;
            if (c == '"')
                return avmit_error_set(p->err, AVMIT_E_FORMAT, p->name, -1, p->line, -1,
                                       colname,
                                       "quote inside an unquoted field (quote the whole field "
                                       "and double the inner quote)");
            if (c == '\0')
                return avmit_error_set(p->err, AVMIT_E_FORMAT, p->name, -1, p->line, -1,
                                       colname, "NUL byte in the file");
            p->arena[p->arena_n++] = c;
            p->i++;
        }
    }
    p->arena[p->arena_n++] = '\0';
    return 0;
}

/* Parse one record into `out`. Consumes the line end (LF or CRLF). */
static int parse_record(csv_parser *p, ptrvec *out) {
    size_t col = 0;
    for (;;) {
        char *cell;
        int r = parse_field(p, &cell, col);
        if (r) return r;
        if (ptrvec_push(out, cell))
            return AVMIT_NOMEM_AT(p->err, p->name, "parse_record");
        col++;
        if (p->i >= p->n) return 0;
        char c = p->s[p->i];
        if (c == ',') {
            p->i++;
            continue;
        }
        if (c == '\r') {
            if (p->i + 1 >= p->n || p->s[p->i + 1] != '\n')
                return avmit_error_set(p->err, AVMIT_E_FORMAT, p->name, -1, p->line, -1, NULL,
                                       "carriage return not followed by a line feed");
            p->i++;
        }
        p->i++; /* the LF */
        p->line++;
        return 0;
    }
}

int avmit_csv_parse(avmit_csv *out, const char *text, size_t n, const char *name,
                    avmit_error *err) {
    memset(out, 0, sizeof *out);
    if (!name) name = "<csv>";
    ptrvec cells = {0};
    linevec lines = {0};
    csv_parser p = {.s = text, .n = n, .line = 1, .name = name, .err = err};
    int r = 0;
    out->path = strdup(name);
    /* Unquoting never grows a field; each field adds one NUL; fields <= n + 1. */
    p.arena = malloc(2 * n + 2);
    if (!out->path || !p.arena) {
        r = AVMIT_NOMEM_AT(err, name, "csv_parse");
        goto fail;
    }
    if (n == 0) {
        r = avmit_error_path(err, AVMIT_E_FORMAT, name, "empty file: no header");
        goto fail;
    }
    if ((r = parse_record(&p, &cells))) goto fail;
    out->n_cols = cells.n;
    while (p.i < p.n) {
        long row_line = p.line;
        size_t before = cells.n;
        if (p.s[p.i] == '\n' || p.s[p.i] == '\r') {
            r = avmit_error_set(err, AVMIT_E_FORMAT, name, -1, row_line, -1, NULL,
                                "empty line (expected %zu columns)", out->n_cols);
            goto fail;
        }
        if ((r = parse_record(&p, &cells))) goto fail;
        if (cells.n - before != out->n_cols) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, name, -1, row_line, -1, NULL,
                                "%zu columns, expected %zu (the header's column count)",
                                cells.n - before, out->n_cols);
            goto fail;
        }
        if (linevec_push(&lines, row_line)) {
            r = AVMIT_NOMEM_AT(err, name, "csv_parse");
            goto fail;
        }
    }
    out->n_rows = lines.n;
    out->line = lines.v;
    /* header[] and cells[] share one pointer array: header = first n_cols. */
    out->header = cells.v;
    out->cells = cells.v + out->n_cols;
    (void)p.arena; /* owned through header[0], the arena's first byte */
    return 0;
fail:
    free(cells.v);
    free(lines.v);
    free(p.arena);
    free(out->path);
    memset(out, 0, sizeof *out);
    return r;
}

int avmit_csv_read(avmit_csv *out, const char *path, avmit_error *err) {
    unsigned char *buf = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    int r = avmit_read_file(path, &buf, &n, err);
    if (r) return r;
    r = avmit_csv_parse(out, (const char *)buf, n, path, err);
    free(buf);
    return r;
}

int avmit_csv_col(const avmit_csv *t, const char *name) {
    for (size_t j = 0; j < t->n_cols; j++)
        if (!strcmp(t->header[j], name)) return (int)j;
    return -1;
}

void avmit_csv_free(avmit_csv *t) {
    if (!t) return;
    if (t->header) free(t->header[0]); /* the arena starts with the first header cell */
    free(t->header);
    free(t->line);
    free(t->path);
    memset(t, 0, sizeof *t);
}

/* ---- writer ----------------------------------------------------------------------- */

struct avmit_csv_writer {
    avmit_atomic_file *f;
    size_t n_cols;
    char *path;
};

static int needs_quotes(const char *s) { return strpbrk(s, ",\"\r\n") != NULL; }

static void write_field(FILE *fp, const char *s) {
    if (!s) s = "";
    if (!needs_quotes(s)) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static int write_row(avmit_csv_writer *w, const char *const *cells, avmit_error *err) {
    FILE *fp = avmit_atomic_stream(w->f);
    for (size_t j = 0; j < w->n_cols; j++) {
        if (j) fputc(',', fp);
        write_field(fp, cells[j]);
    }
    if (fputc('\n', fp) == EOF || ferror(fp))
        return avmit_error_path(err, AVMIT_E_IO, w->path, "write failed");
    return 0;
}

int avmit_csv_writer_open(avmit_csv_writer **out, const char *path, size_t n_cols,
                          const char *const *header, avmit_error *err) {
    *out = NULL;
    if (n_cols == 0) return avmit_error_path(err, AVMIT_E_ARG, path, "CSV needs >= 1 column");
    avmit_csv_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return AVMIT_NOMEM_AT(err, path, "csv_writer_open");
    }
    w->n_cols = n_cols;
    int r = avmit_atomic_open(&w->f, path, 0, err);
    if (!r) r = write_row(w, header, err);
    if (r) {
        avmit_csv_writer_abort(w);
        return r;
    }
    *out = w;
    return 0;
}

int avmit_csv_writer_row(avmit_csv_writer *w, const char *const *cells, avmit_error *err) {
    return write_row(w, cells, err);
}

int avmit_csv_writer_commit(avmit_csv_writer *w, avmit_error *err) {
    int r = avmit_atomic_commit(w->f, err);
    free(w->path);
    free(w);
    return r;
}

void avmit_csv_writer_abort(avmit_csv_writer *w) {
    if (!w) return;
    avmit_atomic_abort(w->f);
    free(w->path);
    free(w);
}
