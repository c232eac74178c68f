/*
 * split.c — the released CSV layouts (avmit/split.h; FORMATS.md §4, §10 CSV row).
 *
 * Layouts are recognised by their exact header line:
 *   AVMIT    filename,actual_label,r1,r2,r3,label,video_location,tfrecord_filename
 *   MIT16    ,filename,MIT label,AVMIT label,tfrecord_filename   (pandas index 0..n-1 first)
 *   TEST     filename,AVMIT_label,MIT_label,video_location,new_filename,tfrecord_filename
 *   RATINGS  filename,r1,r2,r3,AVMIT_label,MIT_label,video_location
 * RATINGS is video_ratings.csv as the paper repository's README documents it (field table
 * "The accumulated ratings are recorded in video_ratings.csv", order as listed); the file
 * itself is not released, so the exact header is that documented order.
 *
 * Row checks (errors name file, line and column): r1/r2/r3 non-negative integers;
 * tfrecord_filename ends in ".tfrecord", is relative and has no ".." component; the MIT16
 * index is 0..n-1 in file order; filename is not empty. Unknown labels are kept
 * (label_id -1), duplicates are kept: `avmit check` reports both.
 */
#include "avmit/split.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "avmit/csv.h"
#include "avmit/labels.h"
#include "data/strmap_int.h"
#include "core/error_int.h"

/* Which avmit_video field a column fills. */
enum { F_INDEX, F_FILENAME, F_MIT, F_LABEL, F_R1, F_R2, F_R3, F_LOCATION, F_NEWNAME, F_TFRECORD };

typedef struct {
    const char *name;
    int field;
} layout_col;

typedef struct {
    avmit_layout layout;
    const char *name;
    size_t n_cols;
    layout_col cols[8];
} layout_def;

static const layout_def k_layouts[] = {
    {AVMIT_LAYOUT_AVMIT, "AVMIT", 8,
     {{"filename", F_FILENAME}, {"actual_label", F_MIT}, {"r1", F_R1}, {"r2", F_R2},
      {"r3", F_R3}, {"label", F_LABEL}, {"video_location", F_LOCATION},
      {"tfrecord_filename", F_TFRECORD}}},
    {AVMIT_LAYOUT_MIT16, "MIT16", 5,
     {{"", F_INDEX}, {"filename", F_FILENAME}, {"MIT label", F_MIT}, {"AVMIT label", F_LABEL},
      {"tfrecord_filename", F_TFRECORD}}},
    {AVMIT_LAYOUT_TEST, "TEST", 6,
     {{"filename", F_FILENAME}, {"AVMIT_label", F_LABEL}, {"MIT_label", F_MIT},
      {"video_location", F_LOCATION}, {"new_filename", F_NEWNAME},
      {"tfrecord_filename", F_TFRECORD}}},
    {AVMIT_LAYOUT_RATINGS, "RATINGS", 7,
     {{"filename", F_FILENAME}, {"r1", F_R1}, {"r2", F_R2}, {"r3", F_R3},
      {"AVMIT_label", F_LABEL}, {"MIT_label", F_MIT}, {"video_location", F_LOCATION}}},
};
#define N_LAYOUTS (sizeof k_layouts / sizeof k_layouts[0])

static const layout_def *layout_get(avmit_layout l) {
    for (size_t i = 0; i < N_LAYOUTS; i++)
        if (k_layouts[i].layout == l) return &k_layouts[i];
    return NULL;
}

const char *avmit_layout_name(avmit_layout l) {
    const layout_def *d = layout_get(l);
    return d ? d->name : "unknown";
}

int avmit_layout_from_name(const char *name, avmit_layout *out) {
    for (size_t i = 0; i < N_LAYOUTS; i++)
        if (!strcasecmp(name, k_layouts[i].name)) {
            *out = k_layouts[i].layout;
            return 0;
        }
    return AVMIT_E_ARG;
}

static int header_matches(const avmit_csv *t, const layout_def *d) {
    if (t->n_cols != d->n_cols) return 0;
    for (size_t j = 0; j < d->n_cols; j++)
        if (strcmp(t->header[j], d->cols[j].name)) return 0;
    return 1;
}

/* Parse a non-negative decimal integer that fits an int (digits only). */
static int parse_count(const char *s, int *out) {
    if (!*s) return -1;
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX) return -1;
    }
    *out = (int)v;
    return 0;
}

