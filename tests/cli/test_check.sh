#!/usr/bin/env bash
# test_check.sh — `avmit check` on the five released split CSVs (the findings FORMATS.md §4
# documents) and on small synthetic lists with a duplicate, a leak, a tfrecord collision
# and a missing TFRecord.
. "$(dirname "$0")/testlib.sh"
: "${AVMIT_SRC:?}"
cd "$AVMIT_SRC/data/splits" || exit 1

# --- the AVMIT experiment: no leak, the documented anomalies ---------------------------
out=$AVMIT_TMP/avmit.txt
"$AVMIT" check --train AVMIT_train.csv --val AVMIT_validation.csv --test test_set.csv >"$out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "AVMIT splits: exit 0 (warnings only)" || bad "AVMIT splits: exit $rc"
expect_line "$out" "0 errors, 291 warnings, 98 info" "AVMIT summary"
expect_line "$out" "  rating sums: 3: 6298 4: 176 5: 37 6: 2 7: 47" "AVMIT_train rating-sum histogram"
expect_line "$out" "  rating sums: 3: 711 4: 18 5: 2 7: 5" "AVMIT_validation rating-sum histogram"
expect_line "$out" "  not-strict-majority: 87" "87 non-strict-majority train rows"
expect_line "$out" "  not-strict-majority: 11" "11 non-strict-majority validation rows"
n=$(grep -c '\[warning tfrecord-dir\]$' "$out")
[ "$n" = 4 ] && ok "4 tfrecord-dir != label rows" || bad "tfrecord-dir rows: $n, expected 4"
expect_line "$out" "AVMIT_train.csv:4237: sneezing/vine-MvdBVurYpPl_2.mp4: tfrecord_filename 'coughing/vine-MvdBVurYpPl_2.tfrecord' is in directory 'coughing' but the label is 'sneezing' [warning tfrecord-dir]" "sneezing->coughing row"
expect_line "$out" "AVMIT_train.csv:4527: pouring/yt-sXuiWFNbrug_13.mp4: tfrecord_filename 'bubbling/yt-sXuiWFNbrug_13.tfrecord' is in directory 'bubbling' but the label is 'pouring' [warning tfrecord-dir]" "pouring->bubbling row"
expect_line "$out" "AVMIT_train.csv:6308: raining/getty-stormy-weather-video-id129386694_6.mp4: tfrecord_filename 'pouring/getty-stormy-weather-video-id129386694_6.tfrecord' is in directory 'pouring' but the label is 'raining' [warning tfrecord-dir]" "raining->pouring row"
expect_line "$out" "AVMIT_validation.csv:149: howling/yt-fa0ogUfelAI_6.mp4: tfrecord_filename 'barking/yt-fa0ogUfelAI_6.tfrecord' is in directory 'barking' but the label is 'howling' [warning tfrecord-dir]" "howling->barking row"
expect_line "$out" "AVMIT_train.csv:79: inflating/yt-4ZuL7FPPQzI_152.mp4: r1,r2,r3 = 1,1,2: rating 3 is not a strict majority [info not-strict-majority]" "a not-strict-majority row"
expect_line "$out" "whistling           410         46         60" "per-class counts 410/46/60"
grep -q '\[error' "$out" && bad "AVMIT splits: unexpected error finding" || ok "AVMIT splits: no leak/duplicate"

# --quiet drops the info lines only
"$AVMIT" check -q --train AVMIT_train.csv --val AVMIT_validation.csv >"$AVMIT_TMP/q.txt"
grep -q '\[info' "$AVMIT_TMP/q.txt" && bad "--quiet still prints info" || ok "--quiet hides info"

# --- the MIT16 experiment: clean ------------------------------------------------------------
"$AVMIT" check --train MIT16_train.csv --val MIT16_validation.csv --test test_set.csv >"$out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "MIT16 splits: exit 0" || bad "MIT16 splits: exit $rc"
expect_line "$out" "0 errors, 0 warnings, 0 info" "MIT16 summary"
expect_line "$out" "whistling          1265        141         60" "per-class counts 1265/141/60"

