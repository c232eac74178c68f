#!/usr/bin/env bash
# bench_train.sh BUILD_DIR — one experiment-1 training epoch, avmit vs PyTorch, side by
# side in the same run (issue 4): the six Table-5 configs at the AVMIT split size
# (6,560 train + 736 validation, batch 16) on 1 and 2 threads, and yamnet-gru at the
# MIT-16 size (20,240 + 2,256) on 2 threads. avmit: bench/bench_train.c (also measures
# the sgemm ceiling and peak RSS); PyTorch: bench/torch_reference.py (Debian python3-torch
# on libblas.so.3 = OpenBLAS pthread). Prints a Markdown table; BENCH_CONFIGS and
# BENCH_THREADS narrow the run. A second table states each config as every training
# benchmark does (issue 17): avmit at the most threads vs PyTorch's BEST thread setting
# (the faster of its rows), naming that setting.
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bench/bench_train"
PY=${AVMIT_PYTHON:-/usr/bin/python3}
OUT=${BENCH_DIR:-bench/out/train}
[ -x "$BIN" ] || { echo "bench_train.sh: build first ($BIN)"; exit 1; }
CONFIGS=${BENCH_CONFIGS:-"yamnet-frnn yamnet-gru yamnet-lstm vggish-frnn vggish-gru vggish-lstm"}
THREADS=${BENCH_THREADS:-"1 2"}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3) (PyTorch), OpenBLAS $(pkg-config --modversion openblas 2>/dev/null || echo '?') (avmit)"
$PY -c 'import torch; print("torch", torch.__version__, torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0])' | sed 's/^/PyTorch: /'
echo
echo "| config | size | threads | avmit epoch s | PyTorch epoch s | speed-up | avmit GFLOP/s | sgemm ceiling GFLOP/s | % of ceiling | avmit peak RSS MB | data MB | PyTorch peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
declare -A AV TB TBT
row() { # config n_train n_val threads label
    a=$("$BIN" --config "$1" --n-train "$2" --n-val "$3" --threads "$4" --out "$OUT")
    t=$($PY "$(dirname "$0")/torch_reference.py" --config "$1" --n-train "$2" --n-val "$3" --threads "$4")
    local k="$1 $5" ae te
    ae=$(field "$a" epoch_s); te=$(field "$t" epoch_s)
    AV[$k]=$ae # the last (most threads) avmit row
    if [ -z "${TB[$k]:-}" ] || awk -v a="$te" -v b="${TB[$k]}" 'BEGIN { exit !(a < b) }'; then
        TB[$k]=$te; TBT[$k]=$4
    fi
    awk -v c="$1" -v s="$5" -v th="$4" -v ae="$(field "$a" epoch_s)" -v te="$(field "$t" epoch_s)" \
        -v g="$(field "$a" gflops)" -v ce="$(field "$a" sgemm_ceiling_gflops)" -v rss="$(field "$a" peak_rss_mb)" \
        -v dm="$(field "$a" data_mb)" -v trss="$(field "$t" peak_rss_mb)" 'BEGIN {
        printf "| %s | %s | %s | %.2f | %.2f | %.1fx | %.1f | %.1f | %.0f%% | %s | %s | %s |\n",
               c, s, th, ae, te, te / ae, g, ce, 100 * g / ce, rss, dm, trss }'
}
for th in $THREADS; do
    for c in $CONFIGS; do row "$c" 6560 736 "$th" "AVMIT"; done
done
[ -n "${BENCH_SKIP_MIT16:-}" ] || row yamnet-gru 20240 2256 2 "MIT-16"
echo
echo "| config | size | avmit epoch s (most threads) | PyTorch best epoch s | PyTorch best setting | avmit speed-up vs PyTorch best |"
echo "|---|---|---|---|---|---|"
for k in "${!AV[@]}"; do
    awk -v k="$k" -v ae="${AV[$k]}" -v tb="${TB[$k]}" -v tt="${TBT[$k]}" 'BEGIN {
        split(k, p, " "); printf "| %s | %s | %.2f | %.2f | %s thread(s) | %.1fx |\n", p[1], p[2], ae, tb, tt, tb / ae }'
done | sort
