# testlib.sh — helpers sourced by the CLI tests: ok/bad counters and line assertions.
# Requires AVMIT, AVMIT_TMP (set by CTest); creates AVMIT_TMP; sets PY and fail.
set -u
: "${AVMIT:?}" "${AVMIT_TMP:?}"
PY=${AVMIT_PYTHON:-/usr/bin/python3}
mkdir -p "$AVMIT_TMP"
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
# expect_line FILE EXACT-LINE WHAT
expect_line() {
    if grep -qxF -- "$2" "$1"; then ok "$3"; else bad "$3: missing line '$2'"; fi
}
# check WHAT CMD...: the command's exit status is the assertion
check() {
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
# run PREFIX CMD...: stdout to PREFIX.out, stderr to PREFIX.err, exit status in RC
run() {
    local p=$1; shift
    "$@" >"$p.out" 2>"$p.err"; RC=$?
}
# train_fixture DIR RNN UNITS LIMIT THREADS: the small training setup of the train /
# resume / stop tests: DIR/train.yaml (a tf.keras.layers.RNN of UNITS units, a
# UNITS-wide swish bottleneck, mobilenet-style sizes D_a 1024, D_v 1280) and DIR/emb,
# synthetic embeddings of the first LIMIT videos per class of the released train and
# validation splits (avmit synth, THREADS threads). Returns synth's exit status.
train_fixture() {
    cat >"$1/train.yaml" <<YAML
rnn: {function: tf.keras.layers.$2, units: $3, dropout: 0.3}
bottleneck_size: $3
bottleneck_activation: swish
data:
  VGG_style: {enabled: False, audio_size: 128, visual_size: 512}
  mobilenet_style: {enabled: True, audio_size: 1024, visual_size: 1280}
training: {learning_rate: 0.001, early_stopping: 3}
YAML
    local s=${AVMIT_SRC:?}/data/splits
    "$AVMIT" synth --split "$s/AVMIT_train.csv" --split "$s/AVMIT_validation.csv" \
        --limit-per-class "$4" --out "$1/emb" --quiet --threads "$5" >/dev/null
}
