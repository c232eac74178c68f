"""test_tfckpt_reject.py — `avmit model inspect` rejects corrupt and foreign
weight files with a clear error (exit 1, message naming the file and, where
there is one, the variable), never a crash; FORMATS.md §10 "TF2 checkpoint"
and "Keras HDF5".

Checkpoints are built by the independent writer in tfckpt_ref.py (a good one
first, which must inspect cleanly with the written values), then one defect
each; copies of a released checkpoint are truncated or have a byte flipped.
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import numpy as np
except ImportError:
    print("skipped: numpy missing")
    sys.exit(77)
import tfckpt_ref as ref  # noqa: E402

AVMIT = os.environ["AVMIT"]
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-tfckpt-reject")
MODELS = os.path.join(os.environ.get("AVMIT_SHARED", ""), "data", "models")
failures = 0
n_checks = 0


def check(cond, what):
    global failures, n_checks
    n_checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what)
    return cond


def inspect(path, *extra):
    return subprocess.run([AVMIT, "model", "inspect", *extra, path], capture_output=True,
                          text=True)


def expect_error(path, what, *needles):
    """exit 1, one 'avmit: ' line containing every needle, nothing sanitizer-ish."""
    r = inspect(path)
    err = r.stderr
    ok = (r.returncode == 1 and err.startswith("avmit: ") and err.count("\n") == 1
          and all(n in err for n in needles) and "Sanitizer" not in err)
    check(ok, "%s: expected exit 1 with %r, got %d %r" % (what, needles, r.returncode, err))
    if ok:
        print("ok: %s -> %s" % (what, err.strip()))


TENSORS = {
    "a/.ATTRIBUTES/VARIABLE_VALUE": np.arange(6, dtype="<f4").reshape(2, 3),
    "b/.ATTRIBUTES/VARIABLE_VALUE": np.array([1.5, -2.0], dtype="<f4"),
    "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE": np.array(7, dtype="<i8"),
}


def built(name, **kw):
    prefix = os.path.join(TMP, name, "w.ckpt")
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    ref.write_checkpoint(prefix, TENSORS, **kw)
    return prefix


def tweak(key, **changes):
    def f(k, kw):
        if k == key:
            kw.update(changes)
    return f


def crafted():
    good = built("good")
    r = inspect(good, "--json", "--dump", os.path.join(TMP, "good_dump"))
    check(r.returncode == 0, "a reference-written checkpoint inspects cleanly (%s)" % r.stderr)
    if r.returncode == 0:
        got = json.loads(r.stdout)
        check([v["name"] for v in got["variables"]] == sorted(TENSORS), "its keys")
        for k, a in TENSORS.items():
            d = np.load(os.path.join(TMP, "good_dump", k + ".npy"))
            check(d.tobytes() == a.tobytes() and d.shape == a.shape, "its values: %s" % k)
    A = "a/.ATTRIBUTES/VARIABLE_VALUE"
    expect_error(built("shards", header=ref.header_bytes(num_shards=2)), "num_shards 2",
                 "w.ckpt.index", "num_shards = 2")
    expect_error(built("big", header=ref.header_bytes(endianness=1)), "big-endian",
                 "endianness = 1 (BIG)")
    expect_error(built("consumer", header=ref.header_bytes(producer=0, min_consumer=1)),
                 "producer < min_consumer", "producer 0 < min_consumer 1")
    expect_error(built("snappy", block_type=1), "Snappy block", "Snappy")
    expect_error(built("slices", entry_tweak=tweak(A, slices=True)), "slices", A, "slices")
    expect_error(built("dtype", entry_tweak=tweak(A, dtype=99)), "unknown dtype", A,
                 "dtype 99")
    expect_error(built("size", entry_tweak=tweak(A, size=20)), "size != shape x dtype", A,
                 "size 20 bytes")
    expect_error(built("range", entry_tweak=tweak(A, offset=1 << 20)), "range past the data",
                 "w.ckpt.data-00000-of-00001", A, "past the end")
    expect_error(built("crc", entry_tweak=tweak(A, crc=12345)), "tensor CRC", A,
                 "tensor CRC mismatch (stored 0x00003039")
    # keys out of order / header not first: tables written by hand
    for name, kvs, needle in [
        ("order", [(b"", ref.header_bytes()), (b"b", ref.entry_bytes(1, [], 0, 4, 0)),
                   (b"a", ref.entry_bytes(1, [], 0, 4, 0))],
         "not strictly increasing"),
        ("noheader", [(b"a", ref.entry_bytes(1, [], 0, 4, 0))], "first key must be"),
        ("empty", [], "no BundleHeaderProto"),
    ]:
        d = os.path.join(TMP, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "w.ckpt.index"), "wb") as f:
            f.write(ref.build_table(kvs))
        expect_error(os.path.join(d, "w.ckpt"), name, "w.ckpt.index", needle)


def released():
    src = os.path.join(MODELS, "action_recognition", "YamNet_EffNet_GRU_AVMIT")
    if not os.path.isdir(src):
        print("note: %s absent, released-file corruptions not run" % src)
        return
    base = "weights.64-0.28.ckpt"
    _h, entries, _v, _n = ref.read_checkpoint(os.path.join(src, base))

    def copy(name):
        d = os.path.join(TMP, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for suf in (".index", ref.DATA_SUFFIX):
            shutil.copy(os.path.join(src, base + suf), os.path.join(d, base + suf))
            os.chmod(os.path.join(d, base + suf), 0o644)
        return os.path.join(d, base)

    # truncated shard: the last tensor in data order loses its end
    p = copy("truncated")
    size = os.path.getsize(p + ref.DATA_SUFFIX)
    last = max(entries, key=lambda k: entries[k]["offset"] + entries[k]["size"])
    os.truncate(p + ref.DATA_SUFFIX, size - 10)
    expect_error(p, "truncated .data", ref.DATA_SUFFIX, last, "past the end of the data file")
    # a flipped byte inside the GRU kernel
    key = "layer_with_weights-4/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    p = copy("flipdata")
    with open(p + ref.DATA_SUFFIX, "r+b") as f:
        f.seek(entries[key]["offset"] + 1000)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 0x10]))
    expect_error(p, "flipped byte in .data", ref.DATA_SUFFIX, key, "tensor CRC mismatch")
    # a flipped byte inside the data block of the index
    p = copy("flipindex")
    with open(p + ".index", "r+b") as f:
        f.seek(300)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 0x01]))
    expect_error(p, "flipped byte in .index", base + ".index", "block checksum mismatch")
    # the same file through its folder (the `checkpoint` file) still works
    r = inspect(src)
    check(r.returncode == 0 and "crc32c verified: 51 of 51" in r.stdout,
          "folder resolves through its checkpoint file")


def foreign():
    d = os.path.join(TMP, "foreign")
    os.makedirs(d, exist_ok=True)
    text = os.path.join(d, "notes.txt")
    with open(text, "w") as f:
        f.write("this is a text file, not weights\n" * 4)
    expect_error(text, "text file", "notes.txt", "not an HDF5 file")
    idx = os.path.join(d, "x.ckpt.index")
    with open(idx, "w") as f:
        f.write("not an sstable at all, but long enough to have a footer-sized tail\n")
    expect_error(idx, ".index that is not an SSTable", "x.ckpt.index", "not an sstable")
    expect_error(os.path.join(d, "missing.h5"), "missing file", "missing.h5", "cannot open")
    try:
        import h5py
    except ImportError:
        print("note: python3-h5py missing, foreign HDF5 cases not run")
        return
    p = os.path.join(d, "plain.h5")
    with h5py.File(p, "w") as f:
        f["x"] = np.zeros(3, "<f4")
    expect_error(p, "HDF5 that is not a Keras weights file", "plain.h5",
                 "no attribute 'layer_names'")
    p = os.path.join(d, "f64.h5")
    with h5py.File(p, "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        f.create_group("dense").attrs["weight_names"] = [b"dense/kernel:0"]
        f["dense"]["dense/kernel:0"] = np.zeros((2, 2), "<f8")
    expect_error(p, "float64 dataset", "dense/dense/kernel:0", "expected float32")
    p = os.path.join(d, "missing_ds.h5")
    with h5py.File(p, "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        f.create_group("dense").attrs["weight_names"] = [b"dense/kernel:0"]
    expect_error(p, "weight without dataset", "dense/dense/kernel:0", "no such dataset")
    p = os.path.join(d, "no_group.h5")
    with h5py.File(p, "w") as f:
        f.attrs["layer_names"] = [b"dense"]
    expect_error(p, "layer without group", "no_group.h5", "no group /dense")


def main():
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
    crafted()
    released()
    foreign()
    print("%d checks: %s" % (n_checks, "FAILED" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
