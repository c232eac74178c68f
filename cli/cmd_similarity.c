/*
 * cmd_similarity.c — `avmit similarity`: per-video audiovisual similarity in a joint
 * space (avmit/similarity.h), per-class summaries, and the paper's Fig. 4 comparison of
 * AVMIT-filtered with unfiltered MIT-16 videos, tested per class with a two-sided
 * Mann-Whitney U test (normal approximation, tie and continuity corrections).
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/csv.h"
#include "avmit/labels.h"
#include "avmit/npz.h"
#include "avmit/plot_dist.h"
#include "avmit/ratings.h"
#include "avmit/savc_train.h"
#include "avmit/similarity.h"
#include "avmit/split.h"
#include "cli.h"

#define MMV_NOTE "NOT the paper's measure: the paper used the MMV network's joint space; this is %s"

static void usage(FILE *f) {
    fprintf(f,
            "usage: avmit similarity --tfrecords DIR --split CSV [--split CSV ...]\n"
            "                        (--model SAVC_MODELDIR | --projection FILE.npz) -o sim.csv\n"
            "                        [--summary CSV] [--plot DIR] [--rule RULE] [--threads N]\n\n"
            "Audiovisual similarity of every listed video (DIR/<tfrecord_filename>) in a joint\n"
            "space: a SAVC model's (its L2-normalised audio and visual tower outputs per\n"
            "timestep) or a linear projection pair (FILE.npz with matrices 'audio' [D_a,E] and\n"
            "'visual' [D_v,E]); per modality the unit vectors are averaged over the video's\n"
            "timesteps and the similarity is the cosine of the two means, in [-1, 1].\n"
            "The paper (Fig. 4-5) used the MMV network, which avmit does not have: these\n"
            "numbers are not the paper's.\n\n"
            "Groups (the paper's Fig. 4): rows of a CSV with ratings (AVMIT split or\n"
            "video_ratings.csv layout) are 'filtered' when they pass --rule (default\n"
            "prominent, the rule of the released AVMIT splits), else 'fails_rule'; test-set\n"
            "rows are 'filtered' (three ratings of 3 by construction); MIT-16 rows are\n"
            "'unfiltered'. Per class, filtered vs unfiltered: two-sided Mann-Whitney U\n"
            "(normal approximation with tie and continuity corrections; p as scipy's\n"
            "mannwhitneyu(method='asymptotic')).\n\n"
            "  -o, --out CSV      per video: tfrecord_filename,label,group,similarity,...\n"
            "  --summary CSV      per class and group: n, mean, median, sd; U, z, p, effect\n"
            "                     (default: sim.csv with _summary before .csv)\n"
            "  --plot DIR         similarity_hist.{svg,png} and similarity_classes.{svg,png}\n"
            "  --threads N        threads (default all cores)\n");
}

typedef struct {
    const avmit_video *v;
    const char *csv;
    const char *group;
    double sim;
    int ta, tv;
} row;

static int cmp_str(const void *a, const void *b) {
    return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    size_t n;
    double mean, median, sd;
} desc;

static desc describe(double *v, size_t n) {
    desc d = {n, NAN, NAN, NAN};
    if (!n) return d;
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    d.mean = s / n;
    for (size_t i = 0; i < n; i++) ss += (v[i] - d.mean) * (v[i] - d.mean);
    d.sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
    qsort(v, n, sizeof *v, cmp_double);
    d.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return d;
}

/* The values of rows with class k (-1 = all) and group g into out; returns the count. */
static size_t collect(const row *rows, size_t n, int k, const char *g, double *out) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if ((k < 0 || rows[i].v->label_id == k) && !strcmp(rows[i].group, g)) out[m++] = rows[i].sim;
    return m;
}

static void fmt(char *b, size_t cap, double v) {
    if (isnan(v)) snprintf(b, cap, "nan");
    else snprintf(b, cap, "%.9g", v);
}

