#!/usr/bin/env bash
# test_fixtures_compat.sh — model directories written by the code before the
# model-graph refactor (issue 12; tests/fixtures/models_v1, made by its make.sh
# at commit 1f93401) still load, give byte-identical eval / predict / score
# output, and resume (train_state.safetensors of both formats) to the same
# bits as the old code did.
source "$(dirname "$0")/testlib.sh"
F=${AVMIT_SRC:?}/tests/fixtures/models_v1
O=$AVMIT_TMP/out
rm -rf "$O"
run "$AVMIT_TMP/make" bash "$F/make.sh" --check "$AVMIT" "$O"
check "fixture outputs regenerated (exit 0)" test "$RC" -eq 0
[ "$RC" -eq 0 ] || cat "$AVMIT_TMP/make.err"
for m in exp1_gru exp1_rnn_a; do
  check "$m: eval --json identical" cmp "$F/$m.eval.json" "$O/$m.eval.json"
  check "$m: predict.csv identical" cmp "$F/$m.predict.csv" "$O/$m.predict.csv"
  check "$m: resumed to 3 epochs, model.safetensors identical" cmp "$F/$m.resume3.sha256" "$O/$m.resume3.sha256"
done
check "savc_lstm: savc eval --json identical" cmp "$F/savc_lstm.eval.json" "$O/savc_lstm.eval.json"
check "savc_lstm: savc score identical" cmp "$F/savc_lstm.score.csv" "$O/savc_lstm.score.csv"
check "savc_lstm: resumed to 3 epochs, train_state.safetensors identical" \
  cmp "$F/savc_lstm.resume3.sha256" "$O/savc_lstm.resume3.sha256"
exit $fail
