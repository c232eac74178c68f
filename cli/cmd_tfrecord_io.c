/*
 * cmd_tfrecord_io.c — `avmit tfrecord dump` (embedding file -> .npy) and
 * `avmit tfrecord write` (.npy -> embedding file), FORMATS.md §3 and §9.
 * Dispatched from cmd_tfrecord.c with argv[0] = "dump" / "write".
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"
#include "avmit/fileio.h"
#include "avmit/labels.h"
#include "avmit/npy.h"
#include "cli.h"

static const char k_dump_cmd[] = "tfrecord dump";
static const char k_write_cmd[] = "tfrecord write";

static void dump_usage(FILE *f) {
    fprintf(f,
            "usage: avmit tfrecord dump FILE [--audio A.npy] [--visual V.npy] [options]\n\n"
            "Prints the filename, label and shapes of an embedding file (one GZIP or\n"
            "uncompressed SequenceExample record) and writes its audio / visual_object rows\n"
            "as float32 [T, D] .npy arrays (atomically; byte-identical to numpy.save).\n\n"
            "options:\n"
            "  --audio PATH          write the audio rows here\n"
            "  --visual PATH         write the visual_object rows here\n"
            "  --allow-nonfinite     accept NaN/Inf values\n"
            "  -h, --help            this help\n");
}

static void write_usage(FILE *f) {
    fprintf(f,
            "usage: avmit tfrecord write --filename F --label L --audio A.npy --visual V.npy\n"
            "                            -o OUT.tfrecord [options]\n\n"
            "Writes one embedding file (GZIP, one SequenceExample, atomic) from two 2-D .npy\n"
            "arrays [T, D] of any numeric dtype (converted to float32); audio_timesteps and\n"
            "visual_timesteps are set from the arrays.\n\n"
            "options:\n"
            "  --filename F          context 'filename', e.g. barking/yt-abc_1.mp4\n"
            "  --label L             context 'label', one of the 16 AVMIT classes\n"
            "  --any-label           accept a label outside the 16 classes\n"
            "  --audio PATH          audio rows [T_a, D_a]\n"
            "  --visual PATH         visual_object rows [T_v, D_v]\n"
            "  -o, --output PATH     the file to write (parent directories are created)\n"
            "  --allow-nonfinite     accept NaN/Inf values\n"
            "  -h, --help            this help\n");
}

/* Encode rows[T, D] as .npy and open an atomic output holding it. */
static int stage_npy(avmit_atomic_file **out, const char *path, const float *rows, int64_t t,
                     int64_t d, avmit_error *err) {
    const int64_t shape[2] = {t, d};
    uint8_t *buf;
    size_t n;
    int rc = avmit_npy_encode(&buf, &n, AVMIT_DTYPE_F32, 2, shape, rows, err);
    if (rc) return rc;
    rc = cli_atomic_open(out, path, 0, err);
    if (!rc && fwrite(buf, 1, n, avmit_atomic_stream(*out)) != n) {
        cli_atomic_abort(*out);
        *out = NULL;
        rc = avmit_error_path(err, AVMIT_E_IO, path, "write failed");
    }
    free(buf);
    return rc;
}

