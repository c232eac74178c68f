/*
 * h264_syntax.c — avcC + SPS (to the VUI's num_reorder_frames) and access-unit
 * scanning for the partial-decode fast path (h264_syntax_int.h; syntax from
 * ITU-T H.264 §7.3.2.1.1 seq_parameter_set_data, §E.1.1 vui_parameters,
 * §E.1.2 hrd_parameters, §7.3.1 nal_unit).
 */
#include <string.h>

#include "h264_syntax_int.h"

#define SPS_MAX 4096 /* an SPS with a VUI is well under 1 KB */

/* MSB-first bit reader over an RBSP (emulation prevention bytes removed). */
typedef struct {
    const uint8_t *p;
    size_t n_bits, pos;
    int overrun;
} bits;

static uint32_t bits_u(bits *b, int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
        if (b->pos >= b->n_bits) {
            b->overrun = 1;
            return 0;
        }
        v = (v << 1) | ((b->p[b->pos >> 3] >> (7 - (b->pos & 7))) & 1u);
        b->pos++;
    }
    return v;
}

/* ue(v), §9.1; values above 2^31 - 2 count as an overrun. */
static uint32_t bits_ue(bits *b) {
    int zeros = 0;
    while (!b->overrun && bits_u(b, 1) == 0)
        if (++zeros > 31) {
            b->overrun = 1;
            return 0;
        }
    if (b->overrun) return 0;
    return ((1u << zeros) - 1u) + bits_u(b, zeros);
}

static int32_t bits_se(bits *b) {
    uint32_t k = bits_ue(b);
    return (k & 1u) ? (int32_t)((k + 1) / 2) : -(int32_t)(k / 2);
}

