#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS — run every libFuzzer target built in BUILD_DIR
# (cmake -DAVMIT_FUZZ=ON, see `make fuzz`) for SECONDS each, starting from a
# copy of its seed corpus tests/fuzz/corpus/<name>/. Prints per target how
# long it ran, how many inputs it executed, and whether it crashed; crash
# inputs and logs are kept in BUILD_DIR/fuzz-out/<name>/. Exit 1 if any crashed.
set -u
BUILD=${1:?usage: run.sh BUILD_DIR SECONDS}
SECS=${2:-60}
SRC=$(cd "$(dirname "$0")" && pwd)
OUT="$BUILD/fuzz-out"
mkdir -p "$OUT"
shopt -s nullglob
bins=("$BUILD"/tests/fuzz/fuzz_*)
[ ${#bins[@]} -gt 0 ] || { echo "run.sh: no fuzz targets in $BUILD/tests/fuzz (build with -DAVMIT_FUZZ=ON)"; exit 1; }
crashed=0
for bin in "${bins[@]}"; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin"); name=${name#fuzz_}
    dir="$OUT/$name"
    rm -rf "$dir" && mkdir -p "$dir/corpus"
    [ -d "$SRC/corpus/$name" ] && cp "$SRC/corpus/$name"/* "$dir/corpus/" 2>/dev/null
    t0=$(date +%s.%N)
    "$bin" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    runs=$(grep -o 'Done [0-9]* runs' "$dir/log" | grep -o '[0-9]*' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1)
    if [ $rc -eq 0 ]; then status="no crash"; else status="CRASHED (exit $rc, see $dir/log)"; crashed=1; fi
    printf 'fuzz_%s: ran %.0f s, %s runs, %s, corpus %d files: %s\n' "$name" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "${runs:-?}" "${cov:-cov: ?}" \
        "$(ls "$dir/corpus" | wc -l)" "$status"
done
exit $crashed
