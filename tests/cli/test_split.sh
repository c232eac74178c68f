#!/usr/bin/env bash
# test_split.sh — `avmit split`: deterministic (same seed, same bytes), balanced, excluded
# videos absent, train/validation disjoint, rule and class-size threshold applied.
. "$(dirname "$0")/testlib.sh"
T=$AVMIT_TMP

# video ratings: barking 60 prominent + 10 not; diving 50; frying 40 (MIT cooking);
# coughing 20 (below --min-class-size 30).
{
  echo "filename,r1,r2,r3,AVMIT_label,MIT_label,video_location"
  for i in $(seq 1 60); do echo "barking/b$i.mp4,0,1,2,barking,barking,training"; done
  for i in $(seq 1 10); do echo "barking/n$i.mp4,2,0,1,barking,barking,training"; done
  for i in $(seq 1 50); do echo "diving/d$i.mp4,0,0,3,diving,diving,validation"; done
  for i in $(seq 1 40); do echo "cooking/f$i.mp4,1,0,2,frying,cooking,training"; done
  for i in $(seq 1 20); do echo "coughing/c$i.mp4,0,0,3,coughing,coughing,training"; done
} >"$T/vr.csv"
# exclude 5 barking videos, listed in the test-set layout
{
  echo "filename,AVMIT_label,MIT_label,video_location,new_filename,tfrecord_filename"
  for i in 1 2 3 4 5; do echo "barking/b$i.mp4,barking,barking,training,barking/barking_$i.mp4,barking/b$i.tfrecord"; done
} >"$T/test.csv"

run() { # SEED OUT-PREFIX [extra]
  local s=$1 p=$2; shift 2
  "$AVMIT" split --ratings "$T/vr.csv" --rule prominent --min-class-size 30 --exclude "$T/test.csv" \
    --val-fraction 0.1 --seed "$s" --out-train "$p.train.csv" --out-val "$p.val.csv" "$@"
}
run 7 "$T/a" >"$T/a.txt"; rc=$?
[ $rc -eq 0 ] && ok "split: exit 0" || bad "split: exit $rc: $(cat "$T/a.txt")"
grep -qF "rule: prominent (r3 >= 2); classes with >= 30 passing videos" "$T/a.txt" && ok "prints the rule" || bad "rule line"
grep -qF "3 classes x 40 videos = 36 train + 4 validation per class (seed 7)" "$T/a.txt" && ok "balanced to the smallest class (40)" || bad "balance line: $(cat "$T/a.txt")"
grep -qE '^coughing +20 +0 +no$' "$T/a.txt" && ok "coughing below threshold dropped" || bad "coughing row"
grep -qE '^barking +60 +5 +yes$' "$T/a.txt" && ok "barking: 60 passing, 5 excluded" || bad "barking row"

[ "$(head -1 "$T/a.train.csv")" = "filename,actual_label,r1,r2,r3,label,video_location,tfrecord_filename" ] \
  && ok "AVMIT layout header" || bad "header"
for c in barking diving frying; do
  nt=$(grep -c ",$c,MIT_" "$T/a.train.csv"); nv=$(grep -c ",$c,MIT_" "$T/a.val.csv")
  [ "$nt" = 36 ] && [ "$nv" = 4 ] && ok "$c: 36 train + 4 val" || bad "$c: $nt train, $nv val"
done
grep -q "coughing\|/n[0-9]*\.mp4" "$T/a.train.csv" "$T/a.val.csv" && bad "non-passing or small-class video present" || ok "only passing videos of kept classes"
for i in 1 2 3 4 5; do
  grep -q "^barking/b$i\.mp4," "$T/a.train.csv" "$T/a.val.csv" && bad "excluded barking/b$i.mp4 present"
done
ok "no excluded video present"
grep -qxF "cooking/f1.mp4,cooking,1,0,2,frying,MIT_training,frying/f1.tfrecord" "$T/a.train.csv" "$T/a.val.csv" 2>/dev/null \
  || grep -q "^cooking/f[0-9]*\.mp4,cooking,1,0,2,frying,MIT_training,frying/f[0-9]*\.tfrecord$" "$T/a.train.csv" \
  && ok "derived tfrecord_filename and MIT_training" || bad "derived columns"
"$AVMIT" check --train "$T/a.train.csv" --val "$T/a.val.csv" --test "$T/test.csv" >"$T/chk.txt"; rc=$?
[ $rc -eq 0 ] && ok "avmit check: no leak between train/val/test" || bad "check: exit $rc"

# determinism: same seed, same bytes; another seed, another sample
run 7 "$T/b" >/dev/null
cmp -s "$T/a.train.csv" "$T/b.train.csv" && cmp -s "$T/a.val.csv" "$T/b.val.csv" \
  && ok "same seed: identical bytes" || bad "same seed gave different files"
run 8 "$T/c" >/dev/null
cmp -s "$T/a.train.csv" "$T/c.train.csv" && bad "seed 8 equals seed 7" || ok "different seed: different sample"

# --per-class caps, --layout mit16 writes the index column
run 7 "$T/m" --per-class 20 --layout mit16 >"$T/m.txt"
grep -qF "3 classes x 20 videos = 18 train + 2 validation per class" "$T/m.txt" && ok "--per-class 20" || bad "--per-class: $(cat "$T/m.txt")"
[ "$(head -2 "$T/m.train.csv" | tail -1 | cut -d, -f1)" = 0 ] && [ "$(head -1 "$T/m.train.csv")" = ",filename,MIT label,AVMIT label,tfrecord_filename" ] \
  && ok "--layout mit16" || bad "--layout mit16"

# the unanimous rule keeps only r3 == all
run 7 "$T/u" --rule unanimous --min-class-size 10 >"$T/u.txt"
grep -qF "2 classes x 20 videos = 18 train + 2 validation per class" "$T/u.txt" && ok "--rule unanimous: diving + coughing" || bad "unanimous: $(cat "$T/u.txt")"

# errors
run 7 "$T/e" --min-class-size 1000 >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "no class has >= 1000 videos passing rule 'prominent'" "$T/e.txt" && ok "no class: exit 1" || bad "no class: $rc $(cat "$T/e.txt")"
[ -e "$T/e.train.csv" ] && bad "output written on failure" || ok "no output on failure"
"$AVMIT" split --ratings "$T/vr.csv" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "missing outputs: exit 2" || bad "missing outputs: exit $rc"
run 7 "$T/e" --val-fraction 1.5 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "bad --val-fraction: exit 2" || bad "bad val-fraction: exit $rc"
"$AVMIT" split --help | grep -q "usage: avmit split" && ok "--help" || bad "--help"
exit $fail
