#!/usr/bin/env bash
# bench_visual.sh BUILD_DIR — visual front end: a 3 s, 30 fps, 640x360 H.264 mp4
# (x264 defaults, B-frames) -> the frames the reference loop selects at
# --interval-ms 480, resized to 224x224 uint8 RGB. Clips per second (median of 3
# rounds of >= BENCH_SECONDS, default 2) and process CPU ms per clip (all threads)
# for, in the same run:
#   reference  Python: cv2.VideoCapture loop (cap.read() per frame) + cvtColor +
#              cv2.resize (bench/bench_visual_ref.py). OpenCV 4.6 gives its FFmpeg
#              decoder one thread per online CPU and offers no way to change it from
#              Python (no CAP_PROP_N_THREADS before 4.7; OPENCV_FFMPEG_CAPTURE_OPTIONS
#              reaches only the demuxer), so it runs as users run it, and once more
#              pinned to one core with taskset (same threads, one core's time);
#   avmit      bench/bench_visual.c (avmit_video_select_decode +
#              avmit_resize_linear_u8): --decode full with 1 decoder thread (every
#              frame decoded, as before partial decoding); auto (the default) with
#              1 decoder thread; 2 decoder threads; 2 clips at once x 1 thread.
# Every avmit run must give exactly the reference's frames, else it fails.
set -euo pipefail
BUILD=${1:-build}
SECS=${BENCH_SECONDS:-2}
OUT=${BENCH_VISUAL_DIR:-bench/out/visual}
BIN="$BUILD/bench/bench_visual"
PY=${AVMIT_PYTHON:-/usr/bin/python3}
REF="$(dirname "$0")/bench_visual_ref.py"
[ -x "$BIN" ] || { echo "bench_visual.sh: build first ($BIN)"; exit 1; }
command -v ffmpeg >/dev/null || { echo "bench_visual.sh: skipped: ffmpeg CLI not installed"; exit 0; }
"$PY" -c 'import cv2' 2>/dev/null || { echo "bench_visual.sh: skipped: python3-opencv not installed"; exit 0; }
mkdir -p "$OUT"
CLIP="$OUT/clip_640x360_30fps_3s.mp4"
[ -f "$CLIP" ] || ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=30 -t 3 \
    -c:v libx264 -pix_fmt yuv420p "$CLIP"

ref=$("$PY" "$REF" "$CLIP" 480 "$SECS" "$OUT/ref.npy")
if command -v taskset >/dev/null; then
    ref1=$(taskset -c 0 "$PY" "$REF" "$CLIP" 480 "$SECS" "$OUT/ref1.npy")
else
    ref1="clips/s 0 cpu_ms 0 (taskset not installed)"
fi
full=$("$BIN" "$CLIP" 480 1 1 "$SECS" "$OUT/avmit_full.npy" full)
a1=$("$BIN" "$CLIP" 480 1 1 "$SECS" "$OUT/avmit_t1.npy")
a2=$("$BIN" "$CLIP" 480 2 1 "$SECS" "$OUT/avmit_t2.npy")
w2=$("$BIN" "$CLIP" 480 1 2 "$SECS" "$OUT/avmit_w2.npy")
"$PY" - "$OUT" <<'PYEOF'
import sys, numpy as np
d = sys.argv[1]
ref = np.load(f"{d}/ref.npy")
for n in ("avmit_full", "avmit_t1", "avmit_t2", "avmit_w2"):
    got = np.load(f"{d}/{n}.npy")
    if got.shape != ref.shape or not np.array_equal(got, ref):
        sys.exit(f"bench_visual.sh: {n} frames differ from the reference's")
PYEOF
rate() { sed -n 's/.*clips\/s \([0-9.]*\).*/\1/p' <<<"$1"; }
cpu() { sed -n 's/.*cpu_ms \([0-9.]*\).*/\1/p' <<<"$1"; }
model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "machine: $(nproc) CPUs, $model; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "clip: $CLIP ($(stat -c %s "$CLIP") bytes), --interval-ms 480, frames identical to the reference: yes"
echo "reference: $ref"
echo "run                                       clips/s  vs ref  CPU ms/clip  vs ref CPU"
line() { # line LABEL OUTPUT
    awk -v l="$1" -v r="$(rate "$2")" -v c="$(cpu "$2")" -v R="$(rate "$ref")" -v C="$(cpu "$ref")" \
        'BEGIN { printf "%-40s %8.2f  %5.2fx  %11.2f  %9.2fx\n", l, r, r / R, c, (c > 0 ? C / c : 0) }'
}
line "reference (Python cv2, all cores)" "$ref"
line "reference pinned to 1 core (taskset)" "$ref1"
line "avmit --decode full, 1 decoder thread" "$full"
line "avmit, 1 decoder thread" "$a1"
line "avmit, 2 decoder threads" "$a2"
line "avmit, 2 clips at once x 1 thread" "$w2"
