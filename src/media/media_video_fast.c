/*
 * media_video_fast.c — avmit_video_select without decoding every frame, for
 * H.264 streams whose OpenCV timestamps follow from the packets alone
 * (media_video_int.h; docs/visual-frames.md "Partial decoding").
 *
 * The full path (media_video.c) feeds packets in decode order to a decoder
 * that holds D = has_b_frames frames back for reordering, and reports
 * POS = pos(pts, pkt_dts, flushed) per output frame. For the streams accepted
 * here that sequence is a function of the packets:
 *  - output j is the frame with the j-th smallest pts (frames leave in picture
 *    order; the reorder depth the packets need, max(k - rank(k)), is <= D, so
 *    the decoder never outputs a frame out of order or drops one);
 *  - it leaves while packet j + D is decoded, carrying that packet's dts, or,
 *    for j + D >= N, while draining after end of file, without a dts;
 *  - D is constant: the SPS has a VUI bitstream restriction (FFmpeg then uses
 *    max(has_b_frames, max_num_reorder_frames) and never raises it), checked
 *    again against the decoder after decoding.
 * Accepted: H.264 in avcC form with one SPS, frame coding only, every packet
 * one frame with pts and dts, increasing dts, unique pts, the first packet an
 * IDR, no in-band parameter sets, no discarded packets. Later IDR frames (scene
 * cuts, short GOPs) reset the picture order count; the decoder still hands
 * out one frame per packet in pts order (checked with every frame's
 * timestamp in tests/reference/test_visual_partial.py).
 *
 * Then only the packets up to the last selected frame's are decoded, with
 * skip_frame = AVDISCARD_NONREF on those whose frame is neither selected nor
 * a reference (nal_ref_idc 0: no other frame is predicted from it, and FFmpeg
 * ignores such NAL units entirely, so every other frame decodes to the same
 * pixels), then the decoder is drained. Each frame that comes out must have
 * the pts the model gives its place, else the run falls back to the full
 * path; the selected frames are held until all have come out, so nothing
 * reaches fn before the run is known to be exact.
 */
#include <stdlib.h>
#include <string.h>

#include "h264_syntax_int.h"
#include "media_video_int.h"

#define FAST_MAX_PACKETS 1000000
#define FAST_MAX_HELD_BYTES ((size_t)512 << 20) /* selected YUV frames kept at once */

typedef struct {
    int64_t pts, k; /* pts and decode-order index of one packet */
} pts_k;

typedef struct {
    AVPacket **pkt;
    int64_t *dts;
    uint8_t *is_ref;
    pts_k *order; /* by pts after sorting */
    int64_t *rank; /* packet index -> output index */
    int64_t n, cap;
} packets;

static void packets_free(packets *p) {
    for (int64_t i = 0; i < p->n; i++) av_packet_free(&p->pkt[i]);
    free(p->pkt);
    free(p->dts);
    free(p->is_ref);
    free(p->order);
    free(p->rank);
}

static int packets_grow(packets *p) {
    int64_t cap = p->cap ? 2 * p->cap : 256;
    AVPacket **pkt = realloc(p->pkt, (size_t)cap * sizeof *pkt);
    if (pkt) p->pkt = pkt;
    int64_t *dts = realloc(p->dts, (size_t)cap * sizeof *dts);
    if (dts) p->dts = dts;
    uint8_t *is_ref = realloc(p->is_ref, (size_t)cap);
    if (is_ref) p->is_ref = is_ref;
    pts_k *order = realloc(p->order, (size_t)cap * sizeof *order);
    if (order) p->order = order;
    if (!pkt || !dts || !is_ref || !order) return -1;
    p->cap = cap;
    return 0;
}

/* Why one packet rules the stream out, or NULL. */
static const char *packet_problem(const AVPacket *pkt, const packets *p,
                                  const avmit_h264_config *cfg) {
    int is_ref = 0, is_idr = 0;
    if (pkt->pts == AV_NOPTS_VALUE || pkt->dts == AV_NOPTS_VALUE)
        return "a packet has no pts or dts";
    if (pkt->flags & AV_PKT_FLAG_DISCARD) return "the container discards packets (edit list)";
    if (av_packet_get_side_data(pkt, AV_PKT_DATA_NEW_EXTRADATA, NULL))
        return "the stream changes its parameter sets";
    if (avmit_h264_scan_sample(pkt->data, (size_t)pkt->size, cfg->nal_length_size, &is_ref,
                               &is_idr))
        return "a packet is not one frame of slices (fields, in-band parameter sets, ...)";
    if (p->n == 0 && !is_idr) return "the first frame is not an IDR frame";
    if (p->n > 0 && pkt->dts <= p->dts[p->n - 1]) return "decoding timestamps do not increase";
    if (p->n == FAST_MAX_PACKETS) return "too many frames";
    return NULL;
}

