"""extract_testlib.py - shared by test_extract.py and test_extract_vgg.py: the skips,
media made with the ffmpeg CLI, running `avmit extract`, and the comparison of
outputs (independent reader) with the reference chain (extract_ref.py)."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import numpy as np
    import torch  # noqa: F401
    import torchvision  # noqa: F401
    import h5py  # noqa: F401
    import cv2  # noqa: F401
except ImportError as e:
    print(f"skipped: numpy/torch/torchvision/h5py/opencv not installed ({e})")
    sys.exit(77)
if not shutil.which("ffmpeg") or not shutil.which("ffprobe"):
    print("skipped: ffmpeg CLI not installed")
    sys.exit(77)
import extract_ref as X  # noqa: E402

AVMIT = os.environ["AVMIT"]
failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


def finish():
    print("failures:", failures)
    sys.exit(1 if failures else 0)


def skip_without_extract():
    r = run("--help")
    if r.returncode == 2 and "built without" in r.stderr:
        print("skipped: " + r.stderr.strip())
        sys.exit(77)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=300)


def make_media(root):
    lav = ["-f", "lavfi", "-i"]
    os.makedirs(f"{root}/barking")
    os.makedirs(f"{root}/diving")
    os.makedirs(f"{root}/giggling")
    ffmpeg(*lav, "testsrc=size=160x96:rate=25", *lav, "sine=frequency=440:sample_rate=44100",
           "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", f"{root}/barking/a.mp4")
    ffmpeg(*lav, "testsrc2=size=121x91:rate=30", *lav, "sine=frequency=300:sample_rate=48000",
           "-t", "3", "-c:v", "libvpx", "-c:a", "libopus", f"{root}/barking/b.webm")
    ffmpeg(*lav, "mandelbrot=size=101x75:rate=30", "-t", "3", "-c:v", "libx264",
           "-pix_fmt", "yuv444p", f"{root}/diving/c.mkv")
    ffmpeg(*lav, "testsrc=size=64x48:rate=25", *lav, "anullsrc=r=22050:cl=stereo", "-t", "3",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", f"{root}/diving/d.mp4")
    for src, dst in (("barking/a.mp4", "diving/trunc.mp4"), ("barking/b.webm", "giggling/cut.webm")):
        data = open(f"{root}/{src}", "rb").read()
        open(f"{root}/{dst}", "wb").write(data[:len(data) * 2 // 5])
    open(f"{root}/diving/notvideo.mp4", "w").write("this is not a video\n")


def run(*args, env=None):
    return subprocess.run([AVMIT, "extract", *args], capture_output=True, text=True, env=env)


def outputs(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = open(p, "rb").read()
    return out


def compare_reference(vids, out, set_name, W, names):
    audio_net, visual_net, interval = X.SETS[set_name]
    for rel in names:
        stem = os.path.splitext(rel)[0]
        path = f"{out}/{stem}.tfrecord"
        try:
            fn, label, a, v = X.read_embedding(path)
        except Exception as e:  # noqa: BLE001
            check(False, f"{set_name} {rel}: independent reader: {e}")
            continue
        check(fn == rel and label == rel.split("/")[0],
              f"{set_name} {rel}: context filename {fn!r}, label {label!r}")
        ra = X.embed(audio_net, W[audio_net], X.audio_patches(f"{vids}/{rel}", audio_net))
        rv = X.embed(visual_net, W[visual_net], X.visual_frames(f"{vids}/{rel}", interval))
        for tag, got, ref in (("audio", a, ra), ("visual", v, rv)):
            if got.shape != ref.shape:
                check(False, f"{set_name} {rel}: {tag} shape {got.shape} vs reference {ref.shape}")
                continue
            err, scale = np.abs(got - ref).max(), np.abs(ref).max()
            check(err <= 1e-4 * scale, f"{set_name} {rel}: {tag} {got.shape}: max|diff| "
                  f"{err:.3g} <= 1e-4 * max|ref| {scale:.3g}")


