"""test_visual_partial.py — `avmit features visual --decode partial` (timestamps from
the packets, only reference and selected frames decoded; docs/visual-frames.md
"Partial decoding") gives exactly what decoding every frame gives.

Clips are made here with the ffmpeg CLI: H.264 from x264 with and without B-frames,
B-pyramid normal / strict / none, open GOP, IDR frames every 10 or 20 frames,
slices, scaling matrices, 4:4:4, 25 / 29.97 / 30 fps, 2 frames to 10 s, an audio
stream first; and streams the partial path must refuse (interlaced, Matroska
without dts, Annex B, MPEG-4 Part 2). Facts checked, for every clip:
  1. `--decode auto` (the default) equals `--decode full` in selected indices,
     timestamps (repr-exact) and every pixel, at --interval-ms 480, 960 and 1 (at
     1 ms nearly every frame is selected, so nearly every frame's timestamp and
     pixels are compared), with 1 decoder thread, and at 1 ms with 3 threads;
  2. `--decode partial` succeeds on the clips it is meant for (so fact 1 really
     compared the partial path) and refuses the others with exit 1 and a reason;
  3. on two B-frame clips, `--decode full` at 1 ms equals OpenCV's CAP_PROP_POS_MSEC
     for the same frames (the full path is the one proven against OpenCV in
     test_visual_frames.py; this ties the dense comparison to OpenCV as well).
"""
import os
import subprocess
import sys

from visual_testlib import check, finish, setup

try:
    import numpy as np
except ImportError as e:
    print(f"skipped: numpy not installed ({e})")
    sys.exit(77)
AVMIT, TMP = setup("/tmp/avmit-test-visual-partial")


def make_clip(name, rate=30, seconds=3, size="96x64", args=(), audio_first=False,
              frames=None):
    path = os.path.join(TMP, name)
    cmd = ["ffmpeg", "-v", "error", "-y"]
    src = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    if audio_first:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000"] + src
        cmd += ["-map", "0:a", "-map", "1:v", "-c:a", "aac"]
    else:
        cmd += src
    cmd += ["-frames:v", str(frames)] if frames else ["-t", str(seconds)]
    cmd += list(args) + [path]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"note: cannot make {name} with this ffmpeg ({r.stderr.strip()[:120]})")
        return None
    return path


def run(path, interval, decode, threads):
    out = os.path.join(TMP, f"{os.path.basename(path)}.{interval}.{decode}.{threads}.npy")
    r = subprocess.run([AVMIT, "features", "visual", path, "--interval-ms", str(interval),
                        "-o", out, "--timestamps", "--decode", decode, "--threads",
                        str(threads)], capture_output=True, text=True)
    if r.returncode != 0:
        return r.returncode, r.stderr, None
    rows = [line.split() for line in r.stdout.splitlines()]
    return 0, [(int(a), b) for a, b in rows], np.load(out)  # b kept as text: repr-exact


X264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
# name -> (path, partial decoding expected to apply)
clips = {
    "x264_30fps_3s_b": (make_clip("x264_30fps_3s_b.mp4", args=X264), True),
    "x264_30fps_3s_nob": (make_clip("x264_30fps_3s_nob.mp4", args=X264 + ["-bf", "0"]), True),
    "x264_2997fps_3s_b": (make_clip("x264_2997fps_3s_b.mp4", "30000/1001", args=X264), True),
    "x264_25fps_3s_b": (make_clip("x264_25fps_3s_b.mp4", 25, args=X264), True),
    "x264_30fps_10s_b": (make_clip("x264_30fps_10s_b.mp4", seconds=10, args=X264), True),
    "x264_pyramid_strict": (make_clip("x264_pyramid_strict.mp4", args=X264 + [
        "-x264-params", "bframes=3:b-pyramid=strict"]), True),
    "x264_pyramid_none_bf2": (make_clip("x264_pyramid_none_bf2.mp4", args=X264 + [
        "-x264-params", "bframes=2:b-pyramid=none"]), True),
    "x264_open_gop": (make_clip("x264_open_gop.mp4", args=X264 + [
        "-x264-params", "open-gop=1:keyint=24:min-keyint=24:scenecut=0"]), True),
    "x264_slices4_cqm": (make_clip("x264_slices4_cqm.mp4", size="160x120", args=X264 + [
        "-x264-params", "slices=4:cqm=jvt"]), True),
    "x264_444": (make_clip("x264_444.mp4", args=["-c:v", "libx264", "-pix_fmt", "yuv444p"]),
                 True),
    "x264_2_frames": (make_clip("x264_2_frames.mp4", frames=2, args=X264), True),
    "x264_7_frames": (make_clip("x264_7_frames.mp4", frames=7, args=X264), True),
    "x264_audio_first": (make_clip("x264_audio_first.mp4", 25, audio_first=True, args=X264),
                         True),
    "x264_keyint_20": (make_clip("x264_keyint_20.mp4", args=X264 + ["-g", "20"]), True),
    "x264_nob_keyint_10": (make_clip("x264_nob_keyint_10.mp4", 25, args=X264 + [
        "-bf", "0", "-g", "10"]), True),
    "x264_interlaced": (make_clip("x264_interlaced.mp4", args=X264 + [
        "-flags", "+ildct+ilme", "-x264-params", "tff=1"]), False),
    "x264_mkv": (make_clip("x264_mkv.mkv", args=X264), False),
    "x264_annexb": (make_clip("x264_annexb.h264", args=X264), False),
    "mpeg4_avi": (make_clip("mpeg4_avi.avi", args=["-c:v", "mpeg4", "-bf", "2"]), False),
}

for name, (path, applies) in clips.items():
    if path is None:
        continue
    for interval, threads in ((480, 1), (960, 1), (1, 1), (1, 3)):
        if True:
            tag = f"{name} @{interval} ms, {threads} thread(s)"
            rc_f, got_f, px_f = run(path, interval, "full", threads)
            rc_a, got_a, px_a = run(path, interval, "auto", threads)
            if rc_f or rc_a:
                check(False, f"{tag}: full exit {rc_f}, auto exit {rc_a}: {got_f} {got_a}")
                continue
            same = got_a == got_f and px_a.shape == px_f.shape and np.array_equal(px_a, px_f)
            check(same, f"{tag}: auto == full ({len(got_f)} frames, indices, timestamps, "
                        f"pixels)")
    rc_p, got_p, _ = run(path, 480, "partial", 1)
    if applies:
        check(rc_p == 0, f"{name}: --decode partial applies ({got_p if rc_p else 'ok'})")
    else:
        reason = got_p.strip() if rc_p else ""
        check(rc_p == 1 and "partial decoding is not exact for this video" in reason,
              f"{name}: --decode partial refuses: {reason}")

# 3. the dense full-path timestamps against OpenCV itself
try:
    import cv2
except ImportError:
    cv2 = None
    print("skipped part: python3-opencv not installed (OpenCV cross-check)")
if cv2 is not None:
    for name in ("x264_30fps_3s_b", "x264_7_frames"):
        path = clips[name][0]
        if path is None:
            continue
        cap = cv2.VideoCapture(path)
        pos = []
        while cap.read()[0]:
            pos.append(cap.get(cv2.CAP_PROP_POS_MSEC))
        rc, got, _ = run(path, 1, "auto", 1)
        check(rc == 0 and all(float(p) == pos[i] for i, p in got),
              f"{name}: timestamps at 1 ms equal OpenCV's for frames {[i for i, _ in got]}")

finish()
