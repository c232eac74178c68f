#!/usr/bin/env bash
# bench_annotate.sh BUILD_DIR — load test of `avmit annotate serve` (issue 15 item 8):
# 50 simulated raters (tests/annotate/test_annotate_load.py: one Python thread and one
# keep-alive HTTP/1.1 connection each) on loopback for BENCH_ANNOTATE_SECONDS (60) s
# against a 20,000-video study; each rating = GET /api/trials + a 64 KiB Range GET of the
# clip + POST /api/rate, one in 20 POSTs repeated (a retried request). Checks 0 lost and
# 0 duplicated and prints acknowledged ratings/s and POST /api/rate latency p50/p99.
# The client is in the same machine and shares its cores: the figures are a lower bound.
set -euo pipefail
BUILD=${1:-build}
SECS=${BENCH_ANNOTATE_SECONDS:-60}
OUT=${BENCH_DIR:-bench/out}/annotate
mkdir -p "$OUT"
PY=${AVMIT_PYTHON:-/usr/bin/python3}
echo "== avmit annotate serve: 50 raters, ${SECS} s (bench/bench_annotate.sh)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "disk of the study database: $(df -h "$OUT" | awk 'NR==2 {print $1, $2}')"
AVMIT="$BUILD/avmit" AVMIT_TMP="$OUT" "$PY" tests/annotate/test_annotate_load.py \
  --seconds "$SECS" --raters 50 --json "$OUT/figures.json"
