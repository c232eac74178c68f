"""test_audio_logmel.py - avmit_logmel_patches against audio_ref.logmel_patches,
a NumPy statement of the Hub VGGish/YAMNet front end (FEATURES.md section 3).

Facts checked (tests/tools/avmit_audio_tool runs the C code on .npy files):
- sines, a chirp, white noise, a square wave, a very quiet tone and silence
  (3 s at 16 kHz) give the reference's patches within 1e-4 (natural-log domain)
  for both models;
- patch counts at the edges of FEATURES.md 3.3/3.4: VGGish (no padding)
  3 patches for 46320 <= N < 61680, 2 for N = 46319, 1 for N = 15600 and 0
  below it;
  YAMNet (padding) 6 for N in (46320, 54000], 5 for N = 46320, 1 for any
  0 <= N <= 15600;
- silence is ln(0.01) = -4.60517 (VGGish) and ln(0.001) = -6.90776 (YAMNet);
- YAMNet patches overlap by 48 frames (patch 1 starts at frame 48 of patch 0);
- a 60 s waveform, and --threads 1 vs 2 give identical bytes;
- the single-precision FFT option is within 1e-4 on white noise (it is not
  on tones: see include/avmit/logmel.h).
"""
import math
import os
import sys

try:
    import numpy as np
except ImportError:
    print("skipped: numpy not installed")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio_ref as R  # noqa: E402
from audio_testlib import check, finish, path, tool  # noqa: E402

TOL = 1e-4




def c_logmel(x, model, threads=1, fft="double"):
    np.save(path("in.npy"), np.asarray(x, dtype=np.float32))
    tool("logmel", path("in.npy"), model, path("out.npy"), threads, fft)
    return np.load(path("out.npy"))


def compare(x, model, what, tol=TOL, fft="double"):
    y = c_logmel(x, model, fft=fft)
    r = R.logmel_patches(x, model)
    same = y.shape == r.shape and y.dtype == np.float32
    d = np.abs(y - r).max() if same and r.size else (0.0 if same else np.inf)
    check(same and d <= tol, "%s %s: %s patches, max |diff| %.2e (log domain)"
          % (what, model, y.shape, d))
    return y


def main():
    rng = np.random.default_rng(64)
    n = 48297  # a 3 s 44.1 kHz AAC clip after resampling (FEATURES.md 3.4)
    t = np.arange(n) / 16000.0
    sigs = {
        "sine 440 Hz": 0.9 * np.sin(2 * np.pi * 440 * t),
        "sine 7 kHz": 0.99 * np.sin(2 * np.pi * 7000 * t),
        "chirp": 0.8 * np.sin(2 * np.pi * (50 * t + (7950 - 50) / 6.0 * t * t)),
        "white noise": rng.uniform(-1, 1, n),
        "square 1 kHz": 0.9 * np.sign(np.sin(2 * np.pi * 1000 * t + 0.1)),
        "quiet tone": 1e-4 * np.sin(2 * np.pi * 1000 * t),
        "silence": np.zeros(n),
    }
    for name, x in sigs.items():
        x = x.astype(np.float32)
        for model in ("vggish", "yamnet"):
            y = compare(x, model, name)
    sil_v = c_logmel(np.zeros(48000, np.float32), "vggish")
    sil_y = c_logmel(np.zeros(48000, np.float32), "yamnet")
    check(sil_v.shape == (3, 96, 64) and np.all(sil_v == np.float32(math.log(np.float32(0.01)))),
          "48000 zeros: VGGish 3 patches of ln(0.01) = %.5f" % math.log(0.01))
    check(sil_y.shape == (6, 96, 64)
          and np.all(sil_y == np.float32(math.log(np.float32(0.001)))),
          "48000 zeros: YAMNet 6 patches of ln(0.001) = %.5f" % math.log(0.001))

    y = c_logmel(sigs["chirp"].astype(np.float32), "yamnet")
    check(np.array_equal(y[0, 48:], y[1, :48]), "YAMNet patches hop 48 frames (overlap)")

    expect = {
        "vggish": [(0, 0), (399, 0), (15599, 0), (15600, 1), (46319, 2), (46320, 3), (61679, 3), (61680, 4)],
        "yamnet": [(0, 1), (1, 1), (15600, 1), (15601, 2), (46320, 5), (46321, 6), (48000, 6),
                   (54000, 6), (54001, 7)],
    }
    for model, cases in expect.items():
        for count, want in cases:
            x = rng.uniform(-0.5, 0.5, count).astype(np.float32)
            y = c_logmel(x, model)
            ok = y.shape == (want, 96, 64)
            if ok and want:
                ok = np.abs(y - R.logmel_patches(x, model)).max() <= TOL
            check(ok, "%s: %d samples -> %d patches (got %d), values match"
                  % (model, count, want, y.shape[0]))

    x = (0.5 * np.sin(2 * np.pi * 300 * np.arange(60 * 16000) / 16000.0)
         + 0.1 * rng.standard_normal(60 * 16000)).astype(np.float32)
    y1 = compare(x, "yamnet", "60 s tone + noise")
    y2 = c_logmel(x, "yamnet", threads=2)
    check(y1.tobytes() == y2.tobytes(), "60 s: --threads 1 and 2 give identical patches")

    compare(sigs["white noise"].astype(np.float32), "yamnet", "single-precision FFT, noise",
            fft="single")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
