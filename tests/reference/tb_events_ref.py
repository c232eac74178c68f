"""tb_events_ref.py — an independent reader of TensorBoard event files, for tests only.

TFRecord framing with both CRCs checked (tfrecord_ref.read_records), then the
tensorflow.Event protobuf decoded by hand from the published .proto field numbers:
  event.proto   Event { double wall_time = 1; int64 step = 2; string file_version = 3;
                        Summary summary = 5; ... }
  summary.proto Summary { repeated Value value = 1; }
                Value { string tag = 1; float simple_value = 2; TensorProto tensor = 8;
                        SummaryMetadata metadata = 9; }
                SummaryMetadata { PluginData plugin_data = 1; }  PluginData { string plugin_name = 1; }
  tensor.proto  TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2;
                              repeated bytes string_val = 8; }   (DT_STRING = 7)
Unknown fields are an error here, so anything avmit writes beyond these is noticed.

read_events(path) -> list of dicts: {"wall_time", "step", "file_version"} or
{"wall_time", "step", "tag", "kind": "scalar"|"text", "value"}.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tfrecord_ref import read_records  # noqa: E402


def _varint(b, p):
    v = s = 0
    while True:
        c = b[p]
        p += 1
        v |= (c & 0x7F) << s
        s += 7
        if not c & 0x80:
            return v, p


def _fields(b):
    p, out = 0, []
    while p < len(b):
        key, p = _varint(b, p)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, p = _varint(b, p)
        elif wt == 1:
            v = b[p:p + 8]
            p += 8
        elif wt == 5:
            v = b[p:p + 4]
            p += 4
        elif wt == 2:
            n, p = _varint(b, p)
            v = b[p:p + n]
            p += n
        else:
            raise ValueError("wire type %d" % wt)
        if p > len(b):
            raise ValueError("field %d runs past the message" % num)
        out.append((num, wt, v))
    return out


def _value(b):
    tag, kind, value, plugin = None, None, None, None
    for num, wt, v in _fields(b):
        if num == 1 and wt == 2:
            tag = v.decode()
        elif num == 2 and wt == 5:
            kind, value = "scalar", struct.unpack("<f", v)[0]
        elif num == 8 and wt == 2:
            dtype, strings = None, []
            for n2, w2, v2 in _fields(v):
                if n2 == 1:
                    dtype = v2
                elif n2 == 2:
                    if _fields(v2):
                        raise ValueError("text tensor is not a scalar")
                elif n2 == 8:
                    strings.append(v2.decode())
                else:
                    raise ValueError("unexpected TensorProto field %d" % n2)
            if dtype != 7 or len(strings) != 1:
                raise ValueError("text tensor: dtype %r, %d strings" % (dtype, len(strings)))
            kind, value = "text", strings[0]
        elif num == 9 and wt == 2:
            for n2, _, v2 in _fields(v):
                if n2 != 1:
                    raise ValueError("unexpected SummaryMetadata field %d" % n2)
                for n3, _, v3 in _fields(v2):
                    if n3 == 1:
                        plugin = v3.decode()
        else:
            raise ValueError("unexpected Summary.Value field %d" % num)
    if kind == "text" and plugin != "text":
        raise ValueError("text summary without the text plugin")
    return {"tag": tag, "kind": kind, "value": value}


def read_events(path):
    out = []
    with open(path, "rb") as f:
        stream = f.read()
    for rec in read_records(stream):
        ev = {"wall_time": None, "step": 0}
        values = []
        for num, wt, v in _fields(rec):
            if num == 1 and wt == 1:
                ev["wall_time"] = struct.unpack("<d", v)[0]
            elif num == 2 and wt == 0:
                ev["step"] = v - (1 << 64) if v >> 63 else v
            elif num == 3 and wt == 2:
                ev["file_version"] = v.decode()
            elif num == 5 and wt == 2:
                for n2, _, v2 in _fields(v):
                    if n2 != 1:
                        raise ValueError("unexpected Summary field %d" % n2)
                    values.append(_value(v2))
            else:
                raise ValueError("unexpected Event field %d" % num)
        if not values:
            out.append(ev)
        for val in values:
            d = dict(ev)
            d.update(val)
            out.append(d)
    return out
