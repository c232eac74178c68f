#!/usr/bin/env python3
"""test_savc_parity.py — avmit's SAVC model against an independent PyTorch oracle
that spells out the Keras/TensorFlow semantics by hand (SPEC.md §4 experiment 2,
SAVC/train_with_euclidean_distance.py), in float64.

For SimpleRNN/GRU/LSTM (small shapes) and the paper's VGGish GRU shapes
(D 128/512, E 128, H 256, T 4), on a batch with zero-padded timesteps (which at
init, with zero biases, hit BOTH floors: l2_normalize's 1e-12 and the distance's
1e-7) and a dropout mask with a dropped sample:
  - probabilities at init, with the mask              |diff| <= 1e-5
  - inference probabilities: full forward and embed-once + head  |diff| <= 1e-5
  - the loss at init                                  relative 1e-5
  - every parameter gradient                          max|diff| <= 1e-4 * max|ref|
  - 10 Keras-Adam steps with decoupled weight decay (w -= lr*wd*w before the
    step; eps on sqrt of the UNcorrected v), lr 1e-3, wd 0.1 (large, so the decay
    moves weights ~1e-4*|w| per step, well above the tolerance): each step's loss relative 1e-4, every weight after the steps
    |diff| <= 2e-5
The C side is tests/tools/model_parity.c (--model savc); tensors come back as safetensors (read
here with json + numpy, independently of the C reader).
"""
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_testlib import read_safetensors as _read_st, require_torch_and_tool  # noqa: E402

np, torch, TOOLS = require_torch_and_tool("model_parity")
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-savc-parity")
L2_EPS, DIST_FLOOR, BCE_EPS = 1e-12, 1e-7, 1e-7
B1, B2, ADAM_EPS = 0.9, 0.999, 1e-7
failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def read_safetensors(path):
    return _read_st(path)


class Oracle:
    def __init__(self, rnn, weights):
        self.rnn = rnn
        self.rl = {"SimpleRNN": "simple_rnn", "GRU": "gru", "LSTM": "lstm"}[rnn]
        self.W = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}

    def tower(self, x, mod):
        W = self.W
        h = x @ W[f"{mod}_Dense_1/kernel:0"] + W[f"{mod}_Dense_1/bias:0"]
        h = h @ W[f"{mod}_Dense_2/kernel:0"] + W[f"{mod}_Dense_2/bias:0"]
        ss = (h * h).sum(-1, keepdim=True)
        return h * torch.rsqrt(torch.clamp(ss, min=L2_EPS))  # tf.math.l2_normalize

    def forward(self, xa, xv, mask):
        a, v = self.tower(xa, "audio"), self.tower(xv, "visual")
        ss = ((a - v) ** 2).sum(-1, keepdim=True)
        d = torch.sqrt(torch.clamp(ss, min=DIST_FLOOR))  # [B,T,1]
        if mask is not None:
            d = d * mask[:, None, None]
        rl, W = self.rl, self.W
        K = W[f"{rl}/{rl}_cell/kernel:0"]
        U = W[f"{rl}/{rl}_cell/recurrent_kernel:0"]
        b = W[f"{rl}/{rl}_cell/bias:0"]
        B, T, _ = d.shape
        H = U.shape[0]
        h = torch.zeros(B, H)
        c = torch.zeros(B, H)
        for t in range(T):
            x = d[:, t, :]
            if self.rnn == "SimpleRNN":
                h = torch.tanh(x @ K + b + h @ U)
            elif self.rnn == "GRU":  # reset_after=True, blocks z r h, bias rows input/recurrent
                xi = x @ K + b[0]
                hr = h @ U + b[1]
                z = torch.sigmoid(xi[:, :H] + hr[:, :H])
                r = torch.sigmoid(xi[:, H:2 * H] + hr[:, H:2 * H])
                hh = torch.tanh(xi[:, 2 * H:] + r * hr[:, 2 * H:])
                h = z * h + (1 - z) * hh
            else:  # LSTM blocks i f c o
                g = x @ K + h @ U + b
                i, f = torch.sigmoid(g[:, :H]), torch.sigmoid(g[:, H:2 * H])
                cc, o = torch.tanh(g[:, 2 * H:3 * H]), torch.sigmoid(g[:, 3 * H:])
                c = f * c + i * cc
                h = o * torch.tanh(c)
        logits = h @ W["dense_4/kernel:0"] + W["dense_4/bias:0"]
        return torch.softmax(logits, -1)

    @staticmethod
    def loss(p, y):
        target = torch.stack([1 - y, y], -1).double()  # 1 = congruent = [0, 1]
        pc = torch.clamp(p, BCE_EPS, 1 - BCE_EPS)
        bce = -(target * torch.log(pc + BCE_EPS) + (1 - target) * torch.log(1 - pc + BCE_EPS))
        return bce.mean()


