#!/usr/bin/env bash
# test_similarity.sh — `avmit similarity` (issue 16 item 1) on SYNTHETIC embeddings:
# per-video similarities equal an independent NumPy computation (TFRecords decoded by
# tests/reference/tfrecord_ref.py) for a --projection pair (np.savez_compressed) and for a
# SAVC model (towers recomputed from model.safetensors); per class, U and p equal
# scipy.stats.mannwhitneyu(two-sided, asymptotic); the MMV note is printed; the plots are
# real SVG/PNG pictures; bad input fails with a named file.
. "$(dirname "$0")/testlib.sh"
. "$(dirname "$0")/analysis_fixtures.sh"   # S, REF, T (emptied), the ASan fontconfig suppression
"$PY" -c 'import numpy, scipy.stats, cv2' 2>/dev/null || { echo "skipped: python3-numpy, python3-scipy or python3-opencv missing"; exit 77; }
awk -F, 'NR == 1 || c[$6]++ < 15' $S/AVMIT_train.csv >"$T/avmit.csv"
awk -F, 'NR == 1 || c[$4]++ < 12' $S/MIT16_train.csv | awk -F, 'BEGIN{OFS=","} NR > 1 {$1 = NR - 2} 1' >"$T/mit16.csv"
awk -F, 'NR == 1 || c[$6]++ < 15' $S/AVMIT_validation.csv >"$T/val.csv"
check "synth" "$AVMIT" synth --split "$T/avmit.csv" --split "$T/mit16.csv" --split "$T/val.csv" \
    --embeddings vggish-vgg16 --out "$T/emb" -q --threads 2
"$PY" -c 'import numpy as np; r = np.random.default_rng(3)
np.savez_compressed("'"$T"'/proj.npz", audio=r.normal(size=(128, 32)).astype(np.float32),
                    visual=r.normal(size=(512, 32)))'   # float64 visual: converted on read
run "$T/p" "$AVMIT" similarity --tfrecords "$T/emb" --split "$T/avmit.csv" --split "$T/mit16.csv" \
    --projection "$T/proj.npz" -o "$T/sim.csv" --plot "$T/plots" --threads 2
check "projection: exit 0" test "$RC" -eq 0
check "says the paper used MMV, which this is not" grep -q "NOT the paper's measure: the paper used the MMV network" "$T/p.out"

# verify SIM.CSV SUMMARY.CSV MODE(projection|savc ARG)
verify() {
  "$PY" - "$REF" "$T/emb" "$@" <<'PYEOF'
import csv, gzip, json, struct, sys
import numpy as np
from scipy.stats import mannwhitneyu
sys.path.insert(0, sys.argv[1])
from tfrecord_ref import read_records, embedding_arrays
emb, sim_csv, sum_csv, mode, arg = sys.argv[2:7]
def unit(z):
    return z / np.sqrt(np.maximum((z * z).sum(1, keepdims=True), 1e-12))
if mode == "projection":
    npz = np.load(arg)
    fa = lambda x: unit(x.astype(np.float64) @ npz["audio"].astype(np.float64))
    fv = lambda x: unit(x.astype(np.float64) @ npz["visual"].astype(np.float64))
else:  # SAVC towers: Dense_1 -> Dense_2 (no activations) -> L2norm, from model.safetensors
    raw = open(arg + "/model.safetensors", "rb").read()
    (hn,) = struct.unpack("<Q", raw[:8]); hdr = json.loads(raw[8:8 + hn]); base = 8 + hn
    def t(name):
        m = hdr[name]; a, b = m["data_offsets"]
        return np.frombuffer(raw[base + a:base + b], dtype="<f4").reshape(m["shape"]).astype(np.float64)
    tower = lambda p: (lambda x: unit((x.astype(np.float64) @ t(p + "_Dense_1/kernel:0") + t(p + "_Dense_1/bias:0"))
                                      @ t(p + "_Dense_2/kernel:0") + t(p + "_Dense_2/bias:0")))
    fa, fv = tower("audio"), tower("visual")
rows = list(csv.DictReader(open(sim_csv)))
worst = 0
for r in rows:
    recs = read_records(gzip.open(emb + "/" + r["tfrecord_filename"]).read())
    _, _, a, v = embedding_arrays(recs[0])
    ma, mv = fa(a).mean(0), fv(v).mean(0)
    want = ma @ mv / np.sqrt((ma @ ma) * (mv @ mv))
    # float32 GEMMs in avmit vs float64 here over D <= 512 terms: 1e-5 absolute is ~100x
    # the rounding seen, far below the spread of similarities (~0.1)
    worst = max(worst, abs(float(r["similarity"]) - want))
    assert int(r["audio_steps"]) == len(a) and int(r["visual_steps"]) == len(v)
assert worst < 1e-5, worst
groups = {r["group"] for r in rows}
assert groups >= {"filtered", "unfiltered"}, groups
summ = list(csv.DictReader(open(sum_csv)))
assert [s["class"] for s in summ][0] == "all" and len(summ) == 17
for s in summ:
    sel = [r for r in rows if s["class"] in ("all", r["label"])]
    x = [float(r["similarity"]) for r in sel if r["group"] == "filtered"]
    y = [float(r["similarity"]) for r in sel if r["group"] == "unfiltered"]
    assert int(s["filtered_n"]) == len(x) and int(s["unfiltered_n"]) == len(y)
    ref = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    # same ranks, same formula: only double rounding differs
    assert abs(float(s["mwu_u_filtered"]) - ref.statistic) < 1e-6, (s["class"], s["mwu_u_filtered"], ref)
    assert abs(float(s["mwu_p"]) - ref.pvalue) <= 1e-9 + 1e-7 * ref.pvalue, (s["class"], s["mwu_p"], ref)
    assert abs(float(s["filtered_mean"]) - np.mean(x)) < 1e-9
print("ok: %d videos within %.2g of NumPy; %d Mann-Whitney tests equal scipy" % (len(rows), worst, len(summ)))
PYEOF
}
check "projection: similarities = NumPy, U and p = scipy" verify "$T/sim.csv" "$T/sim_summary.csv" projection "$T/proj.npz"
check "plots are real pictures" "$PY" - "$REF" "$T/plots" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
from plot_check import check_svg, check_png
for n in ("similarity_hist", "similarity_classes"):
    check_svg("%s/%s.svg" % (sys.argv[2], n)); check_png("%s/%s.png" % (sys.argv[2], n))
