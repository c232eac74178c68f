/*
 * cmd_extract.c — `avmit extract`: videos to one GZIP TFRecord of embeddings
 * each, in the published layout (avmit/extract.h; docs/extract.md).
 *
 * Under an MPI launcher (`mpirun -n R avmit extract ...`, srun) every rank
 * builds the same job list and runs jobs i with i mod R == rank; rank 0
 * gathers the ranks' reports (as JSON), merges and prints them. The union of
 * the outputs equals a one-process run: records depend only on their video.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#if defined(AVMIT_HAVE_FFMPEG) && defined(AVMIT_HAVE_FFTW) && defined(AVMIT_HAVE_DNNL)
#include "avmit/extract.h"
#include "avmit/media_video.h"
#include "cmd_search_mpi.h" /* search_mpi_launched / init / finalize: generic MPI start-up */

#define CMD "extract"

static void extract_usage(FILE *f) {
    fprintf(f,
        "usage: avmit extract --videos DIR|LIST.csv --embeddings SET --weights-dir DIR\n"
        "                     --out DIR [options]\n"
        "       mpirun -n R avmit extract ...   (the list sharded over R processes)\n\n"
        "Runs the AVMIT feature extraction end to end: decodes each video, computes the\n"
        "audio (log-mel -> VGGish | YAMNet) and visual (frames -> VGG16 | EfficientNetB0)\n"
        "embeddings and writes one GZIP TFRecord per video in the published layout, at\n"
        "<out>/<label>/<stem>.tfrecord (or the CSV's tfrecord_filename), atomically.\n"
        "A rerun skips outputs that validate and redoes the rest. Videos that cannot be\n"
        "read are listed with the reason and never stop the run.\n\n"
        "options:\n"
        "  --videos DIR|CSV      a directory tree (<label>/<video>) or one of the paper's\n"
        "                        CSVs (filename, video_location, tfrecord_filename)\n"
        "  --videos-root DIR     where CSV paths start (default: the CSV's directory);\n"
        "                        video = DIR/[video_location/]filename\n"
        "  --embeddings SET      yamnet-effnet (YAMNet 1024 + EfficientNetB0 1280) or\n"
        "                        vggish-vgg16 (VGGish 128 + VGG16 512)\n"
        "  --weights-dir DIR     the networks' published weight files (vggish_model.ckpt,\n"
        "                        yamnet.h5, vgg16_..._notop.h5, efficientnetb0_notop.h5)\n"
        "  --audio-weights F, --visual-weights F   explicit weight files instead\n"
        "  --out DIR             output root\n"
        "  --interval-ms MS      frame interval (default: VGG16 960, EfficientNetB0 480)\n"
        "  --precision P         fp32 (default) or bf16 (AMX / AVX512_BF16 CPUs; else fp32)\n"
        "  --jobs J              front-end workers decoding videos (default: half the cores)\n"
        "  --threads N           CNN workers, one thread each, one video at a time (default: all cores)\n"
        "  --batch B             at most B of a video's frames/patches per CNN call (default 32)\n"
        "  --no-resume           recompute outputs that already exist\n"
        "  --shard K/N           run only jobs i with i mod N == K (0 <= K < N), e.g. a\n"
        "                        Slurm array task; under mpirun the rank sets this\n"
        "  --json                print the final report as JSON on stdout\n"
        "  --report FILE         also write the JSON report to FILE (atomically)\n"
        "  --progress-every S    seconds between progress lines when stderr is not a\n"
        "                        terminal (default 10; a bar on a terminal)\n"
        "  -q, --quiet           no progress output\n"
        "  -v, --verbose         stage utilisation in progress lines and the report\n"
        "  -h, --help            this help\n\n"
        "Exit status: 0 every video done, 1 some failed (or the run stopped), 2 bad usage.\n");
}

/* ---- progress --------------------------------------------------------------------- */

