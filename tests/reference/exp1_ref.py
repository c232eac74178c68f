"""exp1_ref.py — an independent NumPy (float64) inference forward of the
experiment-1 model (SPEC.md §4, Keras semantics), written from SPEC.md and
FORMATS.md §5.4, for parity tests of imported weights.

Weights come as {layer name: {attribute: array}} in Keras shapes, e.g.
w["audio_bottleneck"]["kernel"] (1, 1, D_a, nb), w["gru"]["bias"] (2, 3u), as
tfckpt_ref.keras_layers() or h5py give them.

Per timestep: Dense via the 1x1 kernel, BatchNormalization with the moving
statistics (epsilon 1e-3), swish or relu; concatenate audio then visual; one
RNN (SimpleRNN tanh; GRU reset_after=True, gates z, r, h, two bias rows;
LSTM gates i, f, c, o; recurrent activation sigmoid), last state from zero
initial state; Dense; softmax. Inference: no dropout.
"""
import numpy as np

AR_LAYERS = ["audio_bottleneck", "visual_bottleneck", "audio_bn", "visual_bn", None, "dense"]


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def keras_layers(entries, values, names):
    """{layer: {attr: float64 array}} from tfckpt_ref.read_checkpoint output:
    layer_with_weights-N keys (no optimizer slots), layer named by the object
    graph's full_name."""
    out = {}
    for key, arr in values.items():
        if not key.startswith("layer_with_weights-") or ".OPTIMIZER_SLOT" in key:
            continue
        full = names[key]                       # e.g. "gru/gru_cell/kernel"
        layer, attr = full.split("/")[0], full.split("/")[-1]
        out.setdefault(layer, {})[attr] = np.asarray(arr, dtype=np.float64)
    return out


def rnn_last(kind, x, k, r, b):
    """x [B, T, D] -> last hidden state [B, H]."""
    B, T, _ = x.shape
    H = r.shape[0]
    h = np.zeros((B, H))
    c = np.zeros((B, H))
    for t in range(T):
        xt = x[:, t, :]
        if kind == "simple_rnn":
            h = np.tanh(xt @ k + h @ r + b)
        elif kind == "gru":
            xi = xt @ k + b[0]                   # input projection + input bias
            hr = h @ r + b[1]                    # recurrent projection + recurrent bias
            z = sigmoid(xi[:, :H] + hr[:, :H])
            rr = sigmoid(xi[:, H:2 * H] + hr[:, H:2 * H])
            hh = np.tanh(xi[:, 2 * H:] + rr * hr[:, 2 * H:])
            h = z * h + (1 - z) * hh
        elif kind == "lstm":
            g = xt @ k + h @ r + b
            i, f = sigmoid(g[:, :H]), sigmoid(g[:, H:2 * H])
            cc, o = np.tanh(g[:, 2 * H:3 * H]), sigmoid(g[:, 3 * H:])
            c = f * c + i * cc
            h = o * np.tanh(c)
        else:
            raise ValueError(kind)
    return h


def forward(w, x, d_audio, act="swish", eps=1e-3):
    """Probabilities [B, K] for inputs x [B, T, D_a + D_v] (audio columns first)."""
    x = np.asarray(x, dtype=np.float64)
    branches = []
    for mod, lo, hi in (("audio", 0, d_audio), ("visual", d_audio, x.shape[2])):
        dense, bn = w[mod + "_bottleneck"], w[mod + "_bn"]
        y = x[:, :, lo:hi] @ dense["kernel"][0, 0] + dense["bias"]
        y = (y - bn["moving_mean"]) / np.sqrt(bn["moving_variance"] + eps) * bn["gamma"] \
            + bn["beta"]
        y = y * sigmoid(y) if act == "swish" else np.maximum(y, 0)
        branches.append(y)
    z = np.concatenate(branches, axis=2)
    kind = [k for k in ("simple_rnn", "gru", "lstm") if k in w][0]
    h = rnn_last(kind, z, w[kind]["kernel"], w[kind]["recurrent_kernel"], w[kind]["bias"])
    logits = h @ w["dense"]["kernel"] + w["dense"]["bias"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
