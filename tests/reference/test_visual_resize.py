"""test_visual_resize.py — avmit_resize_linear_u8 against cv2.resize (FEATURES.md §7.3).

Fact checked: for random uint8 images of many sizes (odd, tiny 1x1 / 2x3, 1-pixel
rows and columns, upscaling, exact 2x downscaling, 1280x720, the 224x224 identity)
and 1, 3 and 4 channels, avmit's INTER_LINEAR resize to 224x224 equals
cv2.resize(img, (224, 224)) bit for bit. Other output sizes (narrow rows whose
width is not a multiple of 16, where OpenCV's scalar row tail runs) are checked too.
Oracle: Debian's python3-opencv; the C side runs through tests/tools/avmit_resize.
"""
import os
import subprocess
import sys

try:
    import numpy as np
    import cv2
except ImportError as e:
    print(f"skipped: python3-opencv/numpy not installed ({e})")
    sys.exit(77)

TOOL = os.path.join(os.environ["AVMIT_TOOLS"], "avmit_resize")
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-visual-resize")
os.makedirs(TMP, exist_ok=True)
rng = np.random.default_rng(2024)
failures = 0

# (h, w, channels)
SIZES_224 = [(1, 1, 3), (2, 3, 3), (3, 2, 3), (1, 7, 3), (9, 1, 3), (5, 5, 3), (17, 31, 3),
             (100, 223, 3), (223, 225, 3), (224, 224, 3), (225, 224, 3), (360, 640, 3),
             (720, 1280, 3), (448, 448, 3), (480, 854, 3), (239, 321, 3), (112, 112, 3),
             (300, 200, 1), (57, 89, 4), (224, 448, 3), (1080, 1920, 3)]
# other output sizes: (dst_w, dst_h, [(h, w, c), ...])
OTHER = [(7, 5, [(13, 11, 3), (3, 2, 3)]), (37, 19, [(100, 50, 3), (10, 10, 1)]),
         (13, 29, [(64, 48, 4), (5, 3, 3)]), (224, 160, [(360, 640, 3)]),
         (1, 1, [(4, 4, 3)]), (3, 300, [(2, 2, 1)])]
# every row width from 1 to 40 values (1 channel) and 1 to 20 pixels (3 channels)
OTHER += [(w, 3, [(7, 11, 1)]) for w in range(1, 41)]
OTHER += [(w, 2, [(5, 9, 3)]) for w in range(1, 21)]


def run_case(dst_w, dst_h, shapes, tag):
    global failures
    args = [TOOL, str(dst_w), str(dst_h)]
    imgs = []
    for i, (h, w, c) in enumerate(shapes):
        img = rng.integers(0, 256, (h, w, c), dtype=np.uint8)
        if i % 3 == 1:  # smooth images exercise the rounding of mid-range sums too
            yy, xx = np.mgrid[0:h, 0:w]
            img = ((xx * 7 + yy * 3) % 256).astype(np.uint8)[:, :, None].repeat(c, 2)
        if c == 1:
            img = img[:, :, 0]
        inp = os.path.join(TMP, f"{tag}_{i}_in.npy")
        out = os.path.join(TMP, f"{tag}_{i}_out.npy")
        np.save(inp, img)
        args += [inp, out]
        imgs.append((img, out))
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: avmit_resize:", r.stderr)
        failures += 1
        return
    for (img, out), shp in zip(imgs, shapes):
        want = cv2.resize(np.ascontiguousarray(img), (dst_w, dst_h))
        got = np.load(out)
        if got.shape != want.shape or not np.array_equal(got, want):
            n = int((got != want).sum()) if got.shape == want.shape else -1
            print(f"FAIL: resize {shp} -> {dst_w}x{dst_h}: {n} values differ from cv2.resize")
            failures += 1
        else:
            print(f"ok: resize {shp} -> {dst_w}x{dst_h} equals cv2.resize")


run_case(224, 224, SIZES_224, "s224")
for dw, dh, shapes in OTHER:
    run_case(dw, dh, shapes, f"s{dw}x{dh}")
print("failures:", failures)
sys.exit(1 if failures else 0)
