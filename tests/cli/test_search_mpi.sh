#!/usr/bin/env bash
# test_search_mpi.sh — `mpirun -n 2 avmit search` (SPEC §5 random search scale-out):
# two ranks record the same trials as one process (same configs, metrics, epochs and
# seeds; each trial once), and a search started in one process and finished under MPI
# (a resume across a change of R) ends the same. Skips without mpirun or MPI support.
. "$(dirname "$0")/testlib.sh"
S=${AVMIT_SHARED:-}/data/avmit
if [ ! -f "$S/MIT16_train.csv" ]; then echo "skipped: shared MIT-16 CSVs missing"; exit 77; fi
if ! command -v mpirun >/dev/null; then echo "skipped: mpirun not installed (openmpi-bin)"; exit 77; fi
# OpenMPI's own allocations are not freed at exit; only our leaks matter here.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
MPIRUN=(mpirun --oversubscribe --allow-run-as-root -n 2)
T=$AVMIT_TMP
rm -rf "$T"/* && mkdir -p "$T"
head -n 121 "$S/MIT16_train.csv" >"$T/train.csv"
head -n 41 "$S/MIT16_validation.csv" >"$T/val.csv"
check "synth a 160-video pool" "$AVMIT" synth --split "$T/train.csv" --split "$T/val.csv" \
    --embeddings yamnet-effnet --out "$T/emb" -q
ARGS=(search --embeddings yamnet-effnet --rnn all --train "$T/train.csv" --val "$T/val.csv"
      --tfrecords "$T/emb" --max-epochs 4 --patience 2 --threads 1 --seed 3 -q)
no_seconds() { cut -d, -f1-12,14- "$1"; }

run "$T/one" "$AVMIT" "${ARGS[@]}" --trials 4 --jobs 1 --out "$T/one"
[ "$RC" = 0 ] && ok "single-process search" || { bad "single-process search (rc $RC)"; cat "$T/one.err"; }

run "$T/mpi" "${MPIRUN[@]}" "$AVMIT" "${ARGS[@]}" --trials 4 --jobs 2 --out "$T/mpi"
if grep -q "built without MPI" "$T/mpi.err"; then echo "skipped: avmit built without MPI"; exit 77; fi
[ "$RC" = 0 ] && ok "mpirun -n 2 search" || { bad "mpirun -n 2 search (rc $RC)"; cat "$T/mpi.err"; }
check "12 rows, no trial twice" test "$(cut -d, -f1-3 "$T/mpi/trials.csv" | sort -u | wc -l)" = 13
if cmp -s <(no_seconds "$T/one/trials.csv") <(no_seconds "$T/mpi/trials.csv"); then
    ok "2 ranks x 2 jobs record the same trials as 1 process x 1 job"
else
    bad "MPI run differs from the single-process run"
    diff <(no_seconds "$T/one/trials.csv") <(no_seconds "$T/mpi/trials.csv") | head
fi
check "rank 0 wrote the Table-5 rows once" test "$(grep -c '^| YamNet+EffNetB0 |' "$T/mpi.out")" = 3

# Start with 2 trials per RNN in one process, finish 4 under MPI.
run "$T/r1" "$AVMIT" "${ARGS[@]}" --trials 2 --jobs 1 --out "$T/res"
run "$T/r2" "${MPIRUN[@]}" "$AVMIT" "${ARGS[@]}" --trials 4 --jobs 1 --out "$T/res"
check "resume under mpirun" test "$RC" = 0
if cmp -s <(no_seconds "$T/one/trials.csv") <(no_seconds "$T/res/trials.csv"); then
    ok "1 process then 2 ranks = 1 process"
else
    bad "resumed MPI run differs"
fi
check "under MPI a refused resume exits 1 on every rank" \
    bash -c '! "$@"' _ "${MPIRUN[@]}" "$AVMIT" "${ARGS[@]}" --trials 4 --out "$T/res" --seed 4
exit $fail
