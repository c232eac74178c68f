#!/usr/bin/env bash
# test_extract.sh — `avmit extract` usage and run-stopping errors (issue 14): exit 2 for
# bad usage (missing --videos/--embeddings/--weights-dir/--out, unknown set or
# precision); exit 1 with a message naming the file for a missing list, a CSV without
# a filename column, and weights that are not there (nothing written). The end-to-end
# facts are in tests/reference/test_extract.py.
. "$(dirname "$0")/testlib.sh"
T=$AVMIT_TMP
rm -rf "$T"/* && mkdir -p "$T/v/barking" "$T/w"
if "$AVMIT" extract --help 2>&1 | grep -q "built without"; then
    echo "skipped: avmit built without FFmpeg/FFTW3/oneDNN"; exit 77
fi
run "$T/help" "$AVMIT" extract --help
[ "$RC" = 0 ] && grep -q "mpirun -n R avmit extract" "$T/help.out" && ok "--help" || bad "--help"
A=(--videos "$T/v" --embeddings yamnet-effnet --weights-dir "$T/w" --out "$T/out")
usage() { # usage WHAT EXPECTED-STDERR-PART ARGS...
    local what=$1 part=$2; shift 2
    run "$T/u" "$AVMIT" extract "$@"
    if [ "$RC" = 2 ] && grep -qF -- "$part" "$T/u.err"; then ok "$what: exit 2"
    else bad "$what: rc $RC, stderr $(cat "$T/u.err")"; fi
}
usage "no --videos" "--videos" --embeddings yamnet-effnet --weights-dir "$T/w" --out "$T/o"
usage "no --embeddings" "--embeddings" --videos "$T/v" --weights-dir "$T/w" --out "$T/o"
usage "unknown set" "yamnet-vgg16" "${A[@]}" --embeddings yamnet-vgg16
usage "no weights" "--weights-dir" --videos "$T/v" --embeddings vggish-vgg16 --out "$T/o"
usage "no --out" "--out" --videos "$T/v" --embeddings vggish-vgg16 --weights-dir "$T/w"
usage "bad precision" "fp16" "${A[@]}" --precision fp16
usage "stray argument" "extra" "${A[@]}" extra

run "$T/nolist" "$AVMIT" extract "${A[@]}" --videos "$T/missing.csv"
[ "$RC" = 1 ] && grep -q "missing.csv" "$T/nolist.err" && ok "missing list: exit 1 naming it" \
    || bad "missing list: rc $RC $(cat "$T/nolist.err")"
printf 'video,label\na.mp4,barking\n' >"$T/bad.csv"
run "$T/badcsv" "$AVMIT" extract "${A[@]}" --videos "$T/bad.csv"
[ "$RC" = 1 ] && grep -q "bad.csv.*filename" "$T/badcsv.err" && ok "CSV without filename: exit 1" \
    || bad "CSV without filename: rc $RC $(cat "$T/badcsv.err")"
ffmpeg -v error -y -f lavfi -i testsrc=size=64x48:rate=25 -t 1 -pix_fmt yuv420p "$T/v/barking/a.mp4" 2>/dev/null || true
run "$T/now" "$AVMIT" extract "${A[@]}"
[ "$RC" = 1 ] && grep -q "yamnet.h5" "$T/now.err" && ok "missing weights: exit 1 naming the file" \
    || bad "missing weights: rc $RC $(cat "$T/now.err")"
[ ! -e "$T/out/barking" ] && ok "nothing written without weights" || bad "output written without weights"
exit $fail
