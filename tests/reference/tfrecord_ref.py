"""tfrecord_ref.py — an independent TFRecord + SequenceExample implementation
(Python standard library + numpy), written from FORMATS.md §1-§3 without
looking at avmit's C code. Used by test_tfrecord_reader.py and by
tests/corrupt/make_corrupt.py.

- CRC-32C: bitwise-derived table, reflected polynomial 0x82F63B78.
- TFRecord: uint64 LE length, masked CRC of the length, data, masked CRC of data.
- Protobuf: a generic wire-format encoder/decoder (varint, fixed32/64, bytes).
- AVMIT record: tf.train.SequenceExample with the §3.2 keys, serialized the
  way protobuf's deterministic serialization does (map keys sorted bytewise).
"""
import struct

import numpy as np

_POLY = 0x82F63B78
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data, crc=0):
    if len(data) > 1 << 20:  # large tensors (CNN weights): the numpy lane version
        import crc32c_np
        return crc32c_np.crc32c(data, crc)
    c = crc ^ 0xFFFFFFFF
    t = _TABLE
    for b in bytes(data):
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def mask(c):
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def unmask(m):
    r = (m - 0xA282EAD8) & 0xFFFFFFFF
    return ((r >> 17) | (r << 15)) & 0xFFFFFFFF


def frame(data):
    head = struct.pack("<Q", len(data))
    return (head + struct.pack("<I", mask(crc32c(head))) + data
            + struct.pack("<I", mask(crc32c(data))))


def read_records(stream):
    """Split an uncompressed TFRecord stream, verifying both CRCs of every record."""
    out, pos = [], 0
    while pos < len(stream):
        if len(stream) - pos < 12:
            raise ValueError("truncated header at %d" % pos)
        (n,) = struct.unpack_from("<Q", stream, pos)
        (lc,) = struct.unpack_from("<I", stream, pos + 8)
        if lc != mask(crc32c(stream[pos:pos + 8])):
            raise ValueError("length CRC mismatch at %d" % pos)
        if len(stream) - pos < 16 + n:
            raise ValueError("truncated record at %d" % pos)
        data = stream[pos + 12:pos + 12 + n]
        (dc,) = struct.unpack_from("<I", stream, pos + 12 + n)
        if dc != mask(crc32c(data)):
            raise ValueError("data CRC mismatch at %d" % (pos + 12))
        out.append(bytes(data))
        pos += 16 + n
    return out


# ---- protobuf wire format --------------------------------------------------------------

