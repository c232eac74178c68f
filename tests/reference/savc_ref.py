"""savc_ref.py — an independent NumPy (float64) inference forward of the SAVC
model (SPEC.md §4 experiment 2, Keras semantics), written from SPEC.md and
FORMATS.md §5.3-5.4, for parity tests of imported weights.

Weights come as {layer name: {attribute: array}} in Keras shapes, e.g.
w["audio_Dense_1"]["kernel"] (D_a, 128), w["gru"]["bias"] (2, 3u), as
exp1_ref.keras_layers() (TF2 checkpoints read by tfckpt_ref.py) or
h5_weights() (h5py) give them.

Per timestep, each stream: Dense -> Dense (no activations) -> L2 normalise
(x / sqrt(max(sum x^2, 1e-12)), tf.math.l2_normalize); distance
sqrt(max(sum (a - v)^2, 1e-7)) -> a 1-feature sequence; one RNN (SimpleRNN
tanh, GRU reset_after with gates z, r, h and two bias rows, LSTM i, f, c, o;
exp1_ref.rnn_last) from a zero state, last state; Dense(2); softmax.
Inputs are zero-padded to T steps and not masked. Inference: no dropout.
"""
import numpy as np

from exp1_ref import rnn_last

L2_EPS, DIST_FLOOR = 1e-12, 1e-7
RNNS = ("simple_rnn", "gru", "lstm")


def h5_weights(f):
    """{layer: {attr: float64 array}} of an open h5py File (Keras weights file)."""
    out = {}
    for ln in f.attrs["layer_names"]:
        ln = ln.decode() if isinstance(ln, bytes) else ln
        for wn in f[ln].attrs["weight_names"]:
            wn = wn.decode() if isinstance(wn, bytes) else wn
            out.setdefault(ln, {})[wn.split("/")[-1].split(":")[0]] = np.asarray(f[ln][wn][()], np.float64)
    return out


def tower(w, mod, x):
    """[B, T, D] -> L2-normalised [B, T, E] of one stream."""
    d1, d2 = w[mod + "_Dense_1"], w[mod + "_Dense_2"]
    y = (x @ d1["kernel"] + d1["bias"]) @ d2["kernel"] + d2["bias"]
    return y / np.sqrt(np.maximum((y * y).sum(axis=2, keepdims=True), L2_EPS))


def forward(w, xa, xv):
    """Probabilities [B, 2] (column 1 = congruent) for audio xa [B, T, D_a] and
    visual xv [B, T, D_v], both already zero-padded to T."""
    a = tower(w, "audio", np.asarray(xa, np.float64))
    v = tower(w, "visual", np.asarray(xv, np.float64))
    d = np.sqrt(np.maximum(((a - v) ** 2).sum(axis=2, keepdims=True), DIST_FLOOR))
    kind = [k for k in RNNS if k in w][0]
    h = rnn_last(kind, d, w[kind]["kernel"], w[kind]["recurrent_kernel"], w[kind]["bias"])
    logits = h @ w["dense_4"]["kernel"] + w["dense_4"]["bias"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
