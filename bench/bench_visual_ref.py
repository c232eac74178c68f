"""bench_visual_ref.py CLIP INTERVAL_MS SECONDS OUT.npy — the reference visual front
end timed: extract_features.py's cv2.VideoCapture loop (cap.read() for every frame,
CAP_PROP_POS_MSEC, FEATURES.md §6.2) + cv2.cvtColor(BGR2RGB) + cv2.resize to
224x224 for the selected frames. 3 rounds of >= SECONDS each; prints the median
"clips/s <x>" and saves the selected frames of the last clip to OUT.npy."""
import sys
import time

import cv2
import numpy as np


def reference(path, interval):
    cap = cv2.VideoCapture(path)
    last, pos, out = -99999, 0, []
    while True:
        while pos < last + interval:
            ok, _ = cap.read()
            if not ok:
                return out
            pos = cap.get(cv2.CAP_PROP_POS_MSEC)
        last = pos
        ok, frame = cap.read()
        if not ok:
            return out
        pos = cap.get(cv2.CAP_PROP_POS_MSEC)
        out.append(cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), (224, 224)))


clip, interval, seconds, dst = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rates = []
for _ in range(3):
    n, t0 = 0, time.monotonic()
    while True:
        frames = reference(clip, interval)
        n += 1
        t = time.monotonic()
        if t - t0 >= seconds:
            break
    rates.append(n / (t - t0))
np.save(dst, np.array(frames, dtype=np.uint8))
print(f"frames {len(frames)} clips/s {sorted(rates)[1]:.2f} opencv {cv2.__version__} "
      f"threads {cv2.getNumThreads()}")
