#!/usr/bin/env bash
# test_search_resume.sh — `avmit search` (SPEC §5 random search) end to end on a small
# synthetic pool: a search killed with SIGKILL mid-run and restarted with the same
# command ends with exactly the trials of an uninterrupted run (same configs, same
# metrics; only the timing column differs), trials.csv is complete after the kill,
# resuming under another --seed is refused, the best train.yaml is a config avmit
# reads with the Table-5 parameter count of best.md, and usage errors exit 2.
. "$(dirname "$0")/testlib.sh"
S=${AVMIT_SHARED:-}/data/avmit
if [ ! -f "$S/MIT16_train.csv" ]; then echo "skipped: shared MIT-16 CSVs missing"; exit 77; fi
T=$AVMIT_TMP
rm -rf "$T"/* && mkdir -p "$T"
head -n 161 "$S/MIT16_train.csv" >"$T/train.csv"
head -n 41 "$S/MIT16_validation.csv" >"$T/val.csv"
check "synth a 200-video pool" "$AVMIT" synth --split "$T/train.csv" --split "$T/val.csv" \
    --embeddings vggish-vgg16 --out "$T/emb" -q
# 2 RNNs x 8 trials, one job so that trials finish one by one
ARGS=(search --embeddings vggish-vgg16 --rnn gru,lstm --trials 8 --train "$T/train.csv"
      --val "$T/val.csv" --tfrecords "$T/emb" --max-epochs 12 --patience 3 --jobs 1
      --threads 1 --seed 7)
search() { local out=$1; shift; "$AVMIT" "${ARGS[@]}" --out "$out" "$@"; }
no_seconds() { cut -d, -f1-12,14- "$1"; }

run "$T/full" search "$T/full"
[ "$RC" = 0 ] && ok "uninterrupted search" || { bad "uninterrupted search (rc $RC)"; cat "$T/full.err"; }
check "16 trials recorded" test "$(($(wc -l <"$T/full/trials.csv") - 1))" = 16

# Kill -9 once at least 3 trials are on disk.
"$AVMIT" "${ARGS[@]}" --out "$T/part" -q >/dev/null 2>&1 & # the avmit process itself
pid=$!
for _ in $(seq 1 600); do
    n=$(($(wc -l <"$T/part/trials.csv" 2>/dev/null || echo 1) - 1))
    [ "$n" -ge 3 ] && break
    sleep 0.02
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
n_killed=$(($(wc -l <"$T/part/trials.csv") - 1))
if [ "$n_killed" -ge 3 ] && [ "$n_killed" -lt 16 ]; then
    ok "killed with $n_killed of 16 trials on disk"
else
    bad "kill timing: $n_killed trials on disk (wanted 3..15)"
fi
check "trials.csv after SIGKILL is complete rows only" \
    "$PY" -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); sys.exit(not all(len(x)==15 for x in r) or r[0][0]!="trial")' "$T/part/trials.csv"
cp "$T/part/trials.csv" "$T/killed.csv"

run "$T/resume" search "$T/part"
[ "$RC" = 0 ] && ok "resumed search" || { bad "resumed search (rc $RC)"; cat "$T/resume.err"; }
check "the resume ran only the missing trials" \
    grep -q "^search: $((16 - n_killed)) trials to run" "$T/resume.err"
check "the trials finished before the kill were kept as they were" \
    bash -c "grep -vxFf '$T/part/trials.csv' '$T/killed.csv' | wc -l | grep -qx 0"
if cmp -s <(no_seconds "$T/full/trials.csv") <(no_seconds "$T/part/trials.csv"); then
    ok "killed + resumed = uninterrupted (configs, metrics, epochs, seeds)"
else
    bad "killed + resumed differs from uninterrupted"
    diff <(no_seconds "$T/full/trials.csv") <(no_seconds "$T/part/trials.csv") | head
fi

run "$T/again" search "$T/part"
check "a finished search reruns nothing" test "$RC" = 0
check "... and says no trial ran" bash -c "! grep -q '^search:' '$T/again.err'"
check "... but prints the Table-5 rows" grep -q "^| VGGish+VGG16 | GRU |" "$T/again.out"

run "$T/seed" search "$T/part" --seed 8
check "resume under another --seed exits 1" test "$RC" = 1
check "... naming the trial and the cause" grep -q "trial 0 of vggish-vgg16 gru was run with .*--seed" "$T/seed.err"

# The best GRU config is a train.yaml avmit reads, with best.md's parameter count.
params=$(awk -F' [|] ' '$2=="GRU"{print $8}' "$T/full/best.md")
run "$T/summary" "$AVMIT" model summary --config "$T/full/train_vggish-vgg16_gru.yaml"
check "train_vggish-vgg16_gru.yaml loads" test "$RC" = 0
check "its trainable count equals best.md's ($params)" \
    test "$(sed -n 's/^Trainable params: //p' "$T/summary.out" | tr -d ,)" = "$params"

# Two searches on one directory at once: the second is refused.
"$AVMIT" "${ARGS[@]}" --out "$T/lock" -q >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 500); do [ -f "$T/lock/trials.csv" ] && break; sleep 0.02; done
run "$T/lock2" search "$T/lock"
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
check "a second search on a busy directory exits 1" test "$RC" = 1
check "... saying another search holds it" grep -q "another avmit search" "$T/lock2.err"

run "$T/u1" "$AVMIT" search --embeddings vggish-vgg16 --rnn rnn --out "$T/x"
check "--rnn rnn exits 2" test "$RC" = 2
run "$T/u2" "$AVMIT" search --embeddings vggish-vgg16 --out "$T/x" --lr 1:0.1
check "--lr 1:0.1 exits 2" test "$RC" = 2
run "$T/u3" "$AVMIT" search --embeddings vggish-vgg16 --out "$T/u3dir"
check "no --train while trials remain exits 2" test "$RC" = 2
check "search --help exits 0" "$AVMIT" search --help
exit $fail
