/*
 * synth_run.c — the synthetic sample for the videos of split CSVs
 * (avmit_synth_run in include/avmit/synth.h): read the splits, keep one row
 * per tfrecord_filename, pick each file's stored label the way the real
 * extractor did (FORMATS §3.1, §4 quirks), and write the files in parallel.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/parallel.h"
#include "avmit/split.h"
#include "avmit/synth.h"
#include "core/error_int.h"

/* One CSV row chosen for a file. */
typedef struct {
    const avmit_video *v;
    const char *csv;       /* the split file it came from */
    char *tfrecord;        /* owned: tfrecord_filename (derived when the layout lacks it) */
    char label[64];        /* context 'label' to store */
    int class_id;          /* content class */
    int r3;                /* prominence ratings; -1 = never rated (MIT-16 layout) */
} synth_row;

static int row_cmp(const void *pa, const void *pb) {
    const synth_row *a = pa, *b = pb;
    int c = strcmp(a->tfrecord, b->tfrecord);
    if (c) return c;
    int ra = a->r3 >= 0, rb = b->r3 >= 0; /* rated rows first */
    if (ra != rb) return rb - ra;
    if ((c = strcmp(a->v->filename, b->v->filename))) return c;
    if (a->r3 != b->r3) return b->r3 - a->r3;
    if ((c = strcmp(a->v->label, b->v->label))) return c;
    return strcmp(a->csv, b->csv);
}

/* tfrecord_filename of a row, or "<label>/<stem>.tfrecord" when the layout has none. */
static char *row_tfrecord(const avmit_video *v) {
    if (v->tfrecord && *v->tfrecord) return strdup(v->tfrecord);
    const char *base = strrchr(v->filename, '/');
    base = base ? base + 1 : v->filename;
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t n = strlen(v->label) + 1 + stem + sizeof ".tfrecord";
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%.*s.tfrecord", v->label, (int)stem, base);
    return p;
}

/* A relative path below the output root: no leading '/', no ".." component. */
static int safe_relative(const char *p) {
    if (!*p || *p == '/') return 0;
    for (const char *s = p; *s;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if ((n == 2 && s[0] == '.' && s[1] == '.') || n == 0) return 0;
        s += n + (e ? 1 : 0);
    }
    size_t n = strlen(p);
    return n > 9 && !strcmp(p + n - 9, ".tfrecord");
}

static int add_note(avmit_synth_report *rep, const char *fmt, const char *a, long line,
                    const char *b, const char *c, const char *d) {
    char **np = realloc(rep->notes, (rep->n_notes + 1) * sizeof *np);
    if (!np) return AVMIT_E_NOMEM;
    rep->notes = np;
    char buf[1024];
    snprintf(buf, sizeof buf, fmt, a, line, b, c, d);
    if (!(np[rep->n_notes] = strdup(buf))) return AVMIT_E_NOMEM;
    rep->n_notes++;
    return 0;
}

/* Decide the stored label and content class of a chosen row (FORMATS §3.1: the
 * extractor stored the directory name; a directory outside the 16 classes
 * would decode as barking in train.py, so avmit stores the CSV label instead). */
static int resolve_label(synth_row *r, avmit_synth_report *rep, avmit_error *err) {
    const char *slash = strchr(r->tfrecord, '/');
    size_t dl = slash ? (size_t)(slash - r->tfrecord) : 0;
    char dir[64] = "";
    if (dl < sizeof dir) {
        memcpy(dir, r->tfrecord, dl);
        dir[dl] = '\0';
    }
    int dir_id = avmit_label_id(dir);
    int csv_id = r->v->label_id;
    if (csv_id < 0 && dir_id < 0)
        return avmit_error_set(err, AVMIT_E_FORMAT, r->csv, -1, r->v->line, -1, "label",
                               "neither the label '%s' nor the tfrecord directory '%s' is one "
                               "of the 16 AVMIT classes",
                               r->v->label, dir);
    r->class_id = csv_id >= 0 ? csv_id : dir_id;
    const char *stored = dir_id >= 0 ? dir : avmit_label_name(csv_id);
    snprintf(r->label, sizeof r->label, "%s", stored);
    int rc = 0;
    if (dir_id < 0) {
        rep->n_label_fallback++;
        rc = add_note(rep, "%s: line %ld: tfrecord directory '%s' is not an AVMIT class; "
                           "stored the CSV label '%s' (%s)",
                      r->csv, r->v->line, dir, r->label, r->tfrecord);
    } else if (csv_id >= 0 && dir_id != csv_id) {
        rc = add_note(rep, "%s: line %ld: tfrecord directory '%s' differs from the CSV label "
                           "'%s'; stored '%s' as the real extractor did",
                      r->csv, r->v->line, dir, r->v->label, dir);
    }
    if (rc) return AVMIT_ERR(err, rc, r->csv, NULL, "out of memory");
    return 0;
}

typedef struct {
    const avmit_synth *model;
    synth_row *rows;
    const char *out_dir;
    unsigned char *kind; /* [n] avmit_synth_kind of each written file */
    atomic_size_t n_done;
    size_t n_items;
    const avmit_synth_opts *opts;
} synth_job;

