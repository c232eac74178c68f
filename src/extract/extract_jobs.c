/*
 * extract_jobs.c — the job list of `avmit extract` (avmit/extract.h): a
 * directory tree of media files or one of the paper's CSVs (FORMATS.md §4),
 *
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "avmit/csv.h"
#include "avmit/extract.h"
#include "avmit/fileio.h"
#include "core/error_int.h"

/* ---- helpers -------------------------------------------------------------------- */

int avmit_extract_is_media_name(const char *name) {
    static const char *const k_ext[] = {".mp4", ".webm", ".mkv", ".avi", ".mov", ".m4v",
                                        ".mpg", ".mpeg", ".flv", ".ogv", ".wmv", ".3gp"};
    const char *dot = strrchr(name, '.');
    if (!dot || strchr(dot, '/')) return 0;
    for (size_t i = 0; i < sizeof k_ext / sizeof *k_ext; i++)
        if (!strcasecmp(dot, k_ext[i])) return 1;
    return 0;
}

/* "<dir>/<stem>.tfrecord" for a relative media path's last component. */
static char *tfrecord_rel(const char *label, const char *media_rel) {
    const char *base = strrchr(media_rel, '/');
    base = base ? base + 1 : media_rel;
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t n = strlen(label) + stem + 16;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%.*s.tfrecord", label, (int)stem, base);
    return s;
}

/* The directory part of rel ("a/b/c" -> "a/b"; "" when none), malloc'd. */
static char *dir_of(const char *rel) {
    const char *slash = strrchr(rel, '/');
    return strndup(rel, slash ? (size_t)(slash - rel) : 0);
}

/* The last component of the directory of rel ("x/a/b.mp4" -> "a"). */
static char *parent_name(const char *rel) {
    const char *slash = strrchr(rel, '/');
    if (!slash) return strdup("");
    const char *start = slash;
    while (start > rel && start[-1] != '/') start--;
    return strndup(start, (size_t)(slash - start));
}

static int job_push(avmit_extract_jobs *j, size_t *cap, avmit_extract_job job, avmit_error *err) {
    if (!job.video || !job.filename || !job.label || !job.out_rel) goto nomem;
    if (j->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        avmit_extract_job *p = realloc(j->v, nc * sizeof *p);
        if (!p) goto nomem;
        j->v = p;
        *cap = nc;
    }
    j->v[j->n++] = job;
    return 0;
nomem:
    free(job.video), free(job.filename), free(job.label), free(job.out_rel);
    return AVMIT_NOMEM(err, "job list");
}

static int bad_out_rel(const char *s) {
    size_t n = strlen(s);
    return s[0] == '/' || strstr(s, "..") || n < 10 || strcmp(s + n - 9, ".tfrecord") != 0;
}

/* ---- directory tree ------------------------------------------------------------- */

static int jobs_from_dir(avmit_extract_jobs *out, size_t *cap, const char *dir, avmit_error *err) {
    avmit_pathlist pl = {0};
    const char *args[1] = {dir};
    int r = avmit_pathlist_expand(&pl, args, 1, NULL, err);
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/') dlen--;
    for (size_t i = 0; !r && i < pl.n; i++) {
        const char *p = pl.paths[i];
        const char *rel = p + dlen;
        while (*rel == '/') rel++;
        const char *base = strrchr(rel, '/');
        if (!avmit_extract_is_media_name(rel) || (base ? base[1] : rel[0]) == '.') continue;
        if (!strchr(rel, '/')) {
            r = AVMIT_ERR(err, AVMIT_E_FORMAT, p, "label",
                          "a video directly in %s has no label: put videos in one "
                          "directory per label (<label>/<video>)", dir);
            break;
        }
        avmit_extract_job job = {strdup(p), strdup(rel), parent_name(rel), NULL, -1};
        job.out_rel = job.label ? tfrecord_rel(job.label, rel) : NULL;
        r = job_push(out, cap, job, err);
    }
    avmit_pathlist_free(&pl);
    return r;
}

/* ---- CSV -------------------------------------------------------------------------- */