typedef struct {
    int tty, verbose, quiet, rank, size;
    double every;
    double last_line;
    size_t last_done; /* done count of the last plain line (+1), to print each state once */
    int drew;
} progress_ctx;

static void fmt_duration(double s, char *buf, size_t cap) {
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, cap, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60) snprintf(buf, cap, "%ldm%02lds", t / 60, t % 60);
    else snprintf(buf, cap, "%lds", t);
}

static void print_utilisation(FILE *f, const avmit_extract_report *r, double wall) {
    for (int s = 0; s < AVMIT_STAGE_COUNT; s++) {
        double cap = wall * (r->workers[s] > 0 ? r->workers[s] : 1);
        fprintf(f, "%s%s %.0f%%", s ? ", " : "  utilisation: ",
                avmit_extract_stage_name((avmit_extract_stage)s),
                cap > 0 ? 100.0 * r->busy_s[s] / cap : 0.0);
    }
    fputc('\n', f);
}

static void on_progress(void *vctx, const avmit_extract_progress *p) {
    progress_ctx *c = vctx;
    if (c->quiet || c->rank != 0) return;
    double rate = p->elapsed_s > 0 ? (double)p->done / p->elapsed_s : 0;
    char eta[32] = "?";
    if (rate > 0) fmt_duration((double)(p->total - p->done) / rate, eta, sizeof eta);
    const char *shard = c->size > 1 ? " (rank 0's shard)" : "";
    if (c->tty) {
        int width = 28, fill = p->total ? (int)((double)p->done / (double)p->total * width) : width;
        fprintf(stderr, "\rextract [");
        for (int i = 0; i < width; i++) fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %zu/%zu%s %.2f videos/s ETA %s, %zu failed ", p->done, p->total,
                shard, rate, eta, p->failed);
        fflush(stderr);
        c->drew = 1;
        return;
    }
    if (c->last_done == p->done + 1) return;
    if (p->elapsed_s - c->last_line < c->every && p->done < p->total) return;
    c->last_line = p->elapsed_s;
    c->last_done = p->done + 1;
    fprintf(stderr, "avmit extract: %zu/%zu videos%s (%zu written, %zu skipped, %zu failed), "
            "%.2f videos/s, ETA %s\n", p->done, p->total, shard, p->written, p->skipped,
            p->failed, rate, eta);
    if (c->verbose) print_utilisation(stderr, p->report, p->elapsed_s);
}

/* ---- the report ------------------------------------------------------------------------ */

static void print_notes(FILE *f, const avmit_extract_note_list *l, int reasons) {
    for (size_t i = 0; i < l->n; i++) {
        if (reasons) {
            /* the detail usually starts with the path already */
            const char *d = l->v[i].detail;
            size_t n = strlen(l->v[i].video);
            if (!strncmp(d, l->v[i].video, n) && d[n] == ':') d += n + 1 + (d[n + 1] == ' ');
            fprintf(f, "  %s: %s: %s\n", l->v[i].video,
                    avmit_extract_reason_name(l->v[i].reason), d);
        }
        else
            fprintf(f, "  %s\n", l->v[i].video);
    }
}

