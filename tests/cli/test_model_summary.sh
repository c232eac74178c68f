#!/usr/bin/env bash
# test_model_summary.sh — `avmit model summary` on the paper's own train.yaml files
# prints the Table 5 trainable-parameter counts (SPEC.md §1) and FORMATS.md §5.2's
# totals; a broken config is reported with file, line and key, exit 1.
source "$(dirname "$0")/testlib.sh"
ROOT=${AVMIT_SHARED:-}/data/models/action_recognition
if [ ! -d "$ROOT" ]; then echo "skipped: ../shared/data/models absent"; exit 77; fi

declare -A WANT=(
  [YamNet_EffNet_FRNN_AVMIT]="675,472 676,496" [YamNet_EffNet_GRU_AVMIT]="248,976 249,232"
  [YamNet_EffNet_LSTM_AVMIT]="740,112 741,136" [VGGish_VGG_FRNN_AVMIT]="366,352 367,376"
  [VGGish_VGG_GRU_AVMIT]="413,968 414,992"     [VGGish_VGG_LSTM_AVMIT]="956,944 957,968")
for cfg in "${!WANT[@]}"; do
  set -- ${WANT[$cfg]}
  run "$AVMIT_TMP/$cfg" "$AVMIT" model summary --config "$ROOT/$cfg/train.yaml"
  check "$cfg: exit 0" test "$RC" -eq 0
  expect_line "$AVMIT_TMP/$cfg.out" "Trainable params: $1" "$cfg: Table 5 trainable count $1"
  expect_line "$AVMIT_TMP/$cfg.out" "Total params: $2" "$cfg: total with BN moving stats $2"
  # the MIT-16 twin has the same model
  twin=${cfg%_AVMIT}_MIT_16
  run "$AVMIT_TMP/$twin" "$AVMIT" model summary --config "$ROOT/$twin/train.yaml"
  expect_line "$AVMIT_TMP/$twin.out" "Trainable params: $1" "$twin: same count as $cfg"
done
run "$AVMIT_TMP/ex" "$AVMIT" model summary --config "$ROOT/example_train.yaml"
check "example_train.yaml parses" test "$RC" -eq 0

# errors: file, line and key
sed 's/units: 128/units: many/' "$ROOT/YamNet_EffNet_GRU_AVMIT/train.yaml" >"$AVMIT_TMP/bad.yaml"
run "$AVMIT_TMP/bad" "$AVMIT" model summary --config "$AVMIT_TMP/bad.yaml"
check "bad units: exit 1" test "$RC" -eq 1
check "bad units: message names file, line and key" \
  grep -qF "bad.yaml: line 15: rnn.units: expected an integer, found 'many'" "$AVMIT_TMP/bad.err"
sed 's/enabled: False/enabled: True/' "$ROOT/YamNet_EffNet_GRU_AVMIT/train.yaml" >"$AVMIT_TMP/both.yaml"
run "$AVMIT_TMP/both" "$AVMIT" model summary --config "$AVMIT_TMP/both.yaml"
check "both embedding styles enabled: exit 1" test "$RC" -eq 1
check "both embedding styles: message" grep -qF "exactly one of data.VGG_style.enabled" "$AVMIT_TMP/both.err"
sed 's/  diving: 1/  diving: 0/' "$ROOT/YamNet_EffNet_GRU_AVMIT/train.yaml" >"$AVMIT_TMP/labels.yaml"
run "$AVMIT_TMP/labels" "$AVMIT" model summary --config "$AVMIT_TMP/labels.yaml"
check "label_to_int differing from the AVMIT ids: exit 1" test "$RC" -eq 1
run "$AVMIT_TMP/usage" "$AVMIT" model summary
check "no --config: exit 2" test "$RC" -eq 2
exit $fail
