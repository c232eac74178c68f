"""test_extract.py - `avmit extract` end to end (issue 14) on media made here
with the ffmpeg CLI, random weights in the published layouts (cnn_ref.py's
generator, written as the published file types) and the Python reference
chain of extract_ref.py (ffmpeg CLI + pydub's rules + resampy 0.2.2 + NumPy
log-mel; cv2.VideoCapture loop + cv2.resize; PyTorch CNN statements).

Media: a.mp4 (H.264 25 fps 160x96, AAC 44.1 kHz), b.webm (VP8 30 fps, odd
121x91, Opus 48 kHz), c.mkv (H.264 4:4:4 30 fps, odd 101x75, no audio),
d.mp4 (25 fps, digital-silence stereo AAC 22.05 kHz), cut.webm (a WebM cut
to 40 %: decodes, but shorter than its header says), trunc.mp4 (an MP4 cut
short: no moov atom), notvideo.mp4 (text).

Facts checked:
 1. yamnet-effnet over the directory: exit 1 (some videos failed); report:
    4 written, 3 failed (truncated 2, unreadable 1), c.mkv listed as no-audio,
    d.mp4 as digital silence; no output for a failed video;
 2. every output reads back with the independent reader (CRCs, keys, one
    record); context filename "<dir>/<file>", label = directory, timesteps;
    `avmit tfrecord validate` accepts the outputs;
 3. embeddings equal the reference chain within the CNN parity tolerance
    1e-4 * max|ref| per video and modality (fp32 accumulation over <= 16
    layers, test_cnn_parity's bound; the front ends are exact for the frames
    and within ~1e-5 for log-mel patches, far below it); no-audio: the
    reference's 48,000 zeros;
 4. a rerun skips every valid output and rewrites nothing (same bytes and
    mtimes); a corrupted output is redone;
 5. kill -9 in the middle of a run, then a rerun: the outputs equal an
    uninterrupted run bit for bit and no temporary file is left;
 6. `mpirun -n 2` gives the same bytes as one process and one merged report
    (skipped without mpirun or an MPI build);
 7. vggish-vgg16 (960 ms, VGG16 is heavy: 3 clips) against the reference.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

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
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-extract")
failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


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


def main():
    shutil.rmtree(TMP, ignore_errors=True)
    vids, wdir = f"{TMP}/videos", f"{TMP}/weights"
    os.makedirs(wdir)
    make_media(vids)
    r = run("--help")
    if r.returncode == 2 and "built without" in r.stderr:
        print("skipped: " + r.stderr.strip())
        sys.exit(77)
    t0 = time.time()
    W = {k: X.write_weights(k, seed, wdir) for k, seed in (("yamnet", 1), ("efficientnetb0", 2))}
    print(f"weights written in {time.time() - t0:.1f} s", flush=True)
    common = ["--videos", vids, "--embeddings", "yamnet-effnet", "--weights-dir", wdir,
              "--threads", "2", "--jobs", "2"]

    # 1-3: one run over the directory
    out = f"{TMP}/out"
    r = run(*common, "--out", out, "--json", "--report", f"{TMP}/report.json")
    check(r.returncode == 1, f"run over 7 videos, 3 bad: exit 1 (got {r.returncode}; "
                             f"stderr {r.stderr.strip()[-300:]!r})")
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        rep = {}
        check(False, "--json report parses")
    check(rep == json.load(open(f"{TMP}/report.json")), "--report FILE holds the same JSON")
    check((rep.get("written"), rep.get("failed"), rep.get("skipped")) == (4, 3, 0),
          f"report: 4 written, 3 failed, 0 skipped ({rep.get('written')}, {rep.get('failed')}, "
          f"{rep.get('skipped')})")
    reasons = {os.path.basename(f["video"]): f["reason"] for f in rep.get("failures", [])}
    check(reasons == {"trunc.mp4": "truncated", "cut.webm": "truncated",
                      "notvideo.mp4": "unreadable"}, f"failure reasons {reasons}")
    check([os.path.basename(x["video"]) for x in rep.get("no_audio", [])] == ["c.mkv"],
          "no-audio list is [c.mkv]")
    check([os.path.basename(x["video"]) for x in rep.get("silent", [])] == ["d.mp4"],
          "digital-silence list is [d.mp4]")
    good = ["barking/a.mp4", "barking/b.webm", "diving/c.mkv", "diving/d.mp4"]
    got = sorted(outputs(out))
    check(got == sorted(os.path.splitext(g)[0] + ".tfrecord" for g in good),
          f"outputs are exactly the 4 good videos' ({got})")
    v = subprocess.run([AVMIT, "tfrecord", "validate", out], capture_output=True, text=True)
    check(v.returncode == 0, f"avmit tfrecord validate accepts the outputs ({v.stdout.strip()[-200:]})")
    compare_reference(vids, out, "yamnet-effnet", W, good)
    _, _, a, _ = X.read_embedding(f"{out}/diving/c.tfrecord")
    ref_zero = X.embed("yamnet", W["yamnet"], X.audio_patches(f"{vids}/diving/c.mkv", "yamnet"))
    check(a.shape == (6, 1024) and np.abs(a - ref_zero).max() <= 1e-4 * np.abs(ref_zero).max(),
          "no-audio video: YAMNet of 48,000 zeros (6 patches)")

    # 4: resume
    before = {p: os.stat(f"{out}/{p}").st_mtime_ns for p in outputs(out)}
    first = outputs(out)
    r = run(*common, "--out", out, "--json")
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    check((rep.get("written"), rep.get("skipped"), rep.get("failed")) == (0, 4, 3),
          f"rerun: 0 written, 4 skipped, 3 failed again ({rep.get('written')}, "
          f"{rep.get('skipped')}, {rep.get('failed')})")
    check(all(os.stat(f"{out}/{p}").st_mtime_ns == t for p, t in before.items())
          and outputs(out) == first, "rerun rewrote nothing")
    with open(f"{out}/barking/a.tfrecord", "r+b") as f:
        f.seek(40)
        f.write(b"\xff\xff\xff\xff")
    r = run(*common, "--out", out, "--json")
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    check(rep.get("written") == 1 and outputs(out) == first,
          "a corrupted output is redone, to the same bytes")

    # 5: kill -9 and resume (one lane of 7 frames: outputs appear one by one)
    kv = f"{TMP}/kill"
    os.makedirs(f"{kv}/barking")
    for i in range(8):
        shutil.copy(f"{vids}/barking/{'a.mp4' if i % 2 else 'b.webm'}", f"{kv}/barking/v{i}.mp4")
    kargs = ["--videos", kv, "--embeddings", "yamnet-effnet", "--weights-dir", wdir,
             "--threads", "2", "--jobs", "1", "--batch", "7"]
    r = run(*kargs, "--out", f"{TMP}/k_ref", "-q")
    check(r.returncode == 0, f"uninterrupted run over 8 videos: exit 0 ({r.stderr.strip()[-200:]})")
    p = subprocess.Popen([AVMIT, "extract", *kargs, "--out", f"{TMP}/k_out", "-q"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t_end = time.time() + 120
    while time.time() < t_end and p.poll() is None:
        done = [f for f in outputs(f"{TMP}/k_out") if f.endswith(".tfrecord")] \
            if os.path.isdir(f"{TMP}/k_out") else []
        if len(done) >= 2:
            break
        time.sleep(0.05)
    killed = p.poll() is None
    if killed:
        os.kill(p.pid, signal.SIGKILL)
    p.wait()
    partial = outputs(f"{TMP}/k_out") if os.path.isdir(f"{TMP}/k_out") else {}
    n_done = len([f for f in partial if f.endswith(".tfrecord") and "/." not in "/" + f])
    print(f"killed={killed} after {n_done} of 8 outputs", flush=True)
    ok_partial = True
    for f in partial:
        if os.path.basename(f).startswith("."):
            continue  # the temporary file of the record being written
        try:
            X.read_embedding(f"{TMP}/k_out/{f}")
        except Exception:  # noqa: BLE001
            ok_partial = False
    check(ok_partial, "after kill -9 every *.tfrecord present is complete and valid")
    r = run(*kargs, "--out", f"{TMP}/k_out", "-q")
    check(r.returncode == 0, "resume after kill -9: exit 0")
    check(outputs(f"{TMP}/k_out") == outputs(f"{TMP}/k_ref"),
          "kill -9 + resume equals the uninterrupted run bit for bit (no temporary file left)")

    # 6: mpirun -n 2
    if shutil.which("mpirun"):
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        r = subprocess.run(["mpirun", "--oversubscribe", "--allow-run-as-root", "-n", "2", AVMIT,
                            "extract", *common[:-4], "--threads", "1", "--jobs", "1",
                            "--out", f"{TMP}/mpi", "--json"],
                           capture_output=True, text=True, env=env)
        if "built without MPI" in r.stderr:
            print("skipped part: avmit built without MPI")
        else:
            rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
            check((rep.get("written"), rep.get("failed"), rep.get("shards")) == (4, 3, 2),
                  f"mpirun -n 2: rank 0's merged report: 4 written, 3 failed, 2 shards "
                  f"({rep.get('written')}, {rep.get('failed')}, {rep.get('shards')}; "
                  f"{r.stderr.strip()[-300:]})")
            check(outputs(f"{TMP}/mpi") == first, "mpirun -n 2 outputs equal one process's bit for bit")
    else:
        print("skipped part: mpirun not installed (openmpi-bin)")

    # 7: vggish-vgg16 on 3 clips
    v3 = f"{TMP}/v3"
    for rel in ("barking/a.mp4", "barking/b.webm", "diving/c.mkv"):
        os.makedirs(os.path.dirname(f"{v3}/{rel}"), exist_ok=True)
        shutil.copy(f"{vids}/{rel}", f"{v3}/{rel}")
    t0 = time.time()
    W2 = {k: X.write_weights(k, seed, wdir) for k, seed in (("vggish", 3), ("vgg16", 4))}
    print(f"weights written in {time.time() - t0:.1f} s", flush=True)
    r = run("--videos", v3, "--embeddings", "vggish-vgg16", "--weights-dir", wdir, "--threads",
            "2", "--batch", "8", "--out", f"{TMP}/vgg", "-v")
    check(r.returncode == 0, f"vggish-vgg16 over 3 clips: exit 0 ({r.stderr.strip()[-300:]})")
    print(r.stdout, flush=True)
    compare_reference(v3, f"{TMP}/vgg", "vggish-vgg16", W2,
                      ["barking/a.mp4", "barking/b.webm", "diving/c.mkv"])

    print("failures:", failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
