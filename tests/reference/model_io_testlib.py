"""model_io_testlib.py — shared helpers of test_model_import.py,
test_model_import_reject.py and test_savc_import.py: a check counter (and
the `check` of the importing test), running the CLI, `model import` /
`model export --format npz` checks, a safetensors reader (stdlib + numpy, from the format's definition: u64 LE
header length, JSON header {name: {dtype, shape, data_offsets}}, data) and
the released-model paths. Importing it exits 77 ("skipped: ...") when numpy
or h5py is missing.
"""
import gzip
import json
import os
import re
import subprocess
import sys

try:
    import numpy as np
    import h5py  # noqa: F401  (re-exported for the tests)
except ImportError as e:
    print("skipped: %s not installed" % ("python3-h5py" if "h5py" in str(e) else "numpy"))
    sys.exit(77)

AVMIT = os.environ["AVMIT"]
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-model-io")
SRC = os.environ.get("AVMIT_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(os.environ.get("AVMIT_SHARED", ""), "data", "models")
AR = os.path.join(MODELS, "action_recognition")


class Checks:
    def __init__(self):
        self.failures = 0
        self.n = 0

    def __call__(self, cond, what):
        self.n += 1
        if not cond:
            self.failures += 1
            print("FAIL:", what)
        return cond

    def finish(self, summary):
        print("%s, %d checks: %s" % (summary, self.n, "FAILED" if self.failures else "ok"))
        return 1 if self.failures else 0


check = Checks()


def run(*args):
    return subprocess.run([AVMIT] + [str(a) for a in args], capture_output=True, text=True)


def import_model(config_dir, weights, out):
    """`avmit model import --json` with config_dir/train.yaml; its JSON, or None (a failed check)."""
    import shutil
    shutil.rmtree(out, ignore_errors=True)
    r = run("model", "import", "--config", os.path.join(config_dir, "train.yaml"),
            "--weights", weights, "--out", out, "--json")
    if not check(r.returncode == 0, "import %s (%s)" % (weights, r.stderr.strip())):
        return None
    return json.loads(r.stdout)


def checkpoints(config_dir):
    """(prefix, tag) of each trained TF2 checkpoint (weights.*.ckpt) of a released config folder."""
    import glob
    for idx in sorted(glob.glob(os.path.join(config_dir, "weights.*.ckpt.index"))):
        prefix = idx[:-len(".index")]
        yield prefix, os.path.basename(config_dir.rstrip("/")) + "/" + os.path.basename(prefix)


def check_values(tag, out, layers):
    """model.safetensors == the file's variables ({layer: {attr: array}}; Keras
    weight names <layer>/.../<attr>:0), bit for bit."""
    st = read_safetensors(os.path.join(out, "model.safetensors"))
    n = sum(len(v) for v in layers.values())
    check(len(st) == n, "%s: %d tensors imported, file has %d" % (tag, len(st), n))
    for name, a in st.items():
        layer, attr = name.split("/")[0], name.split("/")[-1].split(":")[0]
        want = layers.get(layer, {}).get(attr)
        check(want is not None and want.shape == a.shape
              and np.array_equal(want.astype("<f4"), a), "%s: %s bit-equal" % (tag, name))


def check_npz(tag, out, tmp):
    """`model export --format npz`: loads with numpy.load, the model.safetensors
    names and values, byte-identical to np.savez of those arrays."""
    npz = os.path.join(tmp, "export.npz")
    r = run("model", "export", "--model", out, "--format", "npz", "-o", npz)
    if not check(r.returncode == 0, "%s: export npz (%s)" % (tag, r.stderr.strip())):
        return
    st = read_safetensors(os.path.join(out, "model.safetensors"))
    z = np.load(npz)
    check(sorted(z.files) == sorted(st) and all(np.array_equal(z[k], st[k]) and z[k].dtype == st[k].dtype
                                                for k in st), "%s: npz names and values" % tag)
    ref = os.path.join(tmp, "ref.npz")
    np.savez(ref, **{k: z[k] for k in z.files})
    with open(ref, "rb") as f1, open(npz, "rb") as f2:
        check(f1.read() == f2.read(), "%s: npz byte-identical to np.savez" % tag)


def read_safetensors(path):
    """{name: float32 array} of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", (name, t["dtype"])
        lo, hi = t["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + lo:8 + n + hi], dtype="<f4").reshape(t["shape"])
    return out


def read_embedding(path):
    """(name, label, audio [T_a, D_a], visual [T_v, D_v]) of one embedding
    TFRecord (GZIP or not), by tfrecord_ref.py."""
    import tfrecord_ref
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    (rec,) = tfrecord_ref.read_records(raw)
    return tfrecord_ref.embedding_arrays(rec)


def yaml_value(path, key):
    """A top-level `key: value` scalar of a train.yaml (enough for the released files)."""
    with open(path) as f:
        m = re.search(r"^%s:\s*(\S+)" % re.escape(key), f.read(), re.M)
    return m.group(1) if m else None


def skip_without_models():
    if not os.path.isdir(AR):
        print("skipped: %s absent (the released models)" % MODELS)
        sys.exit(77)
