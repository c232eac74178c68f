"""bench_extract_ref.py SET CLIPS_DIR THREADS — the reference extraction pipeline,
timed over every video under CLIPS_DIR, for bench/bench_extract.sh:

  audio:  pydub AudioSegment.from_file -> set_channels(1) -> set_sample_width(2)
          -> float32 / 32768 -> resampy.resample(x, sr, 16000) (kaiser_best)
          -> the NumPy log-mel reference (tests/reference/audio_ref.py)
          -> PyTorch VGGish / YAMNet (cnn_ref.py statements, float32);
  visual: extract_features.py's cv2.VideoCapture loop + cvtColor + cv2.resize
          -> Keras preprocessing in NumPy -> PyTorch VGG16 / EfficientNetB0
          (torchvision with FEATURES.md §10's fixes, float32).

Stronger than the paper's script, which ran each frame alone: each video's
frames and patches go through the CNN as one batch, and one warm-up video
(resampy's numba compilation, torch's first calls) is not timed. torch uses
THREADS threads.
Prints "videos N seconds S videos/hour H" and per-stage seconds."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "reference"))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import resampy  # noqa: E402
from pydub import AudioSegment  # noqa: E402

import audio_ref as R  # noqa: E402
import cnn_ref  # noqa: E402
import extract_ref as X  # noqa: E402

set_name, clips, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
audio_net, visual_net, interval = X.SETS[set_name]
import cnn_weights  # noqa: E402


def weights(kind, seed):  # the values do not matter for speed
    return cnn_ref.flat(cnn_ref.by_layer(kind, {n: a for _, n, a in
                                               cnn_weights.random_weights(kind, seed)}), np.float32)


Wa, Wv = weights(audio_net, 1), weights(visual_net, 2)
if visual_net == "vgg16":
    m = cnn_ref.vgg16_model(Wv, torch.float32)
    visual = lambda x: m.features(x).mean((2, 3))  # noqa: E731
    MEAN = np.array([103.939, 116.779, 123.68], np.float32)

    def pre(u8):  # caffe: RGB -> BGR minus the ImageNet means
        return u8[..., ::-1].astype(np.float32) - MEAN
else:
    m = cnn_ref.effnet_model(Wv, torch.float32)
    visual = lambda x: m.avgpool(m.features(x)).flatten(1)  # noqa: E731
    MEAN = np.array([0.485, 0.456, 0.406], np.float32)
    STD = np.sqrt(np.array([0.229, 0.224, 0.225], np.float32))

    def pre(u8):  # Rescaling(1/255) + Normalization (TF 2.3)
        return (u8.astype(np.float32) / 255.0 - MEAN) / STD
audio = (lambda x: cnn_ref.vggish(Wa, x)) if audio_net == "vggish" else \
    (lambda x: cnn_ref.yamnet(Wa, x))


def audio_chain(path):
    seg = AudioSegment.from_file(path)
    seg = seg.set_channels(1).set_sample_width(2)
    x = np.array(seg.get_array_of_samples(), dtype=np.float32) / 32768.0
    if seg.frame_rate != 16000:
        x = resampy.resample(x, seg.frame_rate, 16000)
    return R.logmel_patches(x, audio_net).astype(np.float32)


files = sorted(os.path.join(d, f) for d, _, fs in os.walk(clips) for f in fs)
st = np.zeros(4)
with torch.no_grad():  # warm-up, not timed: resampy's numba JIT, torch's first calls
    audio(torch.from_numpy(audio_chain(files[0])))
    visual(torch.from_numpy(np.ascontiguousarray(
        pre(X.visual_frames(files[0], interval)).transpose(0, 3, 1, 2))))
t0 = time.perf_counter()
with torch.no_grad():
    for path in files:
        a = time.perf_counter()
        patches = audio_chain(path)
        b = time.perf_counter()
        frames = X.visual_frames(path, interval)
        c = time.perf_counter()
        audio(torch.from_numpy(patches))
        d = time.perf_counter()
        visual(torch.from_numpy(np.ascontiguousarray(pre(frames).transpose(0, 3, 1, 2))))
        e = time.perf_counter()
        st += (b - a, c - b, d - c, e - d)
t = time.perf_counter() - t0
n = len(files)
print(f"videos {n} seconds {t:.2f} videos/hour {n * 3600 / t:.0f} threads {threads}; per video: "
      f"audio front end {st[0] / n * 1e3:.0f} ms, visual front end {st[1] / n * 1e3:.0f} ms, "
      f"audio CNN {st[2] / n * 1e3:.0f} ms, visual CNN {st[3] / n * 1e3:.0f} ms")
