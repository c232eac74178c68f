"""test_model_inspect.py — `avmit model inspect` on every released weight file
(../shared/data/models: 24 Keras HDF5 initial-weight files, 6 TF2
checkpoints) agrees with independent readers:

1. HDF5 (h5py): the variable list (layer_names order, then weight_names
   order), shapes, dtype, keras_version and backend equal `inspect --json`,
   and every `--dump` .npy equals the h5py dataset bit for bit;
2. TF2 (tfckpt_ref.py: SSTable + protobuf + CRCs written from FORMATS.md §6,
   stdlib + numpy): the keys in order, dtypes, shapes, object-graph full
   names and "CRC verified" equal `inspect --json`, and every dumped numeric
   tensor equals the reference's bit for bit; the reference also confirms
   each released index re-encodes to its own bytes (so its writer, used by
   test_tfckpt_reject.py, writes what TensorFlow writes);
3. the libhdf5 writer (tests/tools/avmit_h5_rewrite) reproduces the released
   tree: the same names, shapes and values, and the attribute string forms of
   the action_recognition files (fixed-length NULLPAD) and of the savc files
   (variable length, plus the empty top_level_model_weights group).
"""
import glob
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
try:
    import h5py
except ImportError:
    print("skipped: python3-h5py not installed")
    sys.exit(77)
import tfckpt_ref as ref  # noqa: E402

AVMIT = os.environ["AVMIT"]
TOOLS = os.environ.get("AVMIT_TOOLS", "")
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-model-inspect")
MODELS = os.path.join(os.environ.get("AVMIT_SHARED", ""), "data", "models")
failures = 0
n_checks = 0
TF_DTYPE = {1: "float32", 2: "float64", 3: "int32", 7: "string", 9: "int64"}


def check(cond, what):
    global failures, n_checks
    n_checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what)
    return cond


def inspect(path, dump):
    shutil.rmtree(dump, ignore_errors=True)
    r = subprocess.run([AVMIT, "model", "inspect", "--json", "--dump", dump, path],
                       capture_output=True, text=True)
    if not check(r.returncode == 0, "inspect %s exits 0 (%s)" % (path, r.stderr.strip())):
        return None
    return json.loads(r.stdout)


