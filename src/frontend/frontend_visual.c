/*
 * frontend_visual.c — the visual chain of avmit/frontend.h: select + decode
 * (media_video.h) -> resize to 224x224 as cv2.resize INTER_LINEAR does ->
 * preprocess (vision.h), timed per stage (FEATURES.md §6, §7, §9.1).
 */
#include <stdlib.h>
#include <string.h>

#include "avmit/frontend.h"
#include "avmit/parallel.h"
#include "core/clock_int.h"
#include "core/error_int.h"

#define FRAME_PIXELS ((size_t)AVMIT_VISUAL_SIZE * AVMIT_VISUAL_SIZE)
#define FRAME_BYTES (FRAME_PIXELS * 3)

double avmit_visual_default_interval_ms(avmit_preprocess pre) {
    avmit_network net;
    switch (pre) {
    case AVMIT_PREPROCESS_VGG16: net = AVMIT_NET_VGG16; break;
    case AVMIT_PREPROCESS_EFFICIENTNET: net = AVMIT_NET_EFFICIENTNETB0; break;
    default: return 0;
    }
    return avmit_network_get(net)->frame_interval_ms;
}

avmit_visual_frontend_opts avmit_visual_frontend_default_opts(avmit_network net) {
    avmit_visual_frontend_opts o;
    memset(&o, 0, sizeof o);
    o.preprocess = net == AVMIT_NET_VGG16            ? AVMIT_PREPROCESS_VGG16
                   : net == AVMIT_NET_EFFICIENTNETB0 ? AVMIT_PREPROCESS_EFFICIENTNET
                                                     : AVMIT_PREPROCESS_NONE;
    o.interval_ms = avmit_visual_default_interval_ms(o.preprocess);
    o.variant = AVMIT_EFFNET_TF23;
    o.decode = AVMIT_VIDEO_DECODE_AUTO;
    return o;
}

void avmit_visual_frames_free(avmit_visual_frames *f) {
    if (!f) return;
    free(f->rgb);
    free(f->input);
    free(f->index);
    free(f->pos_ms);
    memset(f, 0, sizeof *f);
}

typedef struct {
    avmit_visual_frames *f;
    int64_t cap;
    double resize_s;
} collect_ctx;

static int grow(collect_ctx *c, avmit_error *err) {
    int64_t cap = c->cap ? 2 * c->cap : 8;
    avmit_visual_frames *f = c->f;
    uint8_t *rgb = realloc(f->rgb, (size_t)cap * FRAME_BYTES);
    if (!rgb) return AVMIT_NOMEM(err, "frames");
    f->rgb = rgb;
    int64_t *index = realloc(f->index, (size_t)cap * sizeof *index);
    if (!index) return AVMIT_NOMEM(err, "frame indices");
    f->index = index;
    double *pos = realloc(f->pos_ms, (size_t)cap * sizeof *pos);
    if (!pos) return AVMIT_NOMEM(err, "frame positions");
    f->pos_ms = pos;
    c->cap = cap;
    return 0;
}

static int collect_frame(void *vctx, const avmit_video_frame *fr, avmit_error *err) {
    collect_ctx *c = vctx;
    avmit_visual_frames *f = c->f;
    if (f->n == c->cap) {
        int rc = grow(c, err);
        if (rc) return rc;
    }
    double t0 = avmit_now_s();
    int rc = avmit_resize_linear_u8(fr->rgb, fr->width, fr->height, (size_t)fr->width * 3, 3, 0,
                                    f->rgb + (size_t)f->n * FRAME_BYTES, AVMIT_VISUAL_SIZE,
                                    AVMIT_VISUAL_SIZE, err);
    c->resize_s += avmit_now_s() - t0;
    if (rc) return rc;
    f->index[f->n] = fr->index;
    f->pos_ms[f->n] = fr->pos_ms;
    f->n++;
    return 0;
}

int avmit_visual_frontend_run(const char *path, const avmit_visual_frontend_opts *opts,
                              avmit_visual_frames *out, avmit_error *err) {
    memset(out, 0, sizeof *out);
    AVMIT_RETURN_IF(!(opts->interval_ms > 0), err, AVMIT_E_ARG, path, "interval_ms",
                    "frame interval %g ms: expected > 0", opts->interval_ms);
    int threads = opts->n_threads > 0 ? opts->n_threads : avmit_cpu_count();
    collect_ctx col = {out, 0, 0.0};
    double t0 = avmit_now_s();
    int rc = avmit_video_select_decode(path, opts->interval_ms, threads, opts->decode,
                                      collect_frame, &col, NULL, err);
    if (rc) goto fail;
    double t1 = avmit_now_s();
    out->timings.decode_s = t1 - t0 - col.resize_s;
    out->timings.resize_s = col.resize_s;
    if (opts->preprocess != AVMIT_PREPROCESS_NONE) {
        size_t n_pixels = (size_t)out->n * FRAME_PIXELS;
        out->input = malloc((n_pixels ? n_pixels : 1) * 3 * sizeof(float));
        if (!out->input) {
            rc = AVMIT_NOMEM(err, "preprocessed frames");
            goto fail;
        }
        if (opts->preprocess == AVMIT_PREPROCESS_VGG16)
            avmit_preprocess_vgg16(out->rgb, n_pixels, out->input);
        else
            avmit_preprocess_efficientnet(out->rgb, n_pixels, opts->variant, out->input);
        out->timings.preprocess_s = avmit_now_s() - t1;
    }
    return 0;
fail:
    avmit_visual_frames_free(out);
    return rc;
}
