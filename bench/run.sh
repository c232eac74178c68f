#!/usr/bin/env bash
# run.sh BUILD_DIR — the `avmit tfrecord validate` throughput benchmark.
#
# Data: BENCH_FILES (default 10000) synthetic YAMNet-size GZIP embedding files
# (bench/gen_validate_data.c) in BENCH_DIR (default bench/out/validate); made
# once, reused while the count matches.
# Races, each repeated BENCH_REPS (default 3) times, median reported:
#   zcat   — `zcat FILES... >/dev/null` in xargs batches (GNU gzip's inflate;
#            it decompresses only: no CRC32C, no parsing)
#   avmit  — `avmit tfrecord validate --quiet --threads 1` and `--threads 2`
#            (read, inflate, both CRC32Cs, protobuf decode, every §10 check);
#            its summary line must say all files are good, else the run fails.
# The files are read once beforehand so every race runs from the page cache.
set -euo pipefail
BUILD=${1:-build}
N=${BENCH_FILES:-10000}
DATA=${BENCH_DIR:-bench/out/validate}
REPS=${BENCH_REPS:-3}
AVMIT="$BUILD/avmit"
GEN="$BUILD/bench/gen_validate_data"
[ -x "$AVMIT" ] && [ -x "$GEN" ] || { echo "run.sh: build first ($AVMIT, $GEN)"; exit 1; }

have=0
[ -d "$DATA" ] && have=$(find "$DATA" -name '*.tfrecord' | wc -l)
if [ "$have" -ne "$N" ]; then
    echo "generating $N files in $DATA ..."
    rm -rf "$DATA"
    mkdir -p "$DATA"
    "$GEN" "$DATA" "$N"
fi
LIST="$DATA.list"
find "$DATA" -name '*.tfrecord' | sort >"$LIST"
bytes=$(xargs -a "$LIST" -d '\n' cat | wc -c)
ubytes=$(xargs -a "$LIST" -d '\n' zcat | wc -c)

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

t_zcat=() t_v1=() t_v2=()
for rep in $(seq "$REPS"); do
    t0=$(now); xargs -a "$LIST" -d '\n' zcat >/dev/null; t1=$(now)
    t_zcat+=("$(echo "$t1 - $t0" | bc -l)")
    for th in 1 2; do
        t0=$(now)
        out=$("$AVMIT" tfrecord validate --quiet --threads "$th" "$DATA")
        t1=$(now)
        [ "$out" = "validated $N files: $N good, 0 bad" ] || { echo "run.sh: validate said: $out"; exit 1; }
        if [ "$th" = 1 ]; then t_v1+=("$(echo "$t1 - $t0" | bc -l)"); else t_v2+=("$(echo "$t1 - $t0" | bc -l)"); fi
    done
done
mz=$(median "${t_zcat[@]}"); m1=$(median "${t_v1[@]}"); m2=$(median "${t_v2[@]}")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "machine: $(nproc) CPUs, $cpu"
echo "data: $N files, $bytes bytes on disk, $ubytes bytes uncompressed (median of $REPS runs)"
awk -v n="$N" -v z="$mz" -v a="$m1" -v b="$m2" -v u="$ubytes" 'BEGIN {
  printf "zcat                      %7.3f s  %8.0f files/s  %6.1f MB/s out\n", z, n/z, u/z/1e6;
  printf "validate --threads 1      %7.3f s  %8.0f files/s  %6.1f MB/s out  %.2fx zcat\n", a, n/a, u/a/1e6, z/a;
  printf "validate --threads 2      %7.3f s  %8.0f files/s  %6.1f MB/s out  %.2fx zcat\n", b, n/b, u/b/1e6, z/b;
}'

# Visual front end vs the Python cv2 reference (bench/bench_visual.sh).
echo
bash "$(dirname "$0")/bench_visual.sh" "$BUILD"
# The audio front end (bench/bench_audio.sh): AAC clip -> log-mel patches vs the reference.
echo
bash bench/bench_audio.sh "$BUILD"
# Issue 4: one experiment-1 training epoch, avmit vs PyTorch (bench/bench_train.sh).
echo
echo "== training epoch: avmit vs PyTorch (bench/bench_train.sh)"
bash "$(dirname "$0")/bench_train.sh" "$BUILD"
# Random search (bench/bench_search.sh): avmit search vs the same trials in PyTorch.
echo
bash "$(dirname "$0")/bench_search.sh" "$BUILD"
# Issue 15: the rating web app under 50 simulated raters (bench/bench_annotate.sh).
echo
bash "$(dirname "$0")/bench_annotate.sh" "$BUILD"
