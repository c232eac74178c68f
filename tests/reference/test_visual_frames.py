"""test_visual_frames.py — `avmit features visual` against the AVMIT reference loop
run with cv2.VideoCapture (FEATURES.md §6, §7, §9.1).

Clips are made here with the ffmpeg CLI (H.264 at 30, 29.97 and 25 fps, with and
without B-frames, 2 s, 3 s and 10 s; a size that is not a multiple of 16; an audio
stream placed before the video stream; MPEG-4 Part 2 in AVI). For each clip and
--interval-ms 480 and 960, facts checked:
  1. the selected frame indices equal the reference loop's;
  2. each selected frame's timestamp equals cv2's CAP_PROP_POS_MSEC exactly
     (including the 0.0 cv2 reports for frames drained at end of file);
  3. the 224x224 uint8 RGB pixels equal cv2.resize(cvtColor(frame, BGR2RGB)) bit
     for bit (cv2's decode = libswscale BGR24; avmit's = libswscale RGB24);
  4. the documented index lists of FEATURES.md §6.2 (30 / 29.97 / 25 fps);
  5. the decoder thread count changes nothing;
  6. --preprocess vgg16 / efficientnetb0 (tf2.3, tf2.10) equal NumPy float32
     statements of Keras' formulas applied to the uint8 frames.
Oracle: Debian's python3-opencv (OpenCV 4.6, FFmpeg 5.1 backend).
"""
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import cv2
except ImportError as e:
    print(f"skipped: python3-opencv/numpy not installed ({e})")
    sys.exit(77)
if not shutil.which("ffmpeg"):
    print("skipped: ffmpeg CLI not installed")
    sys.exit(77)

AVMIT = os.environ["AVMIT"]
if subprocess.run([AVMIT, "features", "visual", "--help"], capture_output=True).returncode:
    print("skipped: avmit built without FFmpeg")
    sys.exit(77)
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-visual-frames")
os.makedirs(TMP, exist_ok=True)
failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def make_clip(name, rate, seconds, size="160x120", bframes=True, extra=(), vcodec="libx264",
              audio_first=False):
    path = os.path.join(TMP, name)
    src = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    cmd = ["ffmpeg", "-v", "error", "-y"]
    if audio_first:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=16000"] + src
        cmd += ["-map", "0:a", "-map", "1:v", "-c:a", "aac"]
    else:
        cmd += src
    cmd += ["-t", str(seconds), "-c:v", vcodec, "-pix_fmt", "yuv420p"]
    if vcodec == "libx264" and not bframes:
        cmd += ["-bf", "0"]
    cmd += list(extra) + [path]
    subprocess.run(cmd, check=True)
    return path


def reference(path, interval):
    """extract_features.py's loop (FEATURES.md §6.2), recording what it selects."""
    cap = cv2.VideoCapture(path)
    last, pos, k = -99999, 0, 0
    out = []
    while True:
        while pos < last + interval:
            ok, _ = cap.read()
            if not ok:
                return out
            k += 1
            pos = cap.get(cv2.CAP_PROP_POS_MSEC)
        last = pos
        ok, frame = cap.read()
        if not ok:
            return out
        k += 1
        pos = cap.get(cv2.CAP_PROP_POS_MSEC)
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        out.append((k - 1, pos, cv2.resize(rgb, (224, 224))))


