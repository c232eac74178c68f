#!/usr/bin/env bash
# test_train.sh — `avmit train`, `avmit eval`, `avmit predict` end to end on a small
# SYNTHETIC sample (avmit synth): the model directory's files, that a learnable
# synthetic task is learned (validation top-1 well above chance), that eval of
# the written model reproduces the best epoch's validation metrics, predict's
# CSV layout, the same seed + threads giving identical bytes, fp16 data, and
# errors (missing file named, bad usage exit 2).
source "$(dirname "$0")/testlib.sh"
S=${AVMIT_SRC:?}/data/splits
CFG=${AVMIT_SHARED:-/nonexistent}/data/models/action_recognition/YamNet_EffNet_GRU_AVMIT/train.yaml
T=$AVMIT_TMP
rm -rf "$T"/*
if [ ! -f "$CFG" ]; then
  # the released config, inlined: the test needs no ../shared
  CFG=$T/train.yaml
  cat >"$CFG" <<'YAML'
rnn: {function: tf.keras.layers.GRU, units: 128, dropout: 0.5}
audio: True
visual: True
bottleneck_size: 64
bottleneck_activation: swish
data:
  VGG_style: {enabled: False, audio_size: 128, visual_size: 512}
  mobilenet_style: {enabled: True, audio_size: 1024, visual_size: 1280}
  timesteps: 7
  num_classes: 16
training: {num_epochs: 200, learning_rate: 0.000072503, training_batch_size: 16, early_stopping: 20}
YAML
fi
"$AVMIT" synth --split $S/AVMIT_train.csv --split $S/AVMIT_validation.csv --limit-per-class 40 \
  --out "$T/emb" --quiet --threads 2 >/dev/null || { echo "FAIL: synth"; exit 1; }
common=(--config "$CFG" --tfrecords "$T/emb" --train $S/AVMIT_train.csv --val $S/AVMIT_validation.csv
        --limit-per-class 40 --lr 1e-3 --threads 2 --seed 5)
run "$T/tr" "$AVMIT" train "${common[@]}" --epochs 10 --out "$T/m"
check "train exits 0" test "$RC" -eq 0
for f in model.safetensors config.json metrics.csv results.txt train_state.safetensors; do
  check "model dir has $f" test -s "$T/m/$f"
done
check "metrics.csv: header + 10 epochs" test "$(wc -l <"$T/m/metrics.csv")" -eq 11
check "one line per epoch on a non-TTY" test "$(grep -c '^epoch ' "$T/tr.out")" -eq 10
best=$(awk -F'\t' '{print}' "$T/m/results.txt" | sed -n 's/^accuracy: //p')
check "validation top-1 $best > 0.5 (chance 0.0625)" awk -v a="$best" 'BEGIN { exit !(a > 0.5) }'

# eval on the validation split reproduces the best epoch's validation metrics. The confusion
# plot goes through cairo, whose fontconfig keeps a process-wide cache it never frees: under
# ASan that library (only) is suppressed, as in test_ratings.sh.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$AVMIT_SRC/tests/cli/lsan-fontconfig.supp"
run "$T/ev" "$AVMIT" eval --model "$T/m" --test $S/AVMIT_validation.csv --tfrecords "$T/emb" \
  --limit-per-class 40 --json --plot-confusion "$T/cm.svg" --threads 2
check "eval exits 0" test "$RC" -eq 0
"$PY" - "$T/ev.out" "$T/m/results.txt" <<'PY' && ok "eval == best epoch's validation loss/top-1/top-5, confusion sums to n" || bad "eval metrics"
import json, sys
e = json.load(open(sys.argv[1]))
r = dict(l.split(": ", 1) for l in open(sys.argv[2]).read().splitlines())
assert abs(e["loss"] - float(r["loss"])) < 1e-6, (e["loss"], r["loss"])
assert abs(e["top1"] - float(r["accuracy"])) < 1e-9 and abs(e["top5"] - float(r["top 5 accuracy"])) < 1e-9
assert sum(map(sum, e["confusion"])) == e["n"] == 640
assert sum(v["n"] for v in e["per_class"].values()) == 640
PY
check "confusion SVG written" grep -q "<svg" "$T/cm.svg"

# predict: header, one row per file, probabilities sum to 1
run "$T/pr" "$AVMIT" predict --model "$T/m" --tfrecords "$T/emb/barking" --tfrecords "$T/emb/diving" --out "$T/p.csv"
check "predict exits 0" test "$RC" -eq 0
expect_line <(head -1 "$T/p.csv") \
  "filename,label,predicted,barking,diving,drumming,frying,giggling,howling,inflating,mowing,pouring,raining,sanding,shredding,sneezing,tapping,vacuuming,whistling" \
  "predict header: filename,label,predicted + 16 classes in id order"
n_files=$(find "$T/emb/barking" "$T/emb/diving" -name '*.tfrecord' | wc -l)
check "predict: one row per file ($n_files)" test "$(($(wc -l <"$T/p.csv") - 1))" -eq "$n_files"
check "predict: probabilities sum to 1" awk -F, 'NR > 1 { s = 0; for (i = 4; i <= NF; i++) s += $i; if (s < 0.999 || s > 1.001) bad = 1 } END { exit bad }' "$T/p.csv"

# determinism: same seed + threads -> same bytes; fp16 data trains too
run "$T/tr2" "$AVMIT" train "${common[@]}" --epochs 3 --out "$T/a"
run "$T/tr3" "$AVMIT" train "${common[@]}" --epochs 3 --out "$T/b"
check "same seed and threads: identical model.safetensors" cmp -s "$T/a/model.safetensors" "$T/b/model.safetensors"
run "$T/tr4" "$AVMIT" train "${common[@]}" --epochs 3 --out "$T/c" --seed 6
check "another seed: different weights" bash -c "! cmp -s '$T/a/model.safetensors' '$T/c/model.safetensors'"
run "$T/tr5" "$AVMIT" train "${common[@]}" --epochs 2 --out "$T/h" --fp16-data
check "--fp16-data trains" test "$RC" -eq 0
check "--fp16-data reported" grep -q "(fp16)" "$T/tr5.out"

# errors
mv "$T/emb/barking" "$T/emb/barking.x"
run "$T/e1" "$AVMIT" train "${common[@]}" --epochs 1 --out "$T/e"
mv "$T/emb/barking.x" "$T/emb/barking"
check "missing embedding file: exit 1" test "$RC" -eq 1
check "missing embedding file: named" grep -q "emb/barking/.*\.tfrecord" "$T/e1.err"
check "no partial model dir" test ! -e "$T/e/model.safetensors"
run "$T/e2" "$AVMIT" train --config "$CFG" --out "$T/e"
check "missing --train/--val: exit 2" test "$RC" -eq 2
run "$T/e3" "$AVMIT" eval --model "$T/nonexistent" --test $S/AVMIT_validation.csv --tfrecords "$T/emb"
check "eval of a missing model dir: exit 1" test "$RC" -eq 1
"$PY" - "$T/m/model.safetensors" "$T/bad.safetensors" <<'PY'
import json, struct, sys
b = open(sys.argv[1], "rb").read(); n, = struct.unpack("<Q", b[:8]); h = json.loads(b[8:8+n])
h["dense/kernel:0"]["shape"] = [16, 128]
j = json.dumps(h, separators=(",", ":")).encode(); j += b" " * (-len(j) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(j)) + j + b[8+n:])
PY
mkdir -p "$T/badm" && cp "$T/m/config.json" "$T/badm/" && cp "$T/bad.safetensors" "$T/badm/model.safetensors"
run "$T/e4" "$AVMIT" eval --model "$T/badm" --test $S/AVMIT_validation.csv --tfrecords "$T/emb"
check "mis-shaped weight: exit 1" test "$RC" -eq 1
check "mis-shaped weight: names tensor and both shapes" \
  grep -qF "tensor 'dense/kernel:0' is F32 (16, 128), expected F32 (128, 16)" "$T/e4.err"
exit $fail
