"""audio_ref.py - NumPy reference of the AVMIT audio front end, written from
../shared/docs/FEATURES.md sections 2 and 3 (not from avmit's C code):

  pcm_to_mono16(frames, width)  pydub's set_channels(1) then set_sample_width(2)
  resample_022(x, sr, sr_new)   resampy 0.2.2 resample() with filter kaiser_best
  logmel_patches(wav, model)    the Hub VGGish / YAMNet log-mel front end
  read_wav(path)                16-bit PCM WAV via the standard wave module

Standard library + numpy only. Used by tests/reference/test_audio_*.py and
bench/bench_audio.py.
"""
import wave

import numpy as np

# ---- section 2.2: mono and 16 bits -------------------------------------------------


def pcm_to_mono16(frames, width):
    """frames: int array [n, channels] of `width`-byte samples -> int16 mono.
    2 channels: floor(0.5 L + 0.5 R); C > 2: sum of per-channel floor(x / C);
    then width 4 -> 2 as an arithmetic shift by 16."""
    f = np.asarray(frames, dtype=np.int64)
    c = f.shape[1]
    if c == 1:
        m = f[:, 0]
    elif c == 2:
        m = np.floor(0.5 * f[:, 0].astype(np.float64) + 0.5 * f[:, 1].astype(np.float64))
        m = m.astype(np.int64)
    else:
        m = np.sum(np.floor_divide(f, c), axis=1)
    if width == 4:
        m = m >> 16
    elif width != 2:
        raise ValueError("width %d not covered" % width)
    return m.astype(np.int16)


def to_float(s16):
    """float32(s16) / 32768.0 (a float32 array divided by a Python float)."""
    return np.asarray(s16, dtype=np.int16).astype(np.float32) / 32768.0


def read_wav(path):
    """(frames int16 [n, channels], sample rate) of a 16-bit PCM WAV file."""
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2, "16-bit WAV expected"
        c, sr, n = w.getnchannels(), w.getframerate(), w.getnframes()
        data = np.frombuffer(w.readframes(n), dtype="<i2").reshape(-1, c)
    return data, sr


def write_wav(path, frames_s16, sr):
    f = np.asarray(frames_s16, dtype="<i2")
    if f.ndim == 1:
        f = f[:, None]
    with wave.open(path, "wb") as w:
        w.setnchannels(f.shape[1])
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(f.tobytes())


# ---- section 2.3: resampy 0.2.2 kaiser_best ------------------------------------------

KB_ZEROS = 64
KB_DENSITY = 512
KB_ROLLOFF = 0.9475937167399596
KB_BETA = 14.769656459379492


def kaiser_best_table():
    """h[i] = rho sinc(rho i / L) kaiser_{2ZL+1, beta}[ZL + i], i = 0..ZL."""
    n = KB_ZEROS * KB_DENSITY
    t = np.linspace(0, KB_ZEROS, num=n + 1, endpoint=True)
    sinc = KB_ROLLOFF * np.sinc(KB_ROLLOFF * t)
    return np.kaiser(2 * n + 1, KB_BETA)[n:] * sinc


_TABLE = None


