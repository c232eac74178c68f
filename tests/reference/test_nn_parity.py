#!/usr/bin/env python3
"""test_nn_parity.py — avmit's experiment-1 model against an independent PyTorch
oracle that spells out the Keras semantics by hand (SPEC.md §4), in float64.

For SimpleRNN/GRU/LSTM x relu/swish x (no dropout | a fixed dropout mask), plus an
audio-only and a visual-only model, on a fixed batch with zero-padded timesteps:
  - training-mode probabilities at init           |diff| <= 1e-5 (fp32 forward)
  - the loss at init                               relative 1e-4
  - every parameter gradient                       max|diff| <= 1e-4 * max|ref|
    (the bottleneck biases, whose exact gradient is 0 because BN removes the
    mean, against 1e-7 * the largest gradient of the model: what remains is
    fp32 rounding)
  - 10 Keras-Adam steps (eps on sqrt of the UNcorrected v, lr 1e-3): each
    step's loss relative 1e-4, every parameter and BN moving statistic after
    the steps |diff| <= 1e-5 (the bottleneck biases: bounded drift, see below)
  - inference-mode probabilities (moving statistics) after the steps |diff| <= 1e-5
The C side is tests/tools/model_parity.c (--model exp1); weights and gradients come back as
safetensors (read here with json + numpy, independently of the C reader).
Oracle details that differ from PyTorch defaults: GRU gates z,r,h with
reset_after (r multiplies U_h h + b_rec_h), BN eps 1e-3 with batch statistics
over B*T and biased variance, probabilities divided by their sum and clipped to
[1e-7, 1-1e-7] before the log, Keras Adam written out.
"""
import json
import os
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_testlib import read_safetensors as _read_st, require_torch_and_tool  # noqa: E402

np, torch, TOOLS = require_torch_and_tool("model_parity")
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-nn-parity")
BN_EPS, MOMENTUM, CLIP = 1e-3, 0.99, 1e-7
B1, B2, ADAM_EPS = 0.9, 0.999, 1e-7


def read_safetensors(path):
    return _read_st(path, require_f32=True)


def write_npy(path, a):
    np.save(path, a)


class Oracle:
    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.W = {k: torch.tensor(v, requires_grad=not ("moving" in k)) for k, v in weights.items()}
        self.rl = {"SimpleRNN": "simple_rnn", "GRU": "gru", "LSTM": "lstm"}[cfg["rnn"]]

    def trainable(self):
        return {k: v for k, v in self.W.items() if "moving" not in k}

    def forward(self, x, mask, training):
        c, W = self.cfg, self.W
        parts, col = [], 0
        for mod, dim in (("audio", c["da"]), ("visual", c["dv"])):
            if not dim:
                continue
            xs = x[:, :, col:col + dim]
            col += dim
            kern = W[f"{mod}_bottleneck/kernel:0"][0, 0]
            pre = xs @ kern + W[f"{mod}_bottleneck/bias:0"]
            mm, mv = W[f"{mod}_bn/moving_mean:0"], W[f"{mod}_bn/moving_variance:0"]
            if training:
                mean = pre.mean(dim=(0, 1))
                var = ((pre - mean) ** 2).mean(dim=(0, 1))
                with torch.no_grad():  # Keras: moving -= (moving - batch) * (1 - momentum)
                    mm -= (mm - mean) * (1 - MOMENTUM)
                    mv -= (mv - var) * (1 - MOMENTUM)
            else:
                mean, var = mm, mv
            bn = (pre - mean) / torch.sqrt(var + BN_EPS) * W[f"{mod}_bn/gamma:0"] + W[f"{mod}_bn/beta:0"]
            parts.append(torch.relu(bn) if c["act"] == "relu" else bn * torch.sigmoid(bn))
        cat = torch.cat(parts, dim=-1)
        if training and mask is not None:
            cat = cat * mask[:, None, :]
        p = f"{self.rl}/{self.rl}_cell/"
        K, U, b = W[p + "kernel:0"], W[p + "recurrent_kernel:0"], W[p + "bias:0"]
        H = c["units"]
        Bn, T = x.shape[0], x.shape[1]
        h = torch.zeros(Bn, H)
        cs = torch.zeros(Bn, H)
        for t in range(T):
            xt = cat[:, t]
            if c["rnn"] == "SimpleRNN":
                h = torch.tanh(xt @ K + b + h @ U)
            elif c["rnn"] == "GRU":  # Keras GRUCell, reset_after=True, gates z, r, h
                mx = xt @ K + b[0]
                mi = h @ U + b[1]
                z = torch.sigmoid(mx[:, :H] + mi[:, :H])
                r = torch.sigmoid(mx[:, H:2 * H] + mi[:, H:2 * H])
                hh = torch.tanh(mx[:, 2 * H:] + r * mi[:, 2 * H:])
                h = z * h + (1 - z) * hh
            else:  # Keras LSTMCell, gates i, f, c, o
                a = xt @ K + h @ U + b
                i, f = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2 * H])
                g, o = torch.tanh(a[:, 2 * H:3 * H]), torch.sigmoid(a[:, 3 * H:])
                cs = f * cs + i * g
                h = o * torch.tanh(cs)
        logits = h @ W["dense/kernel:0"] + W["dense/bias:0"]
        return torch.softmax(logits, dim=-1)

    @staticmethod
    def loss(probs, y):
        q = probs / probs.sum(dim=-1, keepdim=True)
        q = torch.clamp(q, CLIP, 1 - CLIP)
        return -torch.log(q[torch.arange(len(y)), y]).mean()


