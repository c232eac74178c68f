"""test_npy.py — avmit's .npy reader and writer against numpy (FORMATS.md §9).

numpy writes arrays of several dtypes, shapes, byte orders and memory orders;
`avmit tfrecord write` reads them (converting to float32) and `avmit tfrecord
dump` writes them back. Checks: the round trip equals arr.astype(float32); the
.npy files avmit writes load in numpy AND are byte-identical to numpy.save of
the same float32 array; arrays avmit must refuse (not 2-D, object, complex,
corrupt) give exit 1 and a message naming the file and the problem.
"""
import io
import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("skipped: numpy not installed")
    sys.exit(77)

AVMIT = os.environ["AVMIT"]
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-npy")
os.makedirs(TMP, exist_ok=True)
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    return subprocess.run([AVMIT, *args], capture_output=True, text=True)


def path(name):
    return os.path.join(TMP, name)


def npsave_bytes(arr):
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


rng = np.random.default_rng(7)
cases = {
    "f4_c": rng.standard_normal((6, 1024)).astype("<f4"),
    "f4_be": rng.standard_normal((3, 128)).astype(">f4"),
    "f8_fortran": np.asfortranarray(rng.standard_normal((7, 1280))),
    "f8_be_fortran": np.asfortranarray(rng.standard_normal((4, 5)).astype(">f8")),
    "i2_be": rng.integers(-300, 300, (2, 9)).astype(">i2"),
    "i4": rng.integers(-10**6, 10**6, (3, 4)).astype("<i4"),
    "i8_fortran": np.asfortranarray(rng.integers(-99, 99, (5, 3)).astype("<i8")),
    "u1": rng.integers(0, 255, (2, 2)).astype("u1"),
    "i1": rng.integers(-128, 127, (2, 3)).astype("i1"),
    "u2": rng.integers(0, 60000, (2, 3)).astype("<u2"),
    "u4_be": rng.integers(0, 2**31, (2, 3)).astype(">u4"),
    "u8": rng.integers(0, 2**40, (2, 3)).astype("<u8"),
    "b1": rng.integers(0, 2, (3, 3)).astype(bool),
    "one_row": np.array([[1.5, -2.25, 3.0]], dtype="<f4"),
}
# A header numpy writes in version 2.0 (more than 65535 bytes of header is needed
# for that only with huge dtypes; force it through the public API instead).
v2 = path("v2.npy")
with open(v2, "wb") as f:
    np.lib.format.write_array(f, rng.standard_normal((2, 3)).astype("<f4"), version=(2, 0))
visual = path("visual.npy")
np.save(visual, rng.standard_normal((6, 1280)).astype("<f4"))

for name, arr in cases.items():
    src = path(name + ".npy")
    np.save(src, arr)
    out = path(name + ".tfrecord")
    r = run("tfrecord", "write", "--filename", "barking/x.mp4", "--label", "barking",
            "--audio", src, "--visual", visual, "-o", out)
    check(r.returncode == 0, f"{name}: write exit {r.returncode}: {r.stderr}")
    back = path(name + ".back.npy")
    r = run("tfrecord", "dump", out, "--audio", back)
    check(r.returncode == 0, f"{name}: dump exit {r.returncode}: {r.stderr}")
    if r.returncode:
        continue
    want = np.ascontiguousarray(arr.astype("<f4"))
    got = np.load(back)
    check(got.dtype == np.dtype("<f4") and got.shape == want.shape,
          f"{name}: dumped dtype/shape {got.dtype} {got.shape}")
    check(np.array_equal(got, want), f"{name}: values differ after write/dump")
    check(open(back, "rb").read() == npsave_bytes(want),
          f"{name}: dumped .npy is not byte-identical to numpy.save")

# version 2.0 input
r = run("tfrecord", "write", "--filename", "barking/x.mp4", "--label", "barking",
        "--audio", v2, "--visual", visual, "-o", path("v2.tfrecord"))
check(r.returncode == 0, f"v2.0 header rejected: {r.stderr}")

# The visual stream also round-trips byte-identically.
r = run("tfrecord", "dump", path("f4_c.tfrecord"), "--visual", path("vis.back.npy"))
check(r.returncode == 0 and open(path("vis.back.npy"), "rb").read() == open(visual, "rb").read(),
      "visual dump differs from the numpy.save input")
check("filename: barking/x.mp4" in r.stdout and "label: barking" in r.stdout,
      f"dump does not print filename/label: {r.stdout}")


def expect_reject(name, data_or_arr, needle, **save_kw):
    src = path(name + ".npy")
    if isinstance(data_or_arr, bytes):
        open(src, "wb").write(data_or_arr)
    else:
        np.save(src, data_or_arr, **save_kw)
    r = run("tfrecord", "write", "--filename", "barking/x.mp4", "--label", "barking",
            "--audio", src, "--visual", visual, "-o", path(name + ".tfrecord"))
    check(r.returncode == 1, f"{name}: exit {r.returncode}, expected 1")
    check(src in r.stderr and needle in r.stderr, f"{name}: message {r.stderr!r} lacks {needle!r}")
    check(not os.path.exists(path(name + ".tfrecord")), f"{name}: output written on error")


expect_reject("three_d", np.zeros((2, 3, 4), "<f4"), "found shape (2, 3, 4)")
expect_reject("one_d", np.zeros((5,), "<f4"), "found shape (5)")
expect_reject("scalar", np.float32(1.0), "found shape ()")
expect_reject("object", np.array([[1, "a"]], dtype=object), "object", allow_pickle=True)
expect_reject("complex", np.zeros((2, 2), np.complex64), "complex")
expect_reject("unicode", np.array([["ab"]]), "string")
expect_reject("float16", np.zeros((2, 2), np.float16), "'<f2'")
good = npsave_bytes(np.zeros((2, 2), "<f4"))
expect_reject("short", good[:-3], "expected 16 data bytes")
expect_reject("trailing", good + b"\0", "found 17")
expect_reject("magic", b"\x93NUMPZ" + good[6:], "magic")
expect_reject("nan", np.array([[1.0, np.nan]], "<f4"), "non-finite")

if failures:
    print(f"test_npy.py: {failures} checks FAILED", file=sys.stderr)
    sys.exit(1)
print("test_npy.py: all checks passed")