def resample_022(x, sr_orig, sr_new, outputs=None):
    """resampy 0.2.2 resample(x, sr_orig, sr_new) on float32 mono x.

    Vectorised over output samples: tap i of every output is added in the same
    order as the sequential kernel (left wing i = 0.., then right wing k = 0..),
    each sum done in float64 and stored to float32. `outputs` (optional index
    array) evaluates only those output samples; the time register is still the
    sequential sum over all earlier outputs."""
    global _TABLE
    if _TABLE is None:
        _TABLE = kaiser_best_table()
    x = np.asarray(x, dtype=np.float32)
    ratio = float(sr_new) / sr_orig
    n_out = int(x.shape[0] * ratio)
    win = _TABLE.copy()
    if ratio < 1:
        win *= ratio
    delta = np.zeros_like(win)
    delta[:-1] = np.diff(win)
    nwin = win.shape[0]
    scale = min(1.0, ratio)
    inc = 1.0 / ratio
    step = int(scale * KB_DENSITY)
    # time_register starts at 0 and is advanced by += inc after each output:
    # np.add.accumulate is a sequential float64 sum.
    tau = np.zeros(n_out)
    if n_out > 1:
        tau[1:] = np.add.accumulate(np.full(n_out - 1, inc))
    if outputs is not None:
        tau = tau[outputs]
    n = tau.astype(np.int64)
    frac = scale * (tau - n)
    y = np.zeros(tau.shape[0], dtype=np.float32)
    xd = x.astype(np.float64)

    def wing(frac, count, src):
        index_frac = frac * KB_DENSITY
        off = index_frac.astype(np.int64)
        eta = index_frac - off
        count = np.minimum(count, (nwin - off) // step)
        for i in range(int(count.max(initial=0))):
            sel = np.nonzero(count > i)[0]
            idx = off[sel] + i * step
            weight = win[idx] + eta[sel] * delta[idx]
            y[sel] = (y[sel].astype(np.float64) + weight * xd[src(sel, i)]).astype(np.float32)

    wing(frac, n + 1, lambda s, i: n[s] - i)
    wing(scale - frac, x.shape[0] - n - 1, lambda s, i: n[s] + 1 + i)
    return y


# ---- section 3: log-mel patches ------------------------------------------------------

SR = 16000
WIN = 400
HOP = 160
NFFT = 512
BANDS = 64
PATCH = 96
MODELS = {
    # log offset, patch hop (frames), YAMNet waveform padding
    "vggish": (0.01, 96, False),
    "yamnet": (0.001, 48, True),
}


def hz_to_mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_matrix():
    """[257, 64] HTK triangles in mel, 125..7500 Hz, DC row zero; float64
    arithmetic rounded to float32."""
    bins_mel = hz_to_mel(np.linspace(0.0, SR / 2, NFFT // 2 + 1))
    edges = np.linspace(hz_to_mel(125.0), hz_to_mel(7500.0), BANDS + 2)
    lo, ce, up = edges[:-2], edges[1:-1], edges[2:]
    m = bins_mel[:, None]
    w = np.maximum(0.0, np.minimum((m - lo) / (ce - lo), (up - m) / (up - ce)))
    w[0, :] = 0.0
    return w.astype(np.float32)


def pad_yamnet(x):
    n = x.shape[0]
    min_n, hop_n = 15600, 7680
    num = max(n, min_n)
    after = num - min_n
    hops = int(np.ceil(np.float32(after) / np.float32(hop_n)))
    pad = (num - n) + hop_n * hops - after
    return np.concatenate([x, np.zeros(pad, dtype=x.dtype)])


def hann_f32():
    """tf.signal.hann_window(400, periodic=True): 0.5 - 0.5 cos(2 pi n / 400),
    every operation in float32; the cosine is the float32-rounded double cosine
    (float32 cos implementations differ in the last bit)."""
    f = np.float32
    arg = (f(2.0 * np.pi) * np.arange(WIN, dtype=f)) / f(WIN)
    c = np.cos(arg.astype(np.float64)).astype(f)
    return (f(0.5) - f(0.5) * c).astype(f)


def logmel_frames(wav, offset):
    """[n_frames, 64] ln(|rfft(frame * hann, 512)| @ W + offset). The frame
    times the window is rounded to float32 (TF's tensors); the rest is float64."""
    x = np.asarray(wav, dtype=np.float32)
    n_frames = 0 if x.shape[0] < WIN else 1 + (x.shape[0] - WIN) // HOP
    if n_frames == 0:
        return np.zeros((0, BANDS))
    idx = np.arange(n_frames)[:, None] * HOP + np.arange(WIN)[None, :]
    frames = (x[idx] * hann_f32()).astype(np.float64)
    mag = np.abs(np.fft.rfft(frames, NFFT))
    return np.log(mag @ mel_matrix().astype(np.float64) + offset)


def logmel_patches(wav, model):
    offset, hop, pad = MODELS[model]
    x = np.asarray(wav, dtype=np.float32)
    if pad:
        x = pad_yamnet(x)
    lm = logmel_frames(x, offset)
    n = 0 if lm.shape[0] < PATCH else 1 + (lm.shape[0] - PATCH) // hop
    out = np.zeros((n, PATCH, BANDS))
    for p in range(n):
        out[p] = lm[p * hop:p * hop + PATCH]
    return out
