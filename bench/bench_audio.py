"""bench_audio.py FILE MODEL OUT.npy [SECONDS] - the reference audio pipeline,
timed: `ffmpeg -y -i FILE -acodec pcm_s16le -vn -f wav -` (what pydub runs),
pydub's mono rule, /32768, resampy 0.2.2 kaiser_best and the log-mel front end
in NumPy (tests/reference/audio_ref.py). Repeats for about SECONDS (default 3,
at least 3 runs), prints clips/s and per-stage means, writes the patches.
Run with Debian's /usr/bin/python3 (numpy)."""
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "reference"))
import audio_ref as R  # noqa: E402


def decode(path):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", path, "-acodec", "pcm_s16le",
                          "-vn", "-f", "wav", "-"], check=True, capture_output=True).stdout
    channels = int.from_bytes(raw[22:24], "little")
    rate = int.from_bytes(raw[24:28], "little")
    i = raw.find(b"data", 36)
    pcm = np.frombuffer(raw[i + 8:], dtype="<i2")
    pcm = pcm[:pcm.shape[0] // channels * channels].reshape(-1, channels)
    return pcm, rate


def clip(path, model, st):
    t0 = time.perf_counter()
    pcm, rate = decode(path)
    x = R.to_float(R.pcm_to_mono16(pcm, 2))
    t1 = time.perf_counter()
    if rate != R.SR:
        x = R.resample_022(x, rate, R.SR)
    t2 = time.perf_counter()
    p = R.logmel_patches(x, model).astype(np.float32)
    t3 = time.perf_counter()
    st += np.array([t1 - t0, t2 - t1, t3 - t2])
    return p


def main():
    path, model, out = sys.argv[1:4]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
    st = np.zeros(3)
    p = clip(path, model, st)  # warm-up (imports, filter table)
    st[:] = 0
    n = 0
    t0 = time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < seconds:
        clip(path, model, st)
        n += 1
    el = time.perf_counter() - t0
    np.save(out, p)
    print("reference %s model=%s: %d clips in %.3f s = %.2f clips/s; per clip ffmpeg CLI "
          "decode+mono %.1f ms, resample %.1f ms, log-mel %.1f ms; %d patches"
          % (path, model, n, el, n / el, st[0] / n * 1e3, st[1] / n * 1e3, st[2] / n * 1e3,
             p.shape[0]))


if __name__ == "__main__":
    main()
