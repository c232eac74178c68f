#!/usr/bin/env bash
# test_savc_pairs.sh — `avmit savc pairs`: the written CSVs obey SPEC §6 as an
# independent Python reader (stdlib csv) sees them (counts, same-class congruent
# pairs including self pairs, K/15 visuals per other class per audio video, header);
# same seed -> same bytes; --test gives 960 + 960 pairs with each audio once per kind;
# --drop-silent removes a video whose audio rows are all the same vector; usage
# errors exit 2, data errors 1.
. "$(dirname "$0")/testlib.sh"
: "${AVMIT_SRC:?}"
T="$AVMIT_TMP/savc_pairs"
S="$AVMIT_SRC/data/splits"
rm -rf "$T" && mkdir -p "$T"

run "$T/v" "$AVMIT" savc pairs --split "$S/AVMIT_validation.csv" --per-class 45 --seed 3 -o "$T/val"
check "pairs exit 0" [ "$RC" -eq 0 ]
expect_line "$T/v.out" "wrote 32400 pairs to $T/val_cong.csv" "32,400 congruent pairs (16 x 45^2)"
expect_line "$T/v.out" "wrote 32400 pairs to $T/val_incong.csv" "32,400 incongruent pairs"

cat >"$T/verify.py" <<'EOF'
import csv, sys
from collections import Counter, defaultdict
split, cong, incong, K = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(split, newline="") as f:
    label = {r["tfrecord_filename"]: r["label"] for r in csv.DictReader(f)}
