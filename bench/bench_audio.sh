#!/usr/bin/env bash
# bench_audio.sh BUILD_DIR — `3 s 44.1 kHz stereo AAC mp4 -> log-mel patches`,
# clips per second, avmit vs the reference pipeline, in one run.
#
# Clip: made once with the ffmpeg CLI (mpeg4 video + AAC stereo 44.1 kHz, 3 s)
# in BENCH_DIR (default bench/out/audio). For each model (yamnet, vggish):
#   reference — bench/bench_audio.py: `ffmpeg -i CLIP -acodec pcm_s16le -vn -f wav -`
#               (what pydub runs) + pydub's mono rule + the NumPy resampy 0.2.2
#               kaiser_best + NumPy log-mel (tests/reference/audio_ref.py);
#   avmit     — bench_audio (library: decode -> resample -> patches), 1 and 2
#               threads (2 = two workers, one clip each at a time); its first
#               patches must match the reference's within 1e-4 and every later
#               run must repeat them bit for bit, else the run fails.
# Each race runs for BENCH_SECONDS (default 3) seconds.
set -euo pipefail
BUILD=${1:-build}
DIR=${BENCH_DIR:-bench/out/audio}
SECS=${BENCH_SECONDS:-3}
PY=${AVMIT_PYTHON:-/usr/bin/python3}
BENCH="$BUILD/bench/bench_audio"
[ -x "$BENCH" ] || { echo "bench_audio.sh: build first ($BENCH)"; exit 1; }
mkdir -p "$DIR"
CLIP="$DIR/clip44k_stereo_aac.mp4"
if [ ! -s "$CLIP" ]; then
    ffmpeg -v error -y -f lavfi -i "testsrc=d=3:s=320x240:r=25" \
        -f lavfi -i "sine=f=440:r=44100:d=3" -f lavfi -i "anoisesrc=r=44100:d=3:a=0.2" \
        -filter_complex "[1][2]amerge=inputs=2[a]" -map 0:v -map "[a]" \
        -c:v mpeg4 -c:a aac -b:a 128k -shortest "$CLIP"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "machine: $(nproc) CPUs, $cpu; clip: $CLIP"
for model in yamnet vggish; do
    ref=$("$PY" bench/bench_audio.py "$CLIP" "$model" "$DIR/ref_$model.npy" "$SECS")
    echo "$ref"
    r1=$("$BENCH" "$CLIP" --model "$model" --threads 1 --seconds "$SECS" --check "$DIR/ref_$model.npy" | tail -1)
    echo "$r1"
    r2=$("$BENCH" "$CLIP" --model "$model" --threads 2 --seconds "$SECS" | tail -1)
    echo "$r2"
    rr=$(echo "$ref" | sed -n 's/.*= \([0-9.]*\) clips\/s.*/\1/p')
    a1=$(echo "$r1" | sed -n 's/.*= \([0-9.]*\) clips\/s.*/\1/p')
    a2=$(echo "$r2" | sed -n 's/.*= \([0-9.]*\) clips\/s.*/\1/p')
    awk -v m="$model" -v r="$rr" -v a="$a1" -v b="$a2" 'BEGIN {
      printf "%s: reference %.2f clips/s; avmit 1 thread %.1f clips/s = %.1fx; 2 threads %.1f clips/s = %.1fx\n",
             m, r, a, a / r, b, b / r }'
done
