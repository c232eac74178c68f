#!/usr/bin/env bash
# bench_memory.sh BUILD_DIR [AVMIT_OLD] — peak RSS (issue 17 item 6) of `train`,
# `savc train`, `search --jobs 2` and `tfrecord validate` against the data size, at two
# sample sizes (BENCH_MEM_LIMITS, videos per class from the AVMIT train and validation
# splits; synthetic YAMNet+EfficientNetB0 embeddings, SAVC on VGGish+VGG16). "data MB"
# is what the command holds in memory as float32 samples (videos x T x (D_a + D_v) x 4;
# search: its pool); "disk MB" the GZIP files. With a second binary AVMIT_OLD (built
# before search used index views), search is measured with both. Markdown table.
set -euo pipefail
BUILD=${1:-build}
AVMIT="$BUILD/avmit"
OLD=${2:-}
OUT=${BENCH_DIR:-bench/out/memory}
SPL=$(dirname "$0")/../data/splits
SHARED=${AVMIT_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
LIMITS=${BENCH_MEM_LIMITS:-"25 100"}
mkdir -p "$OUT"
rss() { /usr/bin/time -f %M -o "$OUT/rss" "$@" >/dev/null 2>"$OUT/err" || { cat "$OUT/err"; exit 1; }; echo $(( $(cat "$OUT/rss") / 1024 )); }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | videos | data MB | disk MB | peak RSS MB |"
echo "|---|---|---|---|---|"
cat >"$OUT/train.yaml" <<'YAML'
rnn: {function: tf.keras.layers.GRU, units: 128, dropout: 0.5}
bottleneck_size: 64
bottleneck_activation: swish
data:
  VGG_style: {enabled: False, audio_size: 128, visual_size: 512}
  mobilenet_style: {enabled: True, audio_size: 1024, visual_size: 1280}
training: {learning_rate: 0.0001, early_stopping: 20}
YAML
for L in $LIMITS; do
  D=$OUT/l$L
  mkdir -p "$D"
  for f in AVMIT_train AVMIT_validation; do
    awk -F, -v L=$L 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "label") c = i; print; next }
                     ++n[$c] <= L' "$SPL/$f.csv" >"$D/$f.csv"
  done
  [ -d "$D/emb" ] || "$AVMIT" synth --split "$D/AVMIT_train.csv" --split "$D/AVMIT_validation.csv" --out "$D/emb" -q >/dev/null
  ntr=$(( $(wc -l <"$D/AVMIT_train.csv") - 1 )); nva=$(( $(wc -l <"$D/AVMIT_validation.csv") - 1 ))
  n=$((ntr + nva)); data=$((n * 7 * (1024 + 1280) * 4)); disk=$(du -sb "$D/emb" | cut -f1)
  r=$(rss "$AVMIT" train --config "$OUT/train.yaml" --tfrecords "$D/emb" --train "$D/AVMIT_train.csv" \
        --val "$D/AVMIT_validation.csv" --epochs 1 --threads 2 --quiet --out "$D/m")
  echo "| train (1 epoch, 2 threads) | $n | $(mb $data) | $(mb $disk) | $r |"
  r=$(rss "$AVMIT" tfrecord validate --threads 2 -q "$D/emb")
  echo "| tfrecord validate (2 threads) | $n | 0 (streams) | $(mb $disk) | $r |"
  SARGS=(search --embeddings yamnet-effnet --rnn gru --trials 2 --train "$D/AVMIT_train.csv"
         --val "$D/AVMIT_validation.csv" --tfrecords "$D/emb" --max-epochs 1 --jobs 2 --threads 1 -q)
  rm -rf "$D/s"; r=$(rss "$AVMIT" "${SARGS[@]}" --out "$D/s")
  echo "| search --jobs 2 (index views) | $n | $(mb $data) | $(mb $disk) | $r |"
  if [ -n "$OLD" ]; then
    rm -rf "$D/s_old"; r=$(rss "$OLD" "${SARGS[@]}" --out "$D/s_old")
    echo "| search --jobs 2 (before: per-trial copies) | $n | $(mb $data) | $(mb $disk) | $r |"
  fi
  CFG="$SHARED/data/models/savc/VGGish_VGG16_GRU_AVMIT_avcorr/train.yaml"
  if [ -f "$CFG" ]; then
    [ -d "$D/vemb" ] || "$AVMIT" synth --split "$D/AVMIT_train.csv" --split "$D/AVMIT_validation.csv" \
        --embeddings vggish-vgg16 --out "$D/vemb" -q >/dev/null
    K=$(( L / 15 * 15 )); [ $K -ge 15 ] || K=15
    "$AVMIT" savc pairs --split "$D/AVMIT_train.csv" --per-class $K --seed 1 -o "$D/tr" >/dev/null
    "$AVMIT" savc pairs --split "$D/AVMIT_validation.csv" --per-class 15 --seed 1 -o "$D/va" >/dev/null
    vdata=$((n * 4 * (128 + 512) * 4)); vdisk=$(du -sb "$D/vemb" | cut -f1)
    rm -rf "$D/v"
    r=$(rss "$AVMIT" savc train --config "$CFG" --tfrecords "$D/vemb" --train "$D/tr" --val "$D/va" \
          --epochs 1 --epoch-pairs 2048 --val-pairs 1024 --threads 2 -q --out "$D/v")
    echo "| savc train (VGGish, 1 epoch, 2 threads) | $n | $(mb $vdata) | $(mb $vdisk) | $r |"
  fi
done
