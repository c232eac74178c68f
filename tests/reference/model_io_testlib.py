"""model_io_testlib.py — shared helpers of test_model_import.py and
test_model_import_reject.py: a check counter, running the CLI, a
safetensors reader (stdlib + numpy, from the format's definition: u64 LE
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


def run(*args):
    return subprocess.run([AVMIT] + [str(a) for a in args], capture_output=True, text=True)


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
