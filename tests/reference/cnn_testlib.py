"""cnn_testlib.py — the CNN parity checks shared by test_cnn_parity_audio.py and
test_cnn_parity_visual.py (issue 13).

For each network: random weights in the published layout (cnn_weights.py: VGGish a
TF1 V1 checkpoint, and once more as a TF2 bundle; the others Keras HDF5 via h5py), a real-scale input (log-mel values ln(mel + offset); uint8 frames through
the model's preprocessing), the PyTorch oracle in float64 (cnn_ref), and the C side
through tests/tools/avmit_cnn_tool. Facts checked, each printed with its figure:
  1. fp32, BN folded:      max|avmit - ref| <= 1e-4 * max|ref|
  2. fp32, BN not folded:  the same bound (networks with BN)
  3. threads 1 vs 2:       identical bits (fp32)
  4. batch 1 vs batch n:   max|diff| <= 1e-6 * max|out| (printed: bit-identical or not)
  5. magnitudes sane:      every value finite; where ReLU precedes the global average
     pool (YAMNet, VGG16) every embedding value >= 0; where swish precedes it
     (EfficientNetB0) every value >= min swish = -0.278465 (a mean of values each
     >= that minimum); VGGish (pre-activation dense output): finite only
  6. bf16: where the CPU has AVX512_BF16/AMX, cosine(bf16, fp32) >= 0.999 per
     embedding; elsewhere the tool must say that bf16 is unavailable and run fp32
     (bit-identical to the fp32 run)
The 1e-4 bound: fp32 accumulation over up to 12288 products (VGGish fc1) and 16
layers, relative to the largest output; measured errors are ~1e-6 (printed).
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_testlib import require_torch_and_tool  # noqa: E402

np, torch, TOOLS = require_torch_and_tool("avmit_cnn_tool")
try:
    import torchvision  # noqa: F401
    import h5py  # noqa: F401
except ImportError as e:
    print(f"skipped: python3-torchvision / python3-h5py not installed ({e})")
    sys.exit(77)
import cnn_ref  # noqa: E402
import cnn_weights  # noqa: E402

TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-cnn-parity")
os.makedirs(TMP, exist_ok=True)
SWISH_MIN = -0.2784645427610738
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def write_weights(kind, seed, fmt=None):
    """Random weights in the published layout (cnn_weights.py, independent of avmit);
    returns (path, {layer: [(name, array)]}). EfficientNet: the normalization layer's
    mean/variance are then perturbed (the file's statistics differ from the constants
    the front end used), which exercises the graph's input rescaling."""
    name = {"vggish": "vggish_model.ckpt", "yamnet": "yamnet.h5", "vgg16": "vgg16_notop.h5",
            "efficientnetb0": "efficientnetb0_notop.h5"}[kind]
    path = os.path.join(TMP, name + ("." + fmt if fmt else ""))
    values = cnn_weights.write_random(kind, seed, path, fmt)
    if kind == "efficientnetb0":
        import h5py
        rng = np.random.default_rng(seed)
        with h5py.File(path, "r+") as f:
            for w, lo, hi in (("mean:0", -0.02, 0.02), ("variance:0", 0.9, 1.1)):
                d = f["normalization"]["normalization/" + w]
                a = d[()] + rng.uniform(lo, hi, 3) if w.startswith("mean") else d[()] * rng.uniform(lo, hi, 3)
                d[...] = a.astype(np.float32)
                values["normalization/" + w] = d[()]
    return path, cnn_ref.by_layer(kind, values)


def run_tool(kind, weights, x, tag, *opts):
    xin, yout = os.path.join(TMP, f"{kind}_x.npy"), os.path.join(TMP, f"{kind}_{tag}.npy")
    np.save(xin, x)
    r = subprocess.run([os.path.join(TOOLS, "avmit_cnn_tool"), kind, weights, xin, yout] + list(opts),
                       capture_output=True, text=True)
    if r.returncode != 0:
        check(False, f"{kind} {tag}: avmit_cnn_tool failed: {r.stderr.strip()}")
        return None, r.stdout
    return np.load(yout), r.stdout


