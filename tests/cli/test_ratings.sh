#!/usr/bin/env bash
# test_ratings.sh — `avmit ratings aggregate` and `avmit ratings stats` (text, --json,
# --rule, --plot) on a generated raw-ratings file and on the released AVMIT_train.csv.
. "$(dirname "$0")/testlib.sh"
: "${AVMIT_SRC:?}"
T=$AVMIT_TMP

# Raw file: barking v0..v9 rated 3,3,3; howling v0..v4 rated 1,2,3; v5 rated only twice;
# cooking/x rated 3,3,3,3 (4 ratings, kept). Rows interleaved as raters would produce.
{
  echo "filename,AVMIT_label,MIT_label,video_location,rating"
  for rater in 1 2 3; do
    for i in 0 1 2 3 4 5 6 7 8 9; do echo "barking/v$i.mp4,barking,barking,training,3"; done
    for i in 0 1 2 3 4; do echo "howling/v$i.mp4,howling,howling,validation,$rater"; done
    [ $rater -lt 3 ] && echo "howling/v5.mp4,howling,howling,validation,3"
    echo "cooking/x.mp4,frying,cooking,training,3"
  done
  echo "cooking/x.mp4,frying,cooking,training,3"
} >"$T/raw.csv"

"$AVMIT" ratings aggregate "$T/raw.csv" -o "$T/vr.csv" >"$T/agg.txt"; rc=$?
[ $rc -eq 0 ] && ok "aggregate: exit 0" || bad "aggregate: exit $rc"
grep -qF "16 videos with >= 3 ratings written to $T/vr.csv (1 dropped with < 3)" "$T/agg.txt" \
  && ok "aggregate: summary" || bad "aggregate: summary $(cat "$T/agg.txt")"
[ "$(head -1 "$T/vr.csv")" = "filename,r1,r2,r3,AVMIT_label,MIT_label,video_location" ] \
  && ok "aggregate: RATINGS header" || bad "aggregate: header $(head -1 "$T/vr.csv")"
grep -qxF "howling/v2.mp4,1,1,1,howling,howling,validation" "$T/vr.csv" && ok "aggregate: counts 1,1,1" || bad "aggregate: howling/v2"
grep -qxF "cooking/x.mp4,0,0,4,frying,cooking,training" "$T/vr.csv" && ok "aggregate: 4 ratings kept" || bad "aggregate: cooking/x"
grep -q "howling/v5.mp4" "$T/vr.csv" && bad "aggregate: v5 (2 ratings) kept" || ok "aggregate: v5 dropped"

"$AVMIT" ratings stats "$T/vr.csv" >"$T/st.txt"; rc=$?
[ $rc -eq 0 ] && ok "stats: exit 0" || bad "stats: exit $rc"
# class videos present prominent unanimous majority maj3 maj2 maj1 none hours
grep -qE '^howling +5 +5 +0 +0 +0 +0 +0 +0 +5 +0\.00$' "$T/st.txt" && ok "stats: howling row" || bad "stats: howling row"
grep -qE '^total +16 +16 +11 +11 +11 +11 +0 +0 +5 +0\.01$' "$T/st.txt" && ok "stats: total row" || bad "stats: total row"
grep -qF "ratings per video: 3: 15 4: 1" "$T/st.txt" && ok "stats: histogram" || bad "stats: histogram"

"$AVMIT" ratings stats "$T/vr.csv" --json --rule prominent >"$T/st.json"
if "$PY" - "$T/st.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rule"].startswith("prominent"), d["rule"]
assert d["total"]["videos"] == 11 and [c["label"] for c in d["classes"]] == ["barking", "frying"]
# 10 unanimous videos with 3 ratings: every rating is 3, kappa undefined -> null
assert d["kappa_videos"] == 10 and d["fleiss_kappa"] is None, d
PYEOF
then ok "stats --json --rule"; else bad "stats --json --rule"; fi

# the released AVMIT_train.csv (prominent by construction)
"$AVMIT" ratings stats "$AVMIT_SRC/data/splits/AVMIT_train.csv" >"$T/avmit.txt"
grep -qE '^total +6560 +6560 +6560 +3177 +6473 +6473 +4 +8 +75 +5\.47$' "$T/avmit.txt" \
  && ok "stats: AVMIT_train totals" || bad "stats: AVMIT_train totals: $(grep ^total "$T/avmit.txt")"

# plots: SVG and PNG, written atomically (no temp file left). fontconfig's process-wide
# cache is never freed; under ASan that library (only) is suppressed.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$AVMIT_SRC/tests/cli/lsan-fontconfig.supp"
if "$AVMIT" ratings stats "$T/vr.csv" --plot "$T/fig.svg" >/dev/null 2>"$T/plot.err"; then
  head -c 5 "$T/fig.svg" | grep -q "<?xml" && grep -q "<svg" "$T/fig.svg" && ok "plot: SVG" || bad "plot: SVG content"
  "$AVMIT" ratings stats "$T/vr.csv" --plot "$T/fig.png" >/dev/null
  [ "$(head -c 8 "$T/fig.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] && ok "plot: PNG signature" || bad "plot: PNG"
  ls -a "$T" | grep -q '\.tmp\.' && bad "plot: temp file left" || ok "plot: no temp file left"
  "$AVMIT" ratings stats "$T/vr.csv" --plot "$T/fig.gif" >/dev/null 2>&1; rc=$?
  [ $rc -eq 1 ] && ok "plot: unknown extension exit 1" || bad "plot: .gif exit $rc"
elif grep -q "no cairo" "$T/plot.err"; then
  echo "skipped plot checks: built without cairo"
else
  bad "plot: $(cat "$T/plot.err")"
fi

# errors
"$AVMIT" ratings stats "$T/vr.csv" --rule loud >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "bad rule: exit 2" || bad "bad rule: exit $rc"
"$AVMIT" ratings stats "$AVMIT_SRC/data/splits/MIT16_validation.csv" >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "MIT16_validation.csv: line 2: .*no r1/r2/r3" "$T/e.txt" \
  && ok "stats without ratings: exit 1, file:line" || bad "stats on MIT16: exit $rc $(cat "$T/e.txt")"
printf 'filename,AVMIT_label,MIT_label,video_location,rating\na.mp4,x,x,training,9\n' >"$T/bad.csv"
"$AVMIT" ratings aggregate "$T/bad.csv" -o "$T/o.csv" >/dev/null 2>"$T/e.txt"; rc=$?
[ $rc -eq 1 ] && grep -qF "bad.csv: line 2: rating: a.mp4: expected a rating 1, 2 or 3, found '9'" "$T/e.txt" \
  && ok "aggregate bad rating: exit 1, file:line:column" || bad "aggregate bad rating: $rc $(cat "$T/e.txt")"
[ -e "$T/o.csv" ] && bad "aggregate wrote output on error" || ok "aggregate: no output on error"
"$AVMIT" ratings --help | grep -q "usage: avmit ratings" && ok "--help" || bad "--help"
"$AVMIT" ratings frobnicate >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "unknown subcommand: exit 2" || bad "unknown subcommand: exit $rc"
exit $fail
