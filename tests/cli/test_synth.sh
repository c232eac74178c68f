#!/usr/bin/env bash
# test_synth.sh — `avmit synth`: output is byte-identical whatever the thread
# count and split order; labels, dims and timesteps as documented (read back by
# `avmit tfrecord info --json`); every file validates; rows are deduplicated by
# tfrecord_filename (rated row wins); the released label quirks are handled and
# reported; usage and data errors give exit 2 / 1.
. "$(dirname "$0")/testlib.sh"
: "${AVMIT_SRC:?}"
T="$AVMIT_TMP/synth"
S="$AVMIT_SRC/data/splits"
rm -rf "$T" && mkdir -p "$T"
differ() { ! cmp -s "$1" "$2"; }

# Small splits in the three released layouts, plus the label-quirk rows
# (FORMATS §4: tfrecord directory 'coughing' / 'barking' != CSV label) and the
# frying/cooking tfrecord collision between AVMIT_train and MIT16_train.
{ head -n 31 "$S/AVMIT_train.csv"; grep -F -e vine-MvdBVurYpPl_2 -e yt-nqyO0ovASOg_186 "$S/AVMIT_train.csv"; } >"$T/avmit.csv"
{ head -n 1 "$S/AVMIT_validation.csv"; grep -F yt-fa0ogUfelAI_6 "$S/AVMIT_validation.csv"; } >"$T/avval.csv"
{ head -n 41 "$S/MIT16_validation.csv"; grep -F yt-nqyO0ovASOg_186 "$S/MIT16_train.csv" | sed 's/^[0-9]*,/40,/'; } >"$T/mit.csv"
head -n 21 "$S/test_set.csv" >"$T/test.csv"
N=$((30 + 2 + 1 + 40 + 1 + 20 - 1)) # rows minus the one collision

run "$T/r1" "$AVMIT" synth --split "$T/avmit.csv" --split "$T/avval.csv" --split "$T/mit.csv" \
    --split "$T/test.csv" --out "$T/d1" --seed 7 --threads 1
check "synth exit 0" [ "$RC" -eq 0 ]
check "summary says synthetic" grep -qF "wrote $N synthetic embedding files (NOT real AVMIT embeddings)" "$T/r1.out"
check "summary counts the merged collision" grep -qF "94 CSV rows, 1 duplicate tfrecord_filename rows merged" "$T/r1.out"
check "files written" [ "$(find "$T/d1" -name '*.tfrecord' | wc -l)" -eq "$N" ]

# Same bytes with 2 threads and the splits in another order.
run "$T/r2" "$AVMIT" synth --split "$T/test.csv" --split "$T/mit.csv" --split "$T/avval.csv" \
    --split "$T/avmit.csv" --out "$T/d2" --seed 7 --threads 2
check "second run exit 0" [ "$RC" -eq 0 ]
check "byte-identical across --threads and split order" diff -r "$T/d1" "$T/d2"
# A rerun replaces files atomically with the same content.
run "$T/r3" "$AVMIT" synth --split "$T/test.csv" --out "$T/d2" --seed 7 --threads 3
check "rerun into an existing dir" diff -r "$T/d1" "$T/d2"
check "no temporary files left" [ -z "$(find "$T/d2" -name '.*.tmp.*')" ]
# Another seed gives other values.
"$AVMIT" synth --split "$T/test.csv" --out "$T/d3" --seed 8 >/dev/null
f=$(cd "$T/d3" && find . -name '*.tfrecord' | head -n 1)
check "seed changes the values" differ "$T/d1/$f" "$T/d3/$f"
# --signal scales the class prototypes: other values, echoed in the summary.
run "$T/r4" "$AVMIT" synth --split "$T/test.csv" --out "$T/d4" --seed 7 --signal 10
check "--signal exit 0" [ "$RC" -eq 0 ] && check "--signal in the summary" grep -qF "noise 1, signal 10," "$T/r4.out"
check "--signal changes the values" differ "$T/d1/$f" "$T/d4/$f"

# Every file is valid; dims and timesteps per FORMATS §3.3.
run "$T/v" "$AVMIT" tfrecord validate "$T/d1"
check "validate exit 0" [ "$RC" -eq 0 ]
check "validate count" grep -qxF "validated $N files: $N good, 0 bad" "$T/v.out"
"$AVMIT" tfrecord info --json "$T/d1" >"$T/info.json"
check "info lines" [ "$(wc -l <"$T/info.json")" -eq "$N" ]
check "D_a 1024, T_a 6" [ "$(grep -c '"audio_timesteps":6,"audio_dim":1024,' "$T/info.json")" -eq "$N" ]
check "D_v 1280, T_v 6 or 7" [ "$(grep -cE '"visual_timesteps":(6|7),"visual_dim":1280}' "$T/info.json")" -eq "$N" ]
# context filename = CSV filename, label = tfrecord directory
while IFS=, read -r fn _ _ _ _ lab _ tf; do
    check "row $fn" grep -qF "{\"path\":\"$T/d1/$tf\",\"filename\":\"$fn\",\"label\":\"${tf%%/*}\"," "$T/info.json"
