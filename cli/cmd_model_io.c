/*
 * cmd_model_io.c — `avmit model inspect PATH`: every variable of a Keras HDF5
 * weights file (FORMATS.md §5) or a TF2 checkpoint (§6) with its dtype and
 * shape (and, for TF2, whether its CRC was verified — every tensor is read
 * and checked), as text or --json; --dump DIR writes each numeric variable as
 * DIR/<name>.npy; `avmit model import` (a released weights file or checkpoint
 * into a model directory) and `avmit model export` (keras-h5 or npz).
 * Dispatched from cmd_model.c with argv[0] = the subcommand.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/config.h"
#include "avmit/keras_h5.h"
#include "avmit/model_io.h"
#include "avmit/modeldir.h"
#include "avmit/npy.h"
#include "avmit/safetensors.h"
#include "avmit/savc_train.h"
#include "avmit/tfckpt.h"
#include "avmit/train.h"
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

/* ---- import / export ------------------------------------------------------ */

static void import_usage(FILE *f) {
    fprintf(f,
            "usage: avmit model import --config train.yaml --weights PATH --out MODELDIR [--json]\n\n"
            "Builds the model of train.yaml (the paper's own files work: an action-recognition\n"
            "config gives the experiment-1 model, a SAVC config -- one with congruent_*_csv /\n"
            "tfrecords_loc1 keys -- the SAVC model) and fills it from PATH: a Keras HDF5\n"
            "weights file (random_seed.ckpt / random_seed.h5) or a TensorFlow 2 checkpoint\n"
            "(prefix such as weights.64-0.28.ckpt, its .index, its folder or its `checkpoint`\n"
            "file; every tensor CRC is checked). Layers are paired in Keras load order and\n"
            "every variable's shape is checked: a missing, extra or misshapen variable is an\n"
            "error naming it. MODELDIR receives model.safetensors (and, experiment 1,\n"
            "config.json): experiment-1 models are ready for `avmit eval`, `avmit predict`,\n"
            "`avmit model export` and `avmit train --init MODELDIR`; SAVC models for\n"
            "`avmit savc eval|score`, `avmit model export` and `avmit savc train --init`.\n\n"
            "options:\n"
            "  --json        print the result as JSON\n"
            "  -h, --help    this help\n");
}

static const char *format_name(avmit_weights_format fmt) {
    return fmt == AVMIT_WEIGHTS_TF2 ? "tf2-checkpoint" : "keras-h5";
}

static void print_imported(int json, avmit_weights_format fmt, const char *weights, const char *out,
                           const char *model, const char *rnn, size_t trainable, size_t stats) {
    if (json) {
        printf("{\"format\": \"%s\", \"model\": \"%s\", \"weights\": ", format_name(fmt), model);
        cli_json_string(stdout, weights);
        printf(", \"out\": ");
        cli_json_string(stdout, out);
        printf(", \"rnn\": \"%s\", \"trainable_params\": %zu, \"non_trainable_params\": %zu}\n", rnn,
               trainable, stats);
    } else {
        char a[32], b[32], extra[80] = "";
        if (stats) snprintf(extra, sizeof extra, " + %s BN moving statistics", cli_thousands(stats, b, sizeof b));
        printf("imported %s %s: %s %s model, %s trainable parameters%s -> %s\n", format_name(fmt), weights,
               model, rnn, cli_thousands(trainable, a, sizeof a), extra, out);
    }
}

int cmd_model_import(int argc, char **argv) {
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"weights", required_argument, NULL, 'w'},
        {"out", required_argument, NULL, 'o'},    {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *weights = NULL, *out = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'w': weights = optarg; break;
        case 'o': out = optarg; break;
        case 'j': json = 1; break;
        case 'h': import_usage(stdout); return CLI_OK;
        default: import_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind != argc || !config || !weights || !out) {
        import_usage(stderr);
        return cli_usage_error("model import", "--config, --weights and --out are required");
    }
    avmit_error err;
    avmit_error_clear(&err);
    avmit_modeldir_info info;
    if (avmit_modeldir_import(config, weights, out, &info, &err)) return cli_report(&err);
    print_imported(json, info.format, weights, out,
                   info.kind == AVMIT_MODELDIR_SAVC ? "savc" : "experiment-1", info.rnn,
                   info.n_weights, info.n_stats);
    return CLI_OK;
}

static void export_usage(FILE *f) {
    fprintf(f,
            "usage: avmit model export --model MODELDIR --format keras-h5|npz -o FILE\n\n"
            "Writes a model directory's weights and BN moving statistics as\n"
            "  keras-h5  a Keras `save_weights` HDF5 file with the layer and weight names, order\n"
            "            and layout of the paper's random_seed files: an experiment-1 model as\n"
            "            the action_recognition random_seed.ckpt (Keras 2.4.0, fixed-length\n"
            "            strings), a SAVC model as the savc random_seed.h5 (Keras 2.13.1,\n"
            "            variable-length strings, top_level_model_weights group);\n"
            "            model.load_weights(FILE) loads it into the matching Keras model\n"
            "  npz       a NumPy archive, one array per Keras weight name (\"gru/gru_cell/bias:0\")\n\n"
            "options:\n"
            "  -o, --out FILE  output file (written atomically)\n"
            "  -h, --help      this help\n");
}

int cmd_model_export(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model = NULL, *format = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'f': format = optarg; break;
        case 'o': out = optarg; break;
        case 'h': export_usage(stdout); return CLI_OK;
        default: export_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind != argc || !model || !format || !out) {
        export_usage(stderr);
        return cli_usage_error("model export", "--model, --format and -o are required");
    }
    int h5 = !strcmp(format, "keras-h5");
    if (!h5 && strcmp(format, "npz"))
        return cli_usage_error("model export", "--format must be keras-h5 or npz, not '%s'", format);
    avmit_error err;
    avmit_error_clear(&err);
    int savc = avmit_modeldir_kind_of(model) == AVMIT_MODELDIR_SAVC;
    avmit_model *m = NULL;
    avmit_savc_model *sm = NULL;
    int rc;
    if (savc) {
        char *st = avmit_path_join(model, "model.safetensors");
        rc = st ? avmit_savc_model_load(&sm, st, &err) : avmit_error_path(&err, AVMIT_E_NOMEM, model, "out of memory");
        free(st);
        if (!rc) rc = h5 ? avmit_savc_export_keras_h5(sm, out, &err) : avmit_savc_export_npz(sm, out, &err);
    } else {
        rc = avmit_modeldir_open(&m, model, &err);
        if (!rc) rc = h5 ? avmit_model_export_keras_h5(m, out, &err) : avmit_model_export_npz(m, out, &err);
    }
    if (!rc) {
        char a[32], b[32], extra[80] = "";
        if (!savc) snprintf(extra, sizeof extra, " + %s BN moving statistics", cli_thousands(m->n_stats, b, sizeof b));
        printf("exported %s (%s model, %s trainable parameters%s) as %s -> %s\n", model,
               savc ? "SAVC" : "experiment-1", cli_thousands(savc ? sm->n_weights : m->n_weights, a, sizeof a),
               extra, format, out);
    }
    avmit_model_free(m);
    avmit_savc_free(sm);
    return rc ? cli_report(&err) : CLI_OK;
}
