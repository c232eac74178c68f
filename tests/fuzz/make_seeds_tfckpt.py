"""make_seeds_tfckpt.py — regenerates tests/fuzz/corpus/tfckpt/: the released
.index files (each < 4 KB, copied from ../shared when present) plus small
valid and broken indexes built by tests/reference/tfckpt_ref.py.
Run: /usr/bin/python3 make_seeds_tfckpt.py
"""
import glob
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import numpy as np  # noqa: E402
import tfckpt_ref as ref  # noqa: E402

OUT = os.path.join(HERE, "corpus", "tfckpt")
os.makedirs(OUT, exist_ok=True)
models = os.path.join(HERE, "..", "..", "..", "shared", "data", "models")
for p in sorted(glob.glob(os.path.join(models, "*", "*", "weights.*.index"))):
    shutil.copy(p, os.path.join(OUT, "released_" + p.split(os.sep)[-2] + ".index"))

T = {"a/.ATTRIBUTES/VARIABLE_VALUE": np.arange(6, dtype="<f4").reshape(2, 3),
     "b/.ATTRIBUTES/VARIABLE_VALUE": np.array([1.5, -2.0], dtype="<f4"),
     "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE": np.array(7, dtype="<i8")}


def tweak(**ch):
    def f(k, kw):
        if k.startswith("a/"):
            kw.update(ch)
    return f


cases = {
    "good": {},
    "snappy": {"block_type": 1},
    "shards2": {"header": ref.header_bytes(num_shards=2)},
    "slices": {"entry_tweak": tweak(slices=True)},
    "badsize": {"entry_tweak": tweak(size=20)},
    "string_dtype": {"entry_tweak": tweak(dtype=ref.DT_STRING)},
}
with tempfile.TemporaryDirectory() as tmp:
    for name, kw in cases.items():
        ref.write_checkpoint(os.path.join(tmp, name), T, **kw)
        shutil.copy(os.path.join(tmp, name + ".index"), os.path.join(OUT, name + ".index"))
with open(os.path.join(OUT, "unsorted.index"), "wb") as f:
    e = ref.entry_bytes(1, [], 0, 4, 0)
    f.write(ref.build_table([(b"", ref.header_bytes()), (b"b", e), (b"a", e)]))
