/*
 * avmit/extract.h — videos to AVMIT embedding TFRecords, end to end (issue 14,
 * SPEC.md §8, FEATURES.md §1, FORMATS.md §3).
 *
 * 1. A job list: every media file under a directory tree, or the rows of one
 *    of the paper's CSVs (FORMATS.md §4). Each job names the video, the
 *    context `filename` and `label` of its record and the output path
 *    relative to the output directory (the split CSVs' `tfrecord_filename`).
 * 2. A staged pipeline over the list, all stages running at once and joined
 *    by bounded queues (memory does not grow with the number of videos):
 *      front-end workers (opts.jobs threads): decode audio -> mono -> 16 kHz ->
 *        log-mel patches; decode video -> the reference's frames -> 224x224 ->
 *        model preprocessing;
 *      CNN stage (opts.threads workers of one thread each, avmit_cnn_clone
 *        handles on one copy of the weights): a video's patches and frames
 *        go through the two networks as its own batches (<= opts.batch rows);
 *      writer (one thread): one GZIP TFRecord per video, atomically
 *        (temporary file, fsync, rename), through avmit_embedding_write_file.
 *    Each stage measures its busy time; the report gives utilisation.
 * 3. Resume: an output that exists and reads back as a valid record of the
 *    embedding set's dimensions is skipped; anything else is redone. Stale
 *    temporary files of an interrupted run (".<name>.tmp.XXXXXX" beside the
 *    output) are removed for the jobs of this run.
 * 4. Failures never stop the run: a video that cannot be opened, has no video
 *    stream or no decodable frame, or whose decoding fails part-way, is listed
 *    with a reason; videos without an audio stream get the reference's 48,000
 *    zeros (listed as no-audio); an audio track whose samples are all zero is
 *    flagged as digital silence.
 *
 * Determinism: every record depends only on its video, the weights and the
 * options (a video's rows are embedded as their own batches, and fp32 CNN
 * results do not depend on the thread count), so a resumed run, a sharded run (job i of n to shard
 * i mod R) and an uninterrupted one give the same bytes.
 *
 * Thread-safety: the functions are reentrant; the progress callback is called
 * from the writer thread only. The library never prints.
 */
#ifndef AVMIT_EXTRACT_H
#define AVMIT_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/cnn.h"
#include "avmit/error.h"
#include "avmit/registry.h" /* avmit_embedding_set: yamnet-effnet, vggish-vgg16 */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- job list -------------------------------------------------------------------- */

typedef struct avmit_extract_job {
    char *video;    /* path of the media file */
    char *filename; /* record context 'filename' ("<class folder>/<file>") */
    char *label;    /* record context 'label' */
    char *out_rel;  /* output path relative to the output directory ("<label>/<stem>.tfrecord") */
    long line;      /* CSV line of the job (1-based), or -1 for a directory walk */
} avmit_extract_job;

typedef struct avmit_extract_jobs {
    avmit_extract_job *v;
    size_t n;
} avmit_extract_jobs;

/* Media file name endings a directory walk takes (case-insensitive). */
int avmit_extract_is_media_name(const char *name);

/*
 * Build the job list from `videos`:
 *  - a directory: every regular file below it with a media ending, sorted
 *    bytewise by relative path; filename = path relative to `videos`, label =
 *    the parent directory's name (a file directly in `videos` has label "" and
 *    is rejected: the record needs a label), out_rel = "<label>/<stem>.tfrecord";
 *  - a CSV (FORMATS.md §4: AVMIT, MIT16, test_set layouts, or any CSV with a
 *    `filename` column): video = videos_root/[video_location/]filename
 *    (videos_root NULL = the CSV's directory), out_rel = tfrecord_filename
 *    when present else "<label>/<stem>.tfrecord", label = tfrecord_filename's
 *    directory when present (the reference's record label, FORMATS §3.1),
 *    else the label / "AVMIT label" / AVMIT_label column, else the
 *    filename's directory.
 * Errors (AVMIT_E_FORMAT, naming file, line and column): no filename column,
 * out_rel absolute or with "..", or not ending ".tfrecord", two jobs with the
 * same out_rel.
 */
int avmit_extract_jobs_build(avmit_extract_jobs *out, const char *videos, const char *videos_root,
                             avmit_error *err);
void avmit_extract_jobs_free(avmit_extract_jobs *jobs);

/* ---- report ---------------------------------------------------------------------- */

typedef enum avmit_extract_status {
    AVMIT_EXTRACT_WRITTEN = 0,  /* record written */
    AVMIT_EXTRACT_SKIPPED = 1,  /* valid output already there (resume) */
    AVMIT_EXTRACT_FAILED = 2    /* no record; see reason */
} avmit_extract_status;

/* Why a video failed (stable names for the JSON report). */
typedef enum avmit_extract_reason {
    AVMIT_EXTRACT_OK = 0,
    AVMIT_EXTRACT_MISSING,      /* "missing": no such file */
    AVMIT_EXTRACT_UNREADABLE,   /* "unreadable": not a media file FFmpeg opens */
    AVMIT_EXTRACT_NO_VIDEO,     /* "no-video-stream" */
    AVMIT_EXTRACT_ZERO_FRAMES,  /* "zero-frames": a video stream without a decodable frame */
    AVMIT_EXTRACT_TRUNCATED,    /* "truncated": decoding failed part-way / file ends early */
    AVMIT_EXTRACT_AUDIO_ERROR,  /* "audio-error": the audio stream cannot be decoded */
    AVMIT_EXTRACT_WRITE_ERROR,  /* "write-error": the output could not be written */
    AVMIT_EXTRACT_REASON_COUNT
} avmit_extract_reason;