# --- JSON is valid and carries the same numbers ------------------------------------------------
"$AVMIT" check --train AVMIT_train.csv --val AVMIT_validation.csv --test test_set.csv --json >"$AVMIT_TMP/c.json"
if "$PY" - "$AVMIT_TMP/c.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["errors"] == 0 and d["warnings"] == 291 and d["info"] == 98, d
t = d["files"][0]
assert t["rows"] == 6560 and t["rating_sums"] == {"3": 6298, "4": 176, "5": 37, "6": 2, "7": 47}, t
assert all(v == 410 for v in t["per_class"].values()) and len(t["per_class"]) == 16
assert sum(1 for f in d["findings"] if f["kind"] == "tfrecord-dir") == 4
PYEOF
then ok "--json parses and matches"; else bad "--json"; fi

# --- synthetic lists: every error kind, exit 1 ---------------------------------------------
H="filename,actual_label,r1,r2,r3,label,video_location,tfrecord_filename"
mkdir -p "$AVMIT_TMP/emb/barking"
: >"$AVMIT_TMP/emb/barking/a.tfrecord"
printf '%s\n' "$H" \
  "barking/a.mp4,barking,0,0,3,barking,MIT_training,barking/a.tfrecord" \
  "barking/b.mp4,barking,0,0,3,barking,MIT_training,barking/b.tfrecord" \
  "barking/a.mp4,barking,0,0,3,barking,MIT_training,barking/a2.tfrecord" \
  "coughing/c.mp4,coughing,0,0,3,coughing,MIT_training,coughing/c.tfrecord" >"$AVMIT_TMP/tr.csv"
printf '%s\n' "$H" \
  "barking/b.mp4,barking,0,0,3,barking,MIT_training,barking/b.tfrecord" \
  "howling/a.mp4,barking,0,0,3,barking,MIT_training,barking/a.tfrecord" >"$AVMIT_TMP/va.csv"
"$AVMIT" check --train "$AVMIT_TMP/tr.csv" --val "$AVMIT_TMP/va.csv" --tfrecords "$AVMIT_TMP/emb" >"$out" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "synthetic: exit 1" || bad "synthetic: exit $rc"
T=$AVMIT_TMP/tr.csv V=$AVMIT_TMP/va.csv E=$AVMIT_TMP/emb
expect_line "$out" "$T:4: barking/a.mp4: duplicate filename (first at line 2) [error duplicate-filename]" "duplicate filename"
expect_line "$out" "$T:5: coughing/c.mp4: label 'coughing' is not one of the 16 AVMIT classes [warning unknown-label]" "unknown label"
expect_line "$out" "$T:3: barking/b.mp4: TFRecord missing: $E/barking/b.tfrecord [error missing-tfrecord]" "missing tfrecord"
expect_line "$out" "$V:2: barking/b.mp4: leak: also in train ($T:3) [error leak]" "leak train/validation"
expect_line "$out" "$V:3: howling/a.mp4: tfrecord_filename 'barking/a.tfrecord' is also the embedding of barking/a.mp4 in train ($T:2) [error tfrecord-collision]" "tfrecord collision"
expect_line "$out" "7 errors, 1 warnings, 0 info" "synthetic summary (4 missing TFRecords)"

# --- usage and unreadable input -----------------------------------------------------------------
"$AVMIT" check >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "no list: exit 2" || bad "no list: exit $rc"
"$AVMIT" check --help | grep -q "usage: avmit check" && ok "--help" || bad "--help"
printf 'filename,label\na.mp4,barking\n' >"$AVMIT_TMP/h.csv"
"$AVMIT" check --train "$AVMIT_TMP/h.csv" >/dev/null 2>"$AVMIT_TMP/err.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "h.csv: line 1: header is not one of the known layouts" "$AVMIT_TMP/err.txt" \
  && ok "unknown header: exit 1 with file:line" || bad "unknown header: exit $rc, $(cat "$AVMIT_TMP/err.txt")"
exit $fail
