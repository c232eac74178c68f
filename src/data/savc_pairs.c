/* savc_pairs.c — SAVC video lists and pair construction (avmit/savc_pairs.h). */
#include "avmit/savc_pairs.h"

#include <stdlib.h>
#include <string.h>

#include "avmit/csv.h"
#include "avmit/rng.h"
#include "data/savc_pairs_int.h"
#include "data/strmap_int.h"
#include "core/error_int.h"

/* Streams of the per-class random generators (xored into avmit_hash64(label)). */
#define STREAM_SAMPLE 0x0ull
#define STREAM_CONG 0x5341564343ull       /* "SAVCC" */
#define STREAM_INCONG 0x5341564349ull     /* "SAVCI" */
#define STREAM_TEST_CONG 0x5341564354ull  /* "SAVCT" */
#define STREAM_TEST_INCONG 0x5341564355ull

static int nomem(avmit_error *err, const char *path) {
    return AVMIT_NOMEM_AT(err, path, "video list");
}

void avmit_savc_videos_free(avmit_savc_videos *v) {
    if (!v) return;
    for (size_t i = 0; i < v->n; i++) free(v->tfrecord[i]);
    for (size_t i = 0; i < v->n_classes; i++) free(v->classes[i]);
    free(v->tfrecord);
    free(v->cls);
    free(v->line);
    free(v->classes);
    free(v->path);
    if (v->index) {
        avmit_strmap_free(v->index);
        free(v->index);
    }
    memset(v, 0, sizeof *v);
}

void avmit_savc_pairs_free(avmit_savc_pairs *p) {
    if (!p) return;
    free(p->audio);
    free(p->visual);
    memset(p, 0, sizeof *p);
}

long avmit_savc_videos_find(const avmit_savc_videos *v, const char *tfrecord) {
    size_t i;
    if (!v->index || !avmit_strmap_get(v->index, tfrecord, &i)) return -1;
    return (long)i;
}

int savc_videos_add(avmit_savc_videos *v, const char *tfrecord, long line, size_t *idx,
                    int *added, avmit_error *err) {
    if (!v->index) {
        v->index = calloc(1, sizeof(avmit_strmap));
        if (!v->index || avmit_strmap_init(v->index, 1024)) return nomem(err, v->path);
    }
    size_t found;
    if (avmit_strmap_get(v->index, tfrecord, &found)) {
        *idx = found;
        *added = 0;
        return 0;
    }
    if (v->n >= UINT32_MAX) return avmit_error_path(err, AVMIT_E_RANGE, v->path, "too many videos");
    if ((v->n & (v->n - 1)) == 0) { /* grow at powers of two */
        size_t cap = v->n ? 2 * v->n : 1;
        char **t = realloc(v->tfrecord, cap * sizeof *t);
        if (t) v->tfrecord = t;
        int *c = realloc(v->cls, cap * sizeof *c);
        if (c) v->cls = c;
        long *l = realloc(v->line, cap * sizeof *l);
        if (l) v->line = l;
        if (!t || !c || !l) return nomem(err, v->path);
    }
    char *name = strdup(tfrecord);
    if (!name) return nomem(err, v->path);
    v->tfrecord[v->n] = name;
    v->cls[v->n] = -1;
    v->line[v->n] = line;
    if (avmit_strmap_put(v->index, name, v->n, NULL) < 0) {
        free(name);
        return nomem(err, v->path);
    }
    *idx = v->n++;
    *added = 1;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fill v->classes (sorted distinct labels) and v->cls from per-row labels. */
static int assign_classes(avmit_savc_videos *v, const char **labels, avmit_error *err) {
    const char **sorted = malloc((v->n ? v->n : 1) * sizeof *sorted);
    if (!sorted) return nomem(err, v->path);
    memcpy(sorted, labels, v->n * sizeof *sorted);
    qsort(sorted, v->n, sizeof *sorted, cmp_str);
    size_t nd = 0;
    for (size_t i = 0; i < v->n; i++)
        if (i == 0 || strcmp(sorted[i], sorted[i - 1]) != 0) sorted[nd++] = sorted[i];
    v->classes = calloc(nd ? nd : 1, sizeof *v->classes);
    if (!v->classes) {
        free(sorted);
        return nomem(err, v->path);
    }
    for (size_t c = 0; c < nd; c++) {
        v->classes[c] = strdup(sorted[c]);
        if (!v->classes[c]) {
            v->n_classes = c;
            free(sorted);
            return nomem(err, v->path);
        }
    }
    v->n_classes = nd;
    for (size_t i = 0; i < v->n; i++) {
        const char **hit = bsearch(&labels[i], sorted, nd, sizeof *sorted, cmp_str);
        v->cls[i] = (int)(hit - sorted);
    }
    free(sorted);
    return 0;
}

int avmit_savc_videos_read(avmit_savc_videos *out, const char *path, const char *label_col,
                           avmit_error *err) {
    memset(out, 0, sizeof *out);
    avmit_csv t;
    int r = avmit_csv_read(&t, path, err);
    if (r) return r;
    const char **labels = NULL;
    out->path = strdup(path);
    if (!out->path) {
        r = nomem(err, path);
        goto done;
    }
    int ct = avmit_csv_col(&t, "tfrecord_filename"), cl = -1;
    if (label_col) {
        cl = avmit_csv_col(&t, label_col);
    } else {
        static const char *const auto_cols[] = {"label", "AVMIT label", "AVMIT_label"};
        for (size_t k = 0; k < 3 && cl < 0; k++) cl = avmit_csv_col(&t, auto_cols[k]);
    }
    if (ct < 0 || cl < 0) {
        r = avmit_error_set(err, AVMIT_E_NOTFOUND, path, -1, 1, -1,
                            ct < 0 ? "tfrecord_filename" : (label_col ? label_col : "label"),
                            "no such column in the header (need tfrecord_filename and %s)",
                            label_col ? label_col : "one of label, AVMIT label, AVMIT_label");
        goto done;
    }
    labels = malloc((t.n_rows ? t.n_rows : 1) * sizeof *labels);
    if (!labels) {
        r = nomem(err, path);
        goto done;
    }
    for (size_t i = 0; i < t.n_rows; i++) {
        const char *name = avmit_csv_cell(&t, i, (size_t)ct);
        const char *lab = avmit_csv_cell(&t, i, (size_t)cl);
        if (!*name || !*lab) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, t.line[i], -1,
                                *name ? t.header[cl] : "tfrecord_filename", "empty value");
            goto done;
        }
        size_t idx;
        int added;
        if ((r = savc_videos_add(out, name, t.line[i], &idx, &added, err))) goto done;
        if (!added) {
            r = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, t.line[i], -1,
                                "tfrecord_filename", "%s already listed on line %ld", name,
                                out->line[idx]);
            goto done;
        }
        labels[i] = lab;
    }
    r = assign_classes(out, labels, err);