def pairs(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["audio_tfrecord", "visual_tfrecord"], rows[0]
    return rows[1:]
c, i = pairs(cong), pairs(incong)
classes = sorted(set(label.values()))
q = K // (len(classes) - 1)
assert len(c) == len(classes) * K * K, len(c)
assert len(i) == len(classes) * K * K, len(i)
assert all(label[a] == label[v] for a, v in c), "congruent pair across classes"
assert len(set(map(tuple, c))) == len(c), "duplicate congruent pair"
assert sum(a == v for a, v in c) == len(classes) * K, "self pairs"
per = defaultdict(Counter)
for a, v in i:
    assert label[a] != label[v], "incongruent pair within a class"
    per[a][label[v]] += 1
assert len(per) == len(classes) * K
assert all(n == q for cnt in per.values() for n in cnt.values()), "K/15 per other class"
assert all(len(cnt) == len(classes) - 1 for cnt in per.values())
print("verified")
EOF
check "Python reader verifies the SPEC §6 rules" \
    "$PY" "$T/verify.py" "$S/AVMIT_validation.csv" "$T/val_cong.csv" "$T/val_incong.csv" 45

"$AVMIT" savc pairs --split "$S/AVMIT_validation.csv" --per-class 45 --seed 3 -o "$T/again" >/dev/null
check "same seed, same bytes" cmp -s "$T/val_incong.csv" "$T/again_incong.csv"
"$AVMIT" savc pairs --split "$S/AVMIT_validation.csv" --per-class 45 --seed 4 -o "$T/other" >/dev/null
check "another seed, other pairs" bash -c "! cmp -s '$T/val_incong.csv' '$T/other_incong.csv'"

run "$T/c" "$AVMIT" savc pairs --split "$S/AVMIT_train.csv" --per-class 405 --count
expect_line "$T/c.out" "16 classes, 405 per class: 2624400 congruent, 2624400 incongruent pairs" \
    "AVMIT train K=405 counts 2,624,400 of each"
run "$T/m" "$AVMIT" savc pairs --split "$S/MIT16_validation.csv" --per-class 60 --congruent 2 -o "$T/mit"
expect_line "$T/m.out" "wrote 1920 pairs to $T/mit_cong.csv" "MIT16 layout, --congruent 2: 16*60*2"

run "$T/t" "$AVMIT" savc pairs --split "$S/test_set.csv" --test --seed 1 -o "$T/test"
check "test pairs exit 0" [ "$RC" -eq 0 ]
check "test pairs: each video's audio once per kind, 1,920 in all" "$PY" - "$T/test_cong.csv" "$T/test_incong.csv" <<'EOF'
import csv, sys
from collections import Counter
rows = [list(csv.reader(open(p)))[1:] for p in sys.argv[1:3]]
assert len(rows[0]) + len(rows[1]) == 1920
for r in rows:
    assert Counter(a for a, v in r) == Counter({a: 1 for a, v in r}) and len(r) == 960
    assert len(set(v for a, v in r)) == 960
assert all(a.split("/")[0] == v.split("/")[0] and a != v for a, v in rows[0])
assert all(a.split("/")[0] != v.split("/")[0] for a, v in rows[1])
EOF

# --drop-silent: 16 classes x 16 videos (K 15 fits, K 30 would not); one video's audio is 3 identical rows.
"$PY" - "$T/silent" <<'EOF'
import sys, os
import numpy as np
root = sys.argv[1]
os.makedirs(root + "/npy", exist_ok=True)
classes = "barking diving drumming frying giggling howling inflating mowing pouring raining sanding shredding sneezing tapping vacuuming whistling".split()
rng = np.random.default_rng(0)
with open(root + "/split.csv", "w") as f:
    f.write(",filename,MIT label,AVMIT label,tfrecord_filename\n")
    k = 0
    for c in classes:
        for j in range(16):
            name = f"{c}/v{j}"
            f.write(f"{k},{name}.mp4,{c},{c},{name}.tfrecord\n")
            a = rng.normal(size=(3, 128)).astype(np.float32)
            if c == "diving" and j == 5:
                a[:] = -4.60517
            np.save(f"{root}/npy/{c}_{j}_a.npy", a)
            np.save(f"{root}/npy/{c}_{j}_v.npy", rng.normal(size=(4, 512)).astype(np.float32))
            k += 1
EOF
for c in barking diving drumming frying giggling howling inflating mowing pouring raining sanding shredding sneezing tapping vacuuming whistling; do
    for j in $(seq 0 15); do
        "$AVMIT" tfrecord write --filename "$c/v$j.mp4" --label "$c" --audio "$T/silent/npy/${c}_${j}_a.npy" \
            --visual "$T/silent/npy/${c}_${j}_v.npy" -o "$T/silent/emb/$c/v$j.tfrecord" >/dev/null || bad "write $c/v$j"
    done
done
run "$T/d" "$AVMIT" savc pairs --split "$T/silent/split.csv" --per-class 15 --drop-silent \
    --tfrecords "$T/silent/emb" --threads 2 -o "$T/ds"
check "drop-silent exit 0" [ "$RC" -eq 0 ]
expect_line "$T/d.out" "dropped 1 videos with silent audio; 255 left" "one silent video dropped"
check "the silent video is in no pair" bash -c "! grep -q 'diving/v5.tfrecord' '$T/ds_cong.csv' '$T/ds_incong.csv'"
run "$T/d2" "$AVMIT" savc pairs --split "$T/silent/split.csv" --per-class 30 --drop-silent \
    --tfrecords "$T/silent/emb" -o "$T/ds2"
check "K above the class sizes: exit 1" [ "$RC" -eq 1 ]
check "message names the class and its size" grep -qF "class 'barking' has 16 videos, fewer than --per-class 30" "$T/d2.err"

run "$T/u1" "$AVMIT" savc pairs --split "$S/test_set.csv" -o "$T/x"
check "no --per-class: exit 2" [ "$RC" -eq 2 ]
run "$T/u2" "$AVMIT" savc pairs --split "$S/test_set.csv" --per-class 45 --drop-silent -o "$T/x"
check "--drop-silent without --tfrecords: exit 2" [ "$RC" -eq 2 ]
run "$T/u3" "$AVMIT" savc pairs --split "$S/AVMIT_validation.csv" --per-class 44 -o "$T/x"
check "K not divisible by 15: exit 1" [ "$RC" -eq 1 ]
check "no output left behind" [ ! -e "$T/x_cong.csv" ]
run "$T/h" "$AVMIT" savc pairs --help
check "--help exit 0" [ "$RC" -eq 0 ]
run "$T/h2" "$AVMIT" savc --help
check "savc --help lists pairs" grep -q "pairs" "$T/h2.out"
exit $fail
