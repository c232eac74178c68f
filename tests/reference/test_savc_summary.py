#!/usr/bin/env python3
"""test_savc_summary.py — `avmit savc summary --config <train.yaml>` for each of the
paper's 12 SAVC configs lists exactly the variables (Keras name and shape, in file
order) and layers (layer_names order) that h5py finds in the config's random_seed.h5
(FORMATS.md §5.3), and the total FORMATS.md §5.3 states for that embedding set x RNN.
`avmit model summary --config <the same file>` recognises the SAVC config and prints
the same table, byte for byte.
"""
import glob
import os
import subprocess
import sys

try:
    import h5py
except ImportError as e:  # pragma: no cover
    print(f"skipped: python3-h5py not installed ({e})")
    sys.exit(77)

AVMIT = os.environ["AVMIT"]
ROOT = os.path.join(os.environ.get("AVMIT_SHARED", ""), "data", "models", "savc")
if not os.path.isdir(ROOT):
    print("skipped: ../shared/data/models/savc absent")
    sys.exit(77)

TOTALS = {("VGGish", "FRNN"): "181,762", ("VGGish", "GRU"): "314,626", ("VGGish", "LSTM"): "379,906",
          ("YamNet", "FRNN"): "394,754", ("YamNet", "GRU"): "527,618", ("YamNet", "LSTM"): "592,898"}


def text(x):
    return x.decode() if isinstance(x, bytes) else x


failures = 0
dirs = sorted(d for d in glob.glob(os.path.join(ROOT, "*_avcorr")))
if len(dirs) != 12:
    print(f"FAIL: expected 12 SAVC configs, found {len(dirs)}")
    sys.exit(1)
for d in dirs:
    name = os.path.basename(d)
    with h5py.File(os.path.join(d, "random_seed.h5"), "r") as h:
        layers = [text(n) for n in h.attrs["layer_names"]]
        want = []
        for ln in layers:
            for wn in h[ln].attrs["weight_names"]:
                want.append(f"  {text(wn)} {tuple(h[ln][text(wn)].shape)}")
    r = subprocess.run([AVMIT, "savc", "summary", "--config", os.path.join(d, "train.yaml")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL: {name}: exit {r.returncode}: {r.stderr.strip()}")
        failures += 1
        continue
    rm = subprocess.run([AVMIT, "model", "summary", "--config", os.path.join(d, "train.yaml")],
                        capture_output=True, text=True)
    same = rm.returncode == 0 and rm.stdout == r.stdout
    print(("ok: " if same else "FAIL: ") + f"{name}: `model summary` prints the SAVC summary "
          f"(exit {rm.returncode}) {rm.stderr.strip()}")
    failures += not same
    lines = r.stdout.splitlines()
    got = lines[lines.index("Variables:") + 1:]
    rows = [ln.split(" (")[0] for ln in lines[2:lines.index(next(x for x in lines if x.startswith("Total")))]]
    total = next(x for x in lines if x.startswith("Total params: ")).split(": ")[1]
    emb, rnn = name.split("_")[0], name.split("_")[2]
    checks = [(got == want, f"{name}: {len(want)} variables with h5py's names and shapes, in file order"),
              (rows == layers, f"{name}: the 14 layers in layer_names order"),
              (total == TOTALS[(emb, rnn)], f"{name}: total params {total} = FORMATS §5.3 {TOTALS[(emb, rnn)]}")]
    for ok, what in checks:
        print(("ok: " if ok else "FAIL: ") + what)
        if not ok:
            failures += 1
            print("  got:", got if "variables" in what else rows if "layers" in what else total)
sys.exit(1 if failures else 0)