done:
    free(labels);
    avmit_csv_free(&t);
    if (r) avmit_savc_videos_free(out);
    return r;
}

int avmit_savc_videos_keep(avmit_savc_videos *v, const unsigned char *keep, avmit_error *err) {
    size_t m = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (!keep[i]) {
            free(v->tfrecord[i]);
            continue;
        }
        v->tfrecord[m] = v->tfrecord[i];
        v->cls[m] = v->cls[i];
        v->line[m] = v->line[i];
        m++;
    }
    v->n = m;
    if (!v->index && !(v->index = calloc(1, sizeof(avmit_strmap)))) return nomem(err, v->path);
    avmit_strmap_free(v->index);
    if (avmit_strmap_init(v->index, m)) return nomem(err, v->path);
    for (size_t i = 0; i < m; i++)
        if (avmit_strmap_put(v->index, v->tfrecord[i], i, NULL) < 0) return nomem(err, v->path);
    return 0;
}

/* ---- pair construction ------------------------------------------------------ */

int avmit_savc_pair_counts(size_t n_classes, const avmit_savc_pair_opts *o, size_t *n_cong,
                           size_t *n_incong, avmit_error *err) {
    if (n_classes < 2)
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "SAVC pairs need at least 2 classes, found %zu", n_classes);
    if (o->per_class < 1 || o->congruent < 0)
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "per-class must be >= 1 and congruent >= 0 (got %ld, %ld)",
                                o->per_class, o->congruent);
    size_t k = (size_t)o->per_class;
    if (k % (n_classes - 1))
        return avmit_error_path(err, AVMIT_E_ARG, NULL,
                                "per-class %zu is not divisible by %zu (the number of other "
                                "classes each audio video is paired with)",
                                k, n_classes - 1);
    size_t per_video = o->congruent ? (size_t)o->congruent : k;
    if (k > UINT32_MAX || per_video > UINT32_MAX || n_classes * k > SIZE_MAX / per_video / 8 ||
        n_classes * k > SIZE_MAX / k / 8)
        return avmit_error_path(err, AVMIT_E_RANGE, NULL, "too many pairs");
    *n_cong = n_classes * k * per_video;
    *n_incong = n_classes * k * k;
    return 0;
}

