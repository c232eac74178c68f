/*
 * cmd_cnn.c — `avmit cnn info|embed|init` (and the embedding step of `avmit
 * features audio|visual --embed`): the four embedding CNNs of FEATURES.md on
 * oneDNN (include/avmit/cnn.h) and their weight files (include/avmit/weights.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/npy.h"
#include "cli.h"
#ifdef AVMIT_HAVE_DNNL
#include "avmit/cnn.h"
#include "avmit/weights.h"

#define CMD "cnn embed"

static void embed_usage(FILE *f) {
    fprintf(f,
            "usage: avmit cnn embed --model vggish|yamnet|vgg16|efficientnetb0 --weights PATH\n"
            "                       --input X.npy -o Y.npy [options]\n\n"
            "Runs one of the paper's embedding networks on what `avmit features audio|visual`\n"
            "wrote for it: log-mel patches float32 [n,96,64] (vggish, yamnet) or frames\n"
            "float32 [n,224,224,3] (--preprocess vgg16 | efficientnetb0). Writes float32\n"
            "[n,D], D = 128, 1024, 512, 1280.\n\n"
            "  --weights PATH       the published file: vggish_model.ckpt (TF1 V1 checkpoint or\n"
            "                       TF2 bundle prefix), yamnet.h5,\n"
            "                       vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5,\n"
            "                       efficientnetb0_notop.h5 (or `avmit cnn init` output)\n"
            "  --weights-dir DIR    DIR holding the file under its published name\n"
            "  --batch B            examples per oneDNN call (default 32); results agree\n"
            "                       across B to 1e-6 relative\n"
            "  --precision fp32|bf16  bf16 needs AVX512_BF16 or AMX (else says so, runs fp32)\n"
            "  --threads N          threads (default: all cores); fp32 bits do not depend on it\n"
            "  --efficientnet-variant tf2.3|tf2.10  the variant the frames were preprocessed with\n"
            "  --no-fold-bn         run batch norms as their own ops (for checking)\n");
}

/* Weights path from --weights or --weights-dir + the published name (malloc'd). */
static char *weights_path(const char *weights, const char *dir, avmit_cnn_kind kind) {
    if (weights) return strdup(weights);
    const char *f = avmit_cnn_weights_filename(kind);
    size_t n = strlen(dir) + strlen(f) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, f);
    return p;
}

int cli_cnn_embed(const char *model, const char *weights, const float *x, size_t n, int threads,
                  int batch, int bf16, int variant, int fold, const char *out, int quiet,
                  avmit_error *err) {
    avmit_cnn_kind kind;
    int rc = avmit_cnn_from_name(model, &kind, err);
    if (rc) return rc;
    avmit_cnn_opts o = avmit_cnn_default_opts();
    o.threads = threads;
    if (batch > 0) o.max_batch = batch;
    o.precision = bf16 ? AVMIT_PRECISION_BF16 : AVMIT_PRECISION_FP32;
    o.effnet_variant = (avmit_effnet_variant)variant;
    o.fold_bn = fold;
    int d = avmit_cnn_output_dim(kind);
    float *y = malloc((n ? n : 1) * (size_t)d * sizeof *y);
    if (!y) return avmit_error_set(err, AVMIT_E_NOMEM, out, -1, -1, -1, "", "out of memory");
    avmit_cnn *net = NULL;
    rc = avmit_cnn_load(&net, kind, weights, &o, err);
    if (!rc) {
        const char *why = NULL;
        avmit_cnn_precision(net, &why);
        if (why && !quiet) fprintf(stderr, "avmit: %s\n", why);
        rc = avmit_cnn_embed(net, x, n, y, err);
    }
    int64_t shape[2] = {(int64_t)n, d};
    if (!rc) rc = avmit_npy_write(out, AVMIT_DTYPE_F32, 2, shape, y, err);
    avmit_cnn_free(net);
    free(y);
    return rc;
}

