"""tfckpt_v1_ref.py — an independent TensorFlow 1 *V1* checkpoint writer and
reader (Python standard library + numpy), written from the published
table format (FORMATS.md §6.2), saved_tensor_slice.proto and the
OrderedCode key encoding as docs/cnn-weights.md §1.1 states them, without
looking at avmit's C code.

Writer: TensorFlow's TableBuilder as TensorSliceWriter drives it — data blocks
cut once their size estimate reaches 262,144 bytes, restart interval 16, index
block restart interval 1 with shortened separators / short successor keys,
empty metaindex, 48-byte footer; block type 0 (no compression). The "" entry
holds SavedTensorSlices{meta}, then one entry per tensor (a full slice) with
the values as TensorProto.float_val, packed. Tensors in name order, as
tf.train.Saver orders them.

Reader: every table entry, block CRCs, keys increasing, meta, slices (also
partitioned ones, reassembled), checks that each key is the OrderedCode of its
slice, and returns {name: numpy array}.
"""
import struct

import numpy as np

from tfckpt_ref import (MAGIC, FormatError, crc32c, key_field, mask, put_varint,
                        read_table, varint)

BLOCK_SIZE = 262144
DT_FLOAT = 1


# ---- OrderedCode (tensorflow/core/lib/strings/ordered_code.cc) ----------------------

def oc_num_increasing(v):
    b = v.to_bytes(8, "big").lstrip(b"\0")
    return bytes([len(b)]) + b


def _oc_string(s):
    out = bytearray()
    for c in s:
        if c == 0:
            out += b"\0\xff"
        elif c == 0xff:
            out += b"\xff\0"
        else:
            out.append(c)
    return bytes(out) + b"\0\x01"


def oc_signed_increasing(v):
    """WriteSignedNumIncreasing: sign bit, unary length, payload (big-endian)."""
    x = ~v if v < 0 else v
    bits = x.bit_length() + 1  # sign bit
    n = 1
    while n * 7 < bits:  # n bytes hold 7n - 1 payload bits plus the sign
        n += 1
    if n > 10:
        raise ValueError("number too large")
    raw = (v & ((1 << (8 * n)) - 1)).to_bytes(n, "big") if n <= 8 else \
        (v & ((1 << 64) - 1)).to_bytes(8, "big").rjust(n, b"\xff" if v < 0 else b"\0")
    header = (0xff00 >> min(n, 8)) & 0xff  # n ones from the top of the first byte
    first = bytearray(raw)
    first[0] ^= header
    if n > 8:  # lengths 9, 10: the second byte carries 1 or 2 more header bits
        first[1] ^= {9: 0x80, 10: 0xc0}[n]
    return bytes(first)


def encode_slice_key(name, extents):
    """EncodeTensorNameSlice: extents = [(start, length)] with length -1 = full."""
    out = oc_num_increasing(0) + _oc_string(name.encode()) + oc_num_increasing(len(extents))
    for start, length in extents:
        out += oc_signed_increasing(start) + oc_signed_increasing(length)
    return out


# ---- protobuf messages (saved_tensor_slice.proto) ---------------------------------

def ld(num, payload):
    return key_field(num, 2) + put_varint(len(payload)) + payload


def shape_proto(shape):
    return b"".join(ld(2, key_field(1, 0) + put_varint(d)) for d in shape)


def slice_proto(rank, extents=None):
    """Full extents are empty messages; a partial one holds start (if > 0) and length."""
    if extents is None:
        return b"".join(ld(1, b"") for _ in range(rank))
    out = b""
    for start, length in extents:
        e = b""
        if length != -1:
            e = (key_field(1, 0) + put_varint(start) if start else b"") + key_field(2, 0) + put_varint(length)
        out += ld(1, e)
    return out


def meta_value(tensors, parts=None, dtype=DT_FLOAT):
    body = b""
    for name, a in tensors:
        sl = b"".join(ld(4, slice_proto(a.ndim, e)) for e in (parts or {}).get(name, [None]))
        body += ld(1, ld(1, name.encode()) + ld(2, shape_proto(a.shape)) +
                   key_field(3, 0) + put_varint(dtype) + sl)
    body += ld(2, key_field(1, 0) + put_varint(1))  # VersionDef{producer: 1}
    return ld(1, body)


