/*
 * cmd_model_io.c — `avmit model inspect PATH`: every variable of a Keras HDF5
 * weights file (FORMATS.md §5) or a TF2 checkpoint (§6) with its dtype and
 * shape (and, for TF2, whether its CRC was verified — every tensor is read
 * and checked), as text or --json; --dump DIR writes each numeric variable as
 * DIR/<name>.npy. Dispatched from cmd_model.c with argv[0] = "inspect".
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/keras_h5.h"
#include "avmit/npy.h"
#include "avmit/tfckpt.h"
#include "cli.h"

static const char k_inspect_cmd[] = "model inspect";

/* One variable of either format, as inspect shows it. */
typedef struct var_view {
    const char *name;       /* H5: "<layer>/<weight_name>"; TF2: the key */
    const char *full_name;  /* TF2: Keras name from the object graph, or NULL */
    const char *dtype;      /* "float32", ... */
    int ndim;
    const int64_t *shape;
    int crc;                /* TF2: 1 verified; H5: -1 (no checksum in the format) */
    const void *data;       /* values (native order) or NULL when not dumpable */
    int npy_dtype;          /* avmit_dtype for --dump, -1 = not dumpable */
} var_view;

static void inspect_usage(FILE *f) {
    fprintf(f,
            "usage: avmit model inspect PATH [--json] [--dump DIR]\n\n"
            "Lists every variable of a Keras HDF5 weights file (random_seed.ckpt /\n"
            "random_seed.h5 / an exported .h5) or a TensorFlow 2 checkpoint (a prefix such as\n"
            "weights.64-0.28.ckpt, its .index or .data-00000-of-00001 file, its folder or its\n"
            "`checkpoint` file): name, dtype, shape. For a checkpoint every tensor's CRC32C\n"
            "is checked and the Keras variable name from the object graph is shown.\n\n"
            "options:\n"
            "  --json        machine-readable listing on stdout\n"
            "  --dump DIR    write each numeric variable as DIR/<name>.npy (float32 for the\n"
            "                HDF5 file; the checkpoint's own dtype; strings are skipped)\n"
            "  -h, --help    this help\n");
}

static void print_shape(FILE *f, int ndim, const int64_t *shape, int json) {
    fputc('[', f);
    for (int i = 0; i < ndim; i++) fprintf(f, i ? ", %lld" : "%lld", (long long)shape[i]);
    fputc(']', f);
    (void)json;
}

static int64_t count_of(const var_view *v) {
    int64_t n = 1;
    for (int i = 0; i < v->ndim; i++) n *= v->shape[i];
    return n;
}

static void print_text(const char *format, const char *path, const char *const *meta,
                       const var_view *v, size_t n) {
    printf("format: %s\nfile: %s\n", format, path);
    for (size_t i = 0; meta[i]; i += 2) printf("%s: %s\n", meta[i], meta[i + 1]);
    long long values = 0;
    size_t verified = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].npy_dtype >= 0) values += count_of(&v[i]);
        verified += v[i].crc == 1;
    }
    printf("variables: %zu (%lld values)\n", n, values);
    if (n && v[0].crc >= 0) printf("crc32c verified: %zu of %zu\n", verified, n);
    for (size_t i = 0; i < n; i++) {
        printf("  %s  %s ", v[i].name, v[i].dtype);
        print_shape(stdout, v[i].ndim, v[i].shape, 0);
        if (v[i].crc >= 0) printf("  crc=%s", v[i].crc ? "ok" : "unchecked");
        if (v[i].full_name) printf("  (%s)", v[i].full_name);
        putchar('\n');
    }
}

static void print_json(const char *format, const char *path, const char *const *meta,
                       const var_view *v, size_t n) {
    printf("{\"format\": ");
    cli_json_string(stdout, format);
    printf(", \"file\": ");
    cli_json_string(stdout, path);
    for (size_t i = 0; meta[i]; i += 2) {
        printf(", ");
        cli_json_string(stdout, meta[i]);
        printf(": ");
        cli_json_string(stdout, meta[i + 1]);
    }
    printf(", \"variables\": [");
    for (size_t i = 0; i < n; i++) {
        printf(i ? ",\n  {\"name\": " : "\n  {\"name\": ");
        cli_json_string(stdout, v[i].name);
        printf(", \"dtype\": ");
        cli_json_string(stdout, v[i].dtype);
        printf(", \"shape\": ");
        print_shape(stdout, v[i].ndim, v[i].shape, 1);
        if (v[i].crc >= 0) printf(", \"crc_verified\": %s", v[i].crc ? "true" : "false");
        if (v[i].full_name) {
            printf(", \"full_name\": ");
            cli_json_string(stdout, v[i].full_name);
        }
        putchar('}');
    }
    printf("\n]}\n");
}

/* A variable name as a relative path under the dump folder: no absolute
 * paths, no "." / ".." / empty components. */
static int safe_rel_name(const char *s) {
    if (!s[0] || s[0] == '/') return 0;
    for (const char *p = s; *p;) {
        const char *q = strchr(p, '/');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += len + (q != NULL);
        if (q && !*p) return 0;
    }
    return 1;
}

static int dump_all(const char *dir, const var_view *v, size_t n, avmit_error *err) {
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].npy_dtype < 0 || !v[i].data) {
            skipped++;
            continue;
        }
        if (!safe_rel_name(v[i].name))
            return avmit_error_set(err, AVMIT_E_ARG, dir, -1, -1, -1, v[i].name,
                                   "variable name cannot be used as a relative file path");
        size_t len = strlen(v[i].name);
        char *rel = malloc(len + 5);
        if (!rel) return avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
        memcpy(rel, v[i].name, len);
        memcpy(rel + len, ".npy", 5);
        char *path = avmit_path_join(dir, rel);
        free(rel);
        if (!path) return avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
        int rc = avmit_mkdirs_for_file(path, err);
        if (!rc)
            rc = avmit_npy_write(path, (avmit_dtype)v[i].npy_dtype, v[i].ndim, v[i].shape,
                                 v[i].data, err);
        free(path);
        if (rc) return rc;
    }
    if (skipped) fprintf(stderr, "avmit %s: %zu non-numeric variable(s) not dumped\n",
                         k_inspect_cmd, skipped);
    return 0;
}

