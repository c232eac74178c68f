/* check.c — split checks (avmit/check.h). */
#include "avmit/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "avmit/fileio.h"
#include "data/strmap_int.h"

static const char *const k_kind_names[AVMIT_N_FINDING_KINDS] = {
    "duplicate-filename", "duplicate-tfrecord", "leak",      "tfrecord-collision",
    "missing-tfrecord",   "unknown-label",      "rating-sum", "tfrecord-dir",
    "not-strict-majority"};
static const avmit_severity k_kind_sev[AVMIT_N_FINDING_KINDS] = {
    AVMIT_SEV_ERROR,   AVMIT_SEV_ERROR,   AVMIT_SEV_ERROR,   AVMIT_SEV_ERROR, AVMIT_SEV_ERROR,
    AVMIT_SEV_WARNING, AVMIT_SEV_WARNING, AVMIT_SEV_WARNING, AVMIT_SEV_INFO};

const char *avmit_finding_kind_name(avmit_finding_kind k) {
    return (unsigned)k < AVMIT_N_FINDING_KINDS ? k_kind_names[k] : "unknown";
}

avmit_severity avmit_finding_kind_severity(avmit_finding_kind k) {
    return (unsigned)k < AVMIT_N_FINDING_KINDS ? k_kind_sev[k] : AVMIT_SEV_ERROR;
}

typedef struct {
    avmit_check_report *rep;
    size_t cap;
} report_builder;