def inputs(kind, n, rng):
    if kind in ("vggish", "yamnet"):
        off = 0.01 if kind == "vggish" else 0.001
        return np.log(rng.gamma(0.5, 2.0, (n, 96, 64)) + off).astype(np.float32), None
    u8 = rng.integers(0, 256, (n, 224, 224, 3), dtype=np.uint8)
    if kind == "vgg16":
        return cnn_ref.vgg16_frontend(u8), u8
    return cnn_ref.effnet_frontend(u8), u8


def reference(kind, W, x, u8):
    Wt = cnn_ref.flat(W)
    with torch.no_grad():
        if kind == "vggish":
            return cnn_ref.vggish(Wt, x).numpy()
        if kind == "yamnet":
            return cnn_ref.yamnet(Wt, x).numpy()
        if kind == "vgg16":
            return cnn_ref.vgg16(Wt, x).numpy()
        return cnn_ref.effnet(Wt, u8).numpy()


def parity(kind, n, seed):
    rng = np.random.default_rng(seed)
    weights, W = write_weights(kind, seed)
    x, u8 = inputs(kind, n, rng)
    ref = reference(kind, W, x, u8)
    scale = np.abs(ref).max()
    has_bn = kind in ("yamnet", "efficientnetb0")
    y, _ = run_tool(kind, weights, x, "fold", "fold=1", "threads=2", f"batch={n}")
    if y is None:
        return
    err = np.abs(y - ref).max()
    check(err <= 1e-4 * scale, f"{kind}: fp32 folded max|diff| {err:.3g} <= 1e-4 * max|ref| {scale:.3g} (rel {err / scale:.2e})")
    if kind == "vggish":  # the same weights as a TF2 bundle give the same bits
        w2, _ = write_weights(kind, seed, "tf2")
        y2, _ = run_tool(kind, w2, x, "tf2", "fold=1", "threads=2", f"batch={n}")
        if y2 is not None:
            check(np.array_equal(y2, y), f"{kind}: TF2 bundle and V1 checkpoint give identical outputs")
    if has_bn:
        yu, _ = run_tool(kind, weights, x, "nofold", "fold=0", "threads=2", f"batch={n}")
        if yu is not None:
            e2 = np.abs(yu - ref).max()
            check(e2 <= 1e-4 * scale, f"{kind}: fp32 BN not folded max|diff| {e2:.3g} (rel {e2 / scale:.2e})")
    y1, _ = run_tool(kind, weights, x, "t1", "fold=1", "threads=1", f"batch={n}")
    if y1 is not None:
        check(np.array_equal(y1, y), f"{kind}: threads 1 and 2 give identical bits")
    yb, _ = run_tool(kind, weights, x, "b1", "fold=1", "threads=2", "batch=1")
    if yb is not None:
        d = np.abs(yb - y).max()
        check(d <= 1e-6 * np.abs(y).max(),
              f"{kind}: batch 1 vs {n}: max|diff| {d:.3g} ({'bit-identical' if d == 0 else 'not bit-identical'})")
    check(np.isfinite(y).all(), f"{kind}: all {y.size} outputs finite")
    if kind in ("yamnet", "vgg16"):
        check(y.min() >= 0, f"{kind}: GAP after ReLU: min output {y.min():.3g} >= 0")
    if kind == "efficientnetb0":
        check(y.min() >= SWISH_MIN, f"{kind}: GAP after swish: min output {y.min():.3g} >= {SWISH_MIN:.6f}")
    yh, out = run_tool(kind, weights, x, "bf16", "precision=bf16", "threads=2", f"batch={n}")
    if yh is not None:
        if "precision=bf16" in out:
            cos = (yh * y).sum(1) / (np.linalg.norm(yh, axis=1) * np.linalg.norm(y, axis=1))
            check(cos.min() >= 0.999, f"{kind}: bf16 cosine to fp32 min {cos.min():.6f} >= 0.999")
        else:
            check("neither AMX nor AVX512_BF16" in out and np.array_equal(yh, y),
                  f"{kind}: bf16 unavailable on this CPU: said so ({out.strip()}) and ran fp32")


def main(kinds):
    for kind, n, seed in kinds:
        parity(kind, n, seed)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")
