#!/usr/bin/env bash
# bench_cnn.sh BUILD_DIR — the four embedding CNNs, avmit (oneDNN) vs PyTorch on the
# same graphs and the same random weights, in one run (issue 13, item 6).
#
# For each network (VGGish, YAMNet: patches/s; VGG16, EfficientNetB0: frames/s), batch
# 1 and 32, threads 1 and 2:
#   avmit  bench/bench_cnn.c (avmit_cnn_load + avmit_cnn_embed, fp32; and bf16 where
#          the CPU has AVX512_BF16/AMX)
#   torch  bench/bench_cnn_torch.py (tests/reference/cnn_ref.py graphs, float32; and
#          torch.autocast(bfloat16) where the CPU has AVX512_BF16/AMX — on other CPUs
#          autocast bf16 is emulated and not a meaningful comparison)
# Each measurement: one warm-up call, then calls until BENCH_SECONDS (default 1) have
# passed (at least one). The ratio is avmit at a thread count vs PyTorch at its best
# thread count for the same batch. GFLOP/s = 2 x multiply-adds per example x ex/s;
# peak = cores x MHz x 32 (AVX2: two 8-wide FMA units) — or x 64 with AVX-512.
# Weights: bench/out/cnn (made once, tests/reference/cnn_weights.py): VGGish as a TF1
# V1 checkpoint, the others Keras HDF5, seeded random in the published layouts.
set -euo pipefail
BUILD=${1:-build}
SECS=${BENCH_SECONDS:-1}
OUT=${BENCH_CNN_DIR:-bench/out/cnn}
PY=${AVMIT_PYTHON:-/usr/bin/python3}
BIN="$BUILD/bench/bench_cnn"
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -x "$BIN" ] || { echo "bench_cnn.sh: build first ($BIN; needs AVMIT_WITH_DNNL)"; exit 1; }
"$PY" -c 'import torch, torchvision, h5py' 2>/dev/null || { echo "bench_cnn.sh: skipped: python3-torch/torchvision/h5py missing"; exit 0; }
mkdir -p "$OUT"
"$PY" - "$OUT" "$HERE/../tests/reference" <<'PYEOF'
import os, sys
sys.path.insert(0, sys.argv[2])
import cnn_weights
out = sys.argv[1]
seeds = {"vggish": 1, "yamnet": 2, "vgg16": 3, "efficientnetb0": 4}
for kind, f, fmt in [("vggish", "vggish_model.ckpt", "v1"), ("yamnet", "yamnet.h5", None),
                     ("vgg16", "vgg16.h5", None), ("efficientnetb0", "efficientnetb0_notop.h5", None)]:
    p = os.path.join(out, f)
    if not os.path.exists(p):
        cnn_weights.write_random(kind, seeds[kind], p, fmt)
PYEOF
declare -A WF=([vggish]="$OUT/vggish_model.ckpt" [yamnet]="$OUT/yamnet.h5" [vgg16]="$OUT/vgg16.h5"
               [efficientnetb0]="$OUT/efficientnetb0_notop.h5")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mhz=$(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
flags=$(grep -m1 '^flags' /proc/cpuinfo)
lanes=32; [[ $flags == *avx512f* ]] && lanes=64
bf16=0; [[ $flags == *avx512_bf16* || $flags == *amx_bf16* ]] && bf16=1
verbose=$(ONEDNN_VERBOSE=1 "$BIN" yamnet "${WF[yamnet]}" 1 1 0)
isa=$(grep 'isa:' <<<"$verbose" | head -1 | sed 's/.*isa://')
dnnl=$(grep 'oneDNN v' <<<"$verbose" | head -1 | sed 's/.*oneDNN/oneDNN/; s/(.*//')
peak1=$(awk -v m="$mhz" -v l="$lanes" 'BEGIN {printf "%.0f", m * l / 1000}')
# the measured peak (bench/peak_fma.c: packed FMA chains on one core), which a
# boosting core puts above the nominal MHz x lanes
if [ -x "$BUILD/bench/peak_fma" ]; then
    pk=$("$BUILD/bench/peak_fma" 2)
    echo "$pk"
    peak1=$(sed -n 's/.*, \([0-9.]*\) GFLOP.*/\1/p' <<<"$pk")
fi
echo "machine: $(nproc) CPUs, $cpu, ${mhz} MHz; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "oneDNN: $dnnl, ISA that ran: $isa; fp32 peak ${peak1} GFLOP/s per core (measured by peak_fma when built, else MHz x $lanes)"
echo "bf16: $([ $bf16 = 1 ] && echo 'AVX512_BF16/AMX present: measured' || echo 'CPU has neither AVX512_BF16 nor AMX: not measured (avmit falls back to fp32 and says so)')"
echo
printf '%-15s %5s | %-22s %-22s | %-16s %-16s | %8s %8s | %-14s | %s\n' network batch "avmit t1 ex/s (GF/s)" "avmit t2 ex/s (GF/s)" "torch t1 ex/s" "torch t2 ex/s" "t1/best" "t2/best" "t1, t2 of peak" "avmit peak RSS"
for net in vggish yamnet vgg16 efficientnetb0; do
    for b in 1 32; do
        a1=$("$BIN" $net "${WF[$net]}" $b 1 "$SECS"); a2=$("$BIN" $net "${WF[$net]}" $b 2 "$SECS")
        p1=$("$PY" "$HERE/bench_cnn_torch.py" "$OUT" "$SECS" $net $b 1)
        p2=$("$PY" "$HERE/bench_cnn_torch.py" "$OUT" "$SECS" $net $b 2)
        eps() { sed -n 's/.*: \([0-9.]*\) ex\/s.*/\1/p' <<<"$1"; }
        gf() { sed -n 's/.*ex\/s, \([0-9.]*\) GFLOP.*/\1/p' <<<"$1"; }
        rss() { sed -n 's/.*peak RSS \([0-9]*\) MB.*/\1/p' <<<"$1"; }
        awk -v n=$net -v b=$b -v a1="$(eps "$a1")" -v g1="$(gf "$a1")" -v a2="$(eps "$a2")" -v g2="$(gf "$a2")" \
            -v p1="$(eps "$p1")" -v p2="$(eps "$p2")" -v r="$(rss "$a2")" -v pk="$peak1" 'BEGIN {
            best = p1 > p2 ? p1 : p2;
            printf "%-15s %5d | %9.2f (%6.1f)     %9.2f (%6.1f)     | %-16.2f %-16.2f | %7.2fx %7.2fx | %4.0f%%, %4.0f%%    | %s MB\n",
                   n, b, a1, g1, a2, g2, p1, p2, a1 / best, a2 / best, 100 * g1 / pk, 100 * g2 / (2 * pk), r }'
        if [ $bf16 = 1 ]; then
            h=$("$BIN" $net "${WF[$net]}" $b 2 "$SECS" bf16)
            q1=$("$PY" "$HERE/bench_cnn_torch.py" "$OUT" "$SECS" $net $b 1 bf16)
            q2=$("$PY" "$HERE/bench_cnn_torch.py" "$OUT" "$SECS" $net $b 2 bf16)
            echo "    bf16: avmit t2 $(eps "$h") ex/s; torch autocast t1 $(eps "$q1"), t2 $(eps "$q2") ex/s"
        fi
    done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
