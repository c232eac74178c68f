#!/usr/bin/env bash
# test_tensorboard.sh — `avmit train`, `avmit savc train` and `avmit search` write
# TensorBoard event files (issue 16 item 4): parsed by an independent Python reader
# (tests/reference/tb_events_ref.py: TFRecord framing + Event/Summary protobuf by hand),
# the file_version event comes first, the config is a text summary, and every scalar
# equals its metrics.csv / trials.csv value at the right step.
. "$(dirname "$0")/testlib.sh"
. "$(dirname "$0")/analysis_fixtures.sh"   # S, REF, T (emptied)
"$PY" -c 'import numpy' 2>/dev/null || { echo "skipped: python3-numpy missing"; exit 77; }
exp1_yaml "$T/train.yaml" 16 swish 0.001
savc_yaml "$T/savc.yaml" 16
small_data 15 15

# compare EVENTS_DIR CSV KIND: the reader's scalars against the CSV's columns
compare() {
  "$PY" - "$REF" "$@" <<'PYEOF'
import csv, glob, sys
sys.path.insert(0, sys.argv[1])
from tb_events_ref import read_events
d, table, kind = sys.argv[2], sys.argv[3], sys.argv[4]
files = glob.glob(d + "/events.out.tfevents.*")
assert len(files) == 1, files
ev = read_events(files[0])
assert ev[0].get("file_version") == "brain.Event:2" and ev[0]["wall_time"] > 1e9, ev[0]
texts = [e for e in ev if e.get("kind") == "text"]
assert len(texts) == 1 and texts[0]["tag"] == "config" and "| setting | value |" in texts[0]["value"], texts
sc = {(e["tag"], e["step"]): e["value"] for e in ev if e.get("kind") == "scalar"}
rows = list(csv.DictReader(open(table)))
if kind == "exp1":
    cols = {"train/loss": "loss", "train/accuracy": "top1", "train/top5": "top5", "val/loss": "val_loss",
            "val/accuracy": "val_top1", "val/top5": "val_top5", "learning_rate": "lr", "epoch_seconds": "seconds"}
    keyed = [(int(r["epoch"]), r) for r in rows]
elif kind == "savc":
    cols = {"train/loss": "loss", "train/accuracy": "accuracy", "val/loss": "val_loss",
            "val/accuracy": "val_accuracy", "epoch_seconds": "seconds"}
    keyed = [(int(r["epoch"]), r) for r in rows]
else:  # search trials.csv
    keyed = []
    for r in rows:
        p = "%s_%s/" % (r["embeddings"], r["rnn"])
        keyed.append((int(r["trial"]), {p + k: r[c] for k, c in [("oob_loss", "oob_loss"), ("oob_accuracy", "oob_top1"),
                     ("oob_top5", "oob_top5"), ("epochs", "epochs"), ("learning_rate", "lr"), ("units", "units"),
                     ("bottleneck", "nb"), ("dropout", "dropout")]}))
    cols = None
n = 0
for step, r in keyed:
    for tag, col in (cols.items() if cols else [(k, k) for k in r]):
        want = float(r[col])
        got = sc.pop((tag, step))
        # events hold float32 (as TensorBoard stores scalars); the CSV holds the double
        # to 9 significant digits (3 decimals for seconds): equal within float32 rounding
        tol = 6e-8 * abs(want) + (6e-4 if tag.endswith("seconds") else 1e-12)
        assert abs(got - want) <= tol, (tag, step, got, want)
        n += 1
if kind == "savc":  # SAVC's metrics.csv has no lr column; checked below
    sc = {k: v for k, v in sc.items() if k[0] != "learning_rate"}
assert not sc, "scalars not in the CSV: %s" % sorted(sc)[:5]
print("ok: %d scalars equal the CSV, %d events" % (n, len(ev)))
PYEOF
}

run "$T/tr" "$AVMIT" train --config "$T/train.yaml" --tfrecords "$T/emb" --train "$T/tr.csv" --val "$T/va.csv" \
    --epochs 4 --threads 2 --seed 1 --out "$T/m" --lr-decay 0.1
check "train exits 0" test "$RC" -eq 0
check "train: events equal metrics.csv" compare "$T/m" "$T/m/metrics.csv" exp1

"$AVMIT" savc pairs --split "$T/tr.csv" --per-class 15 --seed 1 -o "$T/ptr" >/dev/null || bad "pairs"
"$AVMIT" savc pairs --split "$T/va.csv" --per-class 15 --seed 1 -o "$T/pva" >/dev/null || bad "pairs"
run "$T/sv" "$AVMIT" savc train --config "$T/savc.yaml" --tfrecords "$T/emb" --train "$T/ptr" --val "$T/pva" \
    --epochs 3 --epoch-pairs 256 --val-pairs 128 --batch 64 --lr 1e-3 --seed 1 --threads 2 --out "$T/s"
check "savc train exits 0" test "$RC" -eq 0
check "savc train: events equal metrics.csv" compare "$T/s" "$T/s/metrics.csv" savc
check "savc: learning_rate logged per epoch" "$PY" - "$REF" "$T/s" <<'PYEOF'
import glob, sys
sys.path.insert(0, sys.argv[1])
from tb_events_ref import read_events
ev = read_events(glob.glob(sys.argv[2] + "/events.out.tfevents.*")[0])
lr = [(e["step"], e["value"]) for e in ev if e.get("tag") == "learning_rate"]
assert [s for s, _ in lr] == [1, 2, 3] and all(abs(v - 1e-3) < 1e-10 for _, v in lr), lr
PYEOF

run "$T/se" "$AVMIT" search --embeddings vggish-vgg16 --rnn gru --trials 3 --train "$T/tr.csv" --val "$T/va.csv" \
    --tfrecords "$T/emb" --max-epochs 3 --patience 2 --jobs 1 --threads 1 --seed 3 --out "$T/search" -q
check "search exits 0" test "$RC" -eq 0
check "search: events equal trials.csv" compare "$T/search" "$T/search/trials.csv" search
exit $fail
