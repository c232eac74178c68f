#!/usr/bin/python3
"""test_cnn_weights.py — the four published CNN weight layouts at full size
(docs/cnn-weights.md), C against the independent Python writers/readers:

1. Python writes seeded random weights in each published layout
   (cnn_weights.write_random: vggish_model.ckpt as a V1 checkpoint, the same
   as a TF2 bundle, yamnet.h5, the Keras-1 VGG16 notop file, the TF 2.3
   EfficientNetB0 notop file); the C reader (tests/tools/weights_tool) returns
   every tensor with the layout's layer, position, name, dtype and shape, in
   file order, with bit-identical values, and the published parameter totals.
2. The C writers rewrite each file in its own format: V1 and TF2 are
   byte-identical to Python's; the H5 files read back with h5py exactly
   (layer_names incl. weightless layers, weight_names, datasets, dtypes,
   backend / keras_version present or — VGG16 — absent).
3. C converts the V1 checkpoint to a TF2 bundle that Python reads.
"""
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cnn_layouts as L  # noqa: E402

try:
    import h5py
except ImportError:
    print("skipped: python3-h5py missing (the Keras HDF5 oracle)")
    sys.exit(77)
import cnn_weights  # noqa: E402
import tfckpt_ref  # noqa: E402

TOOL = os.path.join(os.environ.get("AVMIT_BUILD", "build"), "tests", "tools", "weights_tool")
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-cnn-weights")
SEED = 13
TOTALS = {"vggish": 72141184, "yamnet": 3751369, "vgg16": 14714688, "efficientnetb0": 4049571}
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def tool(*args):
    r = subprocess.run([TOOL] + list(args), capture_output=True, text=True)
    if r.returncode:
        print(r.stderr)
    return r


def c_tensors(path, model):
    """weights_tool dump -> [(index, layer, name, dtype, shape, array)]."""
    d = os.path.join(TMP, "dump-" + model)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    r = tool("dump", path, d)
    if r.returncode:
        return None
    out = []
    for i, line in enumerate(open(os.path.join(d, "tensors.tsv"))):
        idx, layer, name, dtype, shape = line.rstrip("\n").split("\t")
        shape = tuple(int(x) for x in shape.split(",")) if shape else ()
        a = np.fromfile(os.path.join(d, "%d.f32" % i), "<f4").reshape(shape)
        out.append((int(idx), layer, name, dtype, shape, a))
    shutil.rmtree(d)
    return out


def expected_rows(model):
    """(index, layer, name, dtype, shape) in the order the C reader returns them:
    checkpoints in name order (layer = scope, index 0), H5 in layer_names order."""
    if model == "vggish":
        rows = [(0, n.rsplit("/", 1)[0], n, "float32", s) for _, n, s, _ in L.tensors(model)]
        return sorted(rows, key=lambda r: r[2])
    rows = []
    for layer, ws in L.layout(model):
        for i, (n, s, dt) in enumerate(ws):
            rows.append((i, layer, n, "int64" if dt == L.I64 else "float32", tuple(s)))
    return rows


def compare_c_read(path, model, values, tag):
    got = c_tensors(path, model)
    check(got is not None, "%s: C reads %s" % (tag, os.path.basename(path)))
    if got is None:
        return
    want = expected_rows(model)
    check([g[:5] for g in got] == [tuple(w[:4]) + (tuple(w[4]),) for w in want],
          "%s: %d tensors with layer, position, name, dtype, shape as docs/cnn-weights.md" % (tag, len(want)))
    same = all(np.array_equal(a, values[name].astype("<f4")) for _, _, name, _, _, a in got)
    check(same, "%s: every value bit-identical" % tag)
    r = tool("info", path)
    first = r.stdout.split("\n", 1)[0]
    check(first.endswith("params %d" % TOTALS[model]), "%s: %s" % (tag, first))


