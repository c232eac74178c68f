/*
 * weights_tool.c — test helper over avmit/weights.h (issue 13), so the Python
 * tests can check the C readers and writers against their own:
 *
 *   weights_tool info FILE            format, tensors, parameters, then one line per
 *                                     tensor: index<TAB>layer<TAB>name<TAB>dtype<TAB>d0,d1,...
 *   weights_tool dump FILE DIR        DIR/tensors.tsv (the info lines) + DIR/<i>.f32 raw floats
 *   weights_tool convert IN FMT OUT   read IN, write it as FMT (v1 | tf2 | h5) at OUT
 *   weights_tool rss FILE             read FILE, print "peak_rss_kib N params P" (getrusage)
 *   weights_tool take FILE            read, take every tensor (avmit_wset_take), free: the
 *                                     ownership path a consumer uses
 *
 * Exit 0 ok, 1 error (message on stderr), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "avmit/weights.h"

static void line(FILE *f, const avmit_wset *s, size_t i) {
    const avmit_wtensor *t = &s->t[i];
    fprintf(f, "%d\t%s\t%s\t%s\t", t->index, t->layer, t->name, t->dtype);
    for (int d = 0; d < t->ndim; d++) fprintf(f, "%s%lld", d ? "," : "", (long long)t->shape[d]);
    fputc('\n', f);
}

static int fail(const avmit_error *e) {
    fprintf(stderr, "%s\n", e->msg);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: weights_tool info|dump|convert|rss|take FILE ...\n");
        return 2;
    }
    avmit_error err;
    avmit_error_clear(&err);
    avmit_wset s;
    if (avmit_wset_read(&s, argv[2], &err)) return fail(&err);
    int rc = 0;
    if (!strcmp(argv[1], "info")) {
        printf("format %s tensors %zu params %lld\n", avmit_wformat_name(s.format), s.n,
               (long long)avmit_wset_param_count(&s));
        for (size_t i = 0; i < s.n; i++) line(stdout, &s, i);
        for (size_t i = 0; i < s.n_layer_names; i++) printf("layer\t%s\n", s.layer_names[i]);
        if (s.keras_version) printf("keras_version\t%s\nbackend\t%s\n", s.keras_version, s.backend);
    } else if (!strcmp(argv[1], "dump") && argc == 4) {
        char p[4096];
        snprintf(p, sizeof p, "%s/tensors.tsv", argv[3]);
        FILE *f = fopen(p, "w");
        for (size_t i = 0; f && i < s.n; i++) {
            line(f, &s, i);
            snprintf(p, sizeof p, "%s/%zu.f32", argv[3], i);
            FILE *g = fopen(p, "wb");
            size_t n = (size_t)avmit_wtensor_count(&s.t[i]);
            if (!g || fwrite(s.t[i].data, sizeof(float), n, g) != n) rc = 1;
            if (g && fclose(g)) rc = 1;
        }
        if (!f || fclose(f)) rc = 1;
        if (rc) fprintf(stderr, "cannot write into %s\n", argv[3]);
    } else if (!strcmp(argv[1], "convert") && argc == 5) {
        avmit_wformat fmt = !strcmp(argv[3], "v1")    ? AVMIT_WF_TF_V1
                            : !strcmp(argv[3], "tf2") ? AVMIT_WF_TF_V2
                            : !strcmp(argv[3], "h5")  ? AVMIT_WF_KERAS_H5
                                                      : AVMIT_WF_UNKNOWN;
        if (avmit_wset_write(&s, fmt, argv[4], &err)) rc = fail(&err);
    } else if (!strcmp(argv[1], "rss")) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("peak_rss_kib %ld params %lld\n", ru.ru_maxrss, (long long)avmit_wset_param_count(&s));
    } else if (!strcmp(argv[1], "take")) {
        for (size_t i = 0; i < s.n; i++) free(avmit_wset_take(&s, i));
        rc = avmit_wset_take(&s, s.n) != NULL || (s.n && s.t[0].data != NULL);
    } else {
        fprintf(stderr, "usage: weights_tool info|dump|convert|rss|take FILE ...\n");
        rc = 2;
    }
    avmit_wset_free(&s);
    return rc;
}