/* NULL when s is an acceptable tfrecord_filename, else what is wrong with it. */
static const char *tfrecord_problem(const char *s) {
    size_t n = strlen(s);
    if (n < 9 || strcmp(s + n - 9, ".tfrecord")) return "does not end in '.tfrecord'";
    if (s[0] == '/') return "is an absolute path (expected relative to the embedding root)";
    for (const char *c = s; *c;) {
        const char *e = strchr(c, '/');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        if (len == 2 && c[0] == '.' && c[1] == '.') return "contains a '..' component";
        if (!e) break;
        c = e + 1;
    }
    return NULL;
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

static void video_free(avmit_video *v) {
    free(v->filename);
    free(v->mit_label);
    free(v->label);
    free(v->tfrecord);
    free(v->video_location);
    free(v->new_filename);
}

/* Fill v from row i of t (layout d). */
static int fill_video(avmit_video *v, const avmit_csv *t, size_t i, const layout_def *d,
                      avmit_error *err) {
    const char *txt[10] = {0};
    long line = t->line[i];
    v->r1 = v->r2 = v->r3 = -1;
    v->line = line;
    for (size_t j = 0; j < d->n_cols; j++) {
        const char *c = avmit_csv_cell(t, i, j);
        const char *col = d->cols[j].name;
        int f = d->cols[j].field;
        txt[f] = c;
        if (f == F_R1 || f == F_R2 || f == F_R3) {
            int *dst = f == F_R1 ? &v->r1 : f == F_R2 ? &v->r2 : &v->r3;
            if (parse_count(c, dst))
                return avmit_error_set(err, AVMIT_E_FORMAT, t->path, -1, line, -1, col,
                                       "expected a non-negative integer rating count, found '%s'",
                                       c);
        } else if (f == F_INDEX) {
            int idx;
            if (parse_count(c, &idx) || (size_t)idx != i)
                return avmit_error_set(err, AVMIT_E_FORMAT, t->path, -1, line, -1,
                                       "(unnamed index column)",
                                       "expected the pandas row index %zu, found '%s'", i, c);
        } else if (f == F_TFRECORD) {
            const char *why = tfrecord_problem(c);
            if (why)
                return avmit_error_set(err, AVMIT_E_FORMAT, t->path, -1, line, -1, col,
                                       "'%s' %s", c, why);
        } else if (f == F_FILENAME && !*c) {
            return avmit_error_set(err, AVMIT_E_FORMAT, t->path, -1, line, -1, col,
                                   "empty video filename");
        }
    }
    v->filename = dup_or_empty(txt[F_FILENAME]);
    v->mit_label = dup_or_empty(txt[F_MIT]);
    v->label = dup_or_empty(txt[F_LABEL]);
    v->tfrecord = dup_or_empty(txt[F_TFRECORD]);
    v->video_location = dup_or_empty(txt[F_LOCATION]);
    v->new_filename = dup_or_empty(txt[F_NEWNAME]);
    if (!v->filename || !v->mit_label || !v->label || !v->tfrecord || !v->video_location ||
        !v->new_filename)
        return AVMIT_NOMEM_AT(err, t->path, "fill_video");
    v->label_id = avmit_label_id(v->label);
    return 0;
}

int avmit_split_from_csv(avmit_split *out, const avmit_csv *t, avmit_error *err) {
    memset(out, 0, sizeof *out);
    const layout_def *d = NULL;
    for (size_t i = 0; i < N_LAYOUTS && !d; i++)
        if (header_matches(t, &k_layouts[i])) d = &k_layouts[i];
    if (!d)
        return avmit_error_set(err, AVMIT_E_FORMAT, t->path, -1, 1, -1, NULL,
                               "header is not one of the known layouts (AVMIT: "
                               "'filename,actual_label,r1,r2,r3,label,video_location,"
                               "tfrecord_filename'; MIT16: ',filename,MIT label,AVMIT label,"
                               "tfrecord_filename'; TEST: 'filename,AVMIT_label,MIT_label,"
                               "video_location,new_filename,tfrecord_filename'; RATINGS: "
                               "'filename,r1,r2,r3,AVMIT_label,MIT_label,video_location')");
    out->layout = d->layout;
    out->path = strdup(t->path ? t->path : "");
    /* Capacity is a power of two: the invariant avmit_split_push relies on. */
    size_t cap = 1;
    while (cap < t->n_rows) cap *= 2;
    out->v = calloc(cap, sizeof *out->v);
    if (!out->path || !out->v) {
        avmit_split_free(out);
        return AVMIT_NOMEM_AT(err, t->path, "split_from_csv");
    }
    for (size_t i = 0; i < t->n_rows; i++) {
        out->n = i + 1;
        int r = fill_video(&out->v[i], t, i, d, err);
        if (r) {
            avmit_split_free(out);
            return r;
        }
    }
    return 0;
}

int avmit_split_read(avmit_split *out, const char *path, avmit_error *err) {
    avmit_csv t;
    memset(out, 0, sizeof *out);
    int r = avmit_csv_read(&t, path, err);
    if (r) return r;
    r = avmit_split_from_csv(out, &t, err);
    avmit_csv_free(&t);
    return r;
}

void avmit_split_free(avmit_split *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) video_free(&s->v[i]);
    free(s->v);
    free(s->path);
    memset(s, 0, sizeof *s);
}

