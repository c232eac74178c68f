"""test_extract.py - `avmit extract` end to end (issue 14) on media made here
with the ffmpeg CLI, random weights in the published layouts (cnn_ref.py's
generator, written as the published file types) and the Python reference
chain of extract_ref.py (ffmpeg CLI + pydub's rules + resampy 0.2.2 + NumPy
log-mel; cv2.VideoCapture loop + cv2.resize; PyTorch CNN statements).

Media: a.mp4 (H.264 25 fps 160x96, AAC 44.1 kHz), b.webm (VP8 30 fps, odd
121x91, Opus 48 kHz), c.mkv (H.264 4:4:4 30 fps, odd 101x75, no audio),
d.mp4 (25 fps, digital-silence stereo AAC 22.05 kHz), cut.webm (a WebM cut
to 40 %: decodes, but shorter than its header says), trunc.mp4 (an MP4 cut
short: no moov atom), notvideo.mp4 (text), zero.mkv (a Matroska file whose H.264
video stream has no packet at all, with 1 s of AAC audio: made with a select=0
filter).

Facts checked:
 1. yamnet-effnet over the directory: exit 1 (some videos failed); report:
    4 written, 4 failed (truncated 2, unreadable 1, zero-frames 1), c.mkv listed as no-audio,
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
 (vggish-vgg16 against the reference: test_extract_vgg.py.)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extract_testlib as T  # noqa: E402  (exits 77 without numpy/torch/cv2/ffmpeg)
import extract_ref as X  # noqa: E402
import numpy as np  # noqa: E402

AVMIT = os.environ["AVMIT"]
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-extract")


def main():
    shutil.rmtree(TMP, ignore_errors=True)
    vids, wdir = f"{TMP}/videos", f"{TMP}/weights"
    os.makedirs(wdir)
    T.make_media(vids)
    T.ffmpeg("-f", "lavfi", "-t", "1", "-i", "testsrc=size=64x48:rate=25", "-f", "lavfi", "-t", "1",
             "-i", "sine=frequency=440:sample_rate=44100", "-map", "0:v", "-map", "1:a",
             "-vf", "select=0", "-c:v", "libx264", "-c:a", "aac", f"{vids}/giggling/zero.mkv")
    T.skip_without_extract()
    t0 = time.time()
    W = {k: X.write_weights(k, seed, wdir) for k, seed in (("yamnet", 1), ("efficientnetb0", 2))}
    print(f"weights written in {time.time() - t0:.1f} s", flush=True)
    common = ["--videos", vids, "--embeddings", "yamnet-effnet", "--weights-dir", wdir,
              "--threads", "2", "--jobs", "2"]

    # 1-3: one run over the directory
    out = f"{TMP}/out"
    r = T.run(*common, "--out", out, "--json", "--report", f"{TMP}/report.json")
    T.check(r.returncode == 1, f"run over 8 videos, 4 bad: exit 1 (got {r.returncode}; "
                             f"stderr {r.stderr.strip()[-300:]!r})")
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        rep = {}
        T.check(False, "--json report parses")
    T.check(rep == json.load(open(f"{TMP}/report.json")), "--report FILE holds the same JSON")
    T.check((rep.get("written"), rep.get("failed"), rep.get("skipped")) == (4, 4, 0),
          f"report: 4 written, 4 failed, 0 skipped ({rep.get('written')}, {rep.get('failed')}, "
          f"{rep.get('skipped')})")
    reasons = {os.path.basename(f["video"]): f["reason"] for f in rep.get("failures", [])}
    T.check(reasons == {"trunc.mp4": "truncated", "cut.webm": "truncated",
                      "notvideo.mp4": "unreadable", "zero.mkv": "zero-frames"}, f"failure reasons {reasons}")
    T.check([os.path.basename(x["video"]) for x in rep.get("no_audio", [])] == ["c.mkv"],
          "no-audio list is [c.mkv]")
    T.check([os.path.basename(x["video"]) for x in rep.get("silent", [])] == ["d.mp4"],
          "digital-silence list is [d.mp4]")
    good = ["barking/a.mp4", "barking/b.webm", "diving/c.mkv", "diving/d.mp4"]
    got = sorted(T.outputs(out))
    T.check(got == sorted(os.path.splitext(g)[0] + ".tfrecord" for g in good),
          f"outputs are exactly the 4 good videos' ({got})")
    v = subprocess.run([AVMIT, "tfrecord", "validate", out], capture_output=True, text=True)
    T.check(v.returncode == 0, f"avmit tfrecord validate accepts the outputs ({v.stdout.strip()[-200:]})")
    T.compare_reference(vids, out, "yamnet-effnet", W, good)
    _, _, a, _ = X.read_embedding(f"{out}/diving/c.tfrecord")
    ref_zero = X.embed("yamnet", W["yamnet"], X.audio_patches(f"{vids}/diving/c.mkv", "yamnet"))
    T.check(a.shape == (6, 1024) and np.abs(a - ref_zero).max() <= 1e-4 * np.abs(ref_zero).max(),
          "no-audio video: YAMNet of 48,000 zeros (6 patches)")

    # 4: resume
    before = {p: os.stat(f"{out}/{p}").st_mtime_ns for p in T.outputs(out)}
    first = T.outputs(out)
    r = T.run(*common, "--out", out, "--json")
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    T.check((rep.get("written"), rep.get("skipped"), rep.get("failed")) == (0, 4, 4),
          f"rerun: 0 written, 4 skipped, 4 failed again ({rep.get('written')}, "
          f"{rep.get('skipped')}, {rep.get('failed')})")
    T.check(all(os.stat(f"{out}/{p}").st_mtime_ns == t for p, t in before.items())
          and T.outputs(out) == first, "rerun rewrote nothing")
    with open(f"{out}/barking/a.tfrecord", "r+b") as f:
        f.seek(40)
        f.write(b"\xff\xff\xff\xff")
    r = T.run(*common, "--out", out, "--json")
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    T.check(rep.get("written") == 1 and T.outputs(out) == first,
          "a corrupted output is redone, to the same bytes")

    # 5: kill -9 and resume (outputs appear one by one)
    kv = f"{TMP}/kill"
    os.makedirs(f"{kv}/barking")
    for i in range(5):
        shutil.copy(f"{vids}/barking/{'a.mp4' if i % 2 else 'b.webm'}", f"{kv}/barking/v{i}.mp4")
    kargs = ["--videos", kv, "--embeddings", "yamnet-effnet", "--weights-dir", wdir,
             "--threads", "2", "--jobs", "1", "--batch", "7"]
    r = T.run(*kargs, "--out", f"{TMP}/k_ref", "-q")
    T.check(r.returncode == 0, f"uninterrupted run over 5 videos: exit 0 ({r.stderr.strip()[-200:]})")
    p = subprocess.Popen([AVMIT, "extract", *kargs, "--out", f"{TMP}/k_out", "-q"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t_end = time.time() + 120
    while time.time() < t_end and p.poll() is None:
        done = [f for f in T.outputs(f"{TMP}/k_out") if f.endswith(".tfrecord")] \
            if os.path.isdir(f"{TMP}/k_out") else []
        if len(done) >= 1:
            break
        time.sleep(0.05)
    killed = p.poll() is None
    if killed:
        os.kill(p.pid, signal.SIGKILL)
    p.wait()
    partial = T.outputs(f"{TMP}/k_out") if os.path.isdir(f"{TMP}/k_out") else {}
    n_done = len([f for f in partial if f.endswith(".tfrecord") and "/." not in "/" + f])
    print(f"killed={killed} after {n_done} of 5 outputs", flush=True)
    ok_partial = True
    for f in partial:
        if os.path.basename(f).startswith("."):
            continue  # the temporary file of the record being written
        try:
            X.read_embedding(f"{TMP}/k_out/{f}")
        except Exception:  # noqa: BLE001
            ok_partial = False
    T.check(ok_partial, "after kill -9 every *.tfrecord present is complete and valid")
    r = T.run(*kargs, "--out", f"{TMP}/k_out", "-q")
    T.check(r.returncode == 0, "resume after kill -9: exit 0")
    T.check(T.outputs(f"{TMP}/k_out") == T.outputs(f"{TMP}/k_ref"),
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
            T.check((rep.get("written"), rep.get("failed"), rep.get("shards")) == (4, 4, 2),
                  f"mpirun -n 2: rank 0's merged report: 4 written, 4 failed, 2 shards "
                  f"({rep.get('written')}, {rep.get('failed')}, {rep.get('shards')}; "
                  f"{r.stderr.strip()[-300:]})")
            T.check(T.outputs(f"{TMP}/mpi") == first, "mpirun -n 2 outputs equal one process's bit for bit")
    else:
        print("skipped part: mpirun not installed (openmpi-bin)")

    T.finish()


if __name__ == "__main__":
    main()