/* Read every packet of the video stream. 1, or 0 with *why. */
static int demux(avmit_video *v, const avmit_h264_config *cfg, packets *p, const char **why) {
    for (;;) {
        int r = av_read_frame(v->fmt, v->pkt);
        if (r == AVERROR_EOF) return 1;
        if (r < 0) {
            *why = "the container cannot be read to its end";
            return 0;
        }
        if (v->pkt->stream_index != v->stream) {
            av_packet_unref(v->pkt);
            continue;
        }
        const char *bad = packet_problem(v->pkt, p, cfg);
        if (!bad && p->n == p->cap && packets_grow(p)) bad = "out of memory";
        if (!bad && !(p->pkt[p->n] = av_packet_alloc())) bad = "out of memory";
        if (bad) {
            av_packet_unref(v->pkt);
            *why = bad;
            return 0;
        }
        int is_ref = 0, is_idr = 0;
        avmit_h264_scan_sample(v->pkt->data, (size_t)v->pkt->size, cfg->nal_length_size, &is_ref,
                               &is_idr);
        p->dts[p->n] = v->pkt->dts;
        p->is_ref[p->n] = (uint8_t)is_ref;
        p->order[p->n] = (pts_k){v->pkt->pts, p->n};
        av_packet_move_ref(p->pkt[p->n], v->pkt);
        p->n++;
    }
}

static int cmp_pts(const void *a, const void *b) {
    int64_t x = ((const pts_k *)a)->pts, y = ((const pts_k *)b)->pts;
    return (x > y) - (x < y);
}

/* Output index of the frame with this pts, or -1. */
static int64_t rank_of_pts(const packets *p, int64_t pts) {
    int64_t lo = 0, hi = p->n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (p->order[mid].pts < pts) lo = mid + 1;
        else hi = mid;
    }
    return lo < p->n && p->order[lo].pts == pts ? lo : -1;
}

/* Sort by pts and check the reorder depth. 1, or 0 with *why. */
static int order_frames(packets *p, int delay, const char **why) {
    qsort(p->order, (size_t)p->n, sizeof *p->order, cmp_pts);
    if (!(p->rank = malloc((size_t)p->n * sizeof *p->rank))) {
        *why = "out of memory";
        return 0;
    }
    for (int64_t r = 0; r < p->n; r++) {
        if (r > 0 && p->order[r].pts == p->order[r - 1].pts) {
            *why = "two frames share a pts";
            return 0;
        }
        p->rank[p->order[r].k] = r;
    }
    for (int64_t k = 0; k < p->n; k++)
        if (k - p->rank[k] > delay) {
            *why = "the frames need more reordering than the decoder's delay";
            return 0;
        }
    return 1;
}

typedef struct {
    packets p;
    double *pos;     /* [m] POS of output j */
    uint8_t *sel;    /* [m] output j is selected */
    AVFrame **held;  /* [m] decoded selected frames */
    int64_t m;       /* frames the full path would return */
} plan;

static void plan_free(plan *pl) {
    if (pl->held)
        for (int64_t j = 0; j < pl->m; j++) av_frame_free(&pl->held[j]);
    free(pl->held);
    free(pl->sel);
    free(pl->pos);
    packets_free(&pl->p);
}

/* POS of every output frame as the full path reports it, and the selection. */
static int plan_selection(avmit_video *v, plan *pl, int delay, double interval_ms,
                          int64_t *last_k, const char **why) {
    const packets *p = &pl->p;
    pl->m = v->nb_frames > 0 && p->n > v->nb_frames + 1 ? v->nb_frames + 1 : p->n;
    pl->pos = malloc((size_t)pl->m * sizeof *pl->pos);
    pl->sel = calloc((size_t)pl->m, 1);
    pl->held = calloc((size_t)pl->m, sizeof *pl->held);
    if (!pl->pos || !pl->sel || !pl->held) {
        *why = "out of memory";
        return 0;
    }
    avmit_frame_selector s;
    avmit_frame_selector_init(&s, interval_ms);
    int64_t n_sel = 0;
    *last_k = -1;
    for (int64_t j = 0; j < pl->m; j++) {
        int64_t k_out = j + delay; /* the packet being decoded when frame j leaves */
        int flushed = k_out >= p->n;
        pl->pos[j] = avmit_video_pos_ms(v, p->order[j].pts,
                                        flushed ? AV_NOPTS_VALUE : p->dts[k_out], flushed);
        if (avmit_frame_selector_push(&s, pl->pos[j])) {
            pl->sel[j] = 1;
            n_sel++;
            if (p->order[j].k > *last_k) *last_k = p->order[j].k;
        }
    }
    size_t frame_bytes = (size_t)v->width * (size_t)v->height * 2;
    if ((size_t)n_sel > FAST_MAX_HELD_BYTES / frame_bytes) {
        *why = "too many selected frames to hold";
        return 0;
    }
    return 1;
}

