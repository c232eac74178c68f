#!/usr/bin/env bash
# test_train_resume.sh — a training run killed with SIGKILL mid-run and continued
# with `avmit train --resume` ends with a model.safetensors byte-identical to an
# uninterrupted run with the same seed and threads (SPEC.md §5), and the same
# per-epoch metrics (timings aside).
source "$(dirname "$0")/testlib.sh"
S=${AVMIT_SRC:?}/data/splits
T=$AVMIT_TMP
rm -rf "$T"/*
train_fixture "$T" LSTM 32 12 2 || { echo "FAIL: synth"; exit 1; }
EPOCHS=30
args=(--config "$T/train.yaml" --tfrecords "$T/emb" --train $S/AVMIT_train.csv --val $S/AVMIT_validation.csv
      --limit-per-class 12 --epochs $EPOCHS --patience 0 --threads 2 --seed 3 --quiet)
run "$T/ref" "$AVMIT" train "${args[@]}" --out "$T/ref"
check "uninterrupted run exits 0" test "$RC" -eq 0

# Interrupt: wait until a few epochs are recorded, then SIGKILL.
"$AVMIT" train "${args[@]}" --out "$T/cut" >"$T/cut.out" 2>"$T/cut.err" &
pid=$!
for _ in $(seq 2000); do
  n=$( (wc -l <"$T/cut/metrics.csv") 2>/dev/null || echo 0)
  [ "$n" -ge 4 ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.01
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
done_epochs=$(($(wc -l <"$T/cut/metrics.csv") - 1))
check "killed mid-run (after $done_epochs of $EPOCHS epochs)" test "$done_epochs" -lt $EPOCHS
check "no temporary files left besides the killed write" test "$(find "$T/cut" -name '.*.tmp.*' | wc -l)" -le 1

run "$T/res" "$AVMIT" train --resume "$T/cut"
check "resume exits 0" test "$RC" -eq 0
check "resumed model.safetensors is byte-identical to the uninterrupted run" \
  cmp "$T/ref/model.safetensors" "$T/cut/model.safetensors"
check "metrics.csv identical except the seconds column" \
  diff <(cut -d, -f1-8,10 "$T/ref/metrics.csv") <(cut -d, -f1-8,10 "$T/cut/metrics.csv")
check "results.txt identical" cmp "$T/ref/results.txt" "$T/cut/results.txt"
run "$T/bad" "$AVMIT" train --resume "$T/nonexistent"
check "resume of a missing directory: exit 1" test "$RC" -eq 1
exit $fail
