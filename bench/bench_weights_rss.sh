#!/usr/bin/env bash
# bench_weights_rss.sh BUILD_DIR — peak memory of reading each published CNN
# weight layout at full size (issue 13, item 2: "read them once, without a
# second copy"). For each of the four networks (and VGGish as a TF2 bundle),
# tests/reference/cnn_weights.py writes seeded random weights in the published
# layout (docs/cnn-weights.md) into BENCH_DIR (default bench/out/weights,
# written once, reused), then `weights_tool rss FILE` reads the file with
# avmit_wset_read and reports getrusage's peak RSS. The baseline is the same
# program reading a tiny file (libc, libhdf5 and the program itself).
# Prints one markdown row per file: weights (float32 bytes), file size,
# peak RSS, and peak RSS minus baseline over the weights.
set -euo pipefail
BUILD=${1:-build}
DIR=${BENCH_DIR:-bench/out/weights}
TOOL="$BUILD/tests/tools/weights_tool"
PY=/usr/bin/python3
GEN=tests/reference/cnn_weights.py
[ -x "$TOOL" ] || { echo "bench_weights_rss.sh: build first ($TOOL)"; exit 1; }
mkdir -p "$DIR"
declare -A FILE=([vggish]=vggish_model.ckpt [yamnet]=yamnet.h5
                 [vgg16]=vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5
                 [efficientnetb0]=efficientnetb0_notop.h5)
for m in vggish yamnet vgg16 efficientnetb0; do
    [ -f "$DIR/${FILE[$m]}" ] || $PY $GEN --model $m --seed 1 -o "$DIR/${FILE[$m]}" >/dev/null
done
[ -f "$DIR/vggish_tf2.index" ] || $PY $GEN --model vggish --seed 1 --format tf2 -o "$DIR/vggish_tf2" >/dev/null
$PY - "$DIR/tiny.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["layer_names"] = np.array([b"d"]); g = f.create_group("d")
    g.attrs["weight_names"] = np.array([b"d/b:0"]); g.create_dataset("d/b:0", data=np.ones(4, "<f4"))
PY
base=$("$TOOL" rss "$DIR/tiny.h5" | awk '{print $2}')
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), baseline peak RSS ${base} KiB (tiny H5 file)"
echo "| file | format | parameters | weights (MiB) | file (MiB) | peak RSS (MiB) | (peak − baseline) / weights |"
echo "|---|---|---|---|---|---|---|"
for f in "$DIR/vggish_model.ckpt" "$DIR/vggish_tf2" "$DIR/yamnet.h5" \
         "$DIR/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" "$DIR/efficientnetb0_notop.h5"; do
    read -r _ rss _ params < <("$TOOL" rss "$f")
    "$TOOL" info "$f" > "$DIR/info.txt"; fmt=$(awk 'NR == 1 {print $2}' "$DIR/info.txt")
    if [ -f "$f" ]; then bytes=$(stat -c %s "$f"); else
        bytes=$(( $(stat -c %s "$f.index") + $(stat -c %s "$f.data-00000-of-00001") )); fi
    awk -v n="$(basename "$f")" -v fmt="$fmt" -v p="$params" -v b="$bytes" -v r="$rss" -v base="$base" \
        'BEGIN { w = p * 4 / 1048576; printf "| %s | %s | %d | %.1f | %.1f | %.1f | %.3f |\n",
                 n, fmt, p, w, b / 1048576, r / 1024, (r - base) / 1024 / w }'
done