static int tf_npy_dtype(int tf) {
    switch (tf) {
    case AVMIT_TF_FLOAT: return AVMIT_DTYPE_F32;
    case AVMIT_TF_DOUBLE: return AVMIT_DTYPE_F64;
    case AVMIT_TF_INT32: return AVMIT_DTYPE_I32;
    case AVMIT_TF_UINT8: return AVMIT_DTYPE_U8;
    case AVMIT_TF_INT16: return AVMIT_DTYPE_I16;
    case AVMIT_TF_INT8: return AVMIT_DTYPE_I8;
    case AVMIT_TF_INT64: return AVMIT_DTYPE_I64;
    case AVMIT_TF_BOOL: return AVMIT_DTYPE_BOOL;
    default: return -1;
    }
}

typedef struct inspect_opts {
    int json;
    const char *dump_dir;
} inspect_opts;

static int show(const char *format, const char *path, const char *const *meta, const var_view *v,
                size_t n, const inspect_opts *o, avmit_error *err) {
    if (o->dump_dir) {
        int rc = dump_all(o->dump_dir, v, n, err);
        if (rc) return rc;
    }
    if (o->json) print_json(format, path, meta, v, n);
    else print_text(format, path, meta, v, n);
    return 0;
}

static int inspect_tf2(const char *path, const inspect_opts *o, avmit_error *err) {
    avmit_tfckpt ck;
    int rc = avmit_tfckpt_open(&ck, path, err);
    if (rc) return rc;
    rc = avmit_tfckpt_load(&ck, err);
    var_view *v = rc ? NULL : calloc(ck.n_entries + 1, sizeof *v);
    if (!rc && !v) rc = avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory");
    /* numeric data stay little-endian in the shard; --dump needs native order,
     * which is the same on every host avmit is built for (checked at runtime). */
    const uint16_t probe = 1;
    int little = *(const uint8_t *)&probe == 1;
    for (size_t i = 0; !rc && i < ck.n_entries; i++) {
        const avmit_tfckpt_entry *e = &ck.entries[i];
        int nd = tf_npy_dtype(e->dtype);
        v[i] = (var_view){e->key, e->full_name, avmit_tf_dtype_name(e->dtype), e->ndim,
                          e->shape, e->crc_verified, little && nd >= 0 ? e->data : NULL,
                          little ? nd : -1};
    }
    if (!rc) {
        char producer[32];
        snprintf(producer, sizeof producer, "%d", ck.producer);
        const char *meta[] = {"prefix", ck.prefix, "data_file", ck.data_path,
                              "bundle_producer", producer, NULL};
        rc = show("tf2-checkpoint", ck.index_path, meta, v, ck.n_entries, o, err);
    }
    free(v);
    avmit_tfckpt_free(&ck);
    return rc;
}

static int inspect_h5(const char *path, const inspect_opts *o, avmit_error *err) {
    avmit_keras_h5 w;
    int rc = avmit_keras_h5_read(&w, path, err);
    if (rc) return rc;
    size_t n = avmit_keras_h5_n_weights(&w), k = 0;
    var_view *v = calloc(n + 1, sizeof *v);
    char **names = calloc(n + 1, sizeof *names);
    if (!v || !names) rc = avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory");
    size_t with_weights = 0;
    for (size_t i = 0; !rc && i < w.n_layers; i++) {
        const avmit_keras_layer *l = &w.layers[i];
        with_weights += l->n_weights > 0;
        for (size_t j = 0; !rc && j < l->n_weights; j++, k++) {
            const avmit_keras_weight *wt = &l->weights[j];
            names[k] = avmit_path_join(l->name, wt->name);
            if (!names[k]) rc = avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory");
            v[k] = (var_view){names[k], NULL, "float32", wt->ndim, wt->shape, -1, wt->data,
                              AVMIT_DTYPE_F32};
        }
    }
    if (!rc) {
        char layers[64];
        snprintf(layers, sizeof layers, "%zu (%zu with weights)", w.n_layers, with_weights);
        const char *meta[] = {"keras_version", w.keras_version, "backend", w.backend,
                              "string_form", w.strings == AVMIT_KERAS_STR_VLEN ? "vlen" : "fixed",
                              "layers", layers, NULL};
        rc = show("keras-h5", path, meta, v, n, o, err);
    }
    for (size_t i = 0; names && i < n; i++) free(names[i]);
    free(names);
    free(v);
    avmit_keras_h5_free(&w);
    return rc;
}

int cmd_model_inspect(int argc, char **argv) {
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"dump", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    inspect_opts o = {0, NULL};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': o.json = 1; break;
        case 'd': o.dump_dir = optarg; break;
        case 'h': inspect_usage(stdout); return CLI_OK;
        default: inspect_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        inspect_usage(stderr);
        return cli_usage_error(k_inspect_cmd, "expected exactly one PATH");
    }
    const char *path = argv[optind];
    avmit_error err;
    avmit_error_clear(&err);
    int rc = avmit_tfckpt_probe(path) ? inspect_tf2(path, &o, &err) : inspect_h5(path, &o, &err);
    return rc ? cli_report(&err) : CLI_OK;
}

int cmd_model_import(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}

int cmd_model_export(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}