/* Decode packets 0..last_k, skipping unneeded non-reference frames, then drain. */
static int decode_needed(avmit_video *v, plan *pl, int64_t last_k, const char **why) {
    const packets *p = &pl->p;
    int64_t last_rank = -1;
    for (int64_t k = 0; k <= last_k + 1; k++) {
        AVPacket *pkt = k <= last_k ? p->pkt[k] : NULL;
        if (pkt) {
            int needed = p->is_ref[k] || (p->rank[k] < pl->m && pl->sel[p->rank[k]]);
            v->dec->skip_frame = needed ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
        }
        if (avcodec_send_packet(v->dec, pkt) < 0) {
            *why = "the decoder rejected a packet";
            return 0;
        }
        for (;;) {
            int r = avcodec_receive_frame(v->dec, v->frame);
            if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) break;
            if (r < 0) {
                *why = "the decoder failed on a frame";
                return 0;
            }
            int64_t j = rank_of_pts(p, v->frame->pts);
            if (j <= last_rank) {
                av_frame_unref(v->frame);
                *why = "the decoder's frames are not in pts order";
                return 0;
            }
            last_rank = j;
            if (j < pl->m && pl->sel[j] && !(pl->held[j] = av_frame_clone(v->frame))) {
                av_frame_unref(v->frame);
                *why = "out of memory";
                return 0;
            }
            av_frame_unref(v->frame);
        }
    }
    for (int64_t j = 0; j < pl->m; j++)
        if (pl->sel[j] && !pl->held[j]) {
            *why = "a selected frame did not come out of the decoder";
            return 0;
        }
    return 1;
}

int avmit_video_select_fast(avmit_video *v, double interval_ms, uint8_t *rgb,
                            avmit_video_frame_fn fn, void *ctx, int64_t *n_selected, int *rc,
                            const char **why, avmit_error *err) {
    avmit_h264_config cfg;
    const AVCodecParameters *par = v->fmt->streams[v->stream]->codecpar;
    if (par->codec_id != AV_CODEC_ID_H264) {
        *why = "the video codec is not H.264";
        return 0;
    }
    if (avmit_h264_parse_avcc(par->extradata, (size_t)(par->extradata_size > 0 ?
                                                           par->extradata_size : 0), &cfg)) {
        *why = "the H.264 configuration is not avcC with one parseable SPS";
        return 0;
    }
    if (!cfg.frame_mbs_only || !cfg.bitstream_restriction || cfg.num_reorder_frames > 16) {
        *why = cfg.frame_mbs_only ? "the SPS has no VUI bitstream restriction (reorder depth)"
                                  : "the SPS allows field coding";
        return 0;
    }
    int delay = v->dec->has_b_frames > cfg.num_reorder_frames ? v->dec->has_b_frames
                                                               : cfg.num_reorder_frames;
    plan pl;
    memset(&pl, 0, sizeof pl);
    int64_t last_k = -1;
    int ok = demux(v, &cfg, &pl.p, why);
    if (ok && pl.p.n == 0) {
        *why = "the stream has no frames";
        ok = 0;
    }
    ok = ok && order_frames(&pl.p, delay, why) &&
         plan_selection(v, &pl, delay, interval_ms, &last_k, why) &&
         decode_needed(v, &pl, last_k, why);
    if (ok && v->dec->has_b_frames != delay) {
        *why = "the decoder's reorder delay differs from the SPS's";
        ok = 0;
    }
    *rc = 0;
    for (int64_t j = 0; ok && j < pl.m && !*rc; j++) {
        if (!pl.sel[j]) continue;
        av_frame_unref(v->frame);
        av_frame_move_ref(v->frame, pl.held[j]);
        v->n_read = j + 1;
        v->have_frame = 1;
        *rc = avmit_video_emit(v, pl.pos[j], rgb, fn, ctx, err);
        if (!*rc && n_selected) (*n_selected)++;
    }
    plan_free(&pl);
    return ok;
}