static int cnn_embed(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},   {"weights", required_argument, NULL, 'w'},
        {"weights-dir", required_argument, NULL, 'W'}, {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},  {"batch", required_argument, NULL, 'b'},
        {"precision", required_argument, NULL, 'p'}, {"threads", required_argument, NULL, 't'},
        {"efficientnet-variant", required_argument, NULL, 'e'},
        {"no-fold-bn", no_argument, NULL, 'F'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model = NULL, *weights = NULL, *dir = NULL, *in = NULL, *out = NULL;
    long long batch = 32, threads = 0;
    int bf16 = 0, fold = 1;
    avmit_effnet_variant variant = AVMIT_EFFNET_TF23;
    avmit_error err;
    avmit_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'w': weights = optarg; break;
        case 'W': dir = optarg; break;
        case 'i': in = optarg; break;
        case 'o': out = optarg; break;
        case 'b': if (cli_parse_int(CMD, "--batch", optarg, 1, 4096, &batch)) return CLI_USAGE; break;
        case 't': if (cli_parse_int(CMD, "--threads", optarg, 0, 4096, &threads)) return CLI_USAGE; break;
        case 'p':
            if (!strcmp(optarg, "fp32")) bf16 = 0;
            else if (!strcmp(optarg, "bf16")) bf16 = 1;
            else return cli_usage_error(CMD, "--precision: expected fp32 or bf16, got '%s'", optarg);
            break;
        case 'e':
            if (avmit_effnet_variant_parse(optarg, &variant, &err))
                return cli_usage_error(CMD, "--efficientnet-variant: %s", err.msg);
            break;
        case 'F': fold = 0; break;
        case 'h': embed_usage(stdout); return CLI_OK;
        default: embed_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (!model) return cli_usage_error(CMD, "--model is required (vggish, yamnet, vgg16, efficientnetb0)");
    avmit_cnn_kind kind;
    if (avmit_cnn_from_name(model, &kind, &err)) return cli_usage_error(CMD, "--model: %s", err.msg);
    if (!weights == !dir) return cli_usage_error(CMD, "give exactly one of --weights PATH, --weights-dir DIR");
    if (!in || !out) return cli_usage_error(CMD, "--input X.npy and -o Y.npy are required");
    avmit_array x;
    if (avmit_npy_read_f32(&x, in, &err)) return cli_report(&err);
    int s[3];
    avmit_cnn_input_shape(kind, s);
    int audio = s[2] == 1;
    int ok = x.ndim == (audio ? 3 : 4) && x.shape[1] == s[0] && x.shape[2] == s[1] &&
             (audio || x.shape[3] == s[2]);
    if (!ok) {
        avmit_array_free(&x);
        avmit_error_set(&err, AVMIT_E_FORMAT, in, -1, -1, -1, "shape",
                        "%s expects %s [n,%d,%d%s] (what `avmit features %s` writes for it)", model,
                        "float32", s[0], s[1], audio ? "" : ",3", audio ? "audio" : "visual");
        return cli_report(&err);
    }
    char *wp = weights_path(weights, dir, kind);
    int rc = !wp ? avmit_error_set(&err, AVMIT_E_NOMEM, NULL, -1, -1, -1, "", "out of memory")
                 : cli_cnn_embed(model, wp, x.data, (size_t)x.shape[0], cli_threads(threads), (int)batch,
                                 bf16, (int)variant, fold, out, 0, &err);
    free(wp);
    avmit_array_free(&x);
    return rc ? cli_report(&err) : CLI_OK;
}

/* `avmit cnn info WEIGHTS [--tensors]`: format, tensor count, parameters, which network. */
static int cnn_info(int argc, char **argv) {
    int list = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tensors")) list = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: avmit cnn info WEIGHTS [--tensors]\n\n"
                   "Reads a weight file (TF1 V1 checkpoint, TF2 bundle, Keras HDF5) and prints its\n"
                   "format, tensors, shapes, total parameters and which of the four networks it\n"
                   "fits (exit 0), or for each network why not (exit 1 when none fits).\n");
            return CLI_OK;
        } else if (argv[i][0] == '-') return cli_usage_error("cnn info", "unknown option '%s'", argv[i]);
        else if (path) return cli_usage_error("cnn info", "unexpected argument '%s'", argv[i]);
        else path = argv[i];
    }
    if (!path) return cli_usage_error("cnn info", "a WEIGHTS file is required");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_wset w;
    if (avmit_wset_read(&w, path, &err)) return cli_report(&err);
    printf("file: %s\nformat: %s\ntensors: %zu\nparameters: %lld\n", path, avmit_wformat_name(w.format),
           w.n, (long long)avmit_wset_param_count(&w));
    if (list)
        for (size_t i = 0; i < w.n; i++) {
            const avmit_wtensor *t = &w.t[i];
            printf("  %-60s %-8s [", t->name, t->dtype);
            for (int d = 0; d < t->ndim; d++) printf("%s%lld", d ? "," : "", (long long)t->shape[d]);
            printf("]\n");
        }
    int fits = 0;
    for (int k = 0; k < AVMIT_CNN_COUNT; k++) {
        avmit_error e;
        avmit_error_clear(&e);
        if (!avmit_cnn_check_wset((avmit_cnn_kind)k, &w, &e)) {
            printf("fits: %s (%d-D embedding)\n", avmit_cnn_name((avmit_cnn_kind)k),
                   avmit_cnn_output_dim((avmit_cnn_kind)k));
            fits = 1;
        } else {
            printf("not %s: %s\n", avmit_cnn_name((avmit_cnn_kind)k), e.msg);
        }
    }
    avmit_wset_free(&w);
    if (!fits) fprintf(stderr, "avmit: %s: fits none of vggish, yamnet, vgg16, efficientnetb0\n", path);
    return fits ? CLI_OK : CLI_FAIL;
}

