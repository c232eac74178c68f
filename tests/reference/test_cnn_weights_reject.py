#!/usr/bin/python3
"""test_cnn_weights_reject.py — the weight readers (avmit/weights.h, through
tests/tools/weights_tool) on files the independent Python writers build,
valid but unusual or deliberately broken:

- V1: partitioned variables are reassembled; Snappy-compressed blocks (older
  TensorFlow's default) are read; a float64 variable, a missing / overlapping
  / short slice, a key that is not its slice's OrderedCode, a flipped byte and
  every truncation point are errors that name the file (and the tensor where
  there is one): exit 1, never a signal.
- TF2 bundle: a truncated data shard and a flipped data byte name the tensor.
- Keras H5: a float64 dataset is rejected naming the dataset; an int64 one
  is accepted only as the normalization count style (converted, dtype kept).
"""
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tfckpt_ref  # noqa: E402
import tfckpt_v1_ref as V  # noqa: E402

TOOL = os.path.join(os.environ.get("AVMIT_BUILD", "build"), "tests", "tools", "weights_tool")
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-cnn-weights-reject")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args):
    return subprocess.run([TOOL] + list(args), capture_output=True, text=True)


def rejects(path, what, *needles):
    r = run("info", path)
    msg = r.stderr.strip()
    ok = r.returncode == 1 and os.path.basename(path) in msg and all(n in msg for n in needles)
    check(ok, "%s -> exit %d: %s" % (what, r.returncode, msg[:160]))


def dump(path):
    d = path + ".dump"
    os.makedirs(d, exist_ok=True)
    r = run("dump", path, d)
    if r.returncode:
        print(r.stderr)
        return None
    out = {}
    for i, line in enumerate(open(os.path.join(d, "tensors.tsv"))):
        _, _, name, dtype, shape = line.rstrip("\n").split("\t")
        shape = tuple(int(x) for x in shape.split(",")) if shape else ()
        out[name] = (dtype, np.fromfile(os.path.join(d, "%d.f32" % i), "<f4").reshape(shape))
    return out


