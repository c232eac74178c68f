#!/usr/bin/env bash
# test_check_layers.sh — scripts/check-layers.py passes on the source tree, and
# fails, naming the file and the areas, on a copy with one include against the
# dependency order (so the check cannot silently pass).
set -uo pipefail
py=${AVMIT_PYTHON:-python3}
command -v "$py" >/dev/null || { echo "skipped: no python3"; exit 77; }
src=${AVMIT_SRC:?}
tmp=${AVMIT_TMP:-/tmp/avmit-test-layers}
rm -rf "$tmp" && mkdir -p "$tmp"
fail=0

out=$("$py" "$src/scripts/check-layers.py" "$src") || { echo "$out"; echo "FAIL: the tree breaks the order"; fail=1; }

cp -r "$src/src" "$src/include" "$src/cli" "$tmp/"
printf '#include "nn/nn_int.h"\n' >>"$tmp/src/io/csv.c"
printf '#include "avmit/train.h"\n' >>"$tmp/src/audio/logmel.c"
printf '#include "core/error_int.h"\n' >>"$tmp/cli/common.c"
mkdir -p "$tmp/src/newarea" && printf 'int x;\n' >"$tmp/src/newarea/x.c"
out=$("$py" "$src/scripts/check-layers.py" "$tmp"); rc=$?
[ "$rc" = 1 ] || { echo "FAIL: exit $rc on a tree with violations"; fail=1; }
for want in "src/io/csv.c: includes \"nn/nn_int.h\" (area 'nn')" \
            "src/audio/logmel.c: includes avmit/train.h, which needs area 'train'" \
            "cli/common.c: includes \"core/error_int.h\"" \
            "area 'newarea' is not in the dependency order"; do
    grep -qF "$want" <<<"$out" || { echo "FAIL: missing: $want"; echo "$out"; fail=1; }
done
[ $fail = 0 ] && echo "ok: check-layers passes the tree and reports 4 kinds of violation"
exit $fail