/* `avmit cnn init --model M --seed S -o FILE [--format v1|tf2]`. */
static int cnn_init(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"seed", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *model = NULL, *out = NULL, *fmt = NULL;
    long long seed = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 's': if (cli_parse_int("cnn init", "--seed", optarg, 0, (1LL << 62), &seed)) return CLI_USAGE; break;
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'h':
            printf("usage: avmit cnn init --model vggish|yamnet|vgg16|efficientnetb0 --seed S -o FILE\n"
                   "                      [--format v1|tf2]\n\n"
                   "Writes seeded random weights in the published layout of the network\n"
                   "(docs/cnn-weights.md): VGGish a TF1 V1 checkpoint (--format tf2: a TF2 bundle,\n"
                   "FILE is its prefix), the others Keras HDF5. For demos and tests; the same\n"
                   "seed gives the same file.\n");
            return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error("cnn init", "unexpected argument '%s'", argv[optind]);
    if (!model || !out) return cli_usage_error("cnn init", "--model and -o FILE are required");
    avmit_error err;
    avmit_error_clear(&err);
    avmit_cnn_kind kind;
    if (avmit_cnn_from_name(model, &kind, &err)) return cli_usage_error("cnn init", "--model: %s", err.msg);
    avmit_wset w;
    if (avmit_cnn_init_weights(kind, (uint64_t)seed, &w, &err)) return cli_report(&err);
    avmit_wformat f = w.format;
    if (fmt && kind == AVMIT_CNN_VGGISH && !strcmp(fmt, "tf2")) f = AVMIT_WF_TF_V2;
    else if (fmt && !(kind == AVMIT_CNN_VGGISH && !strcmp(fmt, "v1"))) {
        avmit_wset_free(&w);
        return cli_usage_error("cnn init", "--format %s: only vggish has a choice (v1, tf2)", fmt);
    }
    int rc = avmit_wset_write(&w, f, out, &err);
    if (!rc) printf("%s: %s, %zu tensors, %lld parameters (%s, seed %lld)\n", out, avmit_wformat_name(f), w.n,
                    (long long)avmit_wset_param_count(&w), model, seed);
    avmit_wset_free(&w);
    return rc ? cli_report(&err) : CLI_OK;
}

int cmd_cnn(int argc, char **argv) {
    static const cli_subcommand subs[] = {
        {"info", cnn_info}, {"embed", cnn_embed}, {"init", cnn_init}};
    static const char usage[] =
        "usage: avmit cnn info WEIGHTS [--tensors]\n"
        "       avmit cnn embed --model M --weights PATH --input X.npy -o Y.npy [...]\n"
        "       avmit cnn init --model M --seed S -o FILE [--format v1|tf2]\n"
        "run `avmit cnn <subcommand> --help` for details\n";
    return cli_dispatch("cnn", usage, subs, sizeof subs / sizeof *subs, argc, argv);
}
#else /* built without oneDNN (AVMIT_WITH_DNNL=OFF): src/cnn is left out */
int cli_cnn_embed(const char *model, const char *weights, const float *x, size_t n, int threads,
                  int batch, int bf16, int variant, int fold, const char *out, int quiet,
                  avmit_error *err) {
    (void)model, (void)weights, (void)x, (void)n, (void)threads, (void)batch, (void)bf16;
    (void)variant, (void)fold, (void)out, (void)quiet;
    return avmit_error_set(err, AVMIT_E_UNSUPPORTED, NULL, -1, -1, -1, "",
                           "this avmit was built without oneDNN (AVMIT_WITH_DNNL=OFF)");
}

int cmd_cnn(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "this avmit was built without oneDNN (AVMIT_WITH_DNNL=OFF)");
}
#endif