def compare_h5(a, b, tag):
    """Two Keras files hold the same tree (attributes, groups, datasets, dtypes)."""
    with h5py.File(a, "r") as f, h5py.File(b, "r") as g:
        ok = [bytes(x) for x in f.attrs["layer_names"]] == [bytes(x) for x in g.attrs["layer_names"]]
        for k in ("backend", "keras_version"):
            ok = ok and ((k in f.attrs) == (k in g.attrs))
            if k in f.attrs and k in g.attrs:
                ok = ok and bytes(np.asarray(f.attrs[k]).tobytes()).rstrip(b"\0") != b"" and \
                    str(f.attrs[k]).strip("b'") == str(g.attrs[k]).strip("b'")
        for ln in f.attrs["layer_names"]:
            ln = ln.decode()
            wa, wb = f[ln].attrs["weight_names"], g[ln].attrs["weight_names"]
            ok = ok and wa.size == wb.size and (wa.size == 0 or list(wa) == list(wb))
            for w in (wa if wa.size else []):
                w = w.decode()
                da, db = f[ln][w], g[ln][w]
                ok = ok and da.dtype == db.dtype and da.shape == db.shape and \
                    np.array_equal(da[()], db[()])
    check(ok, "%s: C-written H5 reads back in h5py as the Python one (attrs, groups, datasets)" % tag)


def main():
    if not os.path.exists(TOOL):
        print("skipped: %s not built" % TOOL)
        return 77
    os.makedirs(TMP, exist_ok=True)
    for model in ("yamnet", "vgg16", "efficientnetb0"):
        p = os.path.join(TMP, L.FILENAMES[model])
        values = cnn_weights.write_random(model, SEED, p)
        compare_c_read(p, model, values, model)
        q = os.path.join(TMP, "c-" + L.FILENAMES[model])
        check(tool("convert", p, "h5", q).returncode == 0, "%s: C writes the H5 layout" % model)
        compare_h5(p, q, model)
        back = cnn_weights.read_keras_h5(q)[0]
        check(all(np.array_equal(back[n], values[n]) for n in values), "%s: Python reads C's file" % model)
        if model == "efficientnetb0":
            with h5py.File(q, "r") as f:
                check(f["normalization/normalization/count:0"].dtype == np.int64,
                      "efficientnetb0: normalization count stays int64")
        os.remove(p)
        os.remove(q)

    # VGGish: V1 (the published form) and TF2
    v1 = os.path.join(TMP, L.FILENAMES["vggish"])
    values = cnn_weights.write_random("vggish", SEED, v1)
    compare_c_read(v1, "vggish", values, "vggish v1")
    cv1 = os.path.join(TMP, "c-vggish_model.ckpt")
    check(tool("convert", v1, "v1", cv1).returncode == 0, "vggish: C writes V1")
    check(open(cv1, "rb").read() == open(v1, "rb").read(),
          "vggish: C's V1 checkpoint is byte-identical to Python's (%d bytes)" % os.path.getsize(v1))
    os.remove(cv1)
    p2 = os.path.join(TMP, "vggish_tf2")
    cnn_weights.write_random("vggish", SEED, p2, "tf2")
    compare_c_read(p2, "vggish", values, "vggish tf2")
    c2 = os.path.join(TMP, "c-vggish_tf2")
    check(tool("convert", v1, "tf2", c2).returncode == 0, "vggish: C converts V1 to TF2")
    for suf in (".index", ".data-00000-of-00001"):
        check(open(c2 + suf, "rb").read() == open(p2 + suf, "rb").read(),
              "vggish: C's TF2 %s byte-identical to Python's" % suf)
    _, _, back, _ = tfckpt_ref.read_checkpoint(c2)
    check(sorted(back) == sorted(values) and all(np.array_equal(back[n], values[n]) for n in values),
          "vggish: Python reads C's TF2 bundle")
    for f in (v1, p2 + ".index", p2 + ".data-00000-of-00001", c2 + ".index", c2 + ".data-00000-of-00001"):
        os.remove(f)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