static int pairs_alloc(avmit_savc_pairs *p, size_t n, avmit_error *err) {
    p->n = 0;
    p->audio = malloc((n ? n : 1) * sizeof *p->audio);
    p->visual = malloc((n ? n : 1) * sizeof *p->visual);
    if (!p->audio || !p->visual) {
        avmit_savc_pairs_free(p);
        return nomem(err, NULL);
    }
    return 0;
}

static void push(avmit_savc_pairs *p, uint32_t a, uint32_t v) {
    p->audio[p->n] = a;
    p->visual[p->n] = v;
    p->n++;
}

/* Group video indices by class: members of class c are idx[start[c] .. start[c+1]). */
static int group_classes(const avmit_savc_videos *v, uint32_t **idx, size_t **start,
                         avmit_error *err) {
    *idx = malloc((v->n ? v->n : 1) * sizeof **idx);
    *start = calloc(v->n_classes + 1, sizeof **start);
    if (!*idx || !*start) return nomem(err, v->path);
    for (size_t i = 0; i < v->n; i++) {
        if (v->cls[i] < 0 || (size_t)v->cls[i] >= v->n_classes)
            return avmit_error_set(err, AVMIT_E_ARG, v->path, -1, v->line[i], -1, NULL,
                                   "%s has no class", v->tfrecord[i]);
        (*start)[v->cls[i] + 1]++;
    }
    for (size_t c = 0; c < v->n_classes; c++) (*start)[c + 1] += (*start)[c];
    size_t *fill = malloc((v->n_classes ? v->n_classes : 1) * sizeof *fill);
    if (!fill) return nomem(err, v->path);
    memcpy(fill, *start, v->n_classes * sizeof *fill);
    for (size_t i = 0; i < v->n; i++) (*idx)[fill[v->cls[i]]++] = (uint32_t)i;
    free(fill);
    return 0;
}

/* Partial Fisher-Yates: the first k of a[0..n) become a uniform sample (in draw order). */
static void sample_prefix(avmit_rng *r, uint32_t *a, size_t n, size_t k) {
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)avmit_rng_below(r, n - i);
        uint32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

static void class_rng(avmit_rng *r, const avmit_savc_videos *v, size_t c, uint64_t seed,
                      uint64_t stream) {
    avmit_rng_seed(r, seed, avmit_hash64(v->classes[c]) ^ stream);
}

int avmit_savc_make_pairs(const avmit_savc_videos *v, const avmit_savc_pair_opts *o,
                          avmit_savc_pairs *cong, avmit_savc_pairs *incong, avmit_error *err) {
    memset(cong, 0, sizeof *cong);
    memset(incong, 0, sizeof *incong);
    size_t n_cong, n_incong;
    int r = avmit_savc_pair_counts(v->n_classes, o, &n_cong, &n_incong, err);
    if (r) return r;
    const size_t C = v->n_classes, K = (size_t)o->per_class, q = K / (C - 1);
    uint32_t *idx = NULL, *sample = NULL, *scratch = NULL;
    size_t *start = NULL;
    if ((r = group_classes(v, &idx, &start, err))) goto done;
    for (size_t c = 0; c < C; c++)
        if (start[c + 1] - start[c] < K) {
            r = avmit_error_path(err, AVMIT_E_RANGE, v->path,
                                 "class '%s' has %zu videos, fewer than --per-class %zu",
                                 v->classes[c], start[c + 1] - start[c], K);
            goto done;
        }
    sample = malloc(C * K * sizeof *sample);
    scratch = malloc(K * sizeof *scratch);
    if (!sample || !scratch) {
        r = nomem(err, v->path);
        goto done;
    }
    /* K per class, sampled without replacement. */
    for (size_t c = 0; c < C; c++) {
        avmit_rng rng;
        class_rng(&rng, v, c, o->seed, STREAM_SAMPLE);
        sample_prefix(&rng, idx + start[c], start[c + 1] - start[c], K);
        memcpy(sample + c * K, idx + start[c], K * sizeof *sample);
    }
    if ((r = pairs_alloc(cong, n_cong, err)) || (r = pairs_alloc(incong, n_incong, err)))
        goto done;
    for (size_t c = 0; c < C; c++) {
        const uint32_t *s = sample + c * K;
        avmit_rng rng;
        class_rng(&rng, v, c, o->seed, STREAM_CONG);
        if (o->congruent == 0) {
            for (size_t a = 0; a < K; a++)
                for (size_t b = 0; b < K; b++) push(cong, s[a], s[b]);
        } else {
            for (long round = 0; round < o->congruent; round++) {
                memcpy(scratch, s, K * sizeof *scratch);
                avmit_rng_shuffle_u32(&rng, scratch, K);
                for (size_t a = 0; a < K; a++) push(cong, s[a], scratch[a]);
            }
        }
        class_rng(&rng, v, c, o->seed, STREAM_INCONG);
        for (size_t a = 0; a < K; a++)
            for (size_t c2 = 0; c2 < C; c2++) {
                if (c2 == c) continue;
                memcpy(scratch, sample + c2 * K, K * sizeof *scratch);
                sample_prefix(&rng, scratch, K, q);
                for (size_t j = 0; j < q; j++) push(incong, s[a], scratch[j]);
            }
    }
done:
    free(idx);
    free(start);
    free(sample);
    free(scratch);
    if (r) {
        avmit_savc_pairs_free(cong);
        avmit_savc_pairs_free(incong);
    }
    return r;
}

