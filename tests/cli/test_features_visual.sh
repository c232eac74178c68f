#!/usr/bin/env bash
# test_features_visual.sh — `avmit features visual` usage and bad inputs:
# usage errors exit 2; files that are not videos (zero-length, random bytes, a
# truncated mp4 without its index, audio only, missing, a directory) exit 1 with
# one "avmit: FILE: <reason>" line naming the file, and leave no output behind;
# a good clip exits 0. The pixel/timestamp parity lives in
# tests/reference/test_visual_frames.py.
. "$(dirname "$0")/testlib.sh"
T=$AVMIT_TMP
V=("$AVMIT" features visual)
if ! "${V[@]}" --help >/dev/null 2>&1; then echo "skipped: avmit built without FFmpeg"; exit 77; fi

run "$T/help" "${V[@]}" --help
check "--help exits 0" [ "$RC" -eq 0 ]
check "--help documents --interval-ms 480 (released script)" grep -q -- "--interval-ms 480" "$T/help.out"
check "--help documents --interval-ms 960 (paper, VGG16)" grep -q -- "--interval-ms 960" "$T/help.out"

: >"$T/empty.mp4"
usage() { # usage WHAT ARGS...: exit 2 and a message on stderr
    local what=$1; shift
    run "$T/u" "${V[@]}" "$@"
    if [ "$RC" -eq 2 ] && [ -s "$T/u.err" ]; then ok "usage: $what"; else bad "usage: $what (exit $RC)"; fi
}
usage "no VIDEO" -o "$T/x.npy" --interval-ms 480
usage "no -o" "$T/empty.mp4" --interval-ms 480
usage "no --interval-ms and no --preprocess" "$T/empty.mp4" -o "$T/x.npy"
usage "--interval-ms 0" "$T/empty.mp4" -o "$T/x.npy" --interval-ms 0
usage "--interval-ms abc" "$T/empty.mp4" -o "$T/x.npy" --interval-ms abc
usage "--preprocess resnet" "$T/empty.mp4" -o "$T/x.npy" --preprocess resnet
usage "--efficientnet-variant tf1" "$T/empty.mp4" -o "$T/x.npy" --efficientnet-variant tf1
usage "two videos" "$T/empty.mp4" "$T/empty.mp4" -o "$T/x.npy" --interval-ms 480

# bad_input NAME FILE REASON: exit 1, stderr names the file and the reason, no output file
bad_input() {
    rm -f "$T/out.npy"
    run "$T/b" "${V[@]}" "$2" --interval-ms 480 -o "$T/out.npy"
    if [ "$RC" -eq 1 ] && grep -qF -- "avmit: $2: $3" "$T/b.err" && [ ! -e "$T/out.npy" ]; then
        ok "$1: exit 1, '$2: $3'"
    else
        bad "$1: exit $RC, stderr: $(cat "$T/b.err")"
    fi
}
bad_input "zero-length file" "$T/empty.mp4" "empty file (0 bytes)"
head -c 4096 /dev/urandom >"$T/random.mp4"
bad_input "random bytes" "$T/random.mp4" "FFmpeg cannot read it as a media file"
bad_input "missing file" "$T/nope.mp4" "cannot open: No such file or directory"
bad_input "directory" "$T" "is a directory"

if command -v ffmpeg >/dev/null; then
    ffmpeg -v error -y -f lavfi -i sine=frequency=440 -t 1 -c:a aac "$T/audio.m4a"
    bad_input "audio-only file" "$T/audio.m4a" "no video stream"
    ffmpeg -v error -y -f lavfi -i testsrc2=size=64x48:rate=25 -t 2 -c:v libx264 -bf 0 \
        -pix_fmt yuv420p "$T/good.mp4"
    # ffmpeg writes the index (moov) last: the first half of the file has none
    head -c $(($(stat -c %s "$T/good.mp4") / 2)) "$T/good.mp4" >"$T/half.mp4"
    bad_input "truncated mp4" "$T/half.mp4" "FFmpeg cannot read it as a media file"
    run "$T/g" "${V[@]}" "$T/good.mp4" --interval-ms 480 -o "$T/good.npy" --timestamps
    check "good clip: exit 0" [ "$RC" -eq 0 ]
    check "good clip: 25 fps, 50 frames, no B-frames -> indices 0 13 25 37 49" \
        [ "$(cut -d' ' -f1 "$T/g.out" | tr '\n' ' ')" = "0 13 25 37 49 " ]
    # 64-byte-aligned npy header (128 bytes here) + 5 * 224 * 224 * 3 uint8
    check "good clip: npy holds 5 uint8 frames" [ "$(stat -c %s "$T/good.npy")" -eq $((128 + 5 * 150528)) ]
else
    echo "skipped part: ffmpeg CLI not installed (audio-only, truncated, good clip)"
fi
exit $fail