int avmit_split_validate(const avmit_split *s, avmit_error *err) {
    avmit_strmap by_name, by_tf;
    int r = 0;
    if (avmit_strmap_init(&by_name, s->n) || avmit_strmap_init(&by_tf, s->n)) {
        avmit_strmap_free(&by_name);
        return AVMIT_NOMEM_AT(err, s->path, "split_validate");
    }
    for (size_t i = 0; i < s->n && !r; i++) {
        const avmit_video *v = &s->v[i];
        size_t old;
        if (v->label_id < 0) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, s->path, -1, v->line, -1, "label",
                                "%s: '%s' is not one of the 16 AVMIT classes", v->filename,
                                v->label);
        } else if (avmit_strmap_put(&by_name, v->filename, i, &old) == 1) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, s->path, -1, v->line, -1, "filename",
                                "%s: duplicate video (first at line %ld)", v->filename,
                                s->v[old].line);
        } else if (*v->tfrecord && avmit_strmap_put(&by_tf, v->tfrecord, i, &old) == 1) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, s->path, -1, v->line, -1,
                                "tfrecord_filename", "%s: duplicate tfrecord '%s' (first at line %ld)",
                                v->filename, v->tfrecord, s->v[old].line);
        }
    }
    avmit_strmap_free(&by_name);
    avmit_strmap_free(&by_tf);
    return r;
}

/* ---- writing ------------------------------------------------------------------------ */

/* "<class folder>" of "<class folder>/<video>.mp4" into buf. */
static void folder_of(const char *filename, char *buf, size_t cap) {
    const char *slash = strchr(filename, '/');
    size_t n = slash ? (size_t)(slash - filename) : 0;
    if (n >= cap) n = cap - 1;
    memcpy(buf, filename, n);
    buf[n] = '\0';
}

/* "<label>/<stem>.tfrecord" (FORMATS §4: the name drops the MIT class folder). */
static void derive_tfrecord(const avmit_video *v, char *buf, size_t cap) {
    const char *base = strrchr(v->filename, '/');
    base = base ? base + 1 : v->filename;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot) n = (size_t)(dot - base);
    snprintf(buf, cap, "%s/%.*s.tfrecord", v->label, (int)n, base);
}

