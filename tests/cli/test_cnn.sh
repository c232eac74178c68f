#!/usr/bin/env bash
# test_cnn.sh — `avmit cnn embed` and `features audio|visual --embed` (issue 13):
#  - usage errors exit 2 (no/unknown --model, no/both weights options, bad --precision);
#  - bad data exit 1 naming the file and field: an input of the wrong shape, a weights
#    file with a tensor missing (named, with its shape), one with a misshapen tensor
#    (both shapes named); no output is left behind;
#  - --weights-dir DIR finds the published file name;
#  - fp32 output is the same bits for --threads 1 and 2, and within 1e-6 relative
#    across --batch 1 and 4;
#  - `cnn init` writes each network's published layout (info says it fits that network
#    and no other; the parameter totals of docs/cnn-weights.md), the same bytes for the
#    same seed, and `cnn embed` runs on it; `cnn info` on a file that fits nothing exits 1;
#  - `features audio --embed` writes exactly what `features audio` + `cnn embed` give,
#    and `features visual --preprocess efficientnetb0 --embed` likewise.
# Weights: random, in the published layouts (tests/reference/cnn_weights.py, h5py).
. "$(dirname "$0")/testlib.sh"
T=$AVMIT_TMP
C=("$AVMIT" cnn embed)
if ! "${C[@]}" --help >/dev/null 2>&1; then echo "skipped: avmit built without oneDNN"; exit 77; fi
if ! "$PY" -c "import numpy, h5py, torch" 2>/dev/null; then echo "skipped: numpy/h5py/torch missing"; exit 77; fi
REF="$AVMIT_SRC/tests/reference"

# effnet (Keras HDF5, 4 M parameters): the file as published, one with a tensor
# removed, one with a tensor misshapen; 5 frames of real-scale input.
"$PY" - "$T" "$REF" <<'PYEOF'
import sys, numpy as np
sys.path.insert(0, sys.argv[2])
import cnn_ref, cnn_weights, cnn_layouts as L
T = sys.argv[1]
values = cnn_weights.write_random("efficientnetb0", 5, T + "/efficientnetb0_notop.h5")
lay, attrs = L.layout("efficientnetb0"), L.KERAS_ATTRS["efficientnetb0"]
cnn_weights.write_keras_h5(T + "/missing.h5", [x for x in lay if x[0] != "block3b_se_reduce"], values, attrs)
v3 = dict(values); v3["top_bn/gamma:0"] = np.zeros(7, np.float32)
cnn_weights.write_keras_h5(T + "/misshapen.h5", lay, v3, attrs)
u8 = np.random.default_rng(3).integers(0, 256, (5, 224, 224, 3), dtype=np.uint8)
np.save(T + "/frames.npy", cnn_ref.effnet_frontend(u8))
np.save(T + "/bad.npy", np.zeros((2, 96, 64), np.float32))
PYEOF

usage() { # usage WHAT ARGS...: exit 2 and a message on stderr
    local what=$1; shift
    run "$T/u" "${C[@]}" "$@"
    if [ "$RC" -eq 2 ] && [ -s "$T/u.err" ]; then ok "usage: $what"; else bad "usage: $what (exit $RC)"; fi
}
E=(--input "$T/frames.npy" -o "$T/y.npy")
usage "no --model" --weights "$T/efficientnetb0_notop.h5" "${E[@]}"
usage "unknown --model" --model resnet50 --weights "$T/efficientnetb0_notop.h5" "${E[@]}"
usage "no weights" --model efficientnetb0 "${E[@]}"
usage "--weights and --weights-dir" --model efficientnetb0 --weights "$T/x" --weights-dir "$T" "${E[@]}"
usage "--precision fp16" --model efficientnetb0 --weights "$T/efficientnetb0_notop.h5" --precision fp16 "${E[@]}"

bad_data() { # bad_data WHAT EXPECTED-STDERR-TEXT ARGS...
    local what=$1 text=$2; shift 2
    rm -f "$T/y.npy"
    run "$T/b" "${C[@]}" --model efficientnetb0 -o "$T/y.npy" "$@"
    if [ "$RC" -eq 1 ] && grep -qF -- "$text" "$T/b.err" && [ ! -e "$T/y.npy" ]; then ok "$what: exit 1, '$text'"
    else bad "$what: exit $RC, stderr: $(cat "$T/b.err")"; fi
}
bad_data "input of the wrong shape" "$T/bad.npy" --weights "$T/efficientnetb0_notop.h5" --input "$T/bad.npy"
bad_data "missing tensor" "'block3b_se_reduce/kernel:0' (layer 'block3b_se_reduce', position 0, shape [1,1,240,10]) is missing" \
    --weights "$T/missing.h5" --input "$T/frames.npy"
bad_data "misshapen tensor" "has shape [7], efficientnetb0 expects [1280]" --weights "$T/misshapen.h5" --input "$T/frames.npy"
bad_data "missing weights file" "$T/nope.h5" --weights "$T/nope.h5" --input "$T/frames.npy"

