#!/usr/bin/env bash
# bench_extract.sh BUILD_DIR — `avmit extract` videos/hour per embedding set against the
# reference pipeline in the same run (bench/bench_extract_ref.py: pydub + resampy +
# the NumPy log-mel reference, cv2 frames, PyTorch CNNs, torch at 1 thread and at all
# cores, the better one is the denominator), and peak memory for two list sizes.
#
# Clips: BENCH_EXTRACT_CLIPS (default 8) different 3 s, 30 fps, 320x240 H.264 videos
# with stereo 44.1 kHz AAC (the common Moments-in-Time format), made once with the
# ffmpeg CLI. Weights: random, in the published layouts (tests/reference/extract_ref.py;
# made once). avmit runs with all
# cores (--threads $(nproc), --jobs default), fp32, and bf16 (which falls back to fp32
# on CPUs without AMX / AVX512_BF16: the line says so). Peak RSS (GNU time) for
# yamnet-effnet over N and 3N videos shows whether memory grows with the list.
set -euo pipefail
BUILD=${1:-build}
N=${BENCH_EXTRACT_CLIPS:-8}
SETS=${BENCH_EXTRACT_SETS:-"yamnet-effnet vggish-vgg16"}
OUT=${BENCH_EXTRACT_DIR:-bench/out/extract}
PY=${AVMIT_PYTHON:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)
AVMIT="$BUILD/avmit"
T=$(nproc)
[ -x "$AVMIT" ] || { echo "bench_extract.sh: build first ($AVMIT)"; exit 1; }
command -v ffmpeg >/dev/null || { echo "bench_extract.sh: skipped: ffmpeg CLI not installed"; exit 0; }
"$PY" -c 'import cv2, torch, torchvision, h5py, pydub, resampy' 2>/dev/null ||
    { echo "bench_extract.sh: skipped: needs python3-opencv, torch, torchvision, h5py, pydub, resampy"; exit 0; }
[ -x /usr/bin/time ] || { echo "bench_extract.sh: skipped: GNU time (/usr/bin/time) not installed"; exit 0; }
mkdir -p "$OUT/clips/barking" "$OUT/weights"

for i in $(seq 0 $((3 * N - 1))); do
    f="$OUT/clips/barking/clip$i.mp4"
    [ -f "$f" ] || ffmpeg -v error -y -f lavfi -i "testsrc2=size=320x240:rate=30" \
        -f lavfi -i "sine=frequency=$((200 + 37 * i)):sample_rate=44100" -ac 2 -t 3 \
        -vf "hue=h=$((i * 29))" -c:v libx264 -pix_fmt yuv420p -c:a aac "$f"
done
listdir() { # listdir COUNT: a directory with the first COUNT clips (symlinks)
    local d="$OUT/list$1"
    rm -rf "$d" && mkdir -p "$d/barking"
    for i in $(seq 0 $(($1 - 1))); do ln -s "$(realpath "$OUT/clips/barking/clip$i.mp4")" "$d/barking/"; done
    echo "$d"
}
"$PY" - "$OUT/weights" "$HERE/../tests/reference" <<'PYEOF'
import os, sys
sys.path.insert(0, sys.argv[2])
import extract_ref as X
for kind, seed in (("yamnet", 1), ("efficientnetb0", 2), ("vggish", 1), ("vgg16", 2)):
    if not os.path.exists(os.path.join(sys.argv[1], X.WEIGHT_FILES[kind])):
        print("writing random", kind, "weights ...", flush=True)
        X.write_weights(kind, seed, sys.argv[1])
PYEOF

model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
isa=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512_bf16|amx_tile|amx_bf16)$' | tr '\n' ' ')
echo "machine: $T CPUs, $model; ISA: $isa; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: bash bench/bench_extract.sh $BUILD   ($N videos of 3 s, 320x240 30 fps H.264 + stereo AAC)"
L=$(listdir "$N")
L3=$(listdir $((3 * N)))
avmit_run() { # avmit_run SET PRECISION LISTDIR -> "seconds peak_kb precision"
    rm -rf "$OUT/emb"
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$AVMIT" extract --videos "$3" --embeddings "$1" \
        --weights-dir "$OUT/weights" --out "$OUT/emb" --threads "$T" --precision "$2" \
        --json -q >"$OUT/report.json"
    prec=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["precision"])' "$OUT/report.json")
    echo "$(cat "$OUT/time.txt") $prec"
}
# avmit's figures: end to end over N videos (loading the weights, oneDNN's JIT and
# plans included), and the steady rate (2N videos / (time for 3N - time for N)),
# which is what the reference's figure is: it times its videos after an untimed
# warm-up video, with the networks already loaded.
vh() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f", n * 3600 / s}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
for S in $SETS; do
    r1=$("$PY" "$HERE/bench_extract_ref.py" "$S" "$L" 1)
    rT=$("$PY" "$HERE/bench_extract_ref.py" "$S" "$L" "$T")
    f=($(avmit_run "$S" fp32 "$L"))
    f3=($(avmit_run "$S" fp32 "$L3"))
    b=($(avmit_run "$S" bf16 "$L"))
    b3=($(avmit_run "$S" bf16 "$L3"))
    ref1=$(sed -n 's/.*videos\/hour \([0-9]*\).*/\1/p' <<<"$r1")
    refT=$(sed -n 's/.*videos\/hour \([0-9]*\).*/\1/p' <<<"$rT")
    best=$((ref1 > refT ? ref1 : refT))
    fe=$(vh "$N" "${f[0]}"); fs=$(vh $((2 * N)) "$(awk -v a="${f3[0]}" -v b="${f[0]}" 'BEGIN {print a - b}')")
    be=$(vh "$N" "${b[0]}"); bs=$(vh $((2 * N)) "$(awk -v a="${b3[0]}" -v b="${b[0]}" 'BEGIN {print a - b}')")
    echo "== $S"
    echo "reference torch 1 thread : $r1"
    echo "reference torch $T threads: $rT"
    echo "avmit fp32: steady $fs videos/hour = $(ratio "$fs" "$best")x the best reference; end to end $fe videos/hour (${f[0]} s for $N videos, ${f3[0]} s for $((3 * N)); peak RSS $((f[1] / 1024)) MiB) = $(ratio "$fe" "$best")x"
    echo "avmit bf16 (ran ${b[2]}): steady $bs videos/hour = $(ratio "$bs" "$best")x; end to end $be videos/hour = $(ratio "$be" "$best")x"
done
m1=($(avmit_run yamnet-effnet fp32 "$L"))
m3=($(avmit_run yamnet-effnet fp32 "$L3"))
echo "== memory: yamnet-effnet peak RSS $((m1[1] / 1024)) MiB for $N videos, $((m3[1] / 1024)) MiB for $((3 * N)) videos"