/* NAL payload (after the 1-byte header) -> RBSP, dropping each 0x03 after 00 00. */
static size_t unescape(const uint8_t *src, size_t n, uint8_t *dst, size_t cap) {
    size_t o = 0, zeros = 0;
    for (size_t i = 0; i < n && o < cap; i++) {
        if (zeros >= 2 && src[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = src[i] == 0 ? zeros + 1 : 0;
        dst[o++] = src[i];
    }
    return o;
}

static void scaling_list(bits *b, int size) {
    int last = 8, next = 8;
    for (int j = 0; j < size && !b->overrun; j++) {
        if (next != 0) next = (last + bits_se(b) + 256) % 256;
        last = next == 0 ? last : next;
    }
}

static void hrd_parameters(bits *b) {
    uint32_t cpb_cnt = bits_ue(b) + 1;
    if (cpb_cnt > 32) {
        b->overrun = 1;
        return;
    }
    bits_u(b, 8); /* bit_rate_scale, cpb_size_scale */
    for (uint32_t i = 0; i < cpb_cnt; i++) {
        bits_ue(b);
        bits_ue(b);
        bits_u(b, 1);
    }
    bits_u(b, 20); /* four 5-bit lengths / delays */
}

static int parse_sps(const uint8_t *nal, size_t n, avmit_h264_config *c) {
    uint8_t rbsp[SPS_MAX];
    if (n < 2 || n - 1 > SPS_MAX || (nal[0] & 0x1f) != 7) return -1;
    bits b = {rbsp, 8 * unescape(nal + 1, n - 1, rbsp, sizeof rbsp), 0, 0};
    uint32_t profile = bits_u(&b, 8);
    bits_u(&b, 16); /* constraint flags, level_idc */
    bits_ue(&b);    /* seq_parameter_set_id */
    static const uint32_t high[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
    for (size_t i = 0; i < sizeof high / sizeof high[0]; i++) {
        if (profile != high[i]) continue;
        uint32_t chroma_format = bits_ue(&b);
        if (chroma_format == 3) bits_u(&b, 1);
        bits_ue(&b);
        bits_ue(&b);
        bits_u(&b, 1);
        if (bits_u(&b, 1)) /* seq_scaling_matrix_present_flag */
            for (int k = 0; k < (chroma_format != 3 ? 8 : 12); k++)
                if (bits_u(&b, 1)) scaling_list(&b, k < 6 ? 16 : 64);
        break;
    }
    bits_ue(&b); /* log2_max_frame_num_minus4 */
    uint32_t poc_type = bits_ue(&b);
    if (poc_type == 0) {
        bits_ue(&b);
    } else if (poc_type == 1) {
        bits_u(&b, 1);
        bits_se(&b);
        bits_se(&b);
        uint32_t cycle = bits_ue(&b);
        if (cycle > 255) return -1;
        for (uint32_t i = 0; i < cycle; i++) bits_se(&b);
    } else if (poc_type != 2) {
        return -1;
    }
    bits_ue(&b);   /* max_num_ref_frames */
    bits_u(&b, 1); /* gaps_in_frame_num_value_allowed_flag */
    bits_ue(&b);
    bits_ue(&b);
    c->frame_mbs_only = (int)bits_u(&b, 1);
    if (!c->frame_mbs_only) bits_u(&b, 1);
    bits_u(&b, 1); /* direct_8x8_inference_flag */
    if (bits_u(&b, 1))
        for (int k = 0; k < 4; k++) bits_ue(&b);
    c->bitstream_restriction = 0;
    c->num_reorder_frames = 0;
    if (bits_u(&b, 1)) { /* vui_parameters_present_flag */
        if (bits_u(&b, 1) && bits_u(&b, 8) == 255) bits_u(&b, 32);
        if (bits_u(&b, 1)) bits_u(&b, 1);
        if (bits_u(&b, 1)) {
            bits_u(&b, 4);
            if (bits_u(&b, 1)) bits_u(&b, 24);
        }
        if (bits_u(&b, 1)) {
            bits_ue(&b);
            bits_ue(&b);
        }
        if (bits_u(&b, 1)) {
            bits_u(&b, 32);
            bits_u(&b, 32);
            bits_u(&b, 1);
        }
        int nal_hrd = (int)bits_u(&b, 1);
        if (nal_hrd) hrd_parameters(&b);
        int vcl_hrd = (int)bits_u(&b, 1);
        if (vcl_hrd) hrd_parameters(&b);
        if (nal_hrd || vcl_hrd) bits_u(&b, 1);
        bits_u(&b, 1); /* pic_struct_present_flag */
        c->bitstream_restriction = (int)bits_u(&b, 1);
        if (c->bitstream_restriction) {
            bits_u(&b, 1);
            for (int k = 0; k < 4; k++) bits_ue(&b);
            c->num_reorder_frames = (int)bits_ue(&b);
            bits_ue(&b); /* max_dec_frame_buffering */
        }
    }
    return b.overrun ? -1 : 0;
}

int avmit_h264_parse_avcc(const uint8_t *p, size_t n, avmit_h264_config *c) {
    memset(c, 0, sizeof *c);
    if (!p || n < 7 || p[0] != 1) return -1;
    c->nal_length_size = (p[4] & 3) + 1;
    if (c->nal_length_size == 3) return -1;
    if ((p[5] & 0x1f) != 1) return -1; /* exactly one SPS */
    size_t len = ((size_t)p[6] << 8) | p[7];
    if (8 + len > n) return -1;
    return parse_sps(p + 8, len, c);
}

int avmit_h264_scan_sample(const uint8_t *p, size_t n, int nal_length_size, int *is_ref,
                           int *is_idr) {
    size_t i = 0;
    int n_slices = 0;
    while (i < n) {
        if (n - i < (size_t)nal_length_size) return -1;
        size_t len = 0;
        for (int k = 0; k < nal_length_size; k++) len = (len << 8) | p[i + (size_t)k];
        i += (size_t)nal_length_size;
        if (len < 1 || len > n - i || (p[i] & 0x80)) return -1;
        int type = p[i] & 0x1f, ref = (p[i] >> 5) & 3;
        if (type == 1 || type == 5) {
            uint8_t head[16];
            bits b = {head, 8 * unescape(p + i + 1, len - 1, head, sizeof head), 0, 0};
            uint32_t first_mb = bits_ue(&b);
            if (b.overrun) return -1;
            if (n_slices == 0) {
                if (first_mb != 0) return -1;
                *is_ref = ref != 0;
                *is_idr = type == 5;
            } else if (first_mb == 0 || *is_ref != (ref != 0) || *is_idr != (type == 5)) {
                return -1;
            }
            n_slices++;
        } else if (type != 6 && type != 9 && type != 12) {
            return -1; /* parameter sets, end of sequence/stream, partitions, extensions */
        }
        i += len;
    }
    return n_slices > 0 ? 0 : -1;
}
