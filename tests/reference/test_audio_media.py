"""test_audio_media.py - `avmit features audio` on media files made here with
the ffmpeg CLI, against the reference pipeline (FEATURES.md sections 2-3):
`ffmpeg -i FILE -acodec pcm_s<bits>le -vn -f wav -` as pydub runs it, pydub's
mono/16-bit rules, resampy 0.2.2 and the log-mel front end, all in NumPy
(audio_ref.py).

Facts checked:
- WAV (16-bit, stereo 44.1 kHz; mono 48 kHz; 8 kHz; 16 kHz) and a 60 s stereo
  44.1 kHz WAV: --waveform within 1e-5 of the reference, patches within 1e-4;
- AAC in mp4 (stereo 44.1 kHz, 3 s, with a video stream): 133120 decoded
  samples (FEATURES.md 2.1) -> 48297 at 16 kHz, VGGish 3 / YAMNet 6 patches;
- decoding is the ffmpeg CLI's bit for bit (16 kHz files, nothing resampled):
  stereo AAC, 5.1 AAC (sum of x_c // 6), MP3, and a float WAV and Opus, which
  pydub asks for as 32-bit (then >> 16);
- an mp4 without audio: 48000 zeros, reported as silence, ln(offset) patches;
- zero-length, random-bytes, missing and truncated files exit 1 with a
  message naming the file (never a crash); usage errors exit 2;
- --resampler soxr runs; --threads 1 and 2 give identical files.
"""
import math
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("skipped: numpy not installed")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio_ref as R  # noqa: E402
from audio_testlib import check, finish, path  # noqa: E402

AVMIT = os.environ["AVMIT"]




def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def features(src, model, *extra):
    """Run the CLI; returns (rc, stderr, patches or None, waveform or None)."""
    out, wav = path("p.npy"), path("w.npy")
    for f in (out, wav):
        if os.path.exists(f):
            os.remove(f)
    r = subprocess.run([AVMIT, "features", "audio", src, "--model", model, "-o", out,
                        "--waveform", wav, *extra], capture_output=True, text=True)
    if r.returncode == 2 and "no audio front end" in r.stderr:
        print("skipped: this build has no audio front end")
        sys.exit(77)
    p = np.load(out) if r.returncode == 0 else None
    w = np.load(wav) if r.returncode == 0 else None
    return r.returncode, r.stderr, p, w