static void print_report(FILE *f, const avmit_extract_report *r, int verbose) {
    char b1[32], b2[32];
    fprintf(f, "avmit extract: %s (%s), %s videos: %zu written, %zu skipped (valid output "
            "already there), %zu failed\n", r->set, r->precision[0] ? r->precision : "-",
            cli_thousands(r->n_jobs, b1, sizeof b1), r->n_written, r->n_skipped, r->n_failed);
    if (r->n_failed) {
        fprintf(f, "failed by reason:");
        for (int i = 1; i < AVMIT_EXTRACT_REASON_COUNT; i++)
            if (r->n_by_reason[i])
                fprintf(f, " %s %zu", avmit_extract_reason_name((avmit_extract_reason)i),
                        r->n_by_reason[i]);
        fputc('\n', f);
        print_notes(f, &r->failed, 1);
    }
    if (r->no_audio.n) {
        fprintf(f, "no audio stream (3 s of zeros used, as the reference does): %zu\n",
                r->no_audio.n);
        print_notes(f, &r->no_audio, 0);
    }
    if (r->silent.n) {
        fprintf(f, "digital silence (every audio sample is 0): %zu\n", r->silent.n);
        print_notes(f, &r->silent, 0);
    }
    if (r->wall_s >= 60) fmt_duration(r->wall_s, b2, sizeof b2);
    else snprintf(b2, sizeof b2, "%.1f s", r->wall_s);
    fprintf(f, "time %s%s, %s videos/hour; %lld audio and %lld visual embeddings\n", b2,
            r->n_shards > 1 ? " on the slowest rank" : "",
            cli_thousands((size_t)avmit_extract_report_rate(r), b1, sizeof b1), r->audio_rows,
            r->visual_rows);
    fprintf(f, "stage busy time:");
    for (int s = 0; s < AVMIT_STAGE_COUNT; s++)
        fprintf(f, "%s %s %.1f s", s ? "," : "", avmit_extract_stage_name((avmit_extract_stage)s),
                r->busy_s[s]);
    fputc('\n', f);
    if (verbose) print_utilisation(f, r, r->wall_s);
}

/* ---- MPI: rank 0 collects the ranks' reports ---------------------------------------- */

#ifdef AVMIT_HAVE_MPI
#include <mpi.h>

/* Every rank passes its outcome text (outcome_text); rank 0 gets them all,
 * rank order, each NUL-terminated, in the returned buffer (total bytes in
 * *lens_out_total); other ranks get NULL. */
static char *gather_reports(const char *mine, int *lens_out_total) {
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int len = (int)strlen(mine) + 1;
    int *lens = rank == 0 ? calloc((size_t)size, sizeof *lens) : NULL;
    int *displs = rank == 0 ? calloc((size_t)size, sizeof *displs) : NULL;
    MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD);
    char *all = NULL;
    int total = 0;
    if (rank == 0) {
        for (int i = 0; i < size; i++) displs[i] = total, total += lens[i];
        all = malloc((size_t)total);
    }
    MPI_Gatherv(mine, len, MPI_CHAR, all, lens, displs, MPI_CHAR, 0, MPI_COMM_WORLD);
    free(lens);
    free(displs);
    *lens_out_total = total;
    return all;
}
#endif

/* Make this rank's message: "<rc>\t<error message>\t<report JSON>". */
static char *outcome_text(int rc, const avmit_error *err, const avmit_extract_report *rep) {
    char *json = NULL;
    avmit_error e2;
    if (avmit_extract_report_to_json(rep, &json, &e2)) return NULL;
    size_t n = strlen(json) + strlen(err->msg) + 32;
    char *s = malloc(n);
    if (s) {
        snprintf(s, n, "%d\t", rc);
        size_t k = strlen(s);
        for (const char *m = err->msg; *m; m++) s[k++] = *m == '\t' ? ' ' : *m;
        s[k++] = '\t';
        strcpy(s + k, json);
    }
    free(json);
    return s;
}

/* ---- main ------------------------------------------------------------------------------- */