def same_array(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def h5_expected(f):
    out = []
    for ln in f.attrs["layer_names"]:
        ln = ln.decode() if isinstance(ln, bytes) else ln
        for wn in f[ln].attrs["weight_names"]:
            wn = wn.decode() if isinstance(wn, bytes) else wn
            out.append((ln + "/" + wn, f[ln][wn]))
    return out


def check_h5(path, dump):
    got = inspect(path, dump)
    if got is None:
        return
    with h5py.File(path, "r") as f:
        exp = h5_expected(f)
        check([v["name"] for v in got["variables"]] == [n for n, _ in exp],
              "%s: variable names and order" % path)
        for v, (name, ds) in zip(got["variables"], exp):
            check(v["dtype"] == "float32" and tuple(v["shape"]) == ds.shape,
                  "%s: %s dtype/shape %s %s vs %s" % (path, name, v["dtype"], v["shape"],
                                                      ds.shape))
            dumped = np.load(os.path.join(dump, name + ".npy"))
            check(same_array(dumped, ds[()]), "%s: %s dumped values" % (path, name))
        for k in ("keras_version", "backend"):
            want = f.attrs[k]
            want = want.decode() if isinstance(want, bytes) else want
            check(got[k] == want, "%s: %s %r vs %r" % (path, k, got[k], want))


def check_tf2(index, dump):
    with open(index, "rb") as f:
        raw = f.read()
    check(ref.build_table(ref.read_table(raw)) == raw,
          "%s: the reference writer re-encodes the released index byte for byte" % index)
    got = inspect(index[:-len(".index")], dump)
    if got is None:
        return
    _header, entries, values, names = ref.read_checkpoint(index)
    check([v["name"] for v in got["variables"]] == list(entries),
          "%s: keys in order" % index)
    for v in got["variables"]:
        e = entries.get(v["name"])
        if not e:
            continue
        check(v["dtype"] == TF_DTYPE[e["dtype"]] and v["shape"] == e["shape"],
              "%s: %s dtype/shape" % (index, v["name"]))
        check(v.get("crc_verified") is True, "%s: %s CRC verified" % (index, v["name"]))
        check(v.get("full_name") == names.get(v["name"]),
              "%s: %s full_name %r vs %r" % (index, v["name"], v.get("full_name"),
                                             names.get(v["name"])))
        if e["dtype"] != ref.DT_STRING:
            dumped = np.load(os.path.join(dump, v["name"] + ".npy"))
            check(same_array(dumped, values[v["name"]].astype(dumped.dtype.newbyteorder("="))),
                  "%s: %s dumped values" % (index, v["name"]))
    check(len(names) > 0 and all(k in entries for k in names),
          "%s: object graph names only existing keys" % index)


def check_rewrite(src, form, dump):
    tool = os.path.join(TOOLS, "avmit_h5_rewrite")
    out = os.path.join(TMP, "rewrite_%s.h5" % form)
    r = subprocess.run([tool, src, out, form], capture_output=True, text=True)
    if not check(r.returncode == 0, "rewrite %s (%s)" % (src, r.stderr.strip())):
        return
    with h5py.File(src, "r") as a, h5py.File(out, "r") as b:
        ea, eb = h5_expected(a), h5_expected(b)
        check([n for n, _ in ea] == [n for n, _ in eb], "rewrite %s: names" % form)
        for (n, da), (_, db) in zip(ea, eb):
            check(same_array(da[()], db[()]) and db.dtype == np.dtype("<f4")
                  and db.chunks is None, "rewrite %s: %s values/dtype/layout" % (form, n))
        for name, obj in [("layer_names", b)] + [("weight_names", b[n.split("/")[0]])
                                                 for n, _ in eb]:
            t = obj.attrs.get_id(name).get_type()
            if form == "fixed":
                ok = (not t.is_variable_str() and t.get_strpad() == h5py.h5t.STR_NULLPAD)
            else:
                ok = t.is_variable_str()
            check(ok, "rewrite %s: %s string form" % (form, name))
        for k in ("backend", "keras_version"):
            t = b.attrs.get_id(k).get_type()
            check(t.is_variable_str() and b.attrs.get_id(k).get_space().shape == ()
                  and b.attrs[k] == a.attrs[k], "rewrite %s: scalar vlen %s" % (form, k))
        empty = [ln for ln in b.attrs["layer_names"] if len(b[ln].attrs["weight_names"]) == 0]
        check(all(b[ln].attrs["weight_names"].dtype == np.float64 for ln in empty),
              "rewrite %s: layers without weights have an empty float64 weight_names" % form)
        check(("top_level_model_weights" in b) == (form == "vlen")
              and ("top_level_model_weights" in b) == ("top_level_model_weights" in a),
              "rewrite %s: top_level_model_weights group as in the released file" % form)
    got = inspect(out, dump)
    check(got is not None and got["string_form"] == form, "rewrite %s: inspect reads it" % form)


def main():
    if not os.path.isdir(MODELS):
        print("skipped: %s absent (the released models)" % MODELS)
        return 77
    os.makedirs(TMP, exist_ok=True)
    dump = os.path.join(TMP, "dump")
    h5s = sorted(glob.glob(os.path.join(MODELS, "*", "*", "random_seed.*")))
    idx = sorted(glob.glob(os.path.join(MODELS, "*", "*", "weights.*.index")))
    check(len(h5s) == 24 and len(idx) == 6, "24 HDF5 files and 6 checkpoints found "
          "(%d, %d)" % (len(h5s), len(idx)))
    for p in h5s:
        check_h5(p, dump)
    for p in idx:
        check_tf2(p, dump)
    check_rewrite(os.path.join(MODELS, "action_recognition", "VGGish_VGG_LSTM_AVMIT",
                               "random_seed.ckpt"), "fixed", dump)
    check_rewrite(os.path.join(MODELS, "savc", "VGGish_VGG16_GRU_AVMIT_avcorr",
                               "random_seed.h5"), "vlen", dump)
    print("%d HDF5 files, %d checkpoints, %d checks: %s"
          % (len(h5s), len(idx), n_checks, "FAILED" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
