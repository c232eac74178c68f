#!/usr/bin/env bash
# bench_visual.sh BUILD_DIR — visual front end: a 3 s, 30 fps, 640x360 H.264 mp4
# (x264 defaults, B-frames) -> the frames the reference loop selects at
# --interval-ms 480, resized to 224x224 uint8 RGB. Clips per second (median of 3
# rounds of >= BENCH_SECONDS, default 2) for, in the same run:
#   reference  Python: cv2.VideoCapture loop (cap.read() per frame) + cvtColor +
#              cv2.resize (bench/bench_visual_ref.py; OpenCV's decoder threads = its
#              default, all cores)
#   avmit      bench/bench_visual.c (avmit_video_select + avmit_resize_linear_u8):
#              1 decoder thread; 2 decoder threads; 2 clips at once x 1 thread.
# All three avmit runs must give exactly the reference's frames, else it fails.
set -euo pipefail
BUILD=${1:-build}
SECS=${BENCH_SECONDS:-2}
OUT=${BENCH_VISUAL_DIR:-bench/out/visual}
BIN="$BUILD/bench/bench_visual"
PY=${AVMIT_PYTHON:-/usr/bin/python3}
[ -x "$BIN" ] || { echo "bench_visual.sh: build first ($BIN)"; exit 1; }
command -v ffmpeg >/dev/null || { echo "bench_visual.sh: skipped: ffmpeg CLI not installed"; exit 0; }
"$PY" -c 'import cv2' 2>/dev/null || { echo "bench_visual.sh: skipped: python3-opencv not installed"; exit 0; }
mkdir -p "$OUT"
CLIP="$OUT/clip_640x360_30fps_3s.mp4"
[ -f "$CLIP" ] || ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=30 -t 3 \
    -c:v libx264 -pix_fmt yuv420p "$CLIP"

ref=$("$PY" "$(dirname "$0")/bench_visual_ref.py" "$CLIP" 480 "$SECS" "$OUT/ref.npy")
a1=$("$BIN" "$CLIP" 480 1 1 "$SECS" "$OUT/avmit_t1.npy")
a2=$("$BIN" "$CLIP" 480 2 1 "$SECS" "$OUT/avmit_t2.npy")
w2=$("$BIN" "$CLIP" 480 1 2 "$SECS" "$OUT/avmit_w2.npy")
"$PY" - "$OUT" <<'PYEOF'
import sys, numpy as np
d = sys.argv[1]
ref = np.load(f"{d}/ref.npy")
for n in ("avmit_t1", "avmit_t2", "avmit_w2"):
    got = np.load(f"{d}/{n}.npy")
    if got.shape != ref.shape or not np.array_equal(got, ref):
        sys.exit(f"bench_visual.sh: {n} frames differ from the reference's")
PYEOF
rate() { sed -n 's/.*clips\/s \([0-9.]*\).*/\1/p' <<<"$1"; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "machine: $(nproc) CPUs, $cpu; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "clip: $CLIP ($(stat -c %s "$CLIP") bytes), --interval-ms 480, frames identical to the reference: yes"
awk -v r="$(rate "$ref")" -v a="$(rate "$a1")" -v b="$(rate "$a2")" -v c="$(rate "$w2")" -v info="$ref" 'BEGIN {
  printf "reference (Python cv2 loop)           %7.2f clips/s  1.00x   [%s]\n", r, info;
  printf "avmit, 1 decoder thread               %7.2f clips/s  %.2fx\n", a, a/r;
  printf "avmit, 2 decoder threads              %7.2f clips/s  %.2fx\n", b, b/r;
  printf "avmit, 2 clips at once x 1 thread     %7.2f clips/s  %.2fx\n", c, c/r;
}'