def ffmpeg_pcm(src, bits):
    """What pydub receives: ffmpeg CLI -> WAV with pcm_s<bits>le, all channels."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", src, "-acodec", "pcm_s%dle" % bits,
                          "-vn", "-f", "wav", "-"], check=True, capture_output=True).stdout
    channels = int.from_bytes(raw[22:24], "little")
    rate = int.from_bytes(raw[24:28], "little")
    i = raw.find(b"data", 36)
    pcm = np.frombuffer(raw[i + 8:], dtype="<i%d" % (bits // 8))
    return pcm[:pcm.shape[0] // channels * channels].reshape(-1, channels), rate


def check_pipeline(src, what, frames=None, rate=None, bits=16, models=("vggish", "yamnet")):
    if frames is None:
        frames, rate = ffmpeg_pcm(src, bits)
    x = R.to_float(R.pcm_to_mono16(frames, bits // 8))
    ref_w = R.resample_022(x, rate, 16000) if rate != 16000 else x
    for model in models:
        rc, err, p, w = features(src, model)
        if rc != 0:
            check(False, "%s %s: exit %d: %s" % (what, model, rc, err.strip()))
            continue
        dw = np.abs(w - ref_w).max() if w.shape == ref_w.shape else np.inf
        ref_p = R.logmel_patches(ref_w, model)
        dp = np.abs(p - ref_p).max() if p.shape == ref_p.shape and p.size else (
            0.0 if p.shape == ref_p.shape else np.inf)
        check(dw <= 1e-5 and dp <= 1e-4,
              "%s %s: %d samples at 16 kHz (|diff| %.2e), %d patches (|diff| %.2e)"
              % (what, model, w.shape[0], dw, p.shape[0], dp))
    return ref_w


def main():
    if not shutil.which("ffmpeg"):
        print("skipped: the ffmpeg CLI is not installed")
        return 77
    rng = np.random.default_rng(5)

    # ---- WAV: generated signals through the whole chain ----------------------
    def s16(x):
        return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)

    t = np.arange(3 * 44100) / 44100
    left = 0.7 * np.sin(2 * np.pi * (100 * t + 1200 * t * t))
    right = 0.3 * rng.uniform(-1, 1, t.shape[0])
    st = np.stack([s16(left), s16(right)], 1)
    R.write_wav(path("st44.wav"), st, 44100)
    check_pipeline(path("st44.wav"), "stereo 44.1 kHz WAV (chirp | noise)", st, 44100)
    for sr in (48000, 8000, 16000):
        tt = np.arange(int(2.5 * sr)) / sr
        mono = s16(0.5 * np.sin(2 * np.pi * 440 * tt) + 0.05 * rng.standard_normal(tt.shape[0]))
        R.write_wav(path("m%d.wav" % sr), mono, sr)
        check_pipeline(path("m%d.wav" % sr), "mono %d Hz WAV" % sr, mono[:, None], sr)
    R.write_wav(path("short.wav"), s16(rng.uniform(-0.5, 0.5, 9000)), 44100)
    check_pipeline(path("short.wav"), "0.2 s WAV (shorter than a patch)")

    # 60 s: the reference resamples 3000 spread-out outputs, and its front end
    # runs on avmit's waveform.
    t = np.arange(60 * 44100) / 44100
    long = np.stack([s16(0.4 * np.sin(2 * np.pi * 300 * t)),
                     s16(0.2 * rng.uniform(-1, 1, t.shape[0]))], 1)
    R.write_wav(path("long.wav"), long, 44100)
    rc, err, p, w = features(path("long.wav"), "yamnet", "--threads", "2")
    x = R.to_float(R.pcm_to_mono16(long, 2))
    idx = np.linspace(0, 959999, 3000).astype(np.int64)
    ok = rc == 0 and w.shape == (960000,)
    dw = np.abs(w[idx] - R.resample_022(x, 44100, 16000, outputs=idx)).max() if ok else np.inf
    dp = np.inf
    if ok:  # patch 0 covers samples 0..15599 and the last one the end (padded)
        ref_p = R.logmel_patches(w, "yamnet")
        dp = max(np.abs(p[0] - ref_p[0]).max(), np.abs(p[-1] - ref_p[-1]).max())
    check(ok and p.shape == (124, 96, 64) and dw <= 1e-5 and dp <= 1e-4,
          "60 s stereo WAV: 960000 samples (|diff| %.2e at 3000), 124 YAMNet patches"
          % dw)

    # ---- AAC in mp4, the MIT case --------------------------------------------
    ffmpeg("-f", "lavfi", "-i", "testsrc=d=3:s=64x48:r=25", "-f", "lavfi", "-i",
           "sine=f=440:r=44100:d=3", "-f", "lavfi", "-i", "anoisesrc=r=44100:d=3:a=0.3",
           "-filter_complex", "[1][2]amerge=inputs=2[a]", "-map", "0:v", "-map", "[a]",
           "-c:v", "mpeg4", "-c:a", "aac", "-shortest", path("mit.mp4"))
    frames, rate = ffmpeg_pcm(path("mit.mp4"), 16)
    check(frames.shape == (133120, 2) and rate == 44100,
          "3 s 44.1 kHz stereo AAC decodes to 133120 samples (ffmpeg CLI)")
    w = check_pipeline(path("mit.mp4"), "AAC mp4 stereo 44.1 kHz", frames, rate)
    check(w.shape == (48297,), "... 48297 samples at 16 kHz")
    rc, err, p, w = features(path("mit.mp4"), "vggish", "-v")
    check(rc == 0 and p.shape[0] == 3 and "aac, 2 channels, 44100 Hz, 133120 samples, 16-bit"
          in err, "AAC mp4: VGGish 3 patches; -v names codec, layout and quantisation")

    # ---- decode exactness vs the ffmpeg CLI (16 kHz: no resampling) ----------------
    src = ["-f", "lavfi", "-i", "anoisesrc=r=16000:d=2.5:a=0.6"]
    ffmpeg(*src, "-ac", "2", "-c:a", "aac", path("st16.mp4"))
    ffmpeg(*src, "-af", "pan=5.1|c0=c0|c1=0.5*c0|c2=-0.7*c0|c3=0.2*c0|c4=0.9*c0|c5=-0.3*c0",
           "-c:a", "aac", path("s51.mp4"))
    ffmpeg(*src, "-ac", "2", "-c:a", "libmp3lame", path("st16.mp3"))
    ffmpeg(*src, "-ac", "2", "-c:a", "pcm_f32le", path("f32.wav"))
    for name, bits, ch in (("st16.mp4", 16, 2), ("s51.mp4", 16, 6), ("st16.mp3", 16, 2),
                           ("f32.wav", 32, 2)):
        frames, rate = ffmpeg_pcm(path(name), bits)
        ref = R.to_float(R.pcm_to_mono16(frames, bits // 8))
        rc, err, p, w = features(path(name), "yamnet")
        check(rc == 0 and frames.shape[1] == ch and w.shape == ref.shape
              and np.array_equal(w, ref),
              "%s (%d ch, %d-bit request): decoded mono equals the ffmpeg CLI's bit for bit"
              % (name, ch, bits))
    try:
        ffmpeg(*src, "-ac", "2", "-c:a", "libopus", path("st.ogg"))
        check_pipeline(path("st.ogg"), "Opus 48 kHz (32-bit request, then >> 16)", bits=32,
                       models=("yamnet",))
    except subprocess.CalledProcessError:
        print("note: ffmpeg without libopus; Opus case skipped")

    # ---- no audio stream -> 3 s of silence ----------------------------------------
    ffmpeg("-f", "lavfi", "-i", "testsrc=d=2:s=64x48:r=25", "-c:v", "mpeg4", path("noaudio.mp4"))
    for model, n, off in (("vggish", 3, 0.01), ("yamnet", 6, 0.001)):
        rc, err, p, w = features(path("noaudio.mp4"), model)
        check(rc == 0 and "no audio stream; using 3 s of silence" in err
              and w.shape == (48000,) and not w.any() and p.shape == (n, 96, 64)
              and np.all(p == np.float32(math.log(np.float32(off)))),
              "mp4 without audio, %s: 48000 zeros, %d patches of ln(%g), reported" % (model, n, off))

    # ---- bad inputs ---------------------------------------------------------------
    open(path("empty.mp4"), "wb").close()
    with open(path("junk.mp4"), "wb") as f:
        f.write(rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
    for name, msg in (("empty.mp4", "cannot open as a media file"),
                      ("junk.mp4", "cannot open as a media file"),
                      ("missing.mp4", "No such file or directory")):
        rc, err, p, w = features(path(name), "vggish")
        check(rc == 1 and name in err and msg in err and not os.path.exists(path("p.npy")),
              "%s: exit 1, '%s' named with the file, no output" % (name, msg))
    data = open(path("mit.mp4"), "rb").read()
    ffmpeg("-i", path("mit.mp4"), "-c", "copy", "-movflags", "+faststart", path("fast.mp4"))
    fast = open(path("fast.mp4"), "rb").read()
    crashes = 0
    for label, blob in (("moov at end", data), ("faststart", fast)):
        for frac in (0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
            cut = path("cut.mp4")
            with open(cut, "wb") as f:
                f.write(blob[:int(len(blob) * frac)])
            rc, err, p, w = features(cut, "yamnet")
            if rc not in (0, 1) or (rc == 1 and "cut.mp4" not in err):
                crashes += 1
                print("  truncated (%s) at %.0f%%: exit %d: %s" % (label, frac * 100, rc, err))
    check(crashes == 0, "truncated mp4s (moov at end and faststart, 6 cuts each): exit 0 or a "
          "clean exit 1 naming the file")

    # ---- options ------------------------------------------------------------------
    r = subprocess.run([AVMIT, "features", "audio", path("mit.mp4"), "-o", path("x.npy")],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "--model" in r.stderr, "missing --model: exit 2")
    r = subprocess.run([AVMIT, "features", "audio", path("mit.mp4"), "--model", "vggish", "-o",
                        path("x.npy"), "--resampler", "sinc"], capture_output=True, text=True)
    check(r.returncode == 2 and "kaiser_best or soxr" in r.stderr, "bad --resampler: exit 2")
    r = subprocess.run([AVMIT, "features", "audio", "--help"], capture_output=True, text=True)
    check(r.returncode == 0 and "--resampler" in r.stdout, "--help: exit 0, lists options")
    rc, err, p, w = features(path("mit.mp4"), "yamnet", "--resampler", "soxr")
    check(rc == 0 and w.shape == (48297,) and p.shape == (6, 96, 64), "--resampler soxr runs")
    outs = []
    for th in ("1", "2"):
        features(path("mit.mp4"), "yamnet", "--threads", th)
        outs.append(open(path("p.npy"), "rb").read() + open(path("w.npy"), "rb").read())
    check(outs[0] == outs[1], "--threads 1 and 2 write identical files")

    return finish()


if __name__ == "__main__":
    sys.exit(main())
