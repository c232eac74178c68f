/*
 * pb.c — protobuf wire-format reader (pb_int.h, FORMATS.md §2.1).
 */
#include "io/pb_int.h"

#include <string.h>

const char *pb_strerror(int code) {
    switch (code) {
    case PB_E_TRUNCATED: return "field runs past the end of its message";
    case PB_E_OVERLONG: return "varint longer than 10 bytes or above 2^64 - 1";
    case PB_E_WIRETYPE: return "unsupported wire type (groups 3/4 and types 6/7 are rejected)";
    case PB_E_FIELD0: return "invalid field number (0 or above 2^29 - 1)";
    default: return "malformed protobuf";
    }
}

int pb_read_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v) {
    const uint8_t *p = *pp;
    uint64_t r = 0;
    for (int i = 0; i < 10; i++) {
        if (p >= end) return PB_E_TRUNCATED;
        uint8_t b = *p++;
        /* byte 10 holds only bit 63: anything above 1 (or a continuation) overflows */
        if (i == 9 && b > 1) return PB_E_OVERLONG;
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *pp = p;
            *v = r;
            return 0;
        }
    }
    return PB_E_OVERLONG; /* not reached: i == 9 returns above */
}

size_t pb_varint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t pb_put_varint(uint8_t *out, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

int pb_next(pb_cursor *c, pb_field *f, size_t *err_offset) {
    if (c->p >= c->end) return 0;
    const uint8_t *start = c->p, *p = c->p;
    uint64_t tag;
    int rc = pb_read_varint(&p, c->end, &tag);
    if (rc) goto fail;
    f->offset = (size_t)(start - c->base);
    f->wire_type = (int)(tag & 7u);
    if ((tag >> 3) == 0 || (tag >> 3) > 0x1FFFFFFFu) {
        rc = PB_E_FIELD0;
        goto fail;
    }
    f->number = (uint32_t)(tag >> 3);
    f->data = NULL;
    f->len = 0;
    f->value = 0;
    switch (f->wire_type) {
    case PB_WT_VARINT:
        rc = pb_read_varint(&p, c->end, &f->value);
        if (rc) goto fail;
        break;
    case PB_WT_I64:
    case PB_WT_I32: {
        size_t w = f->wire_type == PB_WT_I64 ? 8 : 4;
        if ((size_t)(c->end - p) < w) {
            rc = PB_E_TRUNCATED;
            goto fail;
        }
        for (size_t i = 0; i < w; i++) f->value |= (uint64_t)p[i] << (8 * i);
        p += w;
        break;
    }
    case PB_WT_LEN: {
        uint64_t n;
        rc = pb_read_varint(&p, c->end, &n);
        if (rc) goto fail;
        if (n > (uint64_t)(c->end - p)) {
            rc = PB_E_TRUNCATED;
            goto fail;
        }
        f->data = p;
        f->len = (size_t)n;
        p += n;
        break;
    }
    default:
        rc = PB_E_WIRETYPE;
        goto fail;
    }
    c->p = p;
    return 1;
fail:
    if (err_offset) *err_offset = (size_t)(start - c->base);
    return rc;
}
