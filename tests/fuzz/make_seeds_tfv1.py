"""make_seeds_tfv1.py — regenerates tests/fuzz/corpus/tfv1/: small V1
checkpoints built by tests/reference/tfckpt_v1_ref.py (plain, scalar,
partitioned, Snappy blocks, two blocks) and broken ones (truncated, a flipped
byte, a wrong dtype, a missing slice).
Run: /usr/bin/python3 make_seeds_tfv1.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import numpy as np  # noqa: E402
import tfckpt_v1_ref as ref  # noqa: E402

OUT = os.path.join(HERE, "corpus", "tfv1")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(7)
T = {"vggish/conv1/weights": rng.standard_normal((3, 3, 1, 4)).astype("<f4"),
     "vggish/conv1/biases": np.arange(4, dtype="<f4"), "step": np.array(3.0, "<f4")}
cases = {
    "plain": dict(tensors=T),
    "partitioned": dict(tensors={"w": np.arange(24, dtype="<f4").reshape(6, 4)},
                        parts={"w": [[(0, 2), (0, -1)], [(2, 4), (0, -1)]]}),
    "snappy": dict(tensors={"z": np.zeros(200, "<f4"), "b": np.arange(8, dtype="<f4")}, snappy=True),
    "double": dict(tensors=T, dtype=2),
    "missing_slice": dict(tensors=T, tweak=lambda kvs: kvs[:-1]),
}
for name, kw in cases.items():
    p = os.path.join(OUT, name + ".ckpt")
    ref.write_v1(p, **kw)
raw = open(os.path.join(OUT, "plain.ckpt"), "rb").read()
open(os.path.join(OUT, "truncated.ckpt"), "wb").write(raw[:len(raw) // 2])
flip = bytearray(raw)
flip[40] ^= 1
open(os.path.join(OUT, "flipped.ckpt"), "wb").write(bytes(flip))
# two data blocks: a 300 KB tensor forces a cut, so the index holds a separator
big = {"a": np.ones(70000, "<f4"), "b": np.arange(3, dtype="<f4")}
p = os.path.join(OUT, "two_blocks.ckpt")
ref.write_v1(p, big, snappy=True)  # compressible: stays small
print("wrote", len(os.listdir(OUT)), "seeds to", OUT)