static int add_finding(report_builder *b, avmit_finding_kind kind, size_t file,
                       const avmit_video *v, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static int add_finding(report_builder *b, avmit_finding_kind kind, size_t file,
                       const avmit_video *v, const char *fmt, ...) {
    avmit_check_report *rep = b->rep;
    if (rep->n_findings == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        avmit_finding *f = realloc(rep->findings, cap * sizeof *f);
        if (!f) return AVMIT_E_NOMEM;
        rep->findings = f;
        b->cap = cap;
    }
    char what[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    avmit_finding *f = &rep->findings[rep->n_findings];
    f->kind = kind;
    f->file = file;
    f->line = v->line;
    f->video = strdup(v->filename);
    f->what = strdup(what);
    if (!f->video || !f->what) {
        free(f->video);
        free(f->what);
        return AVMIT_E_NOMEM;
    }
    rep->n_findings++;
    rep->n_by_severity[k_kind_sev[kind]]++;
    rep->files[file].n_kind[kind]++;
    return 0;
}

/* Global index of (file, row): rows of all lists numbered consecutively. */
typedef struct {
    const avmit_split *const *lists;
    size_t n;
} row_index;

static void row_decode(const row_index *ix, size_t g, size_t *file, size_t *row) {
    size_t f = 0;
    while (f + 1 < ix->n && g >= ix->lists[f]->n) g -= ix->lists[f++]->n;
    *file = f;
    *row = g;
}

/* The directory part of a tfrecord_filename ("" when it has none) into buf. */
static void dir_of(const char *tf, char *buf, size_t cap) {
    const char *slash = strrchr(tf, '/');
    size_t n = slash ? (size_t)(slash - tf) : 0;
    if (n >= cap) n = cap - 1;
    memcpy(buf, tf, n);
    buf[n] = '\0';
}

static int is_regular_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Findings about one row that need no other row. */
static int check_row(report_builder *b, size_t fi, const avmit_video *v,
                     const char *tfrecord_dir) {
    avmit_check_file *cf = &b->rep->files[fi];
    int r = 0;
    if (v->label_id < 0) {
        cf->n_unknown_label++;
        r = add_finding(b, AVMIT_FIND_UNKNOWN_LABEL, fi, v,
                        "label '%s' is not one of the 16 AVMIT classes", v->label);
    } else {
        cf->n_per_class[v->label_id]++;
    }
    if (!r && v->r1 >= 0) {
        long sum = (long)v->r1 + v->r2 + v->r3;
        cf->n_with_ratings++;
        cf->n_sum[sum < 8 ? sum : 8]++;
        if (sum != 3)
            r = add_finding(b, AVMIT_FIND_RATING_SUM, fi, v,
                            "rating counts r1,r2,r3 = %d,%d,%d sum to %ld, not 3", v->r1,
                            v->r2, v->r3, sum);
        if (!r && 2L * v->r3 <= sum)
            r = add_finding(b, AVMIT_FIND_NOT_MAJORITY, fi, v,
                            "r1,r2,r3 = %d,%d,%d: rating 3 is not a strict majority", v->r1,
                            v->r2, v->r3);
    }
    if (!r && *v->tfrecord) {
        char dir[512];
        dir_of(v->tfrecord, dir, sizeof dir);
        if (strcmp(dir, v->label))
            r = add_finding(b, AVMIT_FIND_TFRECORD_DIR, fi, v,
                            "tfrecord_filename '%s' is in directory '%s' but the label is "
                            "'%s'",
                            v->tfrecord, dir, v->label);
    }
    if (!r && tfrecord_dir && *v->tfrecord) {
        char *p = avmit_path_join(tfrecord_dir, v->tfrecord);
        if (!p) return AVMIT_E_NOMEM;
        if (!is_regular_file(p))
            r = add_finding(b, AVMIT_FIND_MISSING_TFRECORD, fi, v,
                            "TFRecord missing: %s", p);
        free(p);
    }
    return r;
}

int avmit_check_splits(const avmit_split *const *lists, const char *const *roles, size_t n,
                       const char *tfrecord_dir, avmit_check_report *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    report_builder b = {out, 0};
    row_index ix = {lists, n};
    avmit_strmap g_name = {0}, g_tf = {0}, f_name = {0}, f_tf = {0};
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += lists[i]->n;
    out->files = calloc(n ? n : 1, sizeof *out->files);
    out->n_files = n;
    int r = 0;
    if (!out->files || avmit_strmap_init(&g_name, total) || avmit_strmap_init(&g_tf, total)) {
        r = AVMIT_E_NOMEM;
        goto done;
    }
    size_t base = 0;
    for (size_t fi = 0; fi < n && !r; fi++) {
        const avmit_split *s = lists[fi];
        out->files[fi].n_rows = s->n;
        if (avmit_strmap_init(&f_name, s->n) || avmit_strmap_init(&f_tf, s->n)) {
            r = AVMIT_E_NOMEM;
            break;
        }
        for (size_t i = 0; i < s->n && !r; i++) {
            const avmit_video *v = &s->v[i];
            size_t old, of, orow;
            /* within the file */
            int dup = avmit_strmap_put(&f_name, v->filename, i, &old);
            if (dup < 0) { r = AVMIT_E_NOMEM; break; }
            if (dup)
                r = add_finding(&b, AVMIT_FIND_DUPLICATE_FILENAME, fi, v,
                                "duplicate filename (first at line %ld)", s->v[old].line);
            if (!r && *v->tfrecord) {
                int d2 = avmit_strmap_put(&f_tf, v->tfrecord, i, &old);
                if (d2 < 0) { r = AVMIT_E_NOMEM; break; }
                if (d2)
                    r = add_finding(&b, AVMIT_FIND_DUPLICATE_TFRECORD, fi, v,
                                    "duplicate tfrecord_filename '%s' (first at line %ld, %s)",
                                    v->tfrecord, s->v[old].line, s->v[old].filename);
            }
            /* against the files before this one */
            if (!r && !dup && avmit_strmap_get(&g_name, v->filename, &old)) {
                row_decode(&ix, old, &of, &orow);
                r = add_finding(&b, AVMIT_FIND_LEAK, fi, v, "leak: also in %s (%s:%ld)",
                                roles[of], lists[of]->path, lists[of]->v[orow].line);
            }
            if (!r && *v->tfrecord && avmit_strmap_get(&g_tf, v->tfrecord, &old)) {
                row_decode(&ix, old, &of, &orow);
                const avmit_video *o = &lists[of]->v[orow];
                if (strcmp(o->filename, v->filename))
                    r = add_finding(&b, AVMIT_FIND_TFRECORD_COLLISION, fi, v,
                                    "tfrecord_filename '%s' is also the embedding of %s in "
                                    "%s (%s:%ld)",
                                    v->tfrecord, o->filename, roles[of], lists[of]->path,
                                    o->line);
            }
            if (!r) r = check_row(&b, fi, v, tfrecord_dir);
        }
        /* Now make this file's rows visible to the files after it. */
        for (size_t i = 0; i < s->n && !r; i++) {
            const avmit_video *v = &s->v[i];
            if (avmit_strmap_put(&g_name, v->filename, base + i, NULL) < 0 ||
                (*v->tfrecord && avmit_strmap_put(&g_tf, v->tfrecord, base + i, NULL) < 0))
                r = AVMIT_E_NOMEM;
        }
        base += s->n;
        avmit_strmap_free(&f_name);
        avmit_strmap_free(&f_tf);
    }
done:
    avmit_strmap_free(&g_name);
    avmit_strmap_free(&g_tf);
    avmit_strmap_free(&f_name);
    avmit_strmap_free(&f_tf);
    if (r) {
        avmit_check_report_free(out);
        return avmit_error_path(err, r, NULL, "out of memory while checking splits");
    }
    return 0;
}

void avmit_check_report_free(avmit_check_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_findings; i++) {
        free(r->findings[i].video);
        free(r->findings[i].what);
    }
    free(r->findings);
    free(r->files);
    memset(r, 0, sizeof *r);
}
