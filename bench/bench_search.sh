#!/usr/bin/env bash
# bench_search.sh BUILD_DIR — random-search throughput (issue 7): avmit search vs the
# same trials in PyTorch (bench_search_torch.py), on a synthetic MIT-16-size pool
# (MIT16_train.csv + MIT16_validation.csv = 20,240 + 2,256 videos, VGGish+VGG16 sizes).
# Both sides train the SAME drawn configs for the same capped number of epochs
# (BENCH_SEARCH_EPOCHS, default 1), one trial at a time on one thread each; per-trial
# times are compared trial by trial, and trials/hour assume one trial per core (ideal
# scaling for both: trials are independent).
# Prints a Markdown section for bench/RESULTS.md.
# Env: BENCH_SEARCH_TRIALS (per RNN, default 2), BENCH_SEARCH_EPOCHS (default 1),
#      BENCH_SEARCH_FULL_EPOCHS (mean epochs assumed for a full trial, default 30),
#      BENCH_DATA (cache dir for the synthetic pool).
set -eu
BUILD=${1:-build}
AVMIT=$BUILD/avmit
SRC=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${AVMIT_SHARED:-$SRC/../shared}
PY=${AVMIT_PYTHON:-/usr/bin/python3}
N_TRIALS=${BENCH_SEARCH_TRIALS:-2}
EPOCHS=${BENCH_SEARCH_EPOCHS:-1}
FULL_EPOCHS=${BENCH_SEARCH_FULL_EPOCHS:-30}
DATA=${BENCH_DATA:-$BUILD/bench-data}/mit16-vggish
OUT=$BUILD/bench-search
S=$SHARED/data/avmit
CORES=$(nproc)
[ -f "$S/MIT16_train.csv" ] || { echo "bench_search: skipped ($S missing)"; exit 0; }
if [ ! -f "$DATA/.complete" ]; then
    "$AVMIT" synth --split "$S/MIT16_train.csv" --split "$S/MIT16_validation.csv" \
        --embeddings vggish-vgg16 --out "$DATA" -q >/dev/null
    touch "$DATA/.complete"
fi
rm -rf "$OUT" && mkdir -p "$OUT"
t0=$(date +%s.%N)
"$AVMIT" search --embeddings vggish-vgg16 --rnn all --trials "$N_TRIALS" --train "$S/MIT16_train.csv" \
    --val "$S/MIT16_validation.csv" --tfrecords "$DATA" --out "$OUT" --max-epochs "$EPOCHS" \
    --patience 0 --jobs 1 --threads 1 --seed 1 -q >/dev/null
wall=$(echo "$(date +%s.%N) - $t0" | bc)
"$PY" "$SRC/bench/bench_search_torch.py" 22496 128 512 "$EPOCHS" 1 "$OUT/trials.csv" >"$OUT/torch.txt" \
    || { echo "bench_search: PyTorch comparison skipped: $(cat "$OUT/torch.txt")"; }
"$PY" - "$OUT/trials.csv" "$OUT/torch.txt" "$EPOCHS" "$FULL_EPOCHS" "$CORES" "$wall" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
torch = [l.split() for l in open(sys.argv[2]) if l.startswith("torch ")]
epochs, full, cores, wall = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
print(f"| RNN | trial | nb | units | avmit s/trial | PyTorch s/trial | ratio |")
print("|---|---|---|---|---|---|---|")
per = {}
for i, r in enumerate(rows):
    a = float(r["seconds"]); t = float(torch[i][2]) if i < len(torch) else float("nan")
    per.setdefault(r["rnn"], []).append((a, t))
    print(f"| {r['rnn']} | {r['trial']} | {r['nb']} | {r['units']} | {a:.1f} | {t:.1f} | {t / a:.2f}x |")
print()
print(f"| RNN | avmit trials/hour ({cores} x 1-thread jobs, {epochs}-epoch trials, ideal) | PyTorch trials/hour ({cores} processes, ideal) | ratio |")
print("|---|---|---|---|")
tot_a = tot_t = 0
for rnn, v in per.items():
    a = sum(x for x, _ in v) / len(v); t = sum(y for _, y in v) / len(v)
    tot_a += a; tot_t += t
    print(f"| {rnn} | {3600 * cores / a:.0f} | {3600 * cores / t:.0f} | {t / a:.2f}x |")
a_ep = tot_a / len(per) / epochs; t_ep = tot_t / len(per) / epochs
full_h = 1800 * a_ep * full / cores / 3600
print()
print(f"Measured wall time of the avmit search: {wall:.0f} s for {len(rows)} trials.")
print(f"Mean epoch time per trial (mean over RNNs): avmit {a_ep:.1f} s, PyTorch {t_ep:.1f} s.")
print(f"Projected full search (6 x 300 trials, {full} epochs per trial on average, "
      f"{cores} cores): avmit {full_h:.0f} h on this machine, {full_h / 8:.1f} h on 8 such "
      f"machines, {full_h / 32:.1f} h on 32; PyTorch {full_h * t_ep / a_ep:.0f} h on this machine.")
PYEOF