done < <(tail -n +2 "$T/avmit.csv" | grep -v -e coughing/)
while IFS=, read -r _ fn _ lab tf; do
    [ "$fn" = cooking/yt-nqyO0ovASOg_186.mp4 ] && continue
    check "row $fn" grep -qF "{\"path\":\"$T/d1/$tf\",\"filename\":\"$fn\",\"label\":\"$lab\"," "$T/info.json"
done < <(tail -n +2 "$T/mit.csv")

# Quirks: a directory outside the 16 classes stores the CSV label (reported);
# a directory that is another class is stored as the real extractor did.
check "coughing dir stores sneezing" grep -qF "\"path\":\"$T/d1/coughing/vine-MvdBVurYpPl_2.tfrecord\",\"filename\":\"sneezing/vine-MvdBVurYpPl_2.mp4\",\"label\":\"sneezing\"" "$T/info.json"
check "coughing reported" grep -qF "$T/avmit.csv: line 33: tfrecord directory 'coughing' is not an AVMIT class; stored the CSV label 'sneezing'" "$T/r1.err"
check "fallback counted" grep -qF "1 files store the CSV label" "$T/r1.out"
check "howling row stores barking" grep -qF "\"path\":\"$T/d1/barking/yt-fa0ogUfelAI_6.tfrecord\",\"filename\":\"howling/yt-fa0ogUfelAI_6.mp4\",\"label\":\"barking\"" "$T/info.json"
check "howling row reported" grep -qF "$T/avval.csv: line 2: tfrecord directory 'barking' differs from the CSV label 'howling'" "$T/r1.err"
# Collision: the rated AVMIT row (frying/...) wins over MIT16's cooking/... row.
check "collision keeps the rated row" grep -qF "\"filename\":\"frying/yt-nqyO0ovASOg_186.mp4\"" "$T/info.json"

# vggish-vgg16: D 128/512, T 3/4; --quiet hides the notes
run "$T/g" "$AVMIT" synth --split "$T/avmit.csv" --out "$T/dg" --embeddings vggish-vgg16 --quiet
check "vggish exit 0" [ "$RC" -eq 0 ] && check "--quiet: no notes" [ ! -s "$T/g.err" ]
"$AVMIT" tfrecord info --json "$T/dg" >"$T/g.json"
check "vggish dims" [ "$(grep -c '"audio_timesteps":3,"audio_dim":128,"visual_timesteps":4,"visual_dim":512}' "$T/g.json")" -eq 32 ]

# --limit-per-class keeps the first N rows of each label of each CSV
run "$T/l" "$AVMIT" synth --split "$T/avmit.csv" --out "$T/dl" --limit-per-class 1
want=$(tail -n +2 "$T/avmit.csv" | cut -d, -f6 | sort -u | wc -l)
check "limit-per-class 1" [ "$(find "$T/dl" -name '*.tfrecord' | wc -l)" -eq "$want" ]

# Usage errors: exit 2
run "$T/u1" "$AVMIT" synth --out "$T/x"
check "no --split exit 2" [ "$RC" -eq 2 ] && check "no --split message" grep -qF -- "--split" "$T/u1.err"
run "$T/u2" "$AVMIT" synth --split "$T/test.csv"
check "no --out exit 2" [ "$RC" -eq 2 ]
run "$T/u3" "$AVMIT" synth --split "$T/test.csv" --out "$T/x" --embeddings resnet
check "bad --embeddings exit 2" [ "$RC" -eq 2 ] && check "bad --embeddings message" grep -qF "unknown embedding set 'resnet'" "$T/u3.err"
run "$T/u4" "$AVMIT" synth --split "$T/test.csv" --out "$T/x" --mismatch-prob 1.5
check "bad --mismatch-prob exit 2" [ "$RC" -eq 2 ]
run "$T/u7" "$AVMIT" synth --split "$T/test.csv" --out "$T/x" --signal 101
check "bad --signal exit 2" [ "$RC" -eq 2 ] && check "bad --signal message" grep -qF -- "--signal" "$T/u7.err"
run "$T/u5" "$AVMIT" synth --split "$T/test.csv" --out "$T/x" --seed -1
check "bad --seed exit 2" [ "$RC" -eq 2 ]
run "$T/u6" "$AVMIT" synth --help
check "--help exit 0" [ "$RC" -eq 0 ] && check "--help says synthetic" grep -qF "SYNTHETIC" "$T/u6.out"

# Data errors: exit 1, nothing written
run "$T/e1" "$AVMIT" synth --split "$T/missing.csv" --out "$T/e1d"
check "missing CSV exit 1" [ "$RC" -eq 1 ] && check "missing CSV message" grep -qF "$T/missing.csv" "$T/e1.err"
check "missing CSV: no output dir" [ ! -e "$T/e1d" ]
{ head -n 1 "$S/test_set.csv"; echo 'a/b.mp4,barking,barking,training,barking/barking_1.mp4,../b.tfrecord'; } >"$T/evil.csv"
run "$T/e2" "$AVMIT" synth --split "$T/evil.csv" --out "$T/e2d"
check "'..' in tfrecord_filename exit 1" [ "$RC" -eq 1 ] && check "'..' message names the file" grep -qF "$T/evil.csv" "$T/e2.err"
check "'..': nothing written" [ ! -e "$T/b.tfrecord" ]

exit $fail
