"""tfckpt_ref.py — an independent TensorFlow 2 checkpoint (tensor bundle)
reader and writer in Python standard library + numpy, written from
FORMATS.md §6 without looking at avmit's C code. Used by
test_model_inspect.py, test_tfckpt_reject.py and the parity tests.

Reader: the .index leveldb table (footer magic, block handles, block trailers
with masked crc32c, prefix-compressed keys, restart points, strictly
increasing keys), BundleHeaderProto / BundleEntryProto, tensors from the
.data-00000-of-00001 shard with their masked crc32c (DT_STRING by the
length-checksum rule of §6.3), and the object graph's full names (§6.4).
Writer: the same table, so tests can build small or deliberately broken
checkpoints.
"""
import struct

import numpy as np

from tfrecord_ref import crc32c, mask, unmask, read_varint, fields  # noqa: F401
from tfrecord_ref import field_len as len_field, field_varint as int_field
from tfrecord_ref import varint as put_varint

MAGIC = 0xDB4775248B80FB57
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_STRING, DT_INT64 = 1, 2, 3, 7, 9
NP_DTYPES = {1: "<f4", 2: "<f8", 3: "<i4", 4: "|u1", 5: "<i2", 6: "|i1", 9: "<i8",
             10: "|b1"}
DATA_SUFFIX = ".data-00000-of-00001"
ATTR = "/.ATTRIBUTES/VARIABLE_VALUE"


class FormatError(ValueError):
    pass


# ---- protobuf wire format (FORMATS.md §2.1): tfrecord_ref's codec ---------------

def varint(b, pos):
    return read_varint(b, pos, len(b))


def key_field(num, wt):
    return put_varint(num << 3 | wt)


# ---- the leveldb table (FORMATS.md §6.2) ------------------------------------------

def read_block(buf, off, size):
    if off + size + 5 > len(buf) - 48:
        raise FormatError("block handle past the end")
    block = bytes(buf[off:off + size])
    btype = buf[off + size]
    stored = unmask(struct.unpack_from("<I", buf, off + size + 1)[0])
    if stored != crc32c(block + bytes([btype])):
        raise FormatError("block checksum mismatch")
    if btype != 0:
        raise FormatError("compressed block (type %d)" % btype)
    return block


def block_entries(block):
    """[(key bytes, value bytes)] with restart points checked."""
    (nr,) = struct.unpack_from("<I", block, len(block) - 4)
    data_end = len(block) - 4 - 4 * nr
    restarts = set(struct.unpack_from("<%dI" % nr, block, data_end))
    out, pos, key = [], 0, b""
    while pos < data_end:
        start = pos
        shared, pos = varint(block, pos)
        non_shared, pos = varint(block, pos)
        vlen, pos = varint(block, pos)
        if start in restarts and shared:
            raise FormatError("restart point with a shared prefix")
        key = key[:shared] + block[pos:pos + non_shared]
        pos += non_shared
        out.append((key, block[pos:pos + vlen]))
        pos += vlen
    return out


def read_table(buf):
    """All (key, value) of a leveldb table, keys checked strictly increasing."""
    if len(buf) < 48:
        raise FormatError("shorter than the footer")
    if struct.unpack_from("<Q", buf, len(buf) - 8)[0] != MAGIC:
        raise FormatError("not an sstable (bad magic number)")
    pos = len(buf) - 48
    h = []
    for _ in range(4):
        v, pos = varint(buf, pos)
        h.append(v)
    read_block(buf, h[0], h[1])  # metaindex: checked, unused
    out = []
    for _sep, handle in block_entries(read_block(buf, h[2], h[3])):
        off, p = varint(handle, 0)
        size, _ = varint(handle, p)
        out += block_entries(read_block(buf, off, size))
    for a, b in zip(out, out[1:]):
        if not a[0] < b[0]:
            raise FormatError("keys not strictly increasing")
    return out


