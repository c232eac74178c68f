/* dataset.c — balanced train/validation splits from ratings (avmit/dataset.h). */
#include "avmit/dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/labels.h"
#include "avmit/rng.h"
#include "data/strmap_int.h"
#include "core/error_int.h"

avmit_build_opts avmit_build_default_opts(void) {
    avmit_build_opts o = {AVMIT_RULE_PROMINENT, 500, 0, 0, 0.1, 0, NULL};
    return o;
}

/* Per-class working state. */
typedef struct {
    const char *label;
    uint32_t *idx; /* rows of `ratings` that pass and are not excluded */
    size_t n_idx;
    long n_passing, n_excluded;
} class_work;

static int cmp_work(const void *a, const void *b) {
    return strcmp(((const class_work *)a)->label, ((const class_work *)b)->label);
}

void avmit_build_result_free(avmit_build_result *r) {
    if (!r) return;
    avmit_split_free(&r->train);
    avmit_split_free(&r->val);
    for (size_t i = 0; i < r->n_classes; i++) free(r->cls[i].label);
    free(r->cls);
    memset(r, 0, sizeof *r);
}

int avmit_dataset_build(const avmit_split *ratings, const avmit_build_opts *o,
                        avmit_build_result *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    if (!(o->val_fraction >= 0.0 && o->val_fraction < 1.0) || o->min_class_size < 0 ||
        o->per_class < 0 || (unsigned)o->rule >= AVMIT_N_RULES)
        return avmit_error_path(err, AVMIT_E_ARG, ratings->path,
                                "bad build options (val_fraction %g must be in [0, 1), "
                                "min_class_size and per_class >= 0)", o->val_fraction);
    if (ratings->n > UINT32_MAX)
        return avmit_error_path(err, AVMIT_E_ARG, ratings->path, "too many rows");
    avmit_strmap classes = {0}, excluded = {0};
    class_work *w = calloc(ratings->n ? ratings->n : 1, sizeof *w);
    uint32_t *idx_pool = malloc((ratings->n ? ratings->n : 1) * sizeof *idx_pool);
    size_t n_w = 0;
    int r = 0;
    if (!w || !idx_pool || avmit_strmap_init(&classes, 64) ||
        avmit_strmap_init(&excluded, o->exclude ? o->exclude->n : 0)) {
        r = AVMIT_NOMEM_AT(err, ratings->path, "dataset_build");
        goto done;
    }
    if (o->exclude)
        for (size_t i = 0; i < o->exclude->n; i++)
            if (avmit_strmap_put(&excluded, o->exclude->v[i].filename, i, NULL) < 0) {
                r = AVMIT_NOMEM_AT(err, ratings->path, "dataset_build");
                goto done;
            }
    /* Pass 1: count passing videos per class. */
    for (size_t i = 0; i < ratings->n; i++) {
        const avmit_video *v = &ratings->v[i];
        if (v->r1 < 0 || v->r2 < 0 || v->r3 < 0) {
            r = avmit_error_set(err, AVMIT_E_ARG, ratings->path, -1, v->line, -1, NULL,
                                "%s: no r1/r2/r3 rating counts (layout %s)", v->filename,
                                avmit_layout_name(ratings->layout));
            goto done;
        }
        if (!avmit_rule_pass(o->rule, v->r1, v->r2, v->r3)) continue;
        size_t k;
        int found = avmit_strmap_put(&classes, v->label, n_w, &k);
        if (found < 0) {
            r = AVMIT_NOMEM_AT(err, ratings->path, "dataset_build");
            goto done;
        }
        if (!found) {
            k = n_w++;
            w[k].label = v->label;
        }
        w[k].n_passing++;
        if (avmit_strmap_get(&excluded, v->filename, NULL)) w[k].n_excluded++;
    }
    /* Carve idx_pool into per-class arrays, then fill them in row order. */
    size_t off = 0;
    for (size_t k = 0; k < n_w; k++) {
        w[k].idx = idx_pool + off;
        off += (size_t)(w[k].n_passing - w[k].n_excluded);
    }
    for (size_t i = 0; i < ratings->n; i++) {
        const avmit_video *v = &ratings->v[i];
        size_t k;
        if (!avmit_rule_pass(o->rule, v->r1, v->r2, v->r3) ||
            avmit_strmap_get(&excluded, v->filename, NULL) ||
            !avmit_strmap_get(&classes, v->label, &k))
            continue;
        w[k].idx[w[k].n_idx++] = (uint32_t)i;
    }
    qsort(w, n_w, sizeof *w, cmp_work);
    out->cls = calloc(n_w ? n_w : 1, sizeof *out->cls);
    if (!out->cls) {
        r = AVMIT_NOMEM_AT(err, ratings->path, "dataset_build");
        goto done;
    }
    long per_class = -1;
    for (size_t k = 0; k < n_w; k++) {
        avmit_build_class *c = &out->cls[k];
        if (!(c->label = strdup(w[k].label))) {
            r = AVMIT_NOMEM_AT(err, ratings->path, "dataset_build");
            goto done;
        }
        out->n_classes = k + 1;
        c->n_passing = w[k].n_passing;
        c->n_excluded = w[k].n_excluded;
        c->kept = c->n_passing >= o->min_class_size &&
                  (!o->only_avmit_classes || avmit_label_id(c->label) >= 0);
        if (!c->kept) continue;
        out->n_kept++;
        if (per_class < 0 || (long)w[k].n_idx < per_class) per_class = (long)w[k].n_idx;
    }
    if (out->n_kept == 0 || per_class <= 0) {
        r = avmit_error_path(err, AVMIT_E_RANGE, ratings->path,
                             "no class has >= %ld videos passing rule '%s' (%s) after "
                             "exclusion", o->min_class_size, avmit_rule_name(o->rule),
                             avmit_rule_definition(o->rule));
        goto done;
    }
    if (o->per_class > 0 && o->per_class < per_class) per_class = o->per_class;
    out->per_class = per_class;
    out->n_val_per_class = lround((double)per_class * o->val_fraction);
    out->train.layout = out->val.layout = ratings->layout;
    out->train.path = strdup(ratings->path ? ratings->path : "");
    out->val.path = strdup(ratings->path ? ratings->path : "");
    if (!out->train.path || !out->val.path) {
        r = AVMIT_NOMEM_AT(err, ratings->path, "dataset_build");
        goto done;
    }
    for (size_t k = 0; k < n_w && !r; k++) {
        if (!out->cls[k].kept) continue;
        avmit_rng rng;
        avmit_rng_seed(&rng, o->seed, avmit_hash64(w[k].label));
        avmit_rng_shuffle_u32(&rng, w[k].idx, w[k].n_idx);
        for (long j = 0; j < per_class && !r; j++) {
            avmit_split *dst = j < out->n_val_per_class ? &out->val : &out->train;
            r = avmit_split_push(dst, &ratings->v[w[k].idx[j]], err);
        }
    }
done:
    if (r) avmit_build_result_free(out);
    avmit_strmap_free(&classes);
    avmit_strmap_free(&excluded);
    free(w);
    free(idx_pool);
    return r;
}
