#!/usr/bin/python3
"""cnn_weights.py — seeded random weights in the published file layout of
each embedding CNN (docs/cnn-weights.md), written independently of avmit:
h5py for the Keras files (attributes as Keras' save_weights writes them),
tfckpt_v1_ref for VGGish's V1 checkpoint, tfckpt_ref for the TF2 bundle.

    cnn_weights.py --model M --seed S -o FILE [--format v1|tf2]

Importable: write_random(model, seed, path, fmt=None) -> {weight name: array}
(the stored names: "vggish/conv1/weights", "layer1/conv/kernel:0", ...), and
read_weights(path) -> {name: array} for any of the three layouts.

Values: kernels ~ N(0, 2/fan_in) (He), so activations keep their scale through
the deep graphs; biases / BN beta and mean ~ N(0, 0.1); gamma ~ U(0.8, 1.2);
moving variance ~ U(0.5, 1.5) (> 0); EfficientNet's normalization holds the
published mean/variance constants (FEATURES.md §9.1) and count 0.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_layouts as L  # noqa: E402
import tfckpt_ref  # noqa: E402
import tfckpt_v1_ref  # noqa: E402

NORM_MEAN = [0.485, 0.456, 0.406]
NORM_VARIANCE = [0.229, 0.224, 0.225]


def random_value(rng, name, shape, dtype):
    base = name.rsplit("/", 1)[-1].split(":")[0]
    if dtype == L.I64:
        return np.zeros(shape, dtype)
    if name.startswith("normalization/"):
        return np.array(NORM_MEAN if base == "mean" else NORM_VARIANCE, "<f4")
    if len(shape) >= 2:  # kernel: fan_in = all but the last axis (depthwise: kh*kw)
        fan_in = int(np.prod(shape[:-1])) if shape[-1] != 1 or len(shape) != 4 \
            else shape[0] * shape[1]
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype("<f4")
    if base == "gamma":
        return rng.uniform(0.8, 1.2, shape).astype("<f4")
    if base == "moving_variance":
        return rng.uniform(0.5, 1.5, shape).astype("<f4")
    return (rng.standard_normal(shape) * 0.1).astype("<f4")


def random_weights(model, seed):
    """[(layer, name, array)] in file order."""
    rng = np.random.default_rng(seed)
    return [(layer, name, random_value(rng, name, shape, dt))
            for layer, name, shape, dt in L.tensors(model)]


def write_keras_h5(path, layout, values, attrs):
    """Keras save_weights: root layer_names (+ backend, keras_version), one group
    per layer with weight_names and one dataset per weight."""
    import h5py
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.attrs["layer_names"] = np.array([l.encode("utf8") for l, _ in layout])
        if attrs is not None:  # Keras 2: bytes scalars; Keras 1 files have neither
            f.attrs["backend"] = attrs["backend"].encode("utf8")
            f.attrs["keras_version"] = attrs["keras_version"].encode("utf8")
        order = sorted(layout, key=lambda x: x[0]) if attrs is not None else layout
        for layer, ws in order:
            g = f.create_group(layer)
            names = [w.encode("utf8") for w, _, _ in ws]
            g.attrs["weight_names"] = np.asarray(names)  # [] -> empty float64, as Keras
            for w, _, _ in ws:
                v = values[w]
                d = g.create_dataset(w, v.shape, dtype=v.dtype)
                if v.shape:
                    d[:] = v
                else:
                    d[()] = v
    os.replace(tmp, path)


def write_random(model, seed, path, fmt=None):
    """Write seeded random weights for `model` at `path` in its published layout
    (VGGish: fmt "v1" (default) or "tf2", path = the prefix). Returns {name: array}."""
    ws = random_weights(model, seed)
    values = {name: a for _, name, a in ws}
    if model == "vggish":
        if fmt in (None, "v1"):
            tfckpt_v1_ref.write_v1(path, values)
        elif fmt == "tf2":
            tfckpt_ref.write_checkpoint(path, values)
        else:
            raise ValueError("format %r: vggish is written as v1 or tf2" % fmt)
    else:
        if fmt not in (None, "h5"):
            raise ValueError("format %r: %s is a Keras HDF5 file" % (fmt, model))
        write_keras_h5(path, L.layout(model), values, L.KERAS_ATTRS[model])
    return values


def read_keras_h5(path):
    """{weight name: array} plus the layer list [(layer, [names])], by Keras' rules."""
    import h5py
    out, layers = {}, []
    with h5py.File(path, "r") as f:
        for ln in f.attrs["layer_names"]:
            ln = ln.decode() if isinstance(ln, bytes) else str(ln)
            g = f[ln]
            wn = g.attrs["weight_names"]
            names = [w.decode() if isinstance(w, bytes) else str(w) for w in wn] if wn.size else []
            for w in names:
                out[w] = g[w][()]
            layers.append((ln, names))
    return out, layers


def read_weights(path):
    with open(path if os.path.exists(path) else path + ".index", "rb") as f:
        head = f.read(8)
    if head == b"\x89HDF\r\n\x1a\n":
        return read_keras_h5(path)[0]
    if os.path.exists(path + ".index"):
        return tfckpt_ref.read_checkpoint(path)[2]
    return tfckpt_v1_ref.read_v1(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, choices=L.MODELS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=["v1", "tf2", "h5"])
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    v = write_random(a.model, a.seed, a.output, a.format)
    print("%s: %d tensors, %d parameters" % (a.output, len(v),
                                              sum(int(np.size(x)) for x in v.values())))


if __name__ == "__main__":
    main()