int cmd_extract(int argc, char **argv) {
    enum { O_VIDEOS = 256, O_ROOT, O_EMB, O_WDIR, O_AW, O_VW, O_OUT, O_INT, O_PREC, O_JOBS,
           O_THREADS, O_BATCH, O_NORESUME, O_JSON, O_REPORT, O_EVERY, O_SHARD };
    static const struct option longopts[] = {
        {"videos", required_argument, NULL, O_VIDEOS},
        {"videos-root", required_argument, NULL, O_ROOT},
        {"embeddings", required_argument, NULL, O_EMB},
        {"weights-dir", required_argument, NULL, O_WDIR},
        {"audio-weights", required_argument, NULL, O_AW},
        {"visual-weights", required_argument, NULL, O_VW},
        {"out", required_argument, NULL, O_OUT},
        {"output", required_argument, NULL, O_OUT},
        {"interval-ms", required_argument, NULL, O_INT},
        {"precision", required_argument, NULL, O_PREC},
        {"jobs", required_argument, NULL, O_JOBS},
        {"threads", required_argument, NULL, O_THREADS},
        {"batch", required_argument, NULL, O_BATCH},
        {"no-resume", no_argument, NULL, O_NORESUME},
        {"shard", required_argument, NULL, O_SHARD},
        {"json", no_argument, NULL, O_JSON},
        {"report", required_argument, NULL, O_REPORT},
        {"progress-every", required_argument, NULL, O_EVERY},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    avmit_extract_opts o = avmit_extract_default_opts();
    const char *videos = NULL, *root = NULL, *set_name = NULL, *report_path = NULL;
    int json = 0;
    long long v;
    double every = 10.0;
    progress_ctx pc = {isatty(STDERR_FILENO), 0, 0, 0, 1, 10.0, 0, 0, 0};
    avmit_error err;
    avmit_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case O_VIDEOS: videos = optarg; break;
        case O_ROOT: root = optarg; break;
        case O_EMB: set_name = optarg; break;
        case O_WDIR: o.weights_dir = optarg; break;
        case O_AW: o.audio_weights = optarg; break;
        case O_VW: o.visual_weights = optarg; break;
        case 'o':
        case O_OUT: o.out_dir = optarg; break;
        case O_INT:
            if (cli_parse_int(CMD, "--interval-ms", optarg, 1, 3600000, &v)) return CLI_USAGE;
            o.interval_ms = (int)v;
            break;
        case O_PREC:
            if (!strcmp(optarg, "fp32")) o.precision = AVMIT_PRECISION_FP32;
            else if (!strcmp(optarg, "bf16")) o.precision = AVMIT_PRECISION_BF16;
            else return cli_usage_error(CMD, "--precision: expected fp32 or bf16, got '%s'", optarg);
            break;
        case O_JOBS:
            if (cli_parse_int(CMD, "--jobs", optarg, 0, 1024, &v)) return CLI_USAGE;
            o.jobs = (int)v;
            break;
        case O_THREADS:
            if (cli_parse_int(CMD, "--threads", optarg, 0, 4096, &v)) return CLI_USAGE;
            o.threads = cli_threads(v);
            break;
        case O_BATCH:
            if (cli_parse_int(CMD, "--batch", optarg, 1, 4096, &v)) return CLI_USAGE;
            o.batch = (int)v;
            break;
        case O_NORESUME: o.resume = 0; break;
        case O_SHARD: {
            int k = -1, n = 0, used = 0;
            if (sscanf(optarg, "%d/%d%n", &k, &n, &used) != 2 || optarg[used] || n < 1 || k < 0 ||
                k >= n)
                return cli_usage_error(CMD, "--shard: expected K/N with 0 <= K < N, got '%s'",
                                       optarg);
            o.shard = k, o.n_shards = n;
            break;
        }
        case O_JSON: json = 1; break;
        case O_REPORT: report_path = optarg; break;
        case O_EVERY:
            if (cli_parse_double(CMD, "--progress-every", optarg, &every)) return CLI_USAGE;
            break;
        case 'q': pc.quiet = 1; break;
        case 'v': pc.verbose = 1; break;
        case 'h': extract_usage(stdout); return CLI_OK;
        default: extract_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (!videos) return cli_usage_error(CMD, "--videos DIR|LIST.csv is required");
    if (!set_name) return cli_usage_error(CMD, "--embeddings yamnet-effnet|vggish-vgg16 is required");
    if (avmit_embedding_set_parse(set_name, &o.set, &err))
        return cli_usage_error(CMD, "--embeddings: %s", err.msg);
    if (!o.weights_dir && !(o.audio_weights && o.visual_weights))
        return cli_usage_error(CMD, "--weights-dir DIR is required (or both --audio-weights "
                                    "and --visual-weights)");
    if (!o.out_dir) return cli_usage_error(CMD, "--out DIR is required");
    pc.every = every;
    avmit_video_quiet_ffmpeg_log(); /* failures are reported per video, with FFmpeg's reason */

    int rank = 0, size = 1, mpi = search_mpi_launched();
    if (mpi && search_mpi_init(&rank, &size, &err)) return cli_report(&err);
    pc.rank = rank, pc.size = size;
    if (mpi && size > 1) {
        if (o.n_shards > 1) {
            search_mpi_finalize();
            return cli_usage_error(CMD, "--shard and mpirun both split the list: use one");
        }
        o.shard = rank, o.n_shards = size;
    }
    o.progress = on_progress;
    o.progress_ctx = &pc;
    o.progress_every_s = pc.tty ? 0.2 : 0.0;

    avmit_extract_jobs jobs;
    avmit_extract_report rep;
    avmit_extract_report_init(&rep);
    int rc = avmit_extract_jobs_build(&jobs, videos, root, &err);
    if (!rc) {
        rc = avmit_extract_run(&jobs, &o, &rep, &err);
        avmit_extract_jobs_free(&jobs);
    }
    if (pc.drew) fputc('\n', stderr);
    int status = rc ? CLI_FAIL : CLI_OK;
    if (rc && rank == 0) cli_report(&err);

#ifdef AVMIT_HAVE_MPI
    if (mpi && size > 1) {
        /* rank 0 merges every rank's report; a rank's fatal error is printed by rank 0 */
        char *mine = outcome_text(rc, &err, &rep);
        int total = 0;
        char *all = gather_reports(mine ? mine : "-12\tout of memory\t{}", &total);
        free(mine);
        if (rank == 0) {
            for (int off = (int)strlen(all) + 1, r = 1; off < total; r++) {
                char *s = all + off;
                off += (int)strlen(s) + 1;
                int rrc = atoi(s);
                char *msg = strchr(s, '\t'), *js = msg ? strchr(msg + 1, '\t') : NULL;
                if (js) *js = '\0';
                if (rrc) {
                    fprintf(stderr, "avmit extract: rank %d: %s\n", r, msg ? msg + 1 : "?");
                    status = CLI_FAIL;
                }
                avmit_extract_report other;
                avmit_error e2;
                if (!js || avmit_extract_report_from_json(&other, js + 1, &e2)) {
                    fprintf(stderr, "avmit extract: rank %d sent no readable report\n", r);
                    status = CLI_FAIL;
                    continue;
                }
                if (avmit_extract_report_merge(&rep, &other, &e2)) status = cli_report(&e2);
                avmit_extract_report_free(&other);
            }
        }
        free(all);
        if (rank == 0 && rep.n_failed) status = CLI_FAIL;
        int s = status;
        search_mpi_bcast_int(&s);
        status = s;
    }
#else
    (void)outcome_text;
#endif
    if (rank == 0 && (!rc || rep.n_jobs)) {
        if (rep.n_failed && status == CLI_OK) status = CLI_FAIL;
        char *js = NULL;
        avmit_error e2;
        if ((json || report_path) && avmit_extract_report_to_json(&rep, &js, &e2)) {
            status = cli_report(&e2);
        } else {
            if (report_path &&
                avmit_write_file_atomic(report_path, js, strlen(js), 1, &e2))
                status = cli_report(&e2);
            if (json)
                printf("%s\n", js);
            else
                print_report(stdout, &rep, pc.verbose);
        }
        free(js);
    }
    avmit_extract_report_free(&rep);
    if (mpi) search_mpi_finalize();
    return status;
}
#else
int cmd_extract(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "this avmit was built without FFmpeg, FFTW3 or oneDNN "
                                    "(AVMIT_WITH_FFMPEG, AVMIT_WITH_FFTW, AVMIT_WITH_DNNL)");
}
#endif
