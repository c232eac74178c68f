#!/usr/bin/env bash
# test_tfrecord_corrupt.sh — every tests/corrupt/<name>.tfrecord must make
# `avmit tfrecord validate` exit 1 and print the fragment in <name>.expect
# (made by tests/corrupt/make_corrupt.py).
set -u
: "${AVMIT:?}" "${AVMIT_SRC:?}" "${AVMIT_TMP:?}"
D="$AVMIT_SRC/tests/corrupt"
mkdir -p "$AVMIT_TMP"
fail=0 n=0
for f in "$D"/*.tfrecord; do
    name=$(basename "$f" .tfrecord)
    [ -f "$D/$name.expect" ] || { echo "FAIL: $name has no .expect file"; fail=1; continue; }
    want=$(cat "$D/$name.expect")
    "$AVMIT" tfrecord validate --threads 1 "$f" >"$AVMIT_TMP/out" 2>&1
    rc=$?
    n=$((n + 1))
    if [ $rc -ne 1 ]; then
        echo "FAIL: $name: exit $rc, expected 1"; cat "$AVMIT_TMP/out"; fail=1
    elif ! grep -qF -- "BAD $f: " "$AVMIT_TMP/out" || ! grep -qF -- "$want" "$AVMIT_TMP/out"; then
        echo "FAIL: $name: output lacks: $want"; cat "$AVMIT_TMP/out"; fail=1
    fi
done
[ $n -ge 10 ] || { echo "FAIL: only $n corrupt files found in $D"; fail=1; }
[ $fail -eq 0 ] && echo "test_tfrecord_corrupt.sh: $n corrupt files rejected as expected"
exit $fail