run "$T/e1" "${C[@]}" --model efficientnetb0 --weights-dir "$T" --input "$T/frames.npy" -o "$T/t1.npy" --threads 1
check "--weights-dir with the published name, --threads 1: exit 0" [ "$RC" -eq 0 ]
run "$T/e2" "${C[@]}" --model efficientnetb0 --weights "$T/efficientnetb0_notop.h5" --input "$T/frames.npy" -o "$T/t2.npy" --threads 2 --batch 4
check "--threads 2 --batch 4: exit 0" [ "$RC" -eq 0 ]
run "$T/e3" "${C[@]}" --model efficientnetb0 --weights "$T/efficientnetb0_notop.h5" --input "$T/frames.npy" -o "$T/t3.npy" --threads 1 --batch 4
check "fp32: --threads 1 and 2 give the same bits (batch 4)" cmp -s "$T/t2.npy" "$T/t3.npy"
check "fp32: --batch 32 and 4 agree within 1e-6 relative; output float32 [5,1280]" "$PY" -c "
import numpy as np
a, b = np.load('$T/t1.npy'), np.load('$T/t3.npy')
assert a.shape == (5, 1280) and a.dtype == np.float32, a.shape
d = np.abs(a - b).max(); print('batch 32 vs 4: max|diff|', d, 'bit-identical' if d == 0 else '')
assert d <= 1e-6 * np.abs(a).max()"

declare -A PARAMS=([vggish]=72141184 [yamnet]=3751369 [vgg16]=14714688 [efficientnetb0]=4049571)
for m in vggish yamnet vgg16 efficientnetb0; do
    run "$T/init_$m" "$AVMIT" cnn init --model $m --seed 3 -o "$T/init_$m.w"
    run "$T/info_$m" "$AVMIT" cnn info "$T/init_$m.w"
    if [ "$RC" -eq 0 ] && grep -qx "fits: $m .*" "$T/info_$m.out" && [ "$(grep -c '^fits:' "$T/info_$m.out")" = 1 ] &&
       grep -qx "parameters: ${PARAMS[$m]}" "$T/info_$m.out"; then ok "cnn init $m: info fits $m only, ${PARAMS[$m]} parameters"
    else bad "cnn init $m: $(cat "$T/info_$m.out" "$T/info_$m.err")"; fi
done
"$AVMIT" cnn init --model yamnet --seed 3 -o "$T/init_yamnet2.w" >/dev/null
same_values() { # HDF5 object headers carry times, so compare the tensors (h5py)
    "$PY" -c "
import sys; sys.path.insert(0, '$REF')
import numpy as np, cnn_weights
a, b = cnn_weights.read_weights('$1'), cnn_weights.read_weights('$2')
sys.exit(0 if a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a) else 1)"
}
check "cnn init: same seed, same tensors bit for bit" same_values "$T/init_yamnet.w" "$T/init_yamnet2.w"
"$AVMIT" cnn init --model yamnet --seed 4 -o "$T/init_yamnet3.w" >/dev/null
if same_values "$T/init_yamnet.w" "$T/init_yamnet3.w"; then bad "cnn init: another seed gave the same values"
else ok "cnn init: another seed, other values"; fi
"$PY" -c "import numpy as np; np.save('$T/patches.npy', np.log(np.random.default_rng(1).uniform(0, 4, (3, 96, 64)) + 0.001).astype(np.float32))"
run "$T/ey" "${C[@]}" --model yamnet --weights "$T/init_yamnet.w" --input "$T/patches.npy" -o "$T/ey.npy"
check "cnn embed on cnn init weights: exit 0, [3,1024]" "$PY" -c "import numpy as np; assert np.load('$T/ey.npy').shape == (3, 1024)"
run "$T/nofit" "$AVMIT" cnn info "$T/missing.h5"
check "cnn info on a file that fits no network: exit 1" [ "$RC" -eq 1 ]
run "$T/u" "$AVMIT" cnn init --model vgg16 --seed 1 --format tf2 -o "$T/x.w"
check "cnn init --format tf2 for a Keras network: exit 2" [ "$RC" -eq 2 ]

if command -v ffmpeg >/dev/null && "$AVMIT" features visual --help >/dev/null 2>&1; then
    ffmpeg -v error -y -f lavfi -i testsrc2=size=96x64:rate=25 -t 1 -c:v libx264 "$T/clip.mp4"
    F=("$AVMIT" features visual "$T/clip.mp4" --preprocess efficientnetb0 --threads 1)
    run "$T/f1" "${F[@]}" -o "$T/clip_frames.npy"
    run "$T/f2" "${C[@]}" --model efficientnetb0 --weights "$T/efficientnetb0_notop.h5" --input "$T/clip_frames.npy" -o "$T/clip_a.npy"
    run "$T/f3" "${F[@]}" --embed --weights "$T/efficientnetb0_notop.h5" -o "$T/clip_b.npy"
    check "features visual --embed = features visual + cnn embed (same bits)" cmp -s "$T/clip_a.npy" "$T/clip_b.npy"
    run "$T/f4" "$AVMIT" features visual "$T/clip.mp4" --interval-ms 480 --embed --weights "$T/x.h5" -o "$T/z.npy"
    check "features visual --embed without --preprocess: exit 2" [ "$RC" -eq 2 ]
else
    echo "skipped part: ffmpeg CLI or FFmpeg support missing (features --embed)"
fi
exit $fail
