"""test_fleiss.py — Fleiss' kappa of `avmit ratings stats --json` against an independent
NumPy computation over the real AVMIT_train.csv rows whose ratings sum to 3
(Fleiss 1971; the Wikipedia worked example checks the NumPy side first)."""
import csv
import json
import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("skipped: numpy not installed for", sys.executable)
    sys.exit(77)


def fleiss(counts):
    """counts: (N, k) array, each row summing to n raters."""
    counts = np.asarray(counts, dtype=np.float64)
    n_items = counts.shape[0]
    n = counts[0].sum()
    assert np.all(counts.sum(axis=1) == n)
    p_j = counts.sum(axis=0) / (n_items * n)
    p_i = (np.square(counts).sum(axis=1) - n) / (n * (n - 1))
    p_bar = p_i.mean()
    p_e = np.square(p_j).sum()
    return (p_bar - p_e) / (1 - p_e)


wiki = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
k_wiki = fleiss(wiki)
assert abs(k_wiki - 0.210) < 5e-4, k_wiki

src = os.environ.get("AVMIT_SRC", ".")
avmit = os.environ["AVMIT"]
path = os.path.join(src, "data", "splits", "AVMIT_train.csv")
with open(path, newline="") as f:
    rows = [(int(r["r1"]), int(r["r2"]), int(r["r3"])) for r in csv.DictReader(f)]
three = [r for r in rows if sum(r) == 3]
assert len(three) == 6298, len(three)  # FORMATS §4: 6,298 rows sum to 3
k_ref = fleiss(three)

out = subprocess.run([avmit, "ratings", "stats", path, "--json"], check=True,
                     capture_output=True, text=True).stdout
d = json.loads(out)
ok = True
if d["kappa_videos"] != len(three):
    print(f"FAIL: kappa_videos {d['kappa_videos']}, expected {len(three)}")
    ok = False
if abs(d["fleiss_kappa"] - k_ref) > 1e-12:
    print(f"FAIL: avmit kappa {d['fleiss_kappa']!r}, numpy {k_ref!r}")
    ok = False
n_maj = sum(1 for r in rows if 2 * r[2] > sum(r))
if d["total"]["majority"] != n_maj or d["total"]["videos"] != len(rows):
    print(f"FAIL: total {d['total']}, expected majority {n_maj} of {len(rows)}")
    ok = False
print(f"kappa numpy {k_ref:.12f} avmit {d['fleiss_kappa']:.12f} over {len(three)} videos")
sys.exit(0 if ok else 1)