def run_case(name, rnn, da, dv, E, H, T, seed):
    d = os.path.join(TMP, f"savc_parity_{name}")
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(seed)
    B = 6
    xa = rng.normal(size=(B, T, da)).astype(np.float32)
    xv = np.abs(rng.normal(size=(B, T, dv))).astype(np.float32)
    xa[:, T - 1, :] = 0  # audio one step shorter than T for everyone
    xv[1:3, T - 2:, :] = 0  # two visual streams two steps short
    xa[4, T - 2:, :] = 0
    y = np.array([1, 0, 1, 1, 0, 0], dtype=np.int64)
    mask = np.full(B, 1 / 0.9, dtype=np.float32)
    mask[3] = 0.0  # this sample's RNN input is dropped
    np.save(os.path.join(d, "xa.npy"), xa)
    np.save(os.path.join(d, "xv.npy"), xv)
    np.save(os.path.join(d, "y.npy"), y)
    np.save(os.path.join(d, "mask.npy"), mask)
    lr, wd, steps = 1e-3, 1e-1, 10
    cmd = [os.path.join(TOOLS, "model_parity"), "--model", "savc", "--rnn", rnn, "--da", str(da), "--dv", str(dv),
           "--embed", str(E), "--units", str(H), "--T", str(T), "--seed", str(seed),
           "--lr", str(lr), "--wd", str(wd), "--steps", str(steps), "--dir", d]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        check(False, f"{name}: model_parity ran ({r.stderr.strip()})")
        return
    init = read_safetensors(os.path.join(d, "init.safetensors"))
    o = Oracle(rnn, init)
    XA, XV, Y, M = (torch.tensor(xa.astype(np.float64)), torch.tensor(xv.astype(np.float64)),
                    torch.tensor(y), torch.tensor(mask.astype(np.float64)))
    with torch.no_grad():
        p_inf = o.forward(XA, XV, None).numpy()
    for f in ("probs_full", "probs_split"):
        got = np.load(os.path.join(d, f + ".npy"))
        e = np.abs(got - p_inf).max()
        check(e <= 1e-5, f"{name}: inference probabilities ({f}) max|diff| {e:.2e}")
    p = o.forward(XA, XV, M)
    got = np.load(os.path.join(d, "probs_train.npy"))
    e = np.abs(got - p.detach().numpy()).max()
    check(e <= 1e-5, f"{name}: probabilities with the dropout mask max|diff| {e:.2e}")
    loss = Oracle.loss(p, Y)
    l0 = float(np.load(os.path.join(d, "loss0.npy"))[0])
    check(abs(l0 - loss.item()) <= 1e-5 * abs(loss.item()),
          f"{name}: loss {l0:.8f} vs oracle {loss.item():.8f}")
    loss.backward()
    grads = read_safetensors(os.path.join(d, "grads.safetensors"))
    worst = 0.0
    for k, t in o.W.items():
        ref = t.grad.numpy()
        scale = max(np.abs(ref).max(), 1e-12)
        err = np.abs(grads[k] - ref).max() / scale
        worst = max(worst, err)
        if err > 1e-4:
            check(False, f"{name}: gradient {k} rel err {err:.2e}")
    check(worst <= 1e-4, f"{name}: every gradient within 1e-4 of max|ref| (worst {worst:.2e})")
    # Keras Adam with decoupled weight decay, written out, on the same batch.
    W = {k: torch.tensor(v, requires_grad=True) for k, v in init.items()}
    m = {k: torch.zeros_like(v) for k, v in W.items()}
    v2 = {k: torch.zeros_like(v) for k, v in W.items()}
    losses = []
    for t in range(1, steps + 1):
        o.W = W
        loss = Oracle.loss(o.forward(XA, XV, M), Y)
        losses.append(loss.item())
        for w in W.values():
            w.grad = None
        loss.backward()
        alpha = lr * np.sqrt(1 - B2 ** t) / (1 - B1 ** t)
        with torch.no_grad():
            for k, w in W.items():
                w -= lr * wd * w
                g = w.grad
                m[k] = B1 * m[k] + (1 - B1) * g
                v2[k] = B2 * v2[k] + (1 - B2) * g * g
                w -= alpha * m[k] / (torch.sqrt(v2[k]) + ADAM_EPS)
    got_l = np.load(os.path.join(d, "losses.npy"))
    e = max(abs(a - b) / abs(b) for a, b in zip(got_l, losses))
    check(e <= 1e-4, f"{name}: 10 weight-decay Adam steps, losses rel err {e:.2e}")
    final = read_safetensors(os.path.join(d, "final.safetensors"))
    e = max(np.abs(final[k] - W[k].detach().numpy()).max() for k in W)
    check(e <= 2e-5, f"{name}: weights after the steps max|diff| {e:.2e}")
    moved = max(np.abs(final[k] - init[k]).max() for k in W)
    check(moved > 1e-3, f"{name}: the steps moved the weights ({moved:.2e})")


os.makedirs(TMP, exist_ok=True)
run_case("frnn", "SimpleRNN", 6, 5, 4, 8, 4, 11)
run_case("gru", "GRU", 6, 5, 4, 8, 5, 12)
run_case("lstm", "LSTM", 6, 5, 4, 8, 7, 13)
run_case("vggish_gru", "GRU", 128, 512, 128, 256, 4, 14)
sys.exit(1 if failures else 0)
