#!/usr/bin/env bash
# crash.sh KILLS SEED [WORKLOAD...] — crash-consistency harness (issue 17 item 3).
# For each workload (synth = the TFRecord writer, train, savc, search): run it once
# uninterrupted (the reference), then run it again and SIGKILL it at KILLS seeded random
# moments, resuming after each kill (the documented resume: rerun / --resume); the final
# outputs must equal the reference bit for bit (timing columns aside) and no temporary
# file (".<name>.tmp.XXXXXX") may be left. Kill moments are uniform in [0, 0.4 x the
# reference's wall time), so dense enough to land inside checkpoint writes too.
# Needs AVMIT, AVMIT_SRC, AVMIT_TMP (ctest sets them); AVMIT_SHARED for savc (else skipped).
# Prints one line per workload: kills, how many landed before completion, seconds.
set -u
KILLS=${1:?usage: crash.sh KILLS SEED [WORKLOAD...]}
SEED=${2:?}
shift 2
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(synth train savc search)
: "${AVMIT:?}" "${AVMIT_SRC:?}" "${AVMIT_TMP:?}"
source "$(dirname "$0")/../cli/testlib.sh" # train_fixture
S=$AVMIT_SRC/data/splits
T=$AVMIT_TMP/crash
rm -rf "$T" && mkdir -p "$T"
fail=0
RANDOM=$SEED
now() { date +%s.%N; }
# rand_delay MAX: seconds in [0, MAX) from bash's seeded RANDOM
rand_delay() { awk -v r=$(( (RANDOM << 15) | RANDOM )) -v m="$1" 'BEGIN { printf "%.3f", m * r / 1073741824 }'; }
temps() { find "$1" -name '.*.tmp.*' | wc -l; }

# ---- workloads: setup, fresh command, resume command, compare --------------------
setup_common() {
  [ -d "$T/emb" ] && return
  train_fixture "$T" GRU 16 8 1
}

# ${w}_cmd DIR fresh|resume: set CMD to the avmit command line (so that $! is avmit
# itself); a resume with nothing checkpointed yet starts over (after rm -rf DIR).
synth_cmd() { CMD=("$AVMIT" synth --split $S/AVMIT_validation.csv --limit-per-class 10 --threads 1 -q --out "$1"); }
synth_same() { diff -r "$1" "$2" >/dev/null; }

train_cmd() {
  if [ "$2" = resume ] && [ -f "$1/config.json" ]; then CMD=("$AVMIT" train --resume "$1" --quiet); return; fi
  rm -rf "$1"
  CMD=("$AVMIT" train --config "$T/train.yaml" --tfrecords "$T/emb" --train $S/AVMIT_train.csv
       --val $S/AVMIT_validation.csv --limit-per-class 8 --epochs 8 --patience 0 --threads 1 --seed 3
       --quiet --out "$1")
}
train_same() {
  cmp -s "$1/model.safetensors" "$2/model.safetensors" && cmp -s "$1/results.txt" "$2/results.txt" &&
    diff <(cut -d, -f1-8,10 "$1/metrics.csv") <(cut -d, -f1-8,10 "$2/metrics.csv") >/dev/null
}

savc_setup() {
  [ -d "$T/semb" ] && return
  for f in AVMIT_train AVMIT_validation; do
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "label") c = i; print; next }
             ++n[$c] <= 15' "$S/$f.csv" >"$T/$f.csv"
  done
  "$AVMIT" synth --split "$T/AVMIT_train.csv" --split "$T/AVMIT_validation.csv" \
      --embeddings vggish-vgg16 --seed 2 --out "$T/semb" -q >/dev/null
  "$AVMIT" savc pairs --split "$T/AVMIT_train.csv" --per-class 15 --seed 1 -o "$T/tr" >/dev/null
  "$AVMIT" savc pairs --split "$T/AVMIT_validation.csv" --per-class 15 --seed 1 -o "$T/va" >/dev/null
}
SAVC_CFG=${AVMIT_SHARED:-/nonexistent}/data/models/savc/VGGish_VGG16_GRU_AVMIT_avcorr/train.yaml
savc_cmd() {
  CMD=("$AVMIT" savc train --config "$SAVC_CFG" --tfrecords "$T/semb" --train "$T/tr" --val "$T/va"
       --epoch-pairs 256 --val-pairs 128 --batch 64 --lr 1e-3 --seed 5 --threads 1 --epochs 6 -q
       --out "$1")
  if [ "$2" = resume ] && [ -f "$1/train_state.safetensors" ]; then CMD+=(--resume); else rm -rf "$1"; fi
}
savc_same() {
  cmp -s "$1/train_state.safetensors" "$2/train_state.safetensors" &&
    cmp -s "$1/model.safetensors" "$2/model.safetensors"
}

search_setup() {
  [ -d "$T/pool" ] && return
  head -n 121 $S/AVMIT_train.csv >"$T/s_train.csv"
  "$AVMIT" synth --split "$T/s_train.csv" --embeddings vggish-vgg16 --out "$T/pool" -q >/dev/null
}
search_cmd() {
  CMD=("$AVMIT" search --embeddings vggish-vgg16 --rnn gru,lstm --trials 3 --train "$T/s_train.csv"
       --tfrecords "$T/pool" --max-epochs 5 --patience 2 --jobs 2 --threads 1 --seed 4 -q --out "$1")
}
search_same() {
  diff <(cut -d, -f1-12,14- "$1/trials.csv") <(cut -d, -f1-12,14- "$2/trials.csv") >/dev/null &&
    cmp -s "$1/best.md" "$2/best.md"
}

for w in "${WORKLOADS[@]}"; do
  setup_common
  case $w in
    savc) [ -f "$SAVC_CFG" ] || { echo "crash $w: skipped: $SAVC_CFG absent"; continue; }; savc_setup ;;
    search) search_setup ;;
  esac
  t0=$(now)
  ${w}_cmd "$T/$w.ref" fresh
  "${CMD[@]}" >/dev/null 2>"$T/$w.ref.err" || { echo "FAIL: $w reference run"; cat "$T/$w.ref.err"; fail=1; continue; }
  ref_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
  max=$(awk -v s="$ref_s" 'BEGIN { print 0.4 * s }')
  rm -rf "$T/$w.run"
  t0=$(now)
  landed=0
  for k in $(seq "$KILLS"); do
    d=$(rand_delay "$max")
    if [ "$k" -eq 1 ]; then ${w}_cmd "$T/$w.run" fresh; else ${w}_cmd "$T/$w.run" resume; fi
    "${CMD[@]}" >/dev/null 2>&1 &
    pid=$!
    sleep "$d"
    if kill -9 $pid 2>/dev/null; then landed=$((landed + 1)); fi
    wait $pid 2>/dev/null
  done
  ${w}_cmd "$T/$w.run" resume
  "${CMD[@]}" >"$T/$w.final.out" 2>"$T/$w.final.err"
  rc=$?
  secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  n_tmp=$(temps "$T/$w.run")
  if [ $rc -eq 0 ] && ${w}_same "$T/$w.ref" "$T/$w.run" && [ "$n_tmp" -eq 0 ]; then
    echo "ok: crash $w: $KILLS kills ($landed landed mid-run), resumed, outputs equal the uninterrupted run bit for bit, no temporary file ($secs s; reference $ref_s s)"
  else
    echo "FAIL: crash $w: final rc $rc, $n_tmp temporary files, outputs $(${w}_same "$T/$w.ref" "$T/$w.run" && echo equal || echo DIFFER) ($landed of $KILLS kills landed)"
    head -5 "$T/$w.final.err"
    fail=1
  fi
done
exit $fail
