#!/usr/bin/env bash
# bench_savc.sh BUILD_DIR — one SAVC training epoch, avmit vs PyTorch, side by side in
# the same run (issue 17 item 7): the six SAVC model configs (VGGish+VGG16 and
# YAMNet+EfficientNetB0 x FRNN/GRU/LSTM: the paper's *_AVMIT_avcorr train.yaml; the
# MIT16 configs have the same models). Epoch = 12,960 training pairs (batch 512, from
# `savc pairs --per-class 405` on the AVMIT train split, as the paper) + the validation
# pass (12,960 pairs from `--per-class 45` on AVMIT validation). Data: `avmit synth`
# embeddings (timing does not depend on the values). avmit: `avmit savc train --epochs 2`
# at all cores, the epoch-2 `seconds` of metrics.csv (training + validation + checkpoint
# writes); PyTorch: bench/bench_savc_torch.py (the same model; a full epoch after a warm-up) at 1
# thread and at all cores, the better of the two is the denominator. Peak RSS from
# /usr/bin/time. Prints a Markdown table. BENCH_SAVC_CONFIGS narrows the run.
set -euo pipefail
BUILD=${1:-build}
AVMIT="$BUILD/avmit"
PY=${AVMIT_PYTHON:-/usr/bin/python3}
OUT=${BENCH_DIR:-bench/out/savc}
SHARED=${AVMIT_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
SPL=$(dirname "$0")/../data/splits
NP=$(nproc)
[ -x "$AVMIT" ] || { echo "bench_savc.sh: build first ($AVMIT)"; exit 1; }
[ -d "$SHARED/data/models/savc" ] || { echo "bench_savc.sh: $SHARED/data/models/savc missing"; exit 1; }
CONFIGS=${BENCH_SAVC_CONFIGS:-"VGGish_VGG16_FRNN VGGish_VGG16_GRU VGGish_VGG16_LSTM YamNet_EffNet_FRNN YamNet_EffNet_GRU YamNet_EffNet_LSTM"}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
mkdir -p "$OUT"
echo "machine: $NP CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
$PY -c 'import torch; print("PyTorch", torch.__version__)'
if [ ! -f "$OUT/tr_cong.csv" ]; then
  "$AVMIT" savc pairs --split "$SPL/AVMIT_train.csv" --per-class 405 --seed 1 -o "$OUT/tr" >/dev/null
  "$AVMIT" savc pairs --split "$SPL/AVMIT_validation.csv" --per-class 45 --seed 1 -o "$OUT/va" >/dev/null
fi
echo
echo "| config | avmit threads | avmit epoch s | PyTorch 1 thread s | PyTorch $NP threads s | PyTorch best | avmit speed-up vs best | avmit peak RSS MB | PyTorch peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|"
for c in $CONFIGS; do
  case $c in VGGish*) set_=vggish-vgg16 da=128 dv=512 ;; *) set_=yamnet-effnet da=1024 dv=1280 ;; esac
  case $c in *FRNN) rnn=RNN ;; *GRU) rnn=GRU ;; *) rnn=LSTM ;; esac
  if [ ! -d "$OUT/emb_$set_" ]; then
    "$AVMIT" synth --split "$SPL/AVMIT_train.csv" --split "$SPL/AVMIT_validation.csv" \
      --embeddings $set_ --out "$OUT/emb_$set_" -q >/dev/null
  fi
  cfg="$SHARED/data/models/savc/${c}_AVMIT_avcorr/train.yaml"
  T=$(sed -n 's/^ *timesteps: *\([0-9]*\).*/\1/p' "$cfg")
  rm -rf "$OUT/run_$c"
  /usr/bin/time -f %M -o "$OUT/rss_$c" "$AVMIT" savc train --config "$cfg" --tfrecords "$OUT/emb_$set_" \
    --train "$OUT/tr" --val "$OUT/va" --epochs 2 --epoch-pairs 12960 --val-pairs 12960 \
    --threads "$NP" --out "$OUT/run_$c" -q >/dev/null
  ae=$(awk -F, 'NR == 3 { print $6 }' "$OUT/run_$c/metrics.csv")
  arss=$(( $(cat "$OUT/rss_$c") / 1024 ))
  nvid=$(( $(wc -l <"$SPL/AVMIT_train.csv") + $(wc -l <"$SPL/AVMIT_validation.csv") - 2 ))
  t1=$($PY "$(dirname "$0")/bench_savc_torch.py" --da $da --dv $dv --T "$T" --rnn $rnn --threads 1 --n-videos $nvid)
  tn=$($PY "$(dirname "$0")/bench_savc_torch.py" --da $da --dv $dv --T "$T" --rnn $rnn --threads "$NP" --n-videos $nvid)
  awk -v c="$c" -v np="$NP" -v ae="$ae" -v t1="$(field "$t1" epoch_s)" -v tn="$(field "$tn" epoch_s)" \
      -v ar="$arss" -v r1="$(field "$t1" peak_rss_mb)" -v rn="$(field "$tn" peak_rss_mb)" 'BEGIN {
    best = t1 < tn ? t1 : tn; bt = t1 < tn ? "1 thread" : np " threads"; tr = r1 > rn ? r1 : rn
    printf "| %s | %s | %.2f | %.2f | %.2f | %s | %.2fx | %s | %s |\n", c, np, ae, t1, tn, bt, best / ae, ar, tr }'
done