def avmit(path, interval, out, *extra):
    r = subprocess.run([AVMIT, "features", "visual", path, "--interval-ms", str(interval),
                        "-o", out, "--timestamps", *extra], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr
    rows = [line.split() for line in r.stdout.splitlines()]
    return [(int(a), float(b)) for a, b in rows], np.load(out)


clips = {
    "h264_30fps_3s_b.mp4": make_clip("h264_30fps_3s_b.mp4", 30, 3),
    "h264_30fps_3s_nob.mp4": make_clip("h264_30fps_3s_nob.mp4", 30, 3, bframes=False),
    "h264_2997fps_3s_b.mp4": make_clip("h264_2997fps_3s_b.mp4", "30000/1001", 3),
    "h264_25fps_3s_b.mp4": make_clip("h264_25fps_3s_b.mp4", 25, 3),
    "h264_25fps_2s_nob.mp4": make_clip("h264_25fps_2s_nob.mp4", 25, 2, bframes=False),
    "h264_30fps_10s_b.mp4": make_clip("h264_30fps_10s_b.mp4", 30, 10, size="96x64"),
    "h264_2997fps_10s_nob.mp4": make_clip("h264_2997fps_10s_nob.mp4", "30000/1001", 10,
                                          size="96x64", bframes=False),
    "h264_30fps_2s_b_330x186.mp4": make_clip("h264_30fps_2s_b_330x186.mp4", 30, 2,
                                             size="330x186"),
    "h264_25fps_3s_audio_first.mp4": make_clip("h264_25fps_3s_audio_first.mp4", 25, 3,
                                               audio_first=True),
    "mpeg4_30fps_3s_b.avi": make_clip("mpeg4_30fps_3s_b.avi", 30, 3, vcodec="mpeg4",
                                      extra=("-bf", "2")),
}
documented = {  # FEATURES.md §6.2 table (90 / 75 frame clips)
    ("h264_30fps_3s_b.mp4", 480): [0, 16, 31, 46, 61, 76],
    ("h264_30fps_3s_b.mp4", 960): [0, 30, 59, 88],
    ("h264_2997fps_3s_b.mp4", 480): [0, 16, 31, 46, 61, 76],
    ("h264_2997fps_3s_b.mp4", 960): [0, 30, 59, 88],
    ("h264_25fps_3s_b.mp4", 480): [0, 13, 25, 37, 49, 61, 73],
    ("h264_25fps_3s_b.mp4", 960): [0, 25, 49, 73],
}

for name, path in clips.items():
    for interval in (480, 960):
        tag = f"{name} @{interval} ms"
        ref = reference(path, interval)
        out = os.path.join(TMP, f"{name}.{interval}.npy")
        got, frames = avmit(path, interval, out, "--threads", "1")
        if got is None:
            check(False, f"{tag}: avmit failed: {frames}")
            continue
        check([i for i, _ in got] == [i for i, _, _ in ref],
              f"{tag}: indices {[i for i, _ in got]} == reference {[i for i, _, _ in ref]}")
        check([p for _, p in got] == [p for _, p, _ in ref],
              f"{tag}: timestamps equal cv2 POS_MSEC {[p for _, p, _ in ref]}")
        want = np.array([f for _, _, f in ref], dtype=np.uint8).reshape(-1, 224, 224, 3)
        same = frames.dtype == np.uint8 and frames.shape == want.shape and \
            np.array_equal(frames, want)
        check(same, f"{tag}: uint8 [n,224,224,3] pixels equal cv2 decode + cvtColor + resize")
        if (name, interval) in documented:
            check([i for i, _ in got] == documented[(name, interval)],
                  f"{tag}: indices are FEATURES.md §6.2's {documented[(name, interval)]}")
        if name.endswith("_b.mp4") and interval == 480:
            got2, frames2 = avmit(path, interval, out + ".t3.npy", "--threads", "3")
            check(got2 == got and np.array_equal(frames2, frames),
                  f"{tag}: --threads 3 gives the same frames and timestamps")

# 6. preprocessing against NumPy statements of the Keras formulas
path = clips["h264_30fps_3s_b.mp4"]
_, u8 = avmit(path, 480, os.path.join(TMP, "pp_u8.npy"))
x = u8.astype(np.float32)
want_vgg = x[..., ::-1] - np.array([103.939, 116.779, 123.68], dtype=np.float32)
mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
var = np.array([0.229, 0.224, 0.225], dtype=np.float32)
eff23 = (x * np.float32(1.0 / 255.0) - mean) / np.maximum(np.sqrt(var), np.float32(1e-7))
eff210 = eff23 * (np.float32(1.0) / np.sqrt(var))
for pre, variant, want in (("vgg16", None, want_vgg), ("efficientnetb0", None, eff23),
                           ("efficientnetb0", "tf2.3", eff23), ("efficientnetb0", "tf2.10", eff210)):
    extra = ["--preprocess", pre] + (["--efficientnet-variant", variant] if variant else [])
    out = os.path.join(TMP, f"pp_{pre}_{variant}.npy")
    got, arr = avmit(path, 480, out, *extra)
    ok = got is not None and arr.dtype == np.float32 and arr.shape == want.shape and \
        np.array_equal(arr, want.astype(np.float32))
    check(ok, f"--preprocess {pre} {variant or '(default)'}: float32 equals the NumPy formula")

print("failures:", failures)
sys.exit(1 if failures else 0)