def data_value(name, a, extents=None):
    if extents is not None:
        a = a[tuple(slice(None) if l == -1 else slice(s, s + l) for s, l in extents)]
    raw = np.ascontiguousarray(a, dtype="<f4").tobytes()
    tp = ld(5, raw) if raw else b""
    return ld(2, ld(1, name.encode()) + ld(2, slice_proto(a.ndim, extents)) + ld(3, tp))


# ---- TableBuilder (tensorflow/core/lib/io/table_builder.cc) --------------------------

def shortest_separator(start, limit):
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n and start[i] < 0xff and start[i] + 1 < limit[i]:
        return start[:i] + bytes([start[i] + 1])
    return start


def short_successor(key):
    for i, c in enumerate(key):
        if c != 0xff:
            return key[:i] + bytes([c + 1])
    return key


class _Block:
    """BlockBuilder: prefix-compressed entries, a restart every `interval`."""

    def __init__(self, interval=16):
        self.interval, self.buf, self.restarts, self.count, self.prev = interval, bytearray(), [0], 0, b""

    def add(self, k, v):
        shared = 0
        if self.count < self.interval:
            n = min(len(k), len(self.prev))
            while shared < n and k[shared] == self.prev[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.count = 0
        self.buf += put_varint(shared) + put_varint(len(k) - shared) + put_varint(len(v))
        self.buf += k[shared:] + v
        self.prev, self.count = k, self.count + 1

    def estimate(self):
        return len(self.buf) + 4 * len(self.restarts) + 4

    def finish(self):
        return bytes(self.buf) + b"".join(struct.pack("<I", r) for r in self.restarts) + \
            struct.pack("<I", len(self.restarts))


def snappy_compress(data):
    """A small greedy Snappy encoder (literals + 2-byte-offset copies), from the
    format description (google/snappy format_description.txt): to build the
    Snappy blocks older TensorFlow could write (block type 1)."""
    out, n, table = bytearray(put_varint(len(data))), len(data), {}

    def literal(a, b):
        while a < b:
            m = min(b - a, 65536)
            if m <= 60:
                out.append((m - 1) << 2)
            elif m <= 256:
                out.extend(bytes([60 << 2, m - 1]))
            else:
                out.extend(bytes([61 << 2]) + (m - 1).to_bytes(2, "little"))
            out.extend(data[a:a + m])
            a += m

    i = lit = 0
    while i + 4 <= n:
        key = bytes(data[i:i + 4])
        j = table.get(key)
        table[key] = i
        if j is not None and i - j <= 65535:
            literal(lit, i)
            m = 4
            while i + m < n and m < 64 and data[j + m] == data[i + m]:
                m += 1
            out.extend(bytes([((m - 1) << 2) | 2]) + (i - j).to_bytes(2, "little"))
            i += m
            lit = i
        else:
            i += 1
    literal(lit, n)
    return bytes(out)


def build_table(kvs, snappy=False):
    out = bytearray()

    def put(block):
        off = len(out)
        t = b"\0"
        if snappy:
            block, t = snappy_compress(block), b"\1"
        out.extend(block + t)
        out.extend(struct.pack("<I", mask(crc32c(block + t))))
        return put_varint(off) + put_varint(len(block))

    index, blk, pending, last = _Block(1), _Block(), None, b""
    for k, v in kvs:
        if pending is not None:
            index.add(shortest_separator(last, k), pending)
            pending = None
        blk.add(k, v)
        last = k
        if blk.estimate() >= BLOCK_SIZE:
            pending, blk = put(blk.finish()), _Block()
    if blk.count or len(blk.buf):
        pending = put(blk.finish())
    meta_h = put(_Block().finish())
    if pending is not None:
        index.add(short_successor(last), pending)
    index_h = put(index.finish())
    footer = meta_h + index_h
    out += footer + bytes(40 - len(footer)) + struct.pack("<Q", MAGIC)
    return bytes(out)


def write_v1(path, tensors, parts=None, dtype=DT_FLOAT, tweak=None, snappy=False):
    """tensors: {name: float32 array}. Writes the V1 checkpoint file at path.
    parts: {name: [extents, ...]} saves that tensor as slices (a partitioned
    variable), extents = [(start, length)] per dimension, length -1 = full.
    dtype: the DataType the metadata claims; tweak(kvs) may alter the entries;
    snappy: every block Snappy-compressed (type 1)."""
    items = sorted((n, np.asarray(a, dtype="<f4")) for n, a in tensors.items())
    kvs = [(b"", meta_value(items, parts, dtype))]
    for n, a in items:
        for e in (parts or {}).get(n, [[(0, -1)] * a.ndim]):
            full = all(l == -1 for _, l in e)
            kvs.append((encode_slice_key(n, e), data_value(n, a, None if full else e)))
    kvs = [kvs[0]] + sorted(kvs[1:])
    if tweak:
        kvs = tweak(kvs)
    with open(path, "wb") as f:
        f.write(build_table(kvs, snappy))


# ---- reader -------------------------------------------------------------------------

def fields(buf):
    pos, out = 0, []
    while pos < len(buf):
        tag, pos = varint(buf, pos)
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            v, pos = varint(buf, pos)
        elif wt == 2:
            n, pos = varint(buf, pos)
            if pos + n > len(buf):
                raise FormatError("field %d runs past its message" % num)
            v, pos = buf[pos:pos + n], pos + n
        elif wt == 5:
            v, pos = buf[pos:pos + 4], pos + 4
        elif wt == 1:
            v, pos = buf[pos:pos + 8], pos + 8
        else:
            raise FormatError("wire type %d" % wt)
        out.append((num, wt, v))
    return out


def parse_slice(buf, rank, shape):
    ext = [f[2] for f in fields(buf) if f[0] == 1]
    if len(ext) != rank:
        raise FormatError("slice has %d extents for rank %d" % (len(ext), rank))
    out = []
    for e, dim in zip(ext, shape):
        fs = dict((f[0], f[2]) for f in fields(e))
        start = fs.get(1, 0)
        length = fs.get(2, None)
        out.append((start, -1 if length is None else length))
    return out


def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def read_v1(path):
    buf = open(path, "rb").read()
    kvs = read_table(buf)
    if not kvs or kvs[0][0] != b"":
        raise FormatError("first key is not the \"\" meta entry")
    meta = {}
    order = []
    for num, _, v in fields(kvs[0][1]):
        if num != 1:
            continue
        for n2, _, t in fields(v):
            if n2 != 1:
                continue
            fs = fields(t)
            name = [x[2] for x in fs if x[0] == 1][0].decode()
            shp = [x[2] for x in fs if x[0] == 2]
            dims = [dict((a, b) for a, _, b in fields(d[2]))[1] if fields(d[2]) else 0
                    for d in fields(shp[0]) if d[0] == 2] if shp else []
            dtype = [x[2] for x in fs if x[0] == 3]
            if (dtype[0] if dtype else 0) != DT_FLOAT:
                raise FormatError("%s: dtype %s is not float" % (name, dtype))
            slices = [x[2] for x in fs if x[0] == 4]
            meta[name] = (tuple(dims), [parse_slice(s, len(dims), dims) for s in slices])
            order.append(name)
    out = {n: np.zeros(meta[n][0], "<f4") for n in order}
    seen = {n: 0 for n in order}
    for k, v in kvs[1:]:
        d = [x[2] for x in fields(v) if x[0] == 2]
        if not d:
            raise FormatError("entry without data")
        fs = fields(d[0])
        name = [x[2] for x in fs if x[0] == 1][0].decode()
        if name not in meta:
            raise FormatError("slice of %s not in meta" % name)
        shape = meta[name][0]
        ext = parse_slice([x[2] for x in fs if x[0] == 2][0], len(shape), shape)
        ext = [(signed(s), signed(l)) for s, l in ext]
        if encode_slice_key(name, [(0, -1) if l == -1 else (s, l) for s, l in ext]) != k:
            raise FormatError("key of %s does not encode its slice" % name)
        tp = [x[2] for x in fs if x[0] == 3]
        vals = b"".join(x[2] for x in fields(tp[0]) if x[0] == 5) if tp else b""
        sl = tuple(slice(0, dim) if l == -1 else slice(s, s + l) for (s, l), dim in zip(ext, shape))
        sub = out[name][sl]
        a = np.frombuffer(vals, "<f4")
        if a.size != sub.size:
            raise FormatError("%s: %d values for a slice of %d" % (name, a.size, sub.size))
        out[name][sl] = a.reshape(sub.shape)
        seen[name] += sub.size
    for n in order:
        if seen[n] != int(np.prod(meta[n][0], dtype=np.int64)):
            raise FormatError("%s: slices cover %d of %d values" % (n, seen[n], out[n].size))
    return out