def main():
    if not os.path.exists(TOOL):
        print("skipped: %s not built" % TOOL)
        return 77
    os.makedirs(TMP, exist_ok=True)
    rng = np.random.default_rng(5)
    w = rng.standard_normal((6, 4)).astype("<f4")
    T = {"net/w": w, "net/b": np.arange(4, dtype="<f4"), "big": rng.standard_normal(80000).astype("<f4")}
    P = lambda n: os.path.join(TMP, n)  # noqa: E731

    # partitioned + Snappy: read right
    V.write_v1(P("parts.ckpt"), T, parts={"net/w": [[(0, 2), (0, -1)], [(2, 3), (0, -1)], [(5, 1), (0, -1)]]})
    got = dump(P("parts.ckpt"))
    check(got is not None and np.array_equal(got["net/w"][1], w), "V1: a variable saved as 3 slices is reassembled")
    z = {"z": np.zeros(100000, "<f4"), "r": np.tile(np.arange(7, dtype="<f4"), 50)}
    V.write_v1(P("snappy.ckpt"), z, snappy=True)
    got = dump(P("snappy.ckpt"))
    check(got is not None and all(np.array_equal(got[k][1], z[k]) for k in z) and
          os.path.getsize(P("snappy.ckpt")) < 20000, "V1: Snappy-compressed blocks (type 1) are decoded")

    # broken V1 files
    V.write_v1(P("double.ckpt"), T, dtype=2)
    rejects(P("double.ckpt"), "V1: float64 variable", "big", "float64")
    V.write_v1(P("missing.ckpt"), T, tweak=lambda kvs: [kv for kv in kvs if b"net/b" not in kv[0]])
    rejects(P("missing.ckpt"), "V1: a slice listed in the metadata but absent", "net/b", "missing")
    V.write_v1(P("overlap.ckpt"), T, parts={"net/w": [[(0, 4), (0, -1)], [(2, 4), (0, -1)]]})
    rejects(P("overlap.ckpt"), "V1: overlapping slices", "net/w", "overlap")
    V.write_v1(P("gap.ckpt"), T, parts={"net/w": [[(0, 2), (0, -1)], [(3, 3), (0, -1)]]})
    rejects(P("gap.ckpt"), "V1: slices leaving a gap", "net/w", "cover")

    def bad_key(kvs):
        out = []
        for k, v in kvs:
            if b"net/b" in k:
                k = V.encode_slice_key("net/b", [(0, 4)])  # a different encoding of the same slice
            out.append((k, v))
        return [out[0]] + sorted(out[1:])
    V.write_v1(P("key.ckpt"), T, tweak=bad_key)
    rejects(P("key.ckpt"), "V1: key not the OrderedCode of its slice", "net/b", "key")

    def short(kvs):
        out = []
        for k, v in kvs:
            if b"net/b" in k:
                v = V.data_value("net/b", np.arange(3, dtype="<f4"))
            out.append((k, v))
        return out
    V.write_v1(P("short.ckpt"), T, tweak=short)
    rejects(P("short.ckpt"), "V1: fewer values than the slice holds", "net/b", "values")

    V.write_v1(P("ok.ckpt"), T)
    raw = open(P("ok.ckpt"), "rb").read()
    flip = bytearray(raw)
    flip[len(raw) // 2] ^= 0x10
    open(P("flip.ckpt"), "wb").write(bytes(flip))
    rejects(P("flip.ckpt"), "V1: flipped byte in a data block", "checksum")
    signals = []
    for cut in list(range(1, 400, 7)) + list(range(len(raw) - 300, len(raw), 5)):
        open(P("cut.ckpt"), "wb").write(raw[:cut])
        r = run("info", P("cut.ckpt"))
        if r.returncode != 1 or "cut.ckpt" not in r.stderr:
            signals.append((cut, r.returncode, r.stderr[:100]))
    check(not signals, "V1: %d truncation points, each exit 1 naming the file %s" % (
        len(range(1, 400, 7)) + 60, signals[:3]))

    # TF2 bundle
    tfckpt_ref.write_checkpoint(P("b2"), {"vggish/fc2/weights": w, "vggish/fc2/biases": np.ones(4, "<f4")})
    data = P("b2") + ".data-00000-of-00001"
    full = open(data, "rb").read()
    fb = bytearray(full)
    fb[-3] ^= 1  # inside the last tensor in key order: vggish/fc2/weights
    open(data, "wb").write(bytes(fb))
    r = run("info", P("b2"))
    check(r.returncode == 1 and "vggish/fc2/weights" in r.stderr and "checksum" in r.stderr,
          "TF2: flipped data byte names the tensor: %s" % r.stderr.strip()[:160])
    open(data, "wb").write(full[:50])
    r = run("info", P("b2"))
    check(r.returncode == 1 and "vggish/fc2/weights" in r.stderr and "data-00000-of-00001" in r.stderr,
          "TF2: truncated data shard names file and tensor: %s" % r.stderr.strip()[:160])

    # Keras H5
    try:
        import h5py
    except ImportError:
        print("skipped part: python3-h5py missing")
        h5py = None
    if h5py:
        with h5py.File(P("f64.h5"), "w") as f:
            f.attrs["layer_names"] = np.array([b"dense"])
            g = f.create_group("dense")
            g.attrs["weight_names"] = np.array([b"dense/kernel:0"])
            g.create_dataset("dense/kernel:0", data=np.ones((2, 2), "<f8"))
        rejects(P("f64.h5"), "H5: float64 dataset", "dense/kernel:0", "float32")
        with h5py.File(P("i64.h5"), "w") as f:
            f.attrs["layer_names"] = np.array([b"normalization"])
            g = f.create_group("normalization")
            g.attrs["weight_names"] = np.array([b"normalization/count:0"])
            g.create_dataset("normalization/count:0", data=np.int64(1281167))
        got = dump(P("i64.h5"))
        check(got is not None and got["normalization/count:0"][0] == "int64" and
              got["normalization/count:0"][1] == np.float32(1281167), "H5: int64 count read as float, dtype kept")
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
