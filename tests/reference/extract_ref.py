"""extract_ref.py - the AVMIT feature-extraction reference chain in Python
(FEATURES.md section 1), independent of avmit's C code, for
test_extract.py and bench/bench_extract_ref.py:

  audio:  what pydub does (ffmpeg CLI -> WAV, all channels, 16 bits for
          AAC/MP3 and 32 bits for float codecs such as Opus, FEATURES 2.1),
          pydub's mono/16-bit rule, /32768, resampy 0.2.2 kaiser_best to
          16 kHz and the Hub log-mel patches (audio_ref.py); no audio stream:
          48000 zeros;
  visual: extract_features.py's cv2.VideoCapture loop (FEATURES 6.2),
          BGR->RGB, cv2.resize to 224x224;
  CNNs:   the PyTorch statements of cnn_ref.py in float64.

read_embedding(path) reads one GZIP TFRecord with the independent reader
tfrecord_ref.py.
"""
import gzip
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio_ref as R  # noqa: E402

# File names avmit looks for in --weights-dir (avmit_cnn_weights_filename).
WEIGHT_FILES = {"vggish": "vggish_model.ckpt", "yamnet": "yamnet.h5",
                "vgg16": "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                "efficientnetb0": "efficientnetb0_notop.h5"}
SETS = {"yamnet-effnet": ("yamnet", "efficientnetb0", 480),
        "vggish-vgg16": ("vggish", "vgg16", 960)}


def audio_codec(path):
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                        "stream=codec_name", "-of", "csv=p=0", path],
                       capture_output=True, text=True)
    return r.stdout.strip()


def decode_audio(path):
    """pydub.AudioSegment.from_file + set_channels(1) + sample width 2 -> float32 / 32768,
    and the sample rate; None when there is no audio stream."""
    codec = audio_codec(path)
    if not codec:
        return None, None
    bits = 16 if codec in ("aac", "mp3") else 32
    raw = subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", path, "-acodec",
                          "pcm_s%dle" % bits, "-vn", "-f", "wav", "-"],
                         check=True, capture_output=True).stdout
    channels = int.from_bytes(raw[22:24], "little")
    rate = int.from_bytes(raw[24:28], "little")
    i = raw.find(b"data", 36)
    pcm = np.frombuffer(raw[i + 8:], dtype="<i%d" % (bits // 8))
    pcm = pcm[:pcm.shape[0] // channels * channels].reshape(-1, channels)
    return R.to_float(R.pcm_to_mono16(pcm, bits // 8)), rate


def audio_patches(path, model):
    x, rate = decode_audio(path)
    if x is None:
        x, rate = np.zeros(48000, np.float32), R.SR
    if rate != R.SR:
        x = R.resample_022(x, rate, R.SR)
    return R.logmel_patches(x, model).astype(np.float32)


def visual_frames(path, interval):
    """uint8 [n, 224, 224, 3] RGB frames the reference loop picks."""
    import cv2
    cap = cv2.VideoCapture(path)
    last, pos, out = -99999, 0, []
    while True:
        while pos < last + interval:
            ok, _ = cap.read()
            if not ok:
                return np.array(out, dtype=np.uint8)
            pos = cap.get(cv2.CAP_PROP_POS_MSEC)
        last = pos
        ok, frame = cap.read()
        if not ok:
            return np.array(out, dtype=np.uint8)
        pos = cap.get(cv2.CAP_PROP_POS_MSEC)
        out.append(cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), (224, 224)))


def write_weights(kind, seed, wdir):
    """Seeded random weights for `kind` written in the published layout into wdir by
    the CNN issue's generator (cnn_weights.py: VGGish a TF1 V1 checkpoint, the others
    Keras HDF5); returns them as cnn_ref takes them."""
    import cnn_ref
    import cnn_weights
    values = cnn_weights.write_random(kind, seed, os.path.join(wdir, WEIGHT_FILES[kind]))
    return cnn_ref.by_layer(kind, values)


def embed(kind, W, x):
    """float64 [n, D] embeddings of patches (audio) or uint8 frames (visual)."""
    import torch
    import cnn_ref
    Wt = cnn_ref.flat(W)
    with torch.no_grad():
        if kind == "vggish":
            return cnn_ref.vggish(Wt, x).numpy()
        if kind == "yamnet":
            return cnn_ref.yamnet(Wt, x).numpy()
        if kind == "vgg16":
            return cnn_ref.vgg16(Wt, cnn_ref.vgg16_frontend(x)).numpy()
        return cnn_ref.effnet(Wt, x).numpy()


def read_embedding(path):
    """(filename, label, audio [Ta, Da], visual [Tv, Dv]) of a one-record GZIP TFRecord,
    through the independent reader tfrecord_ref.py (CRCs and AVMIT keys checked)."""
    import tfrecord_ref
    with gzip.open(path, "rb") as f:
        recs = tfrecord_ref.read_records(f.read())
    if len(recs) != 1:
        raise ValueError("%s: %d records" % (path, len(recs)))
    return tfrecord_ref.embedding_arrays(recs[0])
