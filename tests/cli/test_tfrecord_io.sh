#!/usr/bin/env bash
# test_tfrecord_io.sh — `avmit tfrecord dump|write`: dump -> write reproduces the
# embedding file byte for byte, write -> dump reproduces the .npy files, and bad
# inputs give the documented exit codes and messages with no output left behind.
. "$(dirname "$0")/testlib.sh"
: "${AVMIT_SRC:?}"
T="$AVMIT_TMP/tfrecord_io"
rm -rf "$T" && mkdir -p "$T"
# mknpy PATH DESCR SHAPE HEXDATA: a version-1.0 .npy written by hand (FORMATS §9)
mknpy() {
    local dict="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
    local len=$(( ${#dict} + 1 )) pad
    pad=$(( 64 - (10 + len) % 64 ))
    { printf '\x93NUMPY\x01\x00'; printf "\\x$(printf %02x $(( (len + pad) & 255 )))\\x$(printf %02x $(( (len + pad) >> 8 )))"
      printf '%s' "$dict"; printf "%${pad}s" ''; printf '\n'; printf "$4"; } >"$1"
}

# A source embedding file (written by avmit synth from a one-row split).
printf 'filename,AVMIT_label,MIT_label,video_location,new_filename,tfrecord_filename\n%s\n' \
    'diving/x_1.mp4,diving,swimming,training,diving/diving_1.mp4,diving/x_1.tfrecord' >"$T/one.csv"
"$AVMIT" synth --split "$T/one.csv" --out "$T/emb" --embeddings vggish-vgg16 --seed 4 >/dev/null || exit 1
SRC="$T/emb/diving/x_1.tfrecord"

# dump: prints filename/label/shapes and writes two float32 [T, D] arrays
run "$T/d1" "$AVMIT" tfrecord dump "$SRC" --audio "$T/a.npy" --visual "$T/v.npy"
check "dump exit 0" [ "$RC" -eq 0 ]
check "dump prints filename" grep -qxF "filename: diving/x_1.mp4" "$T/d1.out"
check "dump prints label" grep -qxF "label: diving" "$T/d1.out"
check "dump prints audio shape" grep -qxF "audio: 3 x 128 float32" "$T/d1.out"
check "dump prints visual shape" grep -qxF "visual_object: 4 x 512 float32" "$T/d1.out"
check "audio.npy size = 128 header + 3*128*4" [ "$(stat -c %s "$T/a.npy")" -eq $((128 + 3 * 128 * 4)) ]
check "audio.npy header" grep -qaF "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 128), }" "$T/a.npy"

# write from the dumped arrays: the same file, byte for byte (deterministic GZIP)
run "$T/w1" "$AVMIT" tfrecord write --filename diving/x_1.mp4 --label diving \
    --audio "$T/a.npy" --visual "$T/v.npy" -o "$T/out/re.tfrecord"
check "write exit 0" [ "$RC" -eq 0 ]
check "write creates parent dirs and reproduces the file" cmp -s "$SRC" "$T/out/re.tfrecord"
check "write reports shapes" grep -qF "audio 3 x 128, visual_object 4 x 512" "$T/w1.out"
run "$T/d2" "$AVMIT" tfrecord dump "$T/out/re.tfrecord" --audio "$T/a2.npy" --visual "$T/v2.npy"
check "write -> dump: audio.npy identical" cmp -s "$T/a.npy" "$T/a2.npy"
check "write -> dump: visual.npy identical" cmp -s "$T/v.npy" "$T/v2.npy"
"$AVMIT" tfrecord validate -q "$T/out/re.tfrecord" >/dev/null
check "written file validates" [ $? -eq 0 ]

# non-float32 input is converted: int16 [1, 2] -> float32
mknpy "$T/i2.npy" '<i2' '(1, 2)' '\x01\x00\xff\xff'
run "$T/w2" "$AVMIT" tfrecord write --filename f --label tapping --audio "$T/i2.npy" \
    --visual "$T/i2.npy" -o "$T/i2.tfrecord"
check "int16 input accepted" [ "$RC" -eq 0 ]
run "$T/d3" "$AVMIT" tfrecord dump "$T/i2.tfrecord" --audio "$T/i2back.npy"
check "int16 -> float32 values 1, -1" [ "$(tail -c 8 "$T/i2back.npy" | od -An -tx1 | tr -d ' \n')" = "0000803f000080bf" ]

# bad usage: exit 2
run "$T/u1" "$AVMIT" tfrecord write --filename f --label cat --audio "$T/a.npy" --visual "$T/v.npy" -o "$T/cat.tfrecord"
check "unknown label exit 2" [ "$RC" -eq 2 ]
check "unknown label message" grep -qF "'cat' is not one of the 16 AVMIT classes" "$T/u1.err"
check "no output for unknown label" [ ! -e "$T/cat.tfrecord" ]
run "$T/u2" "$AVMIT" tfrecord write --filename f --label cat --any-label --audio "$T/a.npy" --visual "$T/v.npy" -o "$T/cat.tfrecord"
check "--any-label exit 0" [ "$RC" -eq 0 ]
run "$T/u3" "$AVMIT" tfrecord write --filename f --label diving --visual "$T/v.npy" -o "$T/x.tfrecord"
check "missing --audio exit 2" [ "$RC" -eq 2 ]
check "missing --audio message" grep -qF -- "--audio is required" "$T/u3.err"
run "$T/u4" "$AVMIT" tfrecord dump
check "dump without FILE exit 2" [ "$RC" -eq 2 ]
run "$T/u5" "$AVMIT" tfrecord dump --help
check "dump --help exit 0" [ "$RC" -eq 0 ] && check "dump --help text" grep -q "usage: avmit tfrecord dump" "$T/u5.out"
run "$T/u6" "$AVMIT" tfrecord write --help
check "write --help exit 0" [ "$RC" -eq 0 ] && check "write --help text" grep -q "usage: avmit tfrecord write" "$T/u6.out"

# bad data: exit 1, message names the file, nothing written
mknpy "$T/oned.npy" '<f4' '(2,)' '\x00\x00\x80\x3f\x00\x00\x80\x3f'
run "$T/b1" "$AVMIT" tfrecord write --filename f --label diving --audio "$T/oned.npy" --visual "$T/v.npy" -o "$T/b1.tfrecord"
check "1-D audio exit 1" [ "$RC" -eq 1 ]
check "1-D audio message" grep -qF "$T/oned.npy: audio: expected a 2-D array [T, D] with T, D >= 1, found shape (2)" "$T/b1.err"
check "1-D audio: no output" [ ! -e "$T/b1.tfrecord" ]
mknpy "$T/nan.npy" '<f4' '(2, 1)' '\x00\x00\x80\x3f\x00\x00\xc0\x7f'
run "$T/b2" "$AVMIT" tfrecord write --filename f --label diving --audio "$T/a.npy" --visual "$T/nan.npy" -o "$T/nan.tfrecord"
check "NaN exit 1" [ "$RC" -eq 1 ]
check "NaN message" grep -qF "$T/nan.npy: visual_object: non-finite value at [1, 0]" "$T/b2.err"
run "$T/b3" "$AVMIT" tfrecord write --allow-nonfinite --filename f --label diving --audio "$T/a.npy" --visual "$T/nan.npy" -o "$T/nan.tfrecord"
check "NaN allowed exit 0" [ "$RC" -eq 0 ]
run "$T/b4" "$AVMIT" tfrecord dump "$T/nan.tfrecord" --visual "$T/nanback.npy"
check "dump of NaN file exit 1" [ "$RC" -eq 1 ]
check "dump of NaN file: no output" [ ! -e "$T/nanback.npy" ]
run "$T/b5" "$AVMIT" tfrecord dump --allow-nonfinite "$T/nan.tfrecord" --visual "$T/nanback.npy"
check "dump --allow-nonfinite exit 0" [ "$RC" -eq 0 ]
check "NaN round trip" [ "$(tail -c 4 "$T/nanback.npy" | od -An -tx1 | tr -d ' \n')" = "0000c07f" ]
head -c 200 "$T/a.npy" >"$T/short.npy"
run "$T/b6" "$AVMIT" tfrecord write --filename f --label diving --audio "$T/short.npy" --visual "$T/v.npy" -o "$T/b6.tfrecord"
check "truncated npy exit 1" [ "$RC" -eq 1 ]
check "truncated npy message" grep -qF "$T/short.npy: byte 128: data: expected 1536 data bytes (384 items x 4 bytes), found 72" "$T/b6.err"
mknpy "$T/c8.npy" '<c8' '(1, 1)' '\x00\x00\x00\x00\x00\x00\x00\x00'
run "$T/b7" "$AVMIT" tfrecord write --filename f --label diving --audio "$T/c8.npy" --visual "$T/v.npy" -o "$T/b7.tfrecord"
check "complex npy exit 1" [ "$RC" -eq 1 ] && check "complex npy message" grep -qF "unsupported dtype '<c8'" "$T/b7.err"
run "$T/b8" "$AVMIT" tfrecord write --filename f --label diving --audio "$T/missing.npy" --visual "$T/v.npy" -o "$T/b8.tfrecord"
check "missing npy exit 1" [ "$RC" -eq 1 ] && check "missing npy message" grep -qF "$T/missing.npy: cannot open" "$T/b8.err"
run "$T/b9" "$AVMIT" tfrecord dump "$T/missing.tfrecord" --audio "$T/b9.npy"
check "dump of a missing file exit 1" [ "$RC" -eq 1 ]
# both outputs or neither: the visual path cannot be created, so no audio either
run "$T/b10" "$AVMIT" tfrecord dump "$SRC" --audio "$T/both_a.npy" --visual "$T/no/such/dir/v.npy"
check "unwritable output exit 1" [ "$RC" -eq 1 ]
check "unwritable output: audio not left behind" [ ! -e "$T/both_a.npy" ]
check "no temporary files left" [ -z "$(find "$T" -name '.*.tmp.*')" ]

exit $fail
