/*
 * pb_int.h — a minimal protobuf wire-format reader (FORMATS.md §2.1) for the
 * io module's decoders. It walks one message's fields in order without
 * allocating; length-delimited payloads are returned as sub-ranges that the
 * caller walks with a new cursor. Strict where protobuf is strict: varints
 * of at most 10 bytes that fit 64 bits, field number >= 1, wire types
 * 0, 1, 2 and 5 only (groups 3/4 and 6/7 are rejected), lengths inside the
 * enclosing message.
 *
 * Thread-safety: a cursor belongs to one thread.
 */
#ifndef AVMIT_PB_INT_H
#define AVMIT_PB_INT_H

#include <stddef.h>
#include <stdint.h>

enum {
    PB_WT_VARINT = 0,
    PB_WT_I64 = 1,
    PB_WT_LEN = 2,
    PB_WT_I32 = 5
};

/* Failure reasons (negative); pb_strerror names them. */
enum {
    PB_E_TRUNCATED = -1,     /* a varint, fixed value or payload runs past the message */
    PB_E_OVERLONG = -2,      /* a varint longer than 10 bytes or beyond 64 bits */
    PB_E_WIRETYPE = -3,      /* wire type 3, 4, 6 or 7 */
    PB_E_FIELD0 = -4,        /* field number 0 (or above 2^29 - 1) */
};

const char *pb_strerror(int code);

/* Decode one varint from [*p, end): 0 and advances *p, or PB_E_TRUNCATED / PB_E_OVERLONG. */
int pb_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v);

/* Bytes a varint encoding of v takes (1..10), and writing one (returns bytes written). */
size_t pb_varint_size(uint64_t v);
size_t pb_put_varint(uint8_t *out, uint64_t v);

/* A cursor over one message's bytes. */
typedef struct pb_cursor {
    const uint8_t *p;     /* next byte */
    const uint8_t *end;   /* end of this message */
    const uint8_t *base;  /* start of the outermost buffer, for offsets in messages */
} pb_cursor;

/* One field as read. */
typedef struct pb_field {
    uint32_t number;        /* field number (>= 1) */
    int wire_type;          /* PB_WT_* */
    uint64_t value;         /* varint value, or the fixed64 / fixed32 bits */
    const uint8_t *data;    /* PB_WT_LEN: payload */
    size_t len;             /* PB_WT_LEN: payload length */
    size_t offset;          /* offset of the field's tag from cursor.base */
} pb_field;

static inline pb_cursor pb_cursor_make(const uint8_t *data, size_t n, const uint8_t *base) {
    pb_cursor c;
    c.p = data;
    c.end = data + n;
    c.base = base ? base : data;
    return c;
}

/* Read the next field: 1 and fills *f, 0 at the end of the message, or a
 * negative PB_E_* code (then *err_offset = offset of the failing byte). */
int pb_next(pb_cursor *c, pb_field *f, size_t *err_offset);

/* A cursor over a PB_WT_LEN field's payload (same base). */
static inline pb_cursor pb_sub(const pb_cursor *c, const pb_field *f) {
    return pb_cursor_make(f->data, f->len, c->base);
}

#endif