int avmit_split_write(const avmit_split *s, avmit_layout layout, const char *path,
                      avmit_error *err) {
    const layout_def *d = layout_get(layout);
    if (!d) return avmit_error_path(err, AVMIT_E_ARG, path, "unknown layout %d", (int)layout);
    const char *header[8];
    for (size_t j = 0; j < d->n_cols; j++) header[j] = d->cols[j].name;
    avmit_csv_writer *w;
    int r = avmit_csv_writer_open(&w, path, d->n_cols, header, err);
    if (r) return r;
    /* Per-class counter for the TEST layout's derived new_filename "<label>/<label>_<k>.mp4". */
    avmit_strmap k_of;
    size_t *k_counts = calloc(s->n ? s->n : 1, sizeof *k_counts);
    if (avmit_strmap_init(&k_of, 64) || !k_counts) {
        free(k_counts);
        avmit_csv_writer_abort(w);
        return AVMIT_NOMEM_AT(err, path, "split_write");
    }
    size_t n_k = 0;
    for (size_t i = 0; i < s->n && !r; i++) {
        const avmit_video *v = &s->v[i];
        char idx[32], r1[16], r2[16], r3[16], mit[256], tf[1024], loc[256], newname[1024];
        if ((d->layout == AVMIT_LAYOUT_AVMIT || d->layout == AVMIT_LAYOUT_RATINGS) &&
            (v->r1 < 0 || v->r2 < 0 || v->r3 < 0)) {
            r = AVMIT_ERR(err, AVMIT_E_ARG, path, NULL,
                          "%s: layout %s needs r1/r2/r3 but the source (%s, line %ld) "
                          "has none", v->filename, d->name, s->path ? s->path : "", v->line);
            break;
        }
        snprintf(idx, sizeof idx, "%zu", i);
        snprintf(r1, sizeof r1, "%d", v->r1);
        snprintf(r2, sizeof r2, "%d", v->r2);
        snprintf(r3, sizeof r3, "%d", v->r3);
        if (*v->mit_label)
            snprintf(mit, sizeof mit, "%s", v->mit_label);
        else
            folder_of(v->filename, mit, sizeof mit);
        if (*v->tfrecord)
            snprintf(tf, sizeof tf, "%s", v->tfrecord);
        else
            derive_tfrecord(v, tf, sizeof tf);
        /* The AVMIT files say MIT_training/MIT_validation where the ratings and test
         * files say training/validation (FORMATS §4 video_location). */
        if (d->layout == AVMIT_LAYOUT_AVMIT &&
            (!strcmp(v->video_location, "training") || !strcmp(v->video_location, "validation")))
            snprintf(loc, sizeof loc, "MIT_%s", v->video_location);
        else if (d->layout != AVMIT_LAYOUT_AVMIT && !strncmp(v->video_location, "MIT_", 4))
            snprintf(loc, sizeof loc, "%s", v->video_location + 4);
        else
            snprintf(loc, sizeof loc, "%s", v->video_location);
        if (*v->new_filename) {
            snprintf(newname, sizeof newname, "%s", v->new_filename);
        } else {
            size_t slot;
            if (!avmit_strmap_get(&k_of, v->label, &slot)) {
                slot = n_k++;
                if (avmit_strmap_put(&k_of, v->label, slot, NULL) < 0) {
                    r = AVMIT_NOMEM_AT(err, path, "split_write");
                    break;
                }
            }
            snprintf(newname, sizeof newname, "%s/%s_%zu.mp4", v->label, v->label,
                     ++k_counts[slot]);
        }
        const char *cells[8];
        for (size_t j = 0; j < d->n_cols; j++) {
            switch (d->cols[j].field) {
            case F_INDEX: cells[j] = idx; break;
            case F_FILENAME: cells[j] = v->filename; break;
            case F_MIT: cells[j] = mit; break;
            case F_LABEL: cells[j] = v->label; break;
            case F_R1: cells[j] = r1; break;
            case F_R2: cells[j] = r2; break;
            case F_R3: cells[j] = r3; break;
            case F_LOCATION: cells[j] = loc; break;
            case F_NEWNAME: cells[j] = newname; break;
            default: cells[j] = tf; break;
            }
        }
        r = avmit_csv_writer_row(w, cells, err);
    }
    avmit_strmap_free(&k_of);
    free(k_counts);
    if (r) {
        avmit_csv_writer_abort(w);
        return r;
    }
    return avmit_csv_writer_commit(w, err);
}

int avmit_split_push(avmit_split *s, const avmit_video *v, avmit_error *err) {
    /* The capacity is always the smallest power of two >= n (>= 1 once allocated), so it
     * is full exactly when n is a power of two (or 0) and no capacity field is needed. */
    if ((s->n & (s->n - 1)) == 0) {
        size_t cap = s->n ? 2 * s->n : 1;
        avmit_video *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv) return AVMIT_NOMEM_AT(err, s->path, "split_push");
        s->v = nv;
    }
    avmit_video *d = &s->v[s->n];
    *d = *v;
    d->filename = dup_or_empty(v->filename);
    d->mit_label = dup_or_empty(v->mit_label);
    d->label = dup_or_empty(v->label);
    d->tfrecord = dup_or_empty(v->tfrecord);
    d->video_location = dup_or_empty(v->video_location);
    d->new_filename = dup_or_empty(v->new_filename);
    if (!d->filename || !d->mit_label || !d->label || !d->tfrecord || !d->video_location ||
        !d->new_filename) {
        video_free(d);
        return AVMIT_NOMEM_AT(err, s->path, "split_push");
    }
    s->n++;
    return 0;
}

void avmit_split_keep(avmit_split *s, const unsigned char *keep) {
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (keep[i])
            s->v[k++] = s->v[i];
        else
            video_free(&s->v[i]);
    }
    /* n shrinks but the capacity stays the old power of two, so shrink it to the smallest
     * power of two >= k as avmit_split_push expects (realloc to a smaller block). */
    size_t cap = 1;
    while (cap < k) cap *= 2;
    avmit_video *nv = realloc(s->v, cap * sizeof *nv);
    if (nv) s->v = nv;
    s->n = k;
}