int avmit_savc_make_test_pairs(const avmit_savc_videos *v, uint64_t seed,
                               avmit_savc_pairs *cong, avmit_savc_pairs *incong,
                               avmit_error *err) {
    memset(cong, 0, sizeof *cong);
    memset(incong, 0, sizeof *incong);
    const size_t C = v->n_classes;
    if (C < 2)
        return avmit_error_path(err, AVMIT_E_ARG, v->path,
                                "SAVC test pairs need at least 2 classes, found %zu", C);
    uint32_t *idx = NULL, *partner_c = NULL, *partner_i = NULL;
    size_t *start = NULL;
    int r = group_classes(v, &idx, &start, err);
    if (r) goto done;
    partner_c = malloc((v->n ? v->n : 1) * sizeof *partner_c);
    partner_i = malloc((v->n ? v->n : 1) * sizeof *partner_i);
    if (!partner_c || !partner_i || (r = pairs_alloc(cong, v->n, err)) ||
        (r = pairs_alloc(incong, v->n, err))) {
        if (!r) r = nomem(err, v->path);
        goto done;
    }
    /* Congruent: a random cyclic order per class, each video -> the next one. */
    for (size_t c = 0; c < C; c++) {
        avmit_rng rng;
        class_rng(&rng, v, c, seed, STREAM_TEST_CONG);
        uint32_t *m = idx + start[c];
        size_t n = start[c + 1] - start[c];
        avmit_rng_shuffle_u32(&rng, m, n);
        for (size_t j = 0; j < n; j++) partner_c[m[j]] = m[(j + 1) % n];
    }
    /* Incongruent: balanced when every class has n videos and C-1 divides n. */
    size_t n0 = start[1] - start[0];
    int balanced = n0 % (C - 1) == 0;
    for (size_t c = 1; c < C; c++) balanced &= (start[c + 1] - start[c]) == n0;
    if (balanced) {
        size_t q = n0 / (C - 1);
        size_t *taken = calloc(C, sizeof *taken); /* visual streams of each class used */
        uint32_t *vis = malloc((v->n ? v->n : 1) * sizeof *vis);
        if (!taken || !vis) {
            free(taken);
            free(vis);
            r = nomem(err, v->path);
            goto done;
        }
        memcpy(vis, idx, v->n * sizeof *vis);
        for (size_t c = 0; c < C; c++) {
            avmit_rng rng;
            class_rng(&rng, v, c, seed, STREAM_TEST_INCONG);
            avmit_rng_shuffle_u32(&rng, vis + start[c], n0); /* visual order of class c */
            avmit_rng_shuffle_u32(&rng, idx + start[c], n0); /* audio order of class c */
        }
        for (size_t c = 0; c < C; c++)
            for (size_t j = 0; j < n0; j++) {
                size_t c2 = (c + 1 + j / q) % C;
                partner_i[idx[start[c] + j]] = vis[start[c2] + taken[c2]++];
            }
        free(taken);
        free(vis);
    } else {
        for (size_t i = 0; i < v->n; i++) {
            avmit_rng rng;
            avmit_rng_seed(&rng, seed, avmit_hash64(v->tfrecord[i]) ^ STREAM_TEST_INCONG);
            size_t c = (size_t)v->cls[i];
            size_t c2 = (c + 1 + (size_t)avmit_rng_below(&rng, C - 1)) % C;
            size_t n2 = start[c2 + 1] - start[c2];
            partner_i[i] = idx[start[c2] + (size_t)avmit_rng_below(&rng, n2)];
        }
    }
    for (size_t i = 0; i < v->n; i++) {
        push(cong, (uint32_t)i, partner_c[i]);
        push(incong, (uint32_t)i, partner_i[i]);
    }
done:
    free(idx);
    free(start);
    free(partner_c);
    free(partner_i);
    if (r) {
        avmit_savc_pairs_free(cong);
        avmit_savc_pairs_free(incong);
    }
    return r;
}