PYEOF

# a SAVC model's joint space (1 short epoch: the values only need to match)
cp "$T/avmit.csv" "$T/tr.csv"; cp "$T/val.csv" "$T/va.csv"
small_savc "$T/savc" 1
run "$T/m" "$AVMIT" similarity --tfrecords "$T/emb" --split "$T/avmit.csv" --split "$T/mit16.csv" \
    --model "$T/savc" -o "$T/simm.csv" --threads 2
check "savc: exit 0" test "$RC" -eq 0
check "savc: similarities = NumPy towers, U and p = scipy" verify "$T/simm.csv" "$T/simm_summary.csv" savc "$T/savc"

# an imported model: the paper's released SAVC initial weights (Keras HDF5)
REL=${AVMIT_SHARED:-/nonexistent}/data/models/savc/VGGish_VGG16_GRU_AVMIT_avcorr
if [ -f "$REL/random_seed.h5" ]; then
  "$AVMIT" model import --config "$REL/train.yaml" --weights "$REL/random_seed.h5" --out "$T/imported" >/dev/null \
      || bad "import the released SAVC weights"
  run "$T/i" "$AVMIT" similarity --tfrecords "$T/emb" --split "$T/avmit.csv" --split "$T/mit16.csv" \
      --model "$T/imported" -o "$T/simi.csv" --threads 2
  check "imported model: similarities = NumPy towers, U and p = scipy" verify "$T/simi.csv" "$T/simi_summary.csv" savc "$T/imported"
else
  echo "note: ../shared missing, imported-model case not run"
fi

run "$T/e1" "$AVMIT" similarity --tfrecords "$T/emb" --split "$T/avmit.csv" -o "$T/x.csv"
check "neither --model nor --projection: exit 2" test "$RC" -eq 2
run "$T/e2" "$AVMIT" similarity --tfrecords "$T/nowhere" --split "$T/avmit.csv" --projection "$T/proj.npz" -o "$T/x.csv"
check "missing embeddings: exit 1 naming the file" test "$RC" -eq 1
check "missing embeddings: error names the path" grep -q "$T/nowhere/" "$T/e2.err"
"$PY" -c 'import numpy as np; np.savez("'"$T"'/bad.npz", audio=np.zeros((128, 4), np.float32))'
run "$T/e3" "$AVMIT" similarity --tfrecords "$T/emb" --split "$T/avmit.csv" --projection "$T/bad.npz" -o "$T/x.csv"
check "npz without 'visual': exit 1 naming the member" grep -q "archive has no member 'visual.npy'" "$T/e3.err"
check "no output left by failed runs" test ! -e "$T/x.csv"
exit $fail
