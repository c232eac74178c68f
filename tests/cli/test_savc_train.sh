#!/usr/bin/env bash
# test_savc_train.sh — `avmit savc train|eval|score` end to end on SYNTHETIC
# VGGish+VGG16 embeddings (avmit synth) with the paper's own SAVC train.yaml:
# metrics.csv has one row per epoch, the best checkpoint and the train state are
# written, no temporary files remain; a run stopped after 2 epochs and resumed to 3
# ends byte-identical (train state) to an uninterrupted 3-epoch run; eval builds
# the test pairs (every test video's audio once per kind) and reports loss,
# accuracy and a confusion matrix that sums to the pair count; score writes one
# probability in [0,1] per input pair; errors exit 1 (data) / 2 (usage).
. "$(dirname "$0")/testlib.sh"
: "${AVMIT_SRC:?}" "${AVMIT_SHARED:?}"
CFG="$AVMIT_SHARED/data/models/savc/VGGish_VGG16_GRU_AVMIT_avcorr/train.yaml"
[ -f "$CFG" ] || { echo "skipped: $CFG absent"; exit 77; }
T="$AVMIT_TMP/savc_train"
S="$AVMIT_SRC/data/splits"
rm -rf "$T" && mkdir -p "$T"
# Small splits: the first 15 rows of each class (train from AVMIT_train, validation
# from AVMIT_validation, test from test_set).
for f in AVMIT_train AVMIT_validation test_set; do
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "label" || $i == "AVMIT_label") c = i; print; next }
             ++n[$c] <= 15' "$S/$f.csv" >"$T/$f.csv"
done
"$AVMIT" synth --split "$T/AVMIT_train.csv" --split "$T/AVMIT_validation.csv" --split "$T/test_set.csv" \
    --embeddings vggish-vgg16 --seed 2 --out "$T/emb" -q >/dev/null || bad "synth"
"$AVMIT" savc pairs --split "$T/AVMIT_train.csv" --per-class 15 --seed 1 -o "$T/tr" >/dev/null || bad "train pairs"
"$AVMIT" savc pairs --split "$T/AVMIT_validation.csv" --per-class 15 --seed 1 -o "$T/va" >/dev/null || bad "val pairs"
ARGS=(--config "$CFG" --tfrecords "$T/emb" --train "$T/tr" --val "$T/va" --epoch-pairs 512
      --val-pairs 256 --batch 128 --lr 1e-3 --seed 5 --threads 1)

run "$T/full" "$AVMIT" savc train "${ARGS[@]}" --epochs 3 --out "$T/full_dir"
check "train exit 0" [ "$RC" -eq 0 ]
check "metrics.csv: header + 3 epochs" [ "$(wc -l <"$T/full_dir/metrics.csv")" -eq 4 ]
expect_line "$T/full_dir/metrics.csv" "epoch,loss,accuracy,val_loss,val_accuracy,seconds,best" "metrics.csv header"
check "best checkpoint written" [ -s "$T/full_dir/model.safetensors" ]
check "train state written" [ -s "$T/full_dir/train_state.safetensors" ]
check "no temporary files left" [ -z "$(find "$T/full_dir" -name '.*.tmp.*')" ]
check "progress names the pair counts" grep -qF "pairs: train 3600 congruent + 3600 incongruent, validation 3600 + 3600; 480 videos" "$T/full.out"

run "$T/part" "$AVMIT" savc train "${ARGS[@]}" --epochs 2 --out "$T/resumed"
run "$T/res" "$AVMIT" savc train "${ARGS[@]}" --epochs 3 --out "$T/resumed" --resume
check "resume exit 0" [ "$RC" -eq 0 ]
check "resume replays the finished epochs" grep -qF "epoch   2 (resumed)" "$T/res.out"
check "stopped+resumed run = uninterrupted run (train state bytes)" \
    cmp -s "$T/full_dir/train_state.safetensors" "$T/resumed/train_state.safetensors"
check "same metrics apart from the seconds column" \
    diff <(cut -d, -f1-5,7 "$T/full_dir/metrics.csv") <(cut -d, -f1-5,7 "$T/resumed/metrics.csv")
run "$T/seed" "$AVMIT" savc train "${ARGS[@]}" --epochs 1 --seed 6 --out "$T/resumed" --resume
check "resume with another seed: exit 1" [ "$RC" -eq 1 ]

run "$T/ev" "$AVMIT" savc eval --model "$T/full_dir" --test "$T/test_set.csv" --tfrecords "$T/emb" --seed 3 --json
check "eval exit 0" [ "$RC" -eq 0 ]
check "eval: 480 test pairs, half congruent; confusion sums to 480" "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
c = r["confusion"]
assert r["pairs"] == 480 and r["congruent"] == 240 and r["incongruent"] == 240, r
assert sum(map(sum, c)) == 480 and c[0][0] + c[0][1] == 240, c
acc = (c[0][0] + c[1][1]) / 480
assert abs(acc - r["accuracy"]) < 1e-6, (acc, r)
assert 0 < r["loss"] < 5, r' "$T/ev.out"
run "$T/ev2" "$AVMIT" savc eval --model "$T/full_dir" --test "$T/test_set.csv" --tfrecords "$T/emb" --seed 3
check "eval text: loss, accuracy, confusion" grep -q "^accuracy 0\.[0-9]*$" "$T/ev2.out"

head -n 101 "$T/va_incong.csv" >"$T/some_pairs.csv"
run "$T/sc" "$AVMIT" savc score --model "$T/full_dir" --pairs "$T/some_pairs.csv" --tfrecords "$T/emb" --out "$T/scores.csv"
check "score exit 0" [ "$RC" -eq 0 ]
check "scores: header + 100 rows, same pairs in order, p in [0,1]" "$PY" -c '
import csv, sys
s = list(csv.reader(open(sys.argv[1]))); p = list(csv.reader(open(sys.argv[2])))
assert s[0] == ["audio_tfrecord", "visual_tfrecord", "p_congruent"], s[0]
assert len(s) == 101 and [r[:2] for r in s[1:]] == p[1:]
assert all(0 <= float(r[2]) <= 1 for r in s[1:])' "$T/scores.csv" "$T/some_pairs.csv"

rm "$T/emb/$(sed -n 2p "$T/va_cong.csv" | cut -d, -f1)"
run "$T/miss" "$AVMIT" savc score --model "$T/full_dir" --pairs "$T/va_cong.csv" --tfrecords "$T/emb" --out "$T/x.csv"
check "a missing embedding: exit 1" [ "$RC" -eq 1 ]
check "the message names the missing file" grep -q "no such embedding file" "$T/miss.err"
check "no output on failure" [ ! -e "$T/x.csv" ]
run "$T/u" "$AVMIT" savc train --out "$T/x"
check "no --config: exit 2" [ "$RC" -eq 2 ]
sed 's/^audio: True/audio: False/' "$CFG" >"$T/noaudio.yaml"
run "$T/na" "$AVMIT" savc summary --config "$T/noaudio.yaml"
check "audio: False is refused (SAVC needs both streams): exit 1" [ "$RC" -eq 1 ]
run "$T/h" "$AVMIT" savc train --help
check "train --help" [ "$RC" -eq 0 ]
exit $fail