def build_block(kvs, restart_interval=16):
    out, restarts, prev = bytearray(), [], b""
    for i, (k, v) in enumerate(kvs):
        shared = 0
        if i % restart_interval == 0:
            restarts.append(len(out))
        else:
            while shared < min(len(k), len(prev)) and k[shared] == prev[shared]:
                shared += 1
        out += put_varint(shared) + put_varint(len(k) - shared) + put_varint(len(v))
        out += k[shared:] + v
        prev = k
    if not restarts:
        restarts = [0]
    out += b"".join(struct.pack("<I", r) for r in restarts) + struct.pack("<I", len(restarts))
    return bytes(out)


def build_table(kvs, block_type=0):
    """A one-data-block leveldb table as TensorFlow's BundleWriter writes it."""
    out = bytearray()

    def put(block):
        off = len(out)
        out.extend(block + bytes([block_type]))
        out.extend(struct.pack("<I", mask(crc32c(block + bytes([block_type])))))
        return put_varint(off) + put_varint(len(block))

    data_h = put(build_block(kvs))
    meta_h = put(build_block([]))
    last = kvs[-1][0] if kvs else b""
    sep = bytes([last[0] + 1]) if last and last[0] < 255 else last + b"\0"
    index_h = put(build_block([(sep, data_h)], restart_interval=1))
    footer = meta_h + index_h
    out += footer + bytes(40 - len(footer)) + struct.pack("<Q", MAGIC)
    return bytes(out)


# ---- tensor bundle (FORMATS.md §6.3) --------------------------------------------

def parse_header(v):
    h = {"num_shards": 0, "endianness": 0, "producer": 0, "min_consumer": 0}
    for num, _wt, val in fields(v):
        if num == 1:
            h["num_shards"] = val
        elif num == 2:
            h["endianness"] = val
        elif num == 3:
            for n2, _w2, v2 in fields(val):
                if n2 == 1:
                    h["producer"] = v2
                elif n2 == 2:
                    h["min_consumer"] = v2
    return h


def parse_entry(v):
    e = {"dtype": 0, "shape": [], "shard_id": 0, "offset": 0, "size": 0, "crc32c": None,
         "slices": 0}
    for num, _wt, val in fields(v):
        if num == 1:
            e["dtype"] = val
        elif num == 2:
            for n2, _w2, dim in fields(val):
                if n2 == 2:
                    size = 0
                    for n3, _w3, v3 in fields(dim):
                        if n3 == 1:
                            size = v3
                    e["shape"].append(size)
        elif num == 3:
            e["shard_id"] = val
        elif num == 4:
            e["offset"] = val
        elif num == 5:
            e["size"] = val
        elif num == 6:
            e["crc32c"] = unmask(val)
        elif num == 7:
            e["slices"] += 1
    return e


def header_bytes(num_shards=1, endianness=0, producer=1, min_consumer=0):
    version = int_field(1, producer) + (int_field(2, min_consumer) if min_consumer else b"")
    return (int_field(1, num_shards) + (int_field(2, endianness) if endianness else b"")
            + len_field(3, version))


def entry_bytes(dtype, shape, offset, size, crc, slices=False):
    shape_b = b"".join(len_field(2, int_field(1, d)) for d in shape)
    out = int_field(1, dtype) + len_field(2, shape_b)
    if offset:
        out += int_field(4, offset)
    out += int_field(5, size) + key_field(6, 5) + struct.pack("<I", mask(crc))
    if slices:
        out += len_field(7, b"")
    return out


def read_index(path):
    with open(path, "rb") as f:
        kvs = read_table(f.read())
    if not kvs or kvs[0][0] != b"":
        raise FormatError("first key is not the header")
    return parse_header(kvs[0][1]), [(k.decode(), parse_entry(v)) for k, v in kvs[1:]]