int cmd_similarity(int argc, char **argv) {
    static const struct option opts[] = {
        {"tfrecords", required_argument, 0, 'd'}, {"split", required_argument, 0, 's'},
        {"model", required_argument, 0, 'm'},     {"projection", required_argument, 0, 'P'},
        {"out", required_argument, 0, 'o'},       {"summary", required_argument, 0, 'S'},
        {"plot", required_argument, 0, 'p'},      {"rule", required_argument, 0, 'r'},
        {"threads", required_argument, 0, 't'},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *dir = NULL, *model = NULL, *proj = NULL, *out = NULL, *summary = NULL, *plot = NULL;
    const char *splits[16];
    size_t n_splits = 0;
    avmit_rule rule = AVMIT_RULE_PROMINENT;
    long long threads = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 's':
            if (n_splits == 16) return cli_usage_error("similarity", "at most 16 --split files");
            splits[n_splits++] = optarg;
            break;
        case 'm': model = optarg; break;
        case 'P': proj = optarg; break;
        case 'o': out = optarg; break;
        case 'S': summary = optarg; break;
        case 'p': plot = optarg; break;
        case 'r':
            if (avmit_rule_from_name(optarg, &rule))
                return cli_usage_error("similarity", "--rule: expected present, prominent, unanimous or majority, got '%s'", optarg);
            break;
        case 't': if (cli_parse_int("similarity", "--threads", optarg, 0, 4096, &threads)) return CLI_USAGE; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error("similarity", "unexpected argument '%s'", argv[optind]);
    if (!dir || !n_splits || !out) return cli_usage_error("similarity", "--tfrecords, --split and -o are required");
    if (!model == !proj) return cli_usage_error("similarity", "give exactly one of --model and --projection");
    char sum_default[4096];
    if (!summary) {
        size_t L = strlen(out);
        int cut = L > 4 && !strcmp(out + L - 4, ".csv") ? (int)L - 4 : (int)L;
        snprintf(sum_default, sizeof sum_default, "%.*s_summary.csv", cut, out);
        summary = sum_default;
    }
    avmit_error err;
    avmit_error_clear(&err);
    int rc = CLI_FAIL;
    avmit_split sp[16];
    memset(sp, 0, sizeof sp);
    avmit_savc_model *m = NULL;
    avmit_joint_space *space = NULL;
    avmit_array wa = {0}, wv = {0};
    row *rows = NULL;
    const char **paths = NULL;
    char **uniq = NULL;
    double *sims = NULL, *buf_a = NULL, *buf_b = NULL;
    int *ta = NULL, *tv = NULL;
    size_t n_joined = 0; /* uniq[0..n_joined) are owned paths */
    char space_desc[4200];
    if (model) {
        char path[4096];
        snprintf(path, sizeof path, "%s/model.safetensors", model);
        if (avmit_savc_model_load(&m, path, &err) || avmit_joint_space_savc(&space, m, &err)) goto report;
        snprintf(space_desc, sizeof space_desc, "the SAVC model %s (%s)", model, avmit_rnn_name(m->cfg.rnn));
    } else {
        if (avmit_npz_read(&wa, proj, "audio", &err) || avmit_npz_read(&wv, proj, "visual", &err) ||
            avmit_array_to_f32(&wa, &err) || avmit_array_to_f32(&wv, &err))
            goto report;
        if (wa.ndim != 2 || wv.ndim != 2 || wa.shape[1] != wv.shape[1]) {
            fprintf(stderr, "avmit: %s: 'audio' and 'visual' must be matrices [D_a,E] and [D_v,E] with the same E\n", proj);
            goto done;
        }
        if (avmit_joint_space_projection(&space, wa.data, (int)wa.shape[0], wv.data, (int)wv.shape[0],
                                         (int)wa.shape[1], &err))
            goto report;
        snprintf(space_desc, sizeof space_desc, "the linear projection pair %s", proj);
    }
    size_t n = 0;
    for (size_t i = 0; i < n_splits; i++) {
        if (avmit_split_read(&sp[i], splits[i], &err)) goto report;
        n += sp[i].n;
    }
    rows = calloc(n ? n : 1, sizeof *rows);
    paths = calloc(n ? n : 1, sizeof *paths);
    uniq = calloc(n ? n : 1, sizeof *uniq);
    const char ***order = calloc(n ? n : 1, sizeof *order);
    if (!rows || !paths || !uniq || !order) {
        free(order);
        fprintf(stderr, "avmit similarity: out of memory\n");
        goto done;
    }
    size_t k = 0;
    for (size_t i = 0; i < n_splits; i++)
        for (size_t j = 0; j < sp[i].n; j++, k++) {
            const avmit_video *v = &sp[i].v[j];
            rows[k].v = v, rows[k].csv = splits[i];
            if (v->label_id < 0 || !v->tfrecord[0]) {
                fprintf(stderr, "avmit: %s:%ld: label '%s' is not one of the 16 classes or the row has no tfrecord_filename\n",
                        splits[i], v->line, v->label);
                free(order);
                goto done;
            }
            if (sp[i].layout == AVMIT_LAYOUT_MIT16) rows[k].group = "unfiltered";
            else if (sp[i].layout == AVMIT_LAYOUT_TEST) rows[k].group = "filtered";
            else rows[k].group = avmit_rule_pass(rule, v->r1, v->r2, v->r3) ? "filtered" : "fails_rule";
            order[k] = (const char **)&rows[k].v->tfrecord;
        }
    /* Each distinct file once (the two experiments share videos). */
    qsort(order, n, sizeof *order, cmp_str);
    size_t nu = 0;
    for (size_t i = 0; i < n; i++)
        if (!nu || strcmp(*order[i], uniq[nu - 1])) uniq[nu++] = (char *)*order[i];
    free(order);
    for (; n_joined < nu; n_joined++)
        if (!(uniq[n_joined] = avmit_path_join(dir, uniq[n_joined]))) {
            fprintf(stderr, "avmit similarity: out of memory\n");
            goto done;
        }
    sims = malloc(sizeof *sims * (nu ? nu : 1));
    ta = malloc(sizeof *ta * (nu ? nu : 1)), tv = malloc(sizeof *tv * (nu ? nu : 1));
    buf_a = malloc(sizeof(double) * (n ? n : 1)), buf_b = malloc(sizeof(double) * (n ? n : 1));
    if (!sims || !ta || !tv || !buf_a || !buf_b) goto done;
    double t0 = cli_now_seconds();
    if (avmit_similarity_files(space, (const char *const *)uniq, nu, cli_threads(threads), sims, ta, tv, &err))
        goto report;
    for (size_t i = 0; i < n; i++) {
        char *full = avmit_path_join(dir, rows[i].v->tfrecord);
        size_t lo = 0, hi = nu; /* uniq is sorted by the same relative names */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(uniq[mid], full) < 0) lo = mid + 1; else hi = mid;
        }
        rows[i].sim = sims[lo], rows[i].ta = ta[lo], rows[i].tv = tv[lo];
        free(full);
    }
    printf("avmit similarity: " MMV_NOTE ".\n", space_desc);
    printf("%zu rows, %zu distinct files, %.1f s; rule for 'filtered': %s (%s)\n", n, nu,
           cli_now_seconds() - t0, avmit_rule_name(rule), avmit_rule_definition(rule));
    { /* per-video CSV */
        static const char *const hdr[] = {"tfrecord_filename", "filename", "label", "group", "source_csv", "line",
                                          "similarity", "audio_steps", "visual_steps"};
        avmit_csv_writer *w;
        if (avmit_csv_writer_open(&w, out, 9, hdr, &err)) goto report;
        for (size_t i = 0; i < n; i++) {
            char line[24], s[40], a[16], b[16];
            snprintf(line, sizeof line, "%ld", rows[i].v->line);
            snprintf(s, sizeof s, "%.9g", rows[i].sim);
            snprintf(a, sizeof a, "%d", rows[i].ta), snprintf(b, sizeof b, "%d", rows[i].tv);
            const char *cells[] = {rows[i].v->tfrecord, rows[i].v->filename, rows[i].v->label, rows[i].group,
                                   rows[i].csv, line, s, a, b};
            if (avmit_csv_writer_row(w, cells, &err)) {
                avmit_csv_writer_abort(w);
                goto report;
            }
        }
        if (avmit_csv_writer_commit(w, &err)) goto report;
    }
    /* per-class summary and tests */
    double means[AVMIT_N_CLASSES * 2], ses[AVMIT_N_CLASSES * 2];
    char stars[AVMIT_N_CLASSES][8];
    const char *notes[AVMIT_N_CLASSES], *cats[AVMIT_N_CLASSES];
    int n_tested = 0;
    {
        static const char *const hdr[] = {"class", "filtered_n", "filtered_mean", "filtered_median", "filtered_sd",
                                          "unfiltered_n", "unfiltered_mean", "unfiltered_median", "unfiltered_sd",
                                          "fails_rule_n", "mwu_u_filtered", "mwu_z", "mwu_p", "mwu_effect", "test",
                                          "space"};
        avmit_csv_writer *w;
        if (avmit_csv_writer_open(&w, summary, 16, hdr, &err)) goto report;
        printf("\n%-12s %6s %8s %6s %8s %10s %9s  (filtered vs unfiltered, two-sided Mann-Whitney U)\n", "class",
               "n_filt", "mean", "n_unf", "mean", "p", "effect");
        for (int cl = -1; cl < AVMIT_N_CLASSES; cl++) {
            size_t na = collect(rows, n, cl, "filtered", buf_a), nb = collect(rows, n, cl, "unfiltered", buf_b);
            size_t nf = 0;
            for (size_t i = 0; i < n; i++)
                if ((cl < 0 || rows[i].v->label_id == cl) && !strcmp(rows[i].group, "fails_rule")) nf++;
            avmit_mwu t = {0, 0, NAN, NAN, NAN, NAN};
            int tested = na && nb && !avmit_mann_whitney_u(buf_a, na, buf_b, nb, &t, &err);
            desc da = describe(buf_a, na), db = describe(buf_b, nb);
            const char *name = cl < 0 ? "all" : avmit_label_name(cl);
            char cells[16][64];
            snprintf(cells[0], 64, "%s", name);
            snprintf(cells[1], 64, "%zu", na);
            fmt(cells[2], 64, da.mean), fmt(cells[3], 64, da.median), fmt(cells[4], 64, da.sd);
            snprintf(cells[5], 64, "%zu", nb);
            fmt(cells[6], 64, db.mean), fmt(cells[7], 64, db.median), fmt(cells[8], 64, db.sd);
            snprintf(cells[9], 64, "%zu", nf);
            fmt(cells[10], 64, t.u1), fmt(cells[11], 64, t.z), fmt(cells[12], 64, t.p), fmt(cells[13], 64, t.effect);
            snprintf(cells[14], 64, "%s", tested ? "mann-whitney-u two-sided asymptotic" : "not tested (a group is empty)");
            snprintf(cells[15], 64, "%s", model ? "savc (not MMV)" : "projection (not MMV)");
            const char *cp[16];
            for (int i = 0; i < 16; i++) cp[i] = cells[i];
            if (avmit_csv_writer_row(w, cp, &err)) {
                avmit_csv_writer_abort(w);
                goto report;
            }
            printf("%-12s %6zu %8.4f %6zu %8.4f %10.3g %9.3f\n", name, na, da.mean, nb, db.mean, t.p, t.effect);
            if (cl >= 0) {
                cats[cl] = avmit_label_name(cl);
                means[cl * 2] = na ? da.mean : 0, means[cl * 2 + 1] = nb ? db.mean : 0;
                ses[cl * 2] = na > 1 ? da.sd / sqrt((double)na) : 0, ses[cl * 2 + 1] = nb > 1 ? db.sd / sqrt((double)nb) : 0;
                snprintf(stars[cl], sizeof stars[cl], "%s",
                         !tested ? "" : t.p < 0.001 ? "***" : t.p < 0.01 ? "**" : t.p < 0.05 ? "*" : "n.s.");
                notes[cl] = stars[cl];
                n_tested += tested;
            }
        }
        if (avmit_csv_writer_commit(w, &err)) goto report;
    }
    printf("\nwritten: %s (per video), %s (per class); %d classes tested\n", out, summary, n_tested);
    if (plot) {
#ifdef AVMIT_HAVE_CAIRO
        size_t na = collect(rows, n, -1, "filtered", buf_a), nb = collect(rows, n, -1, "unfiltered", buf_b);
        const char *names[2] = {"AVMIT-filtered", "unfiltered MIT-16"};
        const double *vals[2];
        size_t ns[2], m2 = 0;
        if (na) names[m2] = "AVMIT-filtered", vals[m2] = buf_a, ns[m2++] = na;
        if (nb) names[m2] = "unfiltered MIT-16", vals[m2] = buf_b, ns[m2++] = nb;
        char title[256], t2[256];
        snprintf(title, sizeof title, "Audiovisual similarity (%s space, NOT MMV as in the paper)",
                 model ? "SAVC" : "projection");
        snprintf(t2, sizeof t2, "Mean similarity per class, +/- 1 s.e. (%s space, NOT MMV); MWU p",
                 model ? "SAVC" : "projection");
        static const char *const ext[2] = {"svg", "png"};
        for (int e = 0; e < 2; e++) {
            char p1[4200], p2[4200];
            snprintf(p1, sizeof p1, "%s/similarity_hist.%s", plot, ext[e]);
            snprintf(p2, sizeof p2, "%s/similarity_classes.%s", plot, ext[e]);
            if (avmit_mkdirs(plot, &err)) goto report;
            avmit_histogram h = {title, "cosine similarity of the mean audio and visual embeddings", -1, 1, 40,
                                 m2, names, ns, vals};
            static const char *const series[2] = {"AVMIT-filtered", "unfiltered MIT-16"};
            avmit_grouped_bars g = {t2, "mean similarity", AVMIT_N_CLASSES, cats, 2, series, means, ses, notes};
            if ((m2 && avmit_plot_histogram(&h, p1, &err)) || avmit_plot_grouped_bars(&g, p2, &err)) goto report;
        }
        printf("plots: %s/similarity_hist.{svg,png}, %s/similarity_classes.{svg,png}\n", plot, plot);
#else
        fprintf(stderr, "avmit similarity: --plot: this build has no cairo (plots disabled)\n");
        goto done;
#endif
    }
    rc = CLI_OK;
    goto done;
report:
    cli_report(&err);
done:
    for (size_t i = 0; i < n_joined; i++) free(uniq[i]);
    free(uniq);
    free(rows);
    free(paths);
    free(sims);
    free(ta);
    free(tv);
    free(buf_a);
    free(buf_b);
    avmit_joint_space_free(space);
    avmit_savc_free(m);
    avmit_array_free(&wa);
    avmit_array_free(&wv);
    for (size_t i = 0; i < n_splits; i++) avmit_split_free(&sp[i]);
    return rc;
}
