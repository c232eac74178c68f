# analysis_fixtures.sh — small SYNTHETIC fixtures shared by the issue-16 tests
# (test_tensorboard, test_similarity, test_report, test_plots); sourced after testlib.sh.
# Sets S (released splits), REF (tests/reference), T (the test's scratch dir, emptied), and
# the LeakSanitizer suppression of fontconfig (cairo text goes through it; its cache is
# never freed), as test_ratings.sh does.
: "${AVMIT_SRC:?}" "${AVMIT_TMP:?}"
S=$AVMIT_SRC/data/splits
FIX_S=$S
REF=$AVMIT_SRC/tests/reference
T=$AVMIT_TMP
rm -rf "$T" && mkdir -p "$T"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$AVMIT_SRC/tests/cli/lsan-fontconfig.supp"

# exp1_yaml PATH UNITS ACT LR: a VGGish+VGG16 GRU experiment-1 train.yaml (bottleneck = UNITS).
exp1_yaml() {
  cat >"$1" <<YAML
rnn: {function: tf.keras.layers.GRU, units: $2, dropout: 0.5}
audio: True
visual: True
bottleneck_size: $2
bottleneck_activation: $3
data:
  VGG_style: {enabled: True, audio_size: 128, visual_size: 512}
  mobilenet_style: {enabled: False, audio_size: 1024, visual_size: 1280}
  timesteps: 7
  num_classes: 16
training: {num_epochs: 200, learning_rate: $4, training_batch_size: 16, early_stopping: 20}
YAML
}

# savc_yaml PATH UNITS: a VGGish+VGG16 SAVC GRU train.yaml.
savc_yaml() {
  cat >"$1" <<YAML
rnn: {function: tf.keras.layers.GRU, units: $2, dropout: 0.1}
data:
  VGG_style: {enabled: True, audio_size: 128, visual_size: 512}
  mobilenet_style: {enabled: False, audio_size: 1024, visual_size: 1280}
  timesteps: 7
training: {num_epochs: 3, learning_rate: 0.001, training_batch_size: 64}
YAML
}

# per_class SRC N OUT: the first N rows of each class of an AVMIT-layout (or test-set) CSV.
per_class() {
  local col=6
  case "$(head -c 9 "$1")" in filename,) head -1 "$1" | grep -q '^filename,AVMIT_label' && col=2 ;; esac
  awk -F, -v n="$2" -v c="$col" 'NR == 1 || k[$c]++ < n' "$1" >"$3"
}

# small_data TRAIN_N VAL_N [TEST_N]: $T/tr.csv, $T/va.csv (and $T/test.csv) and their
# vggish-vgg16 embeddings in $T/emb.
small_data() {
  per_class $FIX_S/AVMIT_train.csv "$1" "$T/tr.csv"
  per_class $FIX_S/AVMIT_validation.csv "$2" "$T/va.csv"
  local extra=()
  if [ -n "${3:-}" ]; then per_class $FIX_S/test_set.csv "$3" "$T/test.csv"; extra=(--split "$T/test.csv"); fi
  check "synth" "$AVMIT" synth --split "$T/tr.csv" --split "$T/va.csv" "${extra[@]}" --embeddings vggish-vgg16 \
      --out "$T/emb" -q --threads 2
}

# small_savc OUTDIR EPOCHS: a SAVC GRU trained briefly on 15-per-class pairs of small_data.
small_savc() {
  savc_yaml "$T/savc.yaml" 8
  "$AVMIT" savc pairs --split "$T/tr.csv" --per-class 15 --seed 1 -o "$T/ptr" >/dev/null &&
  "$AVMIT" savc pairs --split "$T/va.csv" --per-class 15 --seed 1 -o "$T/pva" >/dev/null &&
  "$AVMIT" savc train --config "$T/savc.yaml" --tfrecords "$T/emb" --train "$T/ptr" --val "$T/pva" --epochs "$2" \
      --epoch-pairs 128 --val-pairs 64 --batch 64 --threads 2 --out "$1" -q >/dev/null || bad "savc model $1"
}