def string_tensor(e, data):
    """Elements of a DT_STRING tensor, checking both checksums."""
    raw = data[e["offset"]:e["offset"] + e["size"]]
    n = int(np.prod(e["shape"], dtype=np.int64)) if e["shape"] else 1
    pos, lens, crc = 0, [], 0
    for _ in range(n):
        ln, pos = varint(raw, pos)
        lens.append(ln)
        crc = crc32c(struct.pack("<I" if ln <= 0xFFFFFFFF else "<Q", ln), crc)
    if unmask(struct.unpack_from("<I", raw, pos)[0]) != crc:
        raise FormatError("string length checksum mismatch")
    crc = crc32c(raw[pos:pos + 4], crc)
    pos += 4
    out = []
    for ln in lens:
        out.append(bytes(raw[pos:pos + ln]))
        pos += ln
    if crc32c(raw[pos - sum(lens):pos], crc) != e["crc32c"]:
        raise FormatError("string tensor CRC mismatch")
    return out


def tensor(e, data, check_crc=True):
    """A numeric tensor as a numpy array (little-endian dtype)."""
    raw = data[e["offset"]:e["offset"] + e["size"]]
    if len(raw) != e["size"]:
        raise FormatError("tensor past the end of the data file")
    if check_crc and crc32c(raw) != e["crc32c"]:
        raise FormatError("tensor CRC mismatch")
    return np.frombuffer(raw, dtype=NP_DTYPES[e["dtype"]]).reshape(e["shape"])


def full_names(graph):
    """{checkpoint_key: full_name} from a serialized TrackableObjectGraph."""
    out = {}
    for num, wt, node in fields(graph):
        if num != 1 or wt != 2:
            continue
        for n2, w2, attr in fields(node):
            if n2 != 2 or w2 != 2:
                continue
            d = {n3: v3 for n3, w3, v3 in fields(attr) if w3 == 2}
            if 2 in d and 3 in d:
                out[d[3].decode()] = d[2].decode()
    return out


def resolve(path):
    """A prefix from a folder / checkpoint file / .index / .data / prefix (§6.5,
    only the simple double-quoted form the released files use)."""
    import os
    if os.path.isdir(path) or os.path.basename(path) == "checkpoint":
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        with open(os.path.join(folder, "checkpoint")) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k.strip() == "model_checkpoint_path":
                    return os.path.join(folder, v.strip().strip('"'))
        raise FormatError("no model_checkpoint_path")
    for suf in (".index", DATA_SUFFIX):
        if path.endswith(suf):
            return path[:-len(suf)]
    return path


def read_checkpoint(path, check_crc=True):
    """(header, {key: entry}, {key: numpy array or [bytes]}, {key: full_name})."""
    prefix = resolve(path)
    header, entries = read_index(prefix + ".index")
    with open(prefix + DATA_SUFFIX, "rb") as f:
        data = f.read()
    values, names = {}, {}
    for k, e in entries:
        if e["dtype"] == DT_STRING:
            values[k] = string_tensor(e, data)
            if k == "_CHECKPOINTABLE_OBJECT_GRAPH":
                names = full_names(values[k][0])
        else:
            values[k] = tensor(e, data, check_crc)
    return header, dict(entries), values, names


def write_checkpoint(prefix, tensors, header=None, entry_tweak=None, block_type=0):
    """Write P.index + P.data-00000-of-00001 for {key: numpy array}; keys
    sorted, data in the same order. entry_tweak(key, kwargs) may alter an
    entry's fields (to build broken files)."""
    data, kvs = bytearray(), [(b"", header if header is not None else header_bytes())]
    for k in sorted(tensors):
        a = np.asarray(tensors[k])  # (ascontiguousarray would make a scalar 1-D)
        dt = {np.dtype("<f4"): DT_FLOAT, np.dtype("<i8"): DT_INT64,
              np.dtype("<f8"): DT_DOUBLE, np.dtype("<i4"): DT_INT32}[a.dtype]
        raw = a.tobytes()
        kw = dict(dtype=dt, shape=list(a.shape), offset=len(data), size=len(raw),
                  crc=crc32c(raw))
        if entry_tweak:
            entry_tweak(k, kw)
        kvs.append((k.encode(), entry_bytes(**kw)))
        data += raw
    with open(prefix + ".index", "wb") as f:
        f.write(build_table(kvs, block_type))
    with open(prefix + DATA_SUFFIX, "wb") as f:
        f.write(bytes(data))