static int synth_one(void *ctx, size_t i, int tid, avmit_error *err) {
    synth_job *job = ctx;
    const synth_row *r = &job->rows[i];
    avmit_synth_item item = {r->v->filename, r->label, r->tfrecord, r->class_id, r->r3};
    avmit_embedding e;
    avmit_synth_kind k;
    int rc = avmit_synth_video(job->model, &item, &e, &k, err);
    char *path = NULL;
    if (!rc) {
        path = avmit_path_join(job->out_dir, r->tfrecord);
        rc = path ? avmit_embedding_write_file(&e, path, err)
                  : AVMIT_NOMEM_AT(err, r->tfrecord, "synth_one");
    }
    free(path);
    avmit_embedding_free(&e);
    if (rc) return rc;
    job->kind[i] = (unsigned char)k;
    size_t done = atomic_fetch_add(&job->n_done, 1) + 1;
    if (tid == 0 && job->opts->progress)
        job->opts->progress(job->opts->progress_ctx, done, job->n_items);
    return 0;
}

int avmit_synth_run(const char *const *split_paths, size_t n_splits, const char *out_dir,
                    const avmit_synth_opts *opts, avmit_synth_report *rep, avmit_error *err) {
    memset(rep, 0, sizeof *rep);
    avmit_split *splits = calloc(n_splits ? n_splits : 1, sizeof *splits);
    synth_row *rows = NULL;
    avmit_synth *model = NULL;
    synth_job job = {0};
    size_t n_rows = 0, n_threads = 0;
    int rc = 0;
    if (!splits) return AVMIT_NOMEM(err, "synth_run");
    if ((rc = avmit_synth_create(&model, opts, err))) goto done;

    size_t cap = 0;
    for (size_t s = 0; s < n_splits; s++) {
        if ((rc = avmit_split_read(&splits[s], split_paths[s], err))) goto done;
        cap += splits[s].n;
    }
    rows = calloc(cap ? cap : 1, sizeof *rows);
    if (!rows) goto nomem;
    for (size_t s = 0; s < n_splits; s++) {
        long per_class[AVMIT_N_CLASSES + 1] = {0};
        for (size_t i = 0; i < splits[s].n; i++) {
            const avmit_video *v = &splits[s].v[i];
            if (opts->limit_per_class > 0 && per_class[v->label_id + 1]++ >= opts->limit_per_class)
                continue;
            synth_row *r = &rows[n_rows];
            r->v = v;
            r->csv = split_paths[s];
            /* SPEC §2: every test-set video got a 3 from all three raters; only the
             * MIT-16 lists hold videos nobody rated. */
            r->r3 = v->r3 >= 0 ? v->r3 : splits[s].layout == AVMIT_LAYOUT_TEST ? 3 : -1;
            if (!(r->tfrecord = row_tfrecord(v))) goto nomem;
            n_rows++;
            if (!safe_relative(r->tfrecord)) {
                rc = avmit_error_set(err, AVMIT_E_FORMAT, r->csv, -1, v->line, -1,
                                     "tfrecord_filename",
                                     "'%s' is not a relative path ending in .tfrecord without "
                                     "'..' components",
                                     r->tfrecord);
                goto done;
            }
        }
    }
    rep->n_rows = n_rows;

    /* One row per file, chosen independently of file and row order. */
    qsort(rows, n_rows, sizeof *rows, row_cmp);
    size_t n_keep = 0;
    for (size_t i = 0; i < n_rows; i++) {
        if (n_keep && !strcmp(rows[n_keep - 1].tfrecord, rows[i].tfrecord)) {
            free(rows[i].tfrecord);
            rows[i].tfrecord = NULL;
            rep->n_duplicates++;
            continue;
        }
        synth_row tmp = rows[i];
        rows[i].tfrecord = NULL;
        rows[n_keep++] = tmp;
    }
    for (size_t i = 0; i < n_keep; i++)
        if ((rc = resolve_label(&rows[i], rep, err))) goto done;

    if ((rc = avmit_mkdirs(out_dir, err))) goto done;
    n_threads = (size_t)(opts->n_threads > 0 ? opts->n_threads : avmit_cpu_count());
    job.model = model;
    job.rows = rows;
    job.out_dir = out_dir;
    job.kind = calloc(n_keep ? n_keep : 1, 1);
    if (!job.kind) goto nomem;
    atomic_init(&job.n_done, 0);
    job.n_items = n_keep;
    job.opts = opts;
    /* the error reported is that of the earliest failing item, whatever the thread count */
    if ((rc = avmit_parallel_try((int)n_threads, n_keep, synth_one, &job, err))) goto done;
    if (opts->progress) opts->progress(opts->progress_ctx, n_keep, n_keep);
    rep->n_written = n_keep;
    for (size_t i = 0; i < n_keep; i++) rep->n_kind[job.kind[i]]++;

    goto done;
nomem:
    rc = AVMIT_NOMEM(err, "synth_run");
done:
    for (size_t i = 0; rows && i < n_rows; i++) free(rows[i].tfrecord);
    free(rows);
    free(job.kind);
    for (size_t s = 0; s < n_splits; s++) avmit_split_free(&splits[s]);
    free(splits);
    avmit_synth_free(model);
    return rc;
}

void avmit_synth_report_free(avmit_synth_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_notes; i++) free(r->notes[i]);
    free(r->notes);
    memset(r, 0, sizeof *r);
}
