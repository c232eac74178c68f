/* test_protobuf.c — the internal protobuf wire reader (src/io/pb_int.h,
 * FORMATS.md §2.1): varint limits, tags, wire types, lengths, unknown fields. */
#include <stdint.h>
#include <string.h>

#include "io/pb_int.h"
#include "testutil.h"

/* Decode a whole buffer as one varint; returns the rc and, on success, checks it used all bytes. */
static int varint(const uint8_t *b, size_t n, uint64_t *v) {
    const uint8_t *p = b;
    int rc = pb_read_varint(&p, b + n, v);
    if (rc == 0 && p != b + n) return 99;
    return rc;
}

static void check_roundtrip(uint64_t v, size_t want_size) {
    uint8_t buf[16];
    size_t n = pb_put_varint(buf, v);
    uint64_t back = 0;
    CHECK(n == want_size && pb_varint_size(v) == want_size,
          "varint %llu: %zu bytes (size fn %zu), expected %zu", (unsigned long long)v, n,
          pb_varint_size(v), want_size);
    CHECK(varint(buf, n, &back) == 0 && back == v, "varint %llu does not read back",
          (unsigned long long)v);
}

int main(void) {
    uint64_t v;
    /* edge values: 0, 127, 128, 300 (= ac 02), 2^63, 2^64 - 1 (10 bytes) */
    const uint8_t b300[] = {0xac, 0x02};
    CHECK(varint(b300, 2, &v) == 0 && v == 300, "ac 02 must decode to 300");
    check_roundtrip(0, 1);
    check_roundtrip(127, 1);
    check_roundtrip(128, 2);
    check_roundtrip(300, 2);
    check_roundtrip((uint64_t)1 << 63, 10);
    check_roundtrip(UINT64_MAX, 10);
    const uint8_t max10[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK(varint(max10, 10, &v) == 0 && v == UINT64_MAX, "10-byte max varint = 2^64 - 1");
    /* an 11-byte varint (continuation on byte 10) and a 10th byte above 1 overflow */
    const uint8_t over11[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    CHECK_INT(varint(over11, 11, &v), PB_E_OVERLONG);
    const uint8_t over10[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    CHECK_INT(varint(over10, 10, &v), PB_E_OVERLONG);
    /* a redundant but in-limit encoding of 0 (80 00) is still a valid varint */
    const uint8_t pad0[] = {0x80, 0x00};
    CHECK(varint(pad0, 2, &v) == 0 && v == 0, "80 00 decodes to 0");
    /* truncated: continuation bit on the last byte, and empty input */
    const uint8_t trunc[] = {0xac};
    CHECK_INT(varint(trunc, 1, &v), PB_E_TRUNCATED);
    CHECK_INT(varint(trunc, 0, &v), PB_E_TRUNCATED);

    /* a message with every accepted wire type: field 1 varint 150, field 2 fixed64,
       field 3 bytes "hi", field 4 fixed32 */
    const uint8_t msg[] = {0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8,
                           0x1a, 0x02, 'h',  'i',  0x25, 9, 8, 7, 6};
    pb_cursor c = pb_cursor_make(msg, sizeof msg, NULL);
    pb_field f;
    size_t off = 0;
    CHECK(pb_next(&c, &f, &off) == 1 && f.number == 1 && f.wire_type == 0 && f.value == 150,
          "field 1 varint 150");
    CHECK(pb_next(&c, &f, &off) == 1 && f.number == 2 && f.wire_type == 1 &&
              f.value == 0x0807060504030201ull,
          "field 2 fixed64 little-endian");
    CHECK(pb_next(&c, &f, &off) == 1 && f.number == 3 && f.len == 2 && !memcmp(f.data, "hi", 2),
          "field 3 bytes \"hi\"");
    CHECK(pb_next(&c, &f, &off) == 1 && f.number == 4 && f.wire_type == 5 && f.value == 0x06070809u,
          "field 4 fixed32");
    CHECK_INT(pb_next(&c, &f, &off), 0);

    /* wire types 3, 4, 6, 7 rejected with the tag's offset */
    for (int wt = 3; wt <= 7; wt++) {
        if (wt == 5) continue;
        const uint8_t m[] = {0x08, 0x01, (uint8_t)(1 << 3 | wt), 0x00};
        c = pb_cursor_make(m, sizeof m, NULL);
        CHECK(pb_next(&c, &f, &off) == 1, "first field of the wire-type-%d message", wt);
        int rc = pb_next(&c, &f, &off);
        CHECK(rc == PB_E_WIRETYPE && off == 2, "wire type %d: rc %d at %zu, expected %d at 2",
              wt, rc, off, PB_E_WIRETYPE);
    }
    /* field number 0 */
    const uint8_t f0[] = {0x00, 0x01};
    c = pb_cursor_make(f0, sizeof f0, NULL);
    CHECK_INT(pb_next(&c, &f, &off), PB_E_FIELD0);
    /* a length past the parent: the outer message claims 5 bytes, only 3 follow */
    const uint8_t past[] = {0x0a, 0x05, 'a', 'b', 'c'};
    c = pb_cursor_make(past, sizeof past, NULL);
    CHECK_INT(pb_next(&c, &f, &off), PB_E_TRUNCATED);
    /* a nested field whose length fits the buffer but not its parent */
    const uint8_t nested[] = {0x0a, 0x02, 0x0a, 0x03, 'x', 'y', 'z'};
    c = pb_cursor_make(nested, sizeof nested, NULL);
    CHECK(pb_next(&c, &f, &off) == 1 && f.len == 2, "outer field of 2 bytes");
    pb_cursor sub = pb_sub(&c, &f);
    CHECK_INT(pb_next(&sub, &f, &off), PB_E_TRUNCATED);
    CHECK_INT(off, 2); /* offsets count from the outermost buffer */
    /* truncated fixed64 / fixed32 */
    const uint8_t tf64[] = {0x09, 1, 2, 3};
    c = pb_cursor_make(tf64, sizeof tf64, NULL);
    CHECK_INT(pb_next(&c, &f, &off), PB_E_TRUNCATED);
    const uint8_t tf32[] = {0x0d, 1, 2, 3};
    c = pb_cursor_make(tf32, sizeof tf32, NULL);
    CHECK_INT(pb_next(&c, &f, &off), PB_E_TRUNCATED);

    /* unknown fields are skipped by number: a reader looking for field 7 finds it after
       fields 100 (varint), 101 (bytes), 102 (fixed32), 103 (fixed64) */
    const uint8_t unk[] = {0xa0, 0x06, 0x05, 0xaa, 0x06, 0x01, 0x00, 0xb5, 0x06, 1, 2, 3, 4,
                           0xb9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x38, 0x2a};
    c = pb_cursor_make(unk, sizeof unk, NULL);
    uint64_t seven = 0;
    int n_fields = 0, rc;
    while ((rc = pb_next(&c, &f, &off)) == 1) {
        n_fields++;
        if (f.number == 7) seven = f.value;
    }
    CHECK(rc == 0 && n_fields == 5 && seven == 42, "skipping unknown fields: rc %d, %d fields, "
          "field 7 = %llu", rc, n_fields, (unsigned long long)seven);
    return test_finish("test_protobuf");
}