failures = 0


def compare(case, what, ours, ref, tol):
    global failures
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if ours.shape != ref.shape:
        print(f"FAIL {case}: {what}: shape {ours.shape} vs reference {ref.shape}")
        failures += 1
        return
    d = np.abs(ours - ref)
    i = np.unravel_index(np.argmax(d), d.shape) if d.size else ()
    worst = d[i] if d.size else 0.0
    if not worst <= tol:
        print(f"FAIL {case}: {what}: max |diff| {worst:.3e} > tol {tol:.3e} at {tuple(int(k) for k in i)}: "
              f"avmit {ours[i]!r} vs oracle {ref[i]!r}")
        failures += 1


def run_case(name, cfg, with_mask, lr=1e-3, steps=10):
    global failures
    before = failures
    d = os.path.join(TMP, name)
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    Bn, T, D = 6, 5, cfg["da"] + cfg["dv"]
    x = np.abs(rng.normal(size=(Bn, T, D))).astype(np.float32)
    x[0, 3:, :cfg["da"]] = 0  # zero-padded audio steps
    x[1, 4:, :] = 0           # zero-padded steps in both modalities
    y = rng.integers(0, 16, size=Bn).astype(np.int64)
    write_npy(os.path.join(d, "x.npy"), x)
    write_npy(os.path.join(d, "y.npy"), y)
    mpath = os.path.join(d, "mask.npy")
    dr = cfg["nb"] * ((cfg["da"] > 0) + (cfg["dv"] > 0))
    mask = None
    if with_mask:
        rate = 0.5
        mask = ((rng.random((Bn, dr)) >= rate) / (1 - rate)).astype(np.float32)
        write_npy(mpath, mask)
    elif os.path.exists(mpath):
        os.remove(mpath)
    cmd = [os.path.join(TOOLS, "model_parity"), "--model", "exp1", "--rnn", cfg["rnn"], "--act", cfg["act"],
           "--units", str(cfg["units"]), "--nb", str(cfg["nb"]), "--da", str(cfg["da"]),
           "--dv", str(cfg["dv"]), "--T", str(T), "--K", "16", "--seed", "7", "--lr", str(lr),
           "--steps", str(steps), "--dir", d]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL {name}: model_parity exited {r.returncode}: {r.stderr}")
        failures += 1
        return
    init = read_safetensors(os.path.join(d, "init.safetensors"))
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y)
    mt = torch.tensor(mask, dtype=torch.float64) if mask is not None else None

    # forward, loss and gradients at init
    o = Oracle(cfg, init)
    probs = o.forward(xt, mt, True)
    loss = o.loss(probs, yt)
    loss.backward()
    compare(name, "probs (training mode)", np.load(os.path.join(d, "probs_train.npy")), probs.detach().numpy(), 1e-5)
    l0 = float(np.load(os.path.join(d, "loss0.npy"))[0])
    compare(name, "loss", l0, loss.item(), 1e-4 * abs(loss.item()))
    grads = read_safetensors(os.path.join(d, "grads.safetensors"))
    ref_grads = {k: v.grad.numpy() for k, v in o.trainable().items()}
    gmax = max(np.abs(g).max() for g in ref_grads.values())
    if set(grads) != set(ref_grads):
        print(f"FAIL {name}: gradient names {sorted(grads)} vs {sorted(ref_grads)}")
        failures += 1
        return
    for k, g in ref_grads.items():
        tol = 1e-7 * gmax if k.endswith("_bottleneck/bias:0") else 1e-4 * np.abs(g).max()
        compare(name, f"grad {k}", grads[k], g, tol)

    # 10 Keras Adam steps from the same init (fresh moving statistics)
    o = Oracle(cfg, init)
    m = {k: torch.zeros_like(v) for k, v in o.trainable().items()}
    v2 = {k: torch.zeros_like(v) for k, v in o.trainable().items()}
    ref_losses = []
    for t in range(1, steps + 1):
        for w in o.trainable().values():
            w.grad = None
        loss = o.loss(o.forward(xt, mt, True), yt)
        ref_losses.append(loss.item())
        loss.backward()
        alpha = lr * np.sqrt(1 - B2 ** t) / (1 - B1 ** t)
        with torch.no_grad():
            for k, w in o.trainable().items():
                g = w.grad
                m[k] += (g - m[k]) * (1 - B1)
                v2[k] += (g * g - v2[k]) * (1 - B2)
                w -= alpha * m[k] / (torch.sqrt(v2[k]) + ADAM_EPS)
    losses = np.load(os.path.join(d, "losses.npy"))
    compare(name, "losses over 10 Adam steps", losses, ref_losses, 1e-4 * max(abs(v) for v in ref_losses))
    final = read_safetensors(os.path.join(d, "final.safetensors"))
    for k, w in o.W.items():
        # The bottleneck biases have an exactly-zero gradient (BN subtracts the batch
        # mean), so in fp32 (ours, and Keras's) Adam follows rounding noise; they cannot
        # affect any output (checked by everything else matching) and only their bounded
        # drift is checked: |step| <= lr * sqrt(1-b2^t)/(1-b1^t) * |m|/sqrt(v) ~ lr each.
        tol = 3 * lr * steps if k.endswith("_bottleneck/bias:0") else 1e-5
        compare(name, f"after 10 steps: {k}", final[k], w.detach().numpy(), tol)
    with torch.no_grad():
        pinf = o.forward(xt, None, False)
    compare(name, "probs (inference mode, moving statistics)", np.load(os.path.join(d, "probs_infer.npy")),
            pinf.numpy(), 1e-5)
    if failures == before:
        print(f"ok: {name}: probs, loss, {len(ref_grads)} gradients, {steps} Adam steps, inference")


def main():
    n = 0
    for rnn in ("SimpleRNN", "GRU", "LSTM"):
        for act in ("relu", "swish"):
            for with_mask in (False, True):
                cfg = dict(rnn=rnn, act=act, units=6, nb=4, da=5, dv=7)
                run_case(f"{rnn}_{act}_{'mask' if with_mask else 'nomask'}", cfg, with_mask)
                n += 1
    run_case("GRU_swish_audio_only", dict(rnn="GRU", act="swish", units=6, nb=4, da=5, dv=0), True)
    run_case("LSTM_relu_visual_only", dict(rnn="LSTM", act="relu", units=6, nb=4, da=0, dv=7), False)
    n += 2
    if failures:
        print(f"{failures} parity checks failed over {n} cases")
        return 1
    print(f"all parity checks passed ({n} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
