"""make_seeds_17.py — regenerates the seed corpora of the issue-17 fuzz targets:
corpus/safetensors (files written by an independent encoder here, plus broken ones),
corpus/yaml_exp1 and corpus/yaml_savc (the released train.yaml files from ../shared when
present, plus small variants), corpus/tfbundle (4-byte LE index length + .index + data
shard, built by tests/reference/tfckpt_ref.py), corpus/ratings (the split-layout seeds
of corpus/csv, a ratings-layout file and raw per-rater files).
Run: /usr/bin/python3 make_seeds_17.py
"""
import glob
import json
import os
import shutil
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import numpy as np  # noqa: E402
import tfckpt_ref as ck  # noqa: E402

C = os.path.join(HERE, "corpus")
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "data", "models")


def out(sub, name, data):
    d = os.path.join(C, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- safetensors (FORMATS.md §8, written independently: header JSON + buffer) ----
def st(tensors, meta=None, pad=True):
    hdr, buf = {}, b""
    if meta:
        hdr["__metadata__"] = meta
    for name, a in tensors:
        raw = a.tobytes()
        code = {"float32": "F32", "float64": "F64", "int64": "I64", "uint8": "U8",
                "int32": "I32", "float16": "F16"}[str(a.dtype)]
        hdr[name] = {"dtype": code, "shape": list(a.shape),
                     "data_offsets": [len(buf), len(buf) + len(raw)]}
        buf += raw
    h = json.dumps(hdr, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + buf


a = np.arange(6, dtype="<f4").reshape(2, 3)
out("safetensors", "two.safetensors", st([("dense/kernel", a), ("dense/bias", np.ones(3, "<f4"))],
                                          {"format": "pt"}))
out("safetensors", "dtypes.safetensors", st([("d", np.arange(4, dtype="<f8")),
                                             ("i", np.arange(3, dtype="<i8")),
                                             ("u", np.arange(5, dtype="u1")),
                                             ("h", np.arange(2, dtype="<f2")),
                                             ("s", np.array(2.5, "<f4"))]))
out("safetensors", "empty_tensor.safetensors", st([("z", np.zeros((0, 4), "<f4"))]))
out("safetensors", "nopad.safetensors", st([("x", a)], pad=False))
good = st([("x", a)])
out("safetensors", "truncated.safetensors", good[:-3])
out("safetensors", "bad_len.safetensors", struct.pack("<Q", 1 << 40) + good[8:])
out("safetensors", "overlap.safetensors",
    struct.pack("<Q", 96) + json.dumps({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                        "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}},
                                       separators=(",", ":")).encode().ljust(96) + bytes(12))
for p in sorted(glob.glob(os.path.join(HERE, "..", "..", "data", "**", "*.safetensors"),
                          recursive=True)):
    if os.path.getsize(p) < 16384:
        shutil.copy(p, os.path.join(C, "safetensors", "repo_" + os.path.basename(p)))

# ---- YAML configs ----
for kind, sub in (("action_recognition", "yaml_exp1"), ("savc", "yaml_savc")):
    for p in sorted(glob.glob(os.path.join(SHARED, kind, "*", "train.yaml"))):
        out(sub, "released_" + p.split(os.sep)[-2] + ".yaml", open(p, "rb").read())
    ex = os.path.join(SHARED, kind, "example_train.yaml")
    if os.path.exists(ex):
        out(sub, "example_train.yaml", open(ex, "rb").read())
out("yaml_exp1", "anchors.yaml", "base: &b\n  units: 32\nrnn:\n  <<: *b\n  function: "
    "tf.keras.layers.GRU\n  units: *b\nlist: [1, 2, {a: b}]\n")
out("yaml_exp1", "bad_int.yaml", "rnn:\n  function: tf.keras.layers.LSTM\n  units: many\n")
out("yaml_exp1", "folded.yaml", "a: >\n  folded\n  text\nb: |\n  lit\n  eral\n? complex\n: 1\n")
out("yaml_savc", "minimal.yaml", "rnn:\n  function: tf.keras.layers.SimpleRNN\n  units: 8\n"
    "data:\n  timesteps: 4\n  VGG_style:\n    enabled: True\n    audio_size: 128\n"
    "    visual_size: 512\n")

# ---- TF2 bundles: 4-byte LE index length + index + data ----
def bundle(name, tensors, **kw):
    with tempfile.TemporaryDirectory() as t:
        pre = os.path.join(t, "ckpt")
        ck.write_checkpoint(pre, tensors, **kw)
        ix = open(pre + ".index", "rb").read()
        data = open(pre + ck.DATA_SUFFIX, "rb").read()
    out("tfbundle", name, struct.pack("<I", len(ix)) + ix + data)


T = {"a/.ATTRIBUTES/VARIABLE_VALUE": np.arange(6, dtype="<f4").reshape(2, 3),
     "b/.ATTRIBUTES/VARIABLE_VALUE": np.array([1.5, -2.0], dtype="<f4"),
     "c/.ATTRIBUTES/VARIABLE_VALUE": np.arange(3, dtype="<f8"),
     "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE": np.array(7, dtype="<i8")}
bundle("small.bundle", T)
bundle("one.bundle", {"k/.ATTRIBUTES/VARIABLE_VALUE": np.ones((4, 4), "<f4")})


def badcrc(k, kw):
    if k.startswith("b/"):
        kw["crc"] ^= 1


bundle("badcrc.bundle", T, entry_tweak=badcrc)


def badoff(k, kw):
    if k.startswith("a/"):
        kw["offset"] += 1000


bundle("badoffset.bundle", T, entry_tweak=badoff)

# ---- split / ratings layouts ----
for p in sorted(glob.glob(os.path.join(C, "csv", "*.csv"))):
    out("ratings", os.path.basename(p), open(p, "rb").read())
out("ratings", "raw.csv", "filename,AVMIT_label,MIT_label,video_location,rating\n"
    "barking/a.mp4,barking,barking,training,3\nbarking/a.mp4,barking,barking,training,2\n"
    "barking/a.mp4,barking,barking,training,3\ndiving/b.mp4,diving,diving,validation,1\n"
    "diving/b.mp4,diving,diving,validation,1\n\"diving/c,d.mp4\",diving,diving,training,2\n")
out("ratings", "raw_conflict.csv", "filename,AVMIT_label,MIT_label,video_location,rating\n"
    "a.mp4,barking,barking,training,3\na.mp4,diving,barking,training,3\n")
out("ratings", "video_ratings.csv", "filename,r1,r2,r3,AVMIT_label,MIT_label,video_location\n"
    "barking/a.mp4,0,1,2,barking,barking,training\nsanding/b.mp4,3,0,0,sanding,sanding,"
    "validation\nsanding/c.mp4,1,1,1,sanding,sanding,training\n")
print("seeds written under", C)
