"""make_seeds.py — regenerates the seed corpora tests/fuzz/corpus/{tfrecord,embedding}/
(small valid and corrupt inputs; keep the total under 50 KB). Uses the independent
encoder of tests/reference/tfrecord_ref.py. Run: /usr/bin/python3 make_seeds.py
"""
import gzip
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import numpy as np  # noqa: E402
import tfrecord_ref as ref  # noqa: E402


def write(sub, name, data):
    d = os.path.join(HERE, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


ex = ref.encode_embedding("barking/a.mp4", "barking", [[1.0, 2.0], [3.0, 4.0]],
                          [[0.5, -1.0], [0.0, 0.25]])
small = ref.encode_embedding("diving/b.mp4", "diving", np.full((1, 128), 0.5),
                             np.arange(512).reshape(1, 512) / 64.0)
rev = ref.encode_embedding("x/y.mp4", "sanding", [[1.0]], [[2.0], [float("nan")]],
                           reverse=True, unpacked=True)
write("embedding", "example196", ex)
write("embedding", "vggish_1x1", small)
write("embedding", "reversed_unpacked", rev)
write("tfrecord", "abc", ref.frame(b"abc") + ref.frame(b""))
write("tfrecord", "example212", ref.frame(ex))
write("tfrecord", "example212.gz", gzip.compress(ref.frame(ex), mtime=0))
write("tfrecord", "vggish.gz", gzip.compress(ref.frame(small), mtime=0))
write("tfrecord", "two_members.gz", gzip.compress(ref.frame(ex)[:50], mtime=0)
      + gzip.compress(ref.frame(ex)[50:] + ref.frame(rev), mtime=0))
bad = bytearray(ref.frame(ex))
bad[30] ^= 1
write("tfrecord", "bad_data_crc", bytes(bad))
write("tfrecord", "truncated", ref.frame(ex)[:100])
print("seeds written")