int cmd_tfrecord_dump(int argc, char **argv) {
    static const struct option longopts[] = {
        {"audio", required_argument, NULL, 'a'},
        {"visual", required_argument, NULL, 'v'},
        {"allow-nonfinite", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *audio_path = NULL, *visual_path = NULL;
    avmit_embedding_opts eo = avmit_embedding_default_opts();
    /* dump converts whatever a well-formed record holds; `validate` judges labels and dims */
    eo.check_label = 0;
    eo.check_dims = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': audio_path = optarg; break;
        case 'v': visual_path = optarg; break;
        case 'N': eo.allow_nonfinite = 1; break;
        case 'h': dump_usage(stdout); return CLI_OK;
        default: dump_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        dump_usage(stderr);
        return cli_usage_error(k_dump_cmd, "expected exactly one embedding FILE");
    }
    const char *path = argv[optind];
    avmit_error err;
    avmit_error_clear(&err);
    avmit_embedding e;
    if (avmit_embedding_read_file(&e, path, &eo, &err)) return cli_report(&err);

    /* Stage both outputs, then commit both: no run leaves one of them behind. */
    avmit_atomic_file *fa = NULL, *fv = NULL;
    int rc = 0;
    if (audio_path)
        rc = stage_npy(&fa, audio_path, e.audio, e.n_audio_steps, e.audio_dim, &err);
    if (!rc && visual_path)
        rc = stage_npy(&fv, visual_path, e.visual, e.n_visual_steps, e.visual_dim, &err);
    if (!rc && fa) {
        rc = cli_atomic_commit(fa, &err);
        fa = NULL;
    }
    if (!rc && fv) {
        rc = cli_atomic_commit(fv, &err);
        fv = NULL;
    }
    cli_atomic_abort(fa);
    cli_atomic_abort(fv);
    if (!rc) {
        printf("filename: %s\nlabel: %s\n", e.filename, e.label);
        printf("audio: %lld x %lld float32\nvisual_object: %lld x %lld float32\n",
               (long long)e.n_audio_steps, (long long)e.audio_dim, (long long)e.n_visual_steps,
               (long long)e.visual_dim);
    }
    avmit_embedding_free(&e);
    return rc ? cli_report(&err) : CLI_OK;
}

/* Read a 2-D array as float32 and check it for the record. */
static int load_rows(avmit_array *a, const char *path, const char *what, int allow_nonfinite,
                     avmit_error *err) {
    int rc = avmit_npy_read_f32(a, path, err);
    if (rc) return rc;
    if (a->ndim != 2 || a->shape[0] < 1 || a->shape[1] < 1) {
        char shape[128] = "(";
        size_t k = 1;
        for (int i = 0; i < a->ndim && k < sizeof shape - 24; i++)
            k += (size_t)snprintf(shape + k, sizeof shape - k, i ? ", %lld" : "%lld",
                                  (long long)a->shape[i]);
        snprintf(shape + k, sizeof shape - k, ")");
        avmit_array_free(a);
        return avmit_error_set(err, AVMIT_E_FORMAT, path, -1, -1, -1, what,
                               "expected a 2-D array [T, D] with T, D >= 1, found shape %s",
                               shape);
    }
    const float *v = a->data;
    int64_t n = avmit_array_count(a);
    for (int64_t i = 0; !allow_nonfinite && i < n; i++)
        if (!isfinite(v[i])) {
            long long row = (long long)(i / a->shape[1]), col = (long long)(i % a->shape[1]);
            avmit_array_free(a);
            return avmit_error_set(err, AVMIT_E_NONFINITE, path, -1, -1, -1, what,
                                   "non-finite value at [%lld, %lld] (use --allow-nonfinite "
                                   "to keep it)",
                                   row, col);
        }
    return 0;
}

int cmd_tfrecord_write(int argc, char **argv) {
    static const struct option longopts[] = {
        {"filename", required_argument, NULL, 'f'},
        {"label", required_argument, NULL, 'l'},
        {"any-label", no_argument, NULL, 'L'},
        {"audio", required_argument, NULL, 'a'},
        {"visual", required_argument, NULL, 'v'},
        {"output", required_argument, NULL, 'o'},
        {"allow-nonfinite", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *filename = NULL, *label = NULL, *audio_path = NULL, *visual_path = NULL,
               *out = NULL;
    int any_label = 0, allow_nonfinite = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': filename = optarg; break;
        case 'l': label = optarg; break;
        case 'L': any_label = 1; break;
        case 'a': audio_path = optarg; break;
        case 'v': visual_path = optarg; break;
        case 'o': out = optarg; break;
        case 'N': allow_nonfinite = 1; break;
        case 'h': write_usage(stdout); return CLI_OK;
        default: write_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error(k_write_cmd, "unexpected argument '%s'", argv[optind]);
    const char *missing = !filename ? "--filename" : !label ? "--label" : !audio_path ? "--audio"
                          : !visual_path ? "--visual" : !out ? "-o/--output" : NULL;
    if (missing) {
        write_usage(stderr);
        return cli_usage_error(k_write_cmd, "%s is required", missing);
    }
    if (!any_label && avmit_label_id(label) < 0)
        return cli_usage_error(k_write_cmd,
                               "--label '%s' is not one of the 16 AVMIT classes (barking, "
                               "diving, ..., whistling; --any-label to allow it)",
                               label);

    avmit_error err;
    avmit_error_clear(&err);
    avmit_array a = {0}, v = {0};
    int rc = load_rows(&a, audio_path, "audio", allow_nonfinite, &err);
    if (!rc) rc = load_rows(&v, visual_path, "visual_object", allow_nonfinite, &err);
    if (!rc) {
        avmit_embedding e = {
            .filename = (char *)filename,
            .label = (char *)label,
            .n_audio_steps = a.shape[0],
            .n_visual_steps = v.shape[0],
            .audio_dim = a.shape[1],
            .visual_dim = v.shape[1],
            .audio = a.data,
            .visual = v.data,
        };
        rc = avmit_embedding_write_file(&e, out, &err);
        if (!rc)
            printf("wrote %s: audio %lld x %lld, visual_object %lld x %lld\n", out,
                   (long long)e.n_audio_steps, (long long)e.audio_dim,
                   (long long)e.n_visual_steps, (long long)e.visual_dim);
    }
    avmit_array_free(&a);
    avmit_array_free(&v);
    return rc ? cli_report(&err) : CLI_OK;
}
