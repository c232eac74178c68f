#!/usr/bin/env bash
# test_tfrecord.sh — `avmit tfrecord info|validate` on files written by avmit
# (tests/tools/avmit_write_example): output lines, --json, exit codes, usage.
set -u
: "${AVMIT:?}" "${AVMIT_TMP:?}" "${AVMIT_TOOLS:?}"
W="$AVMIT_TOOLS/avmit_write_example"
[ -x "$W" ] || { echo "skipped: $W not built"; exit 77; }
T="$AVMIT_TMP/tfrecord_cli"
rm -rf "$T" && mkdir -p "$T"
fail=0
check() { # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then :; else echo "FAIL: $name"; fail=1; fi
}
run() { # run OUTPREFIX CMD... -> $OUTPREFIX.out, .err, rc in $RC
    local p=$1; shift
    "$@" >"$p.out" 2>"$p.err"; RC=$?
}

"$W" "$T/emb/barking/a.tfrecord" barking barking/a.mp4 6 1024 7 1280 1 || exit 1
"$W" "$T/emb/diving/b.tfrecord" diving diving/b.mp4 3 128 4 512 2 none || exit 1
"$W" "$T/emb/sneezing/c d.tfrecord" sneezing 'sneezing/c "d".mp4' 4 128 4 512 3 || exit 1

# info: one tab-separated line per file, sorted walk
run "$T/info" "$AVMIT" tfrecord info "$T/emb"
check "info exit 0" [ "$RC" -eq 0 ]
check "info lines" [ "$(wc -l <"$T/info.out")" -eq 3 ]
check "info line of a" grep -qxF "$(printf '%s\t%s\t%s\t%s\t%s' "$T/emb/barking/a.tfrecord" barking/a.mp4 barking 'audio 6x1024' 'visual 7x1280')" "$T/info.out"
check "info line of b (uncompressed)" grep -qF "$(printf 'diving/b.mp4\tdiving\taudio 3x128\tvisual 4x512')" "$T/info.out"

# info --json: one object per line with the documented keys and values
run "$T/json" "$AVMIT" tfrecord info --json "$T/emb/sneezing"
check "info --json exit 0" [ "$RC" -eq 0 ]
check "info --json object" grep -qxF "{\"path\":\"$T/emb/sneezing/c d.tfrecord\",\"filename\":\"sneezing/c \\\"d\\\".mp4\",\"label\":\"sneezing\",\"audio_timesteps\":4,\"audio_dim\":128,\"visual_timesteps\":4,\"visual_dim\":512}" "$T/json.out"

# validate: all good
run "$T/v1" "$AVMIT" tfrecord validate --threads 2 "$T/emb"
check "validate good exit 0" [ "$RC" -eq 0 ]
check "validate good summary" grep -qxF "validated 3 files: 3 good, 0 bad" "$T/v1.out"

# bad files: a NaN, an unknown label, a truncated copy, a missing path
mkdir -p "$T/bad"
"$W" "$T/bad/nan.tfrecord" barking barking/n.mp4 2 128 2 512 4 nan || exit 1
"$W" "$T/bad/label.tfrecord" coughing coughing/x.mp4 2 128 2 512 5 || exit 1
head -c 100 "$T/emb/barking/a.tfrecord" >"$T/bad/trunc.tfrecord"
run "$T/v2" "$AVMIT" tfrecord validate --threads 1 "$T/emb" "$T/bad" "$T/missing"
check "validate bad exit 1" [ "$RC" -eq 1 ]
check "validate summary" grep -qxF "validated 7 files: 3 good, 4 bad" "$T/v2.out"
check "validate names NaN" grep -qF "BAD $T/bad/nan.tfrecord: record 0: feature list 'audio' timestep 0 column 1: value nan is not finite" "$T/v2.out"
check "validate names label" grep -qF "BAD $T/bad/label.tfrecord: record 0: context 'label' = 'coughing' is not one of the 16 AVMIT classes" "$T/v2.out"
check "validate names truncation" grep -qF "BAD $T/bad/trunc.tfrecord: byte 0: gzip stream truncated" "$T/v2.out"
check "validate names missing path" grep -qF "BAD $T/missing: cannot open" "$T/v2.out"
# deterministic order whatever the thread count
run "$T/v3" "$AVMIT" tfrecord validate --threads 4 "$T/emb" "$T/bad" "$T/missing"
check "same output with 4 threads" cmp -s "$T/v2.out" "$T/v3.out"
# options
run "$T/v4" "$AVMIT" tfrecord validate --allow-nonfinite "$T/bad/nan.tfrecord"
check "--allow-nonfinite accepts NaN" [ "$RC" -eq 0 ]
run "$T/v5" "$AVMIT" tfrecord validate --max-timesteps 6 "$T/emb"
check "--max-timesteps 6 rejects T_v 7" [ "$RC" -eq 1 ]
check "--max-timesteps message" grep -qF "context 'visual_timesteps' = 7 exceeds the maximum of 6 timesteps" "$T/v5.out"
run "$T/v6" "$AVMIT" tfrecord validate --quiet "$T/bad"
check "--quiet: only the summary" [ "$(cat "$T/v6.out")" = "validated 3 files: 0 good, 3 bad" ]
run "$T/v7" "$AVMIT" tfrecord validate --json "$T/bad/label.tfrecord"
check "--json bad line" grep -qF '"ok":false,"code":"AVMIT_E_RANGE","error":' "$T/v7.out"
check "--json summary" grep -qxF '{"files":1,"good":0,"bad":1}' "$T/v7.out"
# info on a bad file: error on stderr, good files still listed, exit 1
run "$T/i2" "$AVMIT" tfrecord info "$T/bad/trunc.tfrecord" "$T/emb/barking/a.tfrecord"
check "info bad exit 1" [ "$RC" -eq 1 ]
check "info bad on stderr" grep -qF "avmit: $T/bad/trunc.tfrecord: byte 0: gzip stream truncated" "$T/i2.err"
check "info still prints good" grep -qF "barking/a.mp4" "$T/i2.out"

# help and usage
for sub in "" info validate; do
    run "$T/h" "$AVMIT" tfrecord $sub --help
    check "tfrecord $sub --help exit 0" [ "$RC" -eq 0 ]
    check "tfrecord $sub --help prints usage" grep -q "usage: avmit tfrecord" "$T/h.out"
done
run "$T/u1" "$AVMIT" tfrecord validate
check "validate without args exit 2" [ "$RC" -eq 2 ]
run "$T/u2" "$AVMIT" tfrecord validate --threads -3 "$T/emb"
check "bad --threads exit 2" [ "$RC" -eq 2 ]
run "$T/u3" "$AVMIT" tfrecord info --bogus "$T/emb"
check "unknown option exit 2" [ "$RC" -eq 2 ]
run "$T/u4" "$AVMIT" tfrecord frobnicate
check "unknown subcommand exit 2" [ "$RC" -eq 2 ]
run "$T/u5" "$AVMIT" tfrecord
check "no subcommand exit 2" [ "$RC" -eq 2 ]

[ $fail -eq 0 ] && echo "test_tfrecord.sh: all checks passed"
exit $fail