static int jobs_from_csv(avmit_extract_jobs *out, size_t *cap, const char *path,
                         const char *root, avmit_error *err) {
    avmit_csv t;
    int r = avmit_csv_read(&t, path, err);
    if (r) return r;
    int c_file = avmit_csv_col(&t, "filename");
    int c_loc = avmit_csv_col(&t, "video_location");
    int c_tfr = avmit_csv_col(&t, "tfrecord_filename");
    int c_lab = avmit_csv_col(&t, "label");
    if (c_lab < 0) c_lab = avmit_csv_col(&t, "AVMIT label");
    if (c_lab < 0) c_lab = avmit_csv_col(&t, "AVMIT_label");
    char *csv_dir = NULL;
    if (c_file < 0) {
        r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, "filename",
                      "no 'filename' column (expected one of the layouts of FORMATS.md §4)");
        goto done;
    }
    if (!root) {
        csv_dir = dir_of(path);
        if (!csv_dir) {
            r = AVMIT_NOMEM(err, "path");
            goto done;
        }
        root = csv_dir[0] ? csv_dir : ".";
    }
    for (size_t i = 0; i < t.n_rows && !r; i++) {
        const char *fn = avmit_csv_cell(&t, i, (size_t)c_file);
        const char *tfr = c_tfr >= 0 ? avmit_csv_cell(&t, i, (size_t)c_tfr) : NULL;
        if (!fn[0]) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, t.line[i], -1, "filename",
                                "empty value");
            break;
        }
        char *label;
        if (tfr && tfr[0]) label = parent_name(tfr);
        else if (c_lab >= 0) label = strdup(avmit_csv_cell(&t, i, (size_t)c_lab));
        else label = parent_name(fn);
        char *rel = c_loc >= 0 ? avmit_path_join(avmit_csv_cell(&t, i, (size_t)c_loc), fn)
                               : strdup(fn);
        avmit_extract_job job = {rel ? avmit_path_join(root, rel) : NULL, strdup(fn), label,
                                 NULL, t.line[i]};
        free(rel);
        job.out_rel = tfr && tfr[0] ? strdup(tfr) : label ? tfrecord_rel(label, fn) : NULL;
        if (job.label && !job.label[0]) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, t.line[i], -1, "label",
                                "no label for '%s' (no label column, no directory)", fn);
            free(job.video), free(job.filename), free(job.label), free(job.out_rel);
            break;
        }
        if (job.out_rel && bad_out_rel(job.out_rel)) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, t.line[i], -1,
                                "tfrecord_filename",
                                "'%s' must be a relative path without '..' ending in .tfrecord",
                                job.out_rel);
            free(job.video), free(job.filename), free(job.label), free(job.out_rel);
            break;
        }
        r = job_push(out, cap, job, err);
    }
done:
    free(csv_dir);
    avmit_csv_free(&t);
    return r;
}

/* ---- the list ------------------------------------------------------------------------ */

static int cmp_out_rel(const void *a, const void *b) {
    const avmit_extract_job *x = *(const avmit_extract_job *const *)a;
    const avmit_extract_job *y = *(const avmit_extract_job *const *)b;
    return strcmp(x->out_rel, y->out_rel);
}

/* Two jobs writing one file would race and lose a video: refuse. */
static int check_unique(const avmit_extract_jobs *j, const char *src, avmit_error *err) {
    if (j->n < 2) return 0;
    const avmit_extract_job **p = malloc(j->n * sizeof *p);
    if (!p) return AVMIT_NOMEM(err, "job list");
    for (size_t i = 0; i < j->n; i++) p[i] = &j->v[i];
    qsort(p, j->n, sizeof *p, cmp_out_rel);
    int r = 0;
    for (size_t i = 1; i < j->n && !r; i++)
        if (!strcmp(p[i - 1]->out_rel, p[i]->out_rel))
            r = avmit_error_set(err, AVMIT_E_FORMAT, src, -1, p[i]->line, -1, "tfrecord_filename",
                                "'%s' and '%s' both map to output '%s'", p[i - 1]->video,
                                p[i]->video, p[i]->out_rel);
    free(p);
    return r;
}

static int cmp_filename(const void *a, const void *b) {
    return strcmp(((const avmit_extract_job *)a)->filename,
                  ((const avmit_extract_job *)b)->filename);
}

int avmit_extract_jobs_build(avmit_extract_jobs *out, const char *videos, const char *videos_root,
                             avmit_error *err) {
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(videos, &st) != 0)
        return AVMIT_ERR(err, AVMIT_E_NOTFOUND, videos, NULL,
                         "no such directory or CSV file");
    size_t cap = 0;
    int r;
    if (S_ISDIR(st.st_mode)) {
        r = jobs_from_dir(out, &cap, videos, err);
        if (!r && out->n > 1) qsort(out->v, out->n, sizeof *out->v, cmp_filename);
    } else {
        r = jobs_from_csv(out, &cap, videos, videos_root, err);
    }
    if (!r) r = check_unique(out, videos, err);
    if (r) avmit_extract_jobs_free(out);
    return r;
}

void avmit_extract_jobs_free(avmit_extract_jobs *jobs) {
    if (!jobs) return;
    for (size_t i = 0; i < jobs->n; i++) {
        free(jobs->v[i].video);
        free(jobs->v[i].filename);
        free(jobs->v[i].label);
        free(jobs->v[i].out_rel);
    }
    free(jobs->v);
    memset(jobs, 0, sizeof *jobs);
}