def varint(v):
    v &= (1 << 64) - 1  # negative int64 = 64-bit two's complement
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def field_len(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def field_varint(number, v):
    return varint(number << 3 | 0) + varint(v)


def read_varint(buf, pos, end):
    shift, v = 0, 0
    for i in range(10):
        if pos >= end:
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            if v >> 64:
                raise ValueError("varint overflow")
            return v, pos
    raise ValueError("varint longer than 10 bytes")


def fields(buf):
    """Yield (number, wire_type, value) of one message; value = int or bytes."""
    pos, end = 0, len(buf)
    while pos < end:
        tag, pos = read_varint(buf, pos, end)
        num, wt = tag >> 3, tag & 7
        if num == 0:
            raise ValueError("field number 0")
        if wt == 0:
            v, pos = read_varint(buf, pos, end)
        elif wt == 1:
            if end - pos < 8:
                raise ValueError("truncated fixed64")
            v = struct.unpack_from("<Q", buf, pos)[0]
            pos += 8
        elif wt == 5:
            if end - pos < 4:
                raise ValueError("truncated fixed32")
            v = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
        elif wt == 2:
            n, pos = read_varint(buf, pos, end)
            if n > end - pos:
                raise ValueError("length past the message")
            v = bytes(buf[pos:pos + n])
            pos += n
        else:
            raise ValueError("wire type %d" % wt)
        yield num, wt, v


# ---- tf.train messages -----------------------------------------------------------------

def feature_bytes(values):
    return field_len(1, b"".join(field_len(1, v) for v in values))


def feature_int64(values, packed=True):
    if packed:
        lst = field_len(1, b"".join(varint(v) for v in values))
    else:
        lst = b"".join(field_varint(1, v) for v in values)
    return field_len(3, lst)


def map_entry(key, value_payload):
    return field_len(1, key.encode()) + field_len(2, value_payload)


def encode_embedding(filename, label, audio, visual, reverse=False, unpacked=False):
    """Serialized SequenceExample. Default: deterministic (keys sorted, packed).
    reverse/unpacked produce other valid encodings of the same content."""
    audio = np.asarray(audio, dtype="<f4")
    visual = np.asarray(visual, dtype="<f4")
    ctx = {
        "audio_timesteps": feature_int64([audio.shape[0]], packed=not unpacked),
        "filename": feature_bytes([filename.encode()]),
        "label": feature_bytes([label.encode()]),
        "visual_timesteps": feature_int64([visual.shape[0]], packed=not unpacked),
    }
    lists = {
        "audio": b"".join(field_len(1, feature_bytes([row.tobytes()])) for row in audio),
        "visual_object": b"".join(field_len(1, feature_bytes([row.tobytes()])) for row in visual),
    }
    order = sorted(ctx, key=lambda k: k.encode(), reverse=reverse)
    context = b"".join(field_len(1, map_entry(k, ctx[k])) for k in order)
    lorder = sorted(lists, key=lambda k: k.encode(), reverse=reverse)
    flists = b"".join(field_len(1, map_entry(k, lists[k])) for k in lorder)
    if reverse:
        return field_len(2, flists) + field_len(1, context)
    return field_len(1, context) + field_len(2, flists)


def _decode_feature(buf):
    kind, values = None, []
    for num, wt, v in fields(buf):
        if num not in (1, 2, 3):
            continue
        if wt != 2:
            raise ValueError("Feature field %d wire type %d" % (num, wt))
        if kind != num:
            kind, values = num, []
        for n2, wt2, v2 in fields(v):
            if n2 != 1:
                continue
            if num == 1:
                values.append(v2)
            elif num == 3 and wt2 == 0:
                values.append(v2)
            elif num == 3 and wt2 == 2:
                p = 0
                while p < len(v2):
                    x, p = read_varint(v2, p, len(v2))
                    values.append(x)
            elif num == 2 and wt2 == 5:
                values.append(struct.unpack("<f", struct.pack("<I", v2))[0])
            elif num == 2 and wt2 == 2:
                values.extend(np.frombuffer(v2, dtype="<f4").tolist())
            else:
                raise ValueError("list value wire type %d" % wt2)
    name = {1: "bytes", 2: "float", 3: "int64", None: None}[kind]
    if kind == 3:
        values = [v - (1 << 64) if v >> 63 else v for v in values]
    return name, values


def _decode_map(buf, value_fn):
    out = {}
    for num, wt, v in fields(buf):
        if num != 1:
            continue
        key, vals = b"", []
        for n2, wt2, v2 in fields(v):
            if n2 == 1:
                key = v2
            elif n2 == 2:
                vals.append(v2)
        k = key.decode()
        if k in out:
            raise ValueError("duplicate map key %r" % k)
        out[k] = value_fn(b"".join(vals))
    return out


def decode_embedding(buf):
    """Parse a SequenceExample into (context {key: (kind, values)}, lists {key: [rows]})."""
    ctx_parts, fl_parts = [], []
    for num, wt, v in fields(buf):
        if num == 1:
            ctx_parts.append(v)
        elif num == 2:
            fl_parts.append(v)
    context = _decode_map(b"".join(ctx_parts), _decode_feature)

    def feature_list(b):
        return [_decode_feature(v) for n, wt, v in fields(b) if n == 1]
    lists = _decode_map(b"".join(fl_parts), feature_list)
    return context, lists


def embedding_arrays(buf):
    """(filename, label, audio [T_a, D_a], visual [T_v, D_v]) with the AVMIT checks."""
    ctx, lists = decode_embedding(buf)
    for k, kind in (("filename", "bytes"), ("label", "bytes"), ("audio_timesteps", "int64"),
                    ("visual_timesteps", "int64")):
        if ctx[k][0] != kind or len(ctx[k][1]) != 1:
            raise ValueError("context %s: %r" % (k, ctx[k]))
    out = []
    for key, tkey in (("audio", "audio_timesteps"), ("visual_object", "visual_timesteps")):
        rows = lists[key]
        if any(kind != "bytes" or len(v) != 1 for kind, v in rows):
            raise ValueError("feature list %s: bad timestep" % key)
        if len(rows) != ctx[tkey][1][0]:
            raise ValueError("%s disagrees with %s" % (tkey, key))
        out.append(np.stack([np.frombuffer(v[0], dtype="<f4") for _, v in rows]))
    return ctx["filename"][1][0].decode(), ctx["label"][1][0].decode(), out[0], out[1]
