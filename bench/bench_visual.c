/*
 * bench_visual.c — throughput of the visual front end: a video -> the frames the
 * reference loop selects, resized to 224x224 uint8 RGB (avmit_video_select +
 * avmit_resize_linear_u8, what `avmit features visual` runs).
 *
 * usage: bench_visual CLIP INTERVAL_MS DECODER_THREADS WORKERS SECONDS OUT.npy
 *   WORKERS clips are processed at once (avmit_parallel_for, one clip per item);
 *   each round runs >= SECONDS; 3 rounds, the median clips/s is printed as
 *   "clips/s <x>". The frames of the last clip go to OUT.npy so the caller can
 *   check them against the reference's; every clip's frames must equal the first
 *   clip's (checked while timing), else exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avmit/media_video.h"
#include "avmit/npy.h"
#include "avmit/parallel.h"
#include "avmit/vision.h"

#define FRAME_BYTES ((size_t)AVMIT_VISUAL_SIZE * AVMIT_VISUAL_SIZE * 3)
#define MAX_FRAMES 64
#define MAX_WORKERS 16

typedef struct {
    uint8_t *frames; /* MAX_FRAMES * FRAME_BYTES */
    int64_t n;
} clip_out;

typedef struct {
    const char *clip;
    double interval;
    int dec_threads;
    clip_out out[MAX_WORKERS];
    int failed;
    avmit_error err[MAX_WORKERS];
} bench_ctx;

static int on_frame(void *vctx, const avmit_video_frame *fr, avmit_error *err) {
    clip_out *o = vctx;
    if (o->n == MAX_FRAMES) return avmit_error_path(err, AVMIT_E_RANGE, NULL, "too many frames");
    int rc = avmit_resize_linear_u8(fr->rgb, fr->width, fr->height, (size_t)fr->width * 3, 3, 0,
                                    o->frames + (size_t)o->n * FRAME_BYTES, AVMIT_VISUAL_SIZE,
                                    AVMIT_VISUAL_SIZE, err);
    if (!rc) o->n++;
    return rc;
}

static void run_clip(void *vctx, size_t item, int tid) {
    (void)item;
    bench_ctx *b = vctx;
    clip_out *o = &b->out[tid];
    o->n = 0;
    if (avmit_video_select(b->clip, b->interval, b->dec_threads, on_frame, o, NULL, &b->err[tid]))
        b->failed = 1;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: bench_visual CLIP INTERVAL_MS DECODER_THREADS WORKERS SECONDS "
                        "OUT.npy\n");
        return 2;
    }
    bench_ctx *b = calloc(1, sizeof *b);
    b->clip = argv[1];
    b->interval = atof(argv[2]);
    b->dec_threads = atoi(argv[3]);
    int workers = atoi(argv[4]);
    double seconds = atof(argv[5]);
    if (workers < 1 || workers > MAX_WORKERS) return 2;
    avmit_video_quiet_ffmpeg_log();
    for (int w = 0; w < workers; w++) b->out[w].frames = malloc(MAX_FRAMES * FRAME_BYTES);
    uint8_t *first = malloc(MAX_FRAMES * FRAME_BYTES);
    int64_t n_first = -1;
    double rate[3];
    for (int round = 0; round < 3; round++) {
        long clips = 0;
        double t0 = now_s(), t;
        do {
            if (avmit_parallel_for(workers, (size_t)workers, run_clip, b) || b->failed) {
                for (int w = 0; w < workers; w++)
                    if (b->err[w].code) fprintf(stderr, "bench_visual: %s\n", b->err[w].msg);
                return 1;
            }
            for (int w = 0; w < workers; w++) {
                const clip_out *o = &b->out[w];
                if (n_first < 0) {
                    n_first = o->n;
                    memcpy(first, o->frames, (size_t)o->n * FRAME_BYTES);
                } else if (o->n != n_first ||
                           memcmp(first, o->frames, (size_t)o->n * FRAME_BYTES)) {
                    fprintf(stderr, "bench_visual: a run gave different frames\n");
                    return 1;
                }
            }
            clips += workers;
            t = now_s();
        } while (t - t0 < seconds);
        rate[round] = (double)clips / (t - t0);
    }
    qsort(rate, 3, sizeof rate[0], cmp_d);
    avmit_error err;
    int64_t shape[4] = {n_first, AVMIT_VISUAL_SIZE, AVMIT_VISUAL_SIZE, 3};
    if (avmit_npy_write(argv[6], AVMIT_DTYPE_U8, 4, shape, first, &err)) {
        fprintf(stderr, "bench_visual: %s\n", err.msg);
        return 1;
    }
    printf("frames %lld clips/s %.2f\n", (long long)n_first, rate[1]);
    for (int w = 0; w < workers; w++) free(b->out[w].frames);
    free(first);
    free(b);
    return 0;
}
