/*
 * h264_syntax_int.h — the few H.264 (ITU-T H.264 §7.3) syntax facts that decide
 * whether avmit_video_select may decode only part of an MP4/MOV H.264 stream
 * (media_video_fast.c): the avcC decoder configuration (ISO/IEC 14496-15
 * §5.2.4.1) with its one SPS parsed up to the VUI's num_reorder_frames, and a
 * scan of one length-prefixed access unit (its NAL unit types, nal_ref_idc and
 * slice starts). Anything unusual is reported as "not simple" (-1), never as
 * an error: the caller then decodes the whole stream. Pure functions.
 */
#ifndef AVMIT_H264_SYNTAX_INT_H
#define AVMIT_H264_SYNTAX_INT_H

#include <stddef.h>
#include <stdint.h>

typedef struct avmit_h264_config {
    int nal_length_size;       /* 1, 2 or 4: bytes of each NAL unit's length prefix */
    int frame_mbs_only;        /* SPS frame_mbs_only_flag: 1 = no field coding */
    int bitstream_restriction; /* VUI bitstream_restriction_flag */
    int num_reorder_frames;    /* VUI max_num_reorder_frames (0 if no restriction) */
} avmit_h264_config;

/* Parse avcC extradata holding exactly one SPS. 0, or -1 when it is not avcC,
 * has several or no SPS, or the SPS does not parse to its end of VUI. */
int avmit_h264_parse_avcc(const uint8_t *p, size_t n, avmit_h264_config *c);

/* Scan one sample of length-prefixed NAL units. It is simple (returns 0) when
 * it holds only slices of one coded frame (first slice first_mb_in_slice 0,
 * later ones > 0, all of one type, IDR or not, and one nal_ref_idc class),
 * SEI, access unit delimiters and filler data, and the lengths tile the
 * sample exactly. *is_ref: nal_ref_idc != 0; *is_idr: IDR slices. */
int avmit_h264_scan_sample(const uint8_t *p, size_t n, int nal_length_size, int *is_ref,
                           int *is_idr);

#endif /* AVMIT_H264_SYNTAX_INT_H */