const char *avmit_extract_reason_name(avmit_extract_reason r);

/* Stages whose busy time is measured. */
typedef enum avmit_extract_stage {
    AVMIT_STAGE_AUDIO_FRONT = 0, /* decode + resample + log-mel (front-end workers) */
    AVMIT_STAGE_VISUAL_FRONT,    /* decode + select + resize + preprocess (front-end workers) */
    AVMIT_STAGE_CNN_AUDIO,       /* the audio network (CNN thread) */
    AVMIT_STAGE_CNN_VISUAL,      /* the visual network (CNN thread) */
    AVMIT_STAGE_WRITE,           /* encode + gzip + atomic write (writer thread) */
    AVMIT_STAGE_COUNT
} avmit_extract_stage;

const char *avmit_extract_stage_name(avmit_extract_stage s);

/* One video that failed or needs mention (no-audio, silent). */
typedef struct avmit_extract_note {
    char *video;
    char *out_rel;
    avmit_extract_reason reason; /* AVMIT_EXTRACT_OK for no-audio / silent notes */
    char *detail;                /* the error message, or "" */
} avmit_extract_note;

typedef struct avmit_extract_note_list {
    avmit_extract_note *v;
    size_t n, cap;
} avmit_extract_note_list;

typedef struct avmit_extract_report {
    size_t n_jobs;       /* videos in this run's list (this shard's) */
    size_t n_written, n_skipped, n_failed;
    size_t n_by_reason[AVMIT_EXTRACT_REASON_COUNT];
    avmit_extract_note_list failed;   /* reason != OK */
    avmit_extract_note_list no_audio; /* no audio stream: 48,000 zeros used */
    avmit_extract_note_list silent;   /* an audio stream of digital silence */
    double busy_s[AVMIT_STAGE_COUNT]; /* summed over the stage's threads */
    int workers[AVMIT_STAGE_COUNT];   /* threads of each stage */
    double wall_s;                    /* wall time of the run (max over merged shards) */
    int n_shards;                     /* runs merged into this report (1 for one process) */
    long long audio_rows, visual_rows;/* embeddings computed (for throughput figures) */
    char set[32];                     /* embedding set name */
    char precision[8];                /* what ran: "fp32" or "bf16" */
} avmit_extract_report;

void avmit_extract_report_init(avmit_extract_report *r);
void avmit_extract_report_free(avmit_extract_report *r);
/* Add b's counts, lists, busy times and workers into a; wall time is the
 * maximum; failure lists are kept sorted by out_rel so a merged report does
 * not depend on the shard order. */
int avmit_extract_report_merge(avmit_extract_report *a, const avmit_extract_report *b,
                               avmit_error *err);
/* Videos (written + skipped + failed) per hour of wall time (0 if no time). */
double avmit_extract_report_rate(const avmit_extract_report *r);
/* The report as JSON text (malloc'd, NUL-terminated), and back (for sending
 * reports between processes). */
int avmit_extract_report_to_json(const avmit_extract_report *r, char **json, avmit_error *err);
int avmit_extract_report_from_json(avmit_extract_report *r, const char *json, avmit_error *err);

/* ---- the run --------------------------------------------------------------------- */

typedef struct avmit_extract_progress {
    size_t done, total;  /* videos finished (any status) of this run */
    size_t written, skipped, failed;
    double elapsed_s;
    const avmit_extract_report *report; /* the running report (busy times so far) */
} avmit_extract_progress;

typedef void (*avmit_extract_progress_fn)(void *ctx, const avmit_extract_progress *p);

typedef struct avmit_extract_opts {
    avmit_embedding_set set;    /* networks, dimensions, default interval: registry.h */
    const char *weights_dir;   /* holds avmit_cnn_weights_filename() of both networks */
    const char *audio_weights; /* or explicit paths (override weights_dir when set) */
    const char *visual_weights;
    const char *out_dir;
    int interval_ms;           /* 0 = the visual network's default (VGG16 960, EffNet 480) */
    avmit_precision precision;
    int jobs;                  /* front-end workers (>= 1; 0 = half the cores, at least 1) */
    int threads;               /* CNN workers, one thread each (0 = all cores) */
    int batch;                 /* at most this many of a video's rows per CNN call (0 = 32) */
    int queue;                 /* videos held between stages (0 = 2 x jobs + 2) */
    int shard, n_shards;       /* run jobs i with i mod n_shards == shard (0, 1 = all) */
    int resume;                /* 1 (default): skip outputs that validate */
    avmit_extract_progress_fn progress;
    void *progress_ctx;
    double progress_every_s;   /* minimum time between progress calls (0 = every video) */
} avmit_extract_opts;

avmit_extract_opts avmit_extract_default_opts(void);

/*
 * Run the pipeline over jobs (this shard's part). *report (initialised here)
 * gets every video. Returns 0 when the run completed, even if videos failed
 * (see report->n_failed); a negative AVMIT_E_* only for errors that stop the
 * whole run: weights that cannot be loaded, an output directory that cannot
 * be created, out of memory, threads that cannot start.
 */
int avmit_extract_run(const avmit_extract_jobs *jobs, const avmit_extract_opts *opts,
                      avmit_extract_report *report, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_EXTRACT_H */
