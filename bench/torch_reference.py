#!/usr/bin/env python3
"""torch_reference.py — the experiment-1 model in PyTorch, one training epoch, as the
baseline of bench/bench_train.sh (issue 4).

  /usr/bin/python3 bench/torch_reference.py --config yamnet-gru --threads 2 [--n-train 6560 --n-val 736]

Same model and sizes as bench/bench_train.c: per modality Linear(D, nb) + BatchNorm1d over
B*T (eps 1e-3, momentum 0.01 = Keras 0.99) + swish/relu, concat, PyTorch's own fused
nn.RNN(tanh)/nn.GRU/nn.LSTM (its fastest CPU path; gate order differs from Keras, which
does not matter for speed), input dropout mask shared over time, Linear(H, 16), softmax
cross-entropy, torch.optim.Adam(eps=1e-7); batch 16, reshuffled; then a validation pass
under no_grad. Data: random in memory, zero-padded like the real files. Prints one
key=value line like bench_train.
"""
import argparse
import math
import resource
import sys
import time

import numpy as np
import torch

T5 = {  # Table 5 (SPEC.md §1): rnn, units, nb, act, dropout, lr, vgg
    "yamnet-frnn": ("RNN", 128, 256, "swish", 0.3, 7.05e-5, False),
    "yamnet-gru": ("GRU", 128, 64, "swish", 0.5, 7.25e-5, False),
    "yamnet-lstm": ("LSTM", 64, 256, "swish", 0.3, 4.10e-5, False),
    "vggish-frnn": ("RNN", 256, 256, "swish", 0.4, 1.05e-4, True),
    "vggish-gru": ("GRU", 128, 256, "relu", 0.5, 3.92e-4, True),
    "vggish-lstm": ("LSTM", 256, 256, "swish", 0.5, 1.74e-4, True),
}


class Model(torch.nn.Module):
    def __init__(self, da, dv, nb, rnn, H, act, dropout):
        super().__init__()
        self.da = da
        self.a = torch.nn.Linear(da, nb)
        self.v = torch.nn.Linear(dv, nb)
        self.abn = torch.nn.BatchNorm1d(nb, eps=1e-3, momentum=0.01)
        self.vbn = torch.nn.BatchNorm1d(nb, eps=1e-3, momentum=0.01)
        self.act = torch.relu if act == "relu" else torch.nn.functional.silu
        self.rnn = getattr(torch.nn, rnn)(2 * nb, H, batch_first=True)
        self.out = torch.nn.Linear(H, 16)
        self.dropout = dropout

    def forward(self, x):
        B, T, _ = x.shape
        a = self.act(self.abn(self.a(x[:, :, :self.da]).reshape(B * T, -1))).reshape(B, T, -1)
        v = self.act(self.vbn(self.v(x[:, :, self.da:]).reshape(B * T, -1))).reshape(B, T, -1)
        h = torch.cat([a, v], dim=-1)
        if self.training and self.dropout > 0:
            mask = (torch.rand(B, 1, h.shape[-1]) >= self.dropout).float() / (1 - self.dropout)
            h = h * mask
        out, _ = self.rnn(h)
        return self.out(out[:, -1])


def make(n, T, da, dv, ta, tv, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, T, da + dv), dtype=np.float32)
    x[:, :ta, :da] = rng.random((n, ta, da), dtype=np.float32)
    x[:, :tv, da:] = rng.random((n, tv, dv), dtype=np.float32)
    y = np.arange(n) % 16
    for k in range(16):
        x[y == k, :, k::16] += 0.5 * (x[y == k, :, k::16] > 0)
    return torch.from_numpy(x), torch.from_numpy(y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="yamnet-gru")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n-train", type=int, default=6560)
    ap.add_argument("--n-val", type=int, default=736)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    rnn, H, nb, act, dr, lr, vgg = T5[a.config]
    da, dv, ta, tv = (128, 512, 3, 4) if vgg else (1024, 1280, 6, 6)
    xt, yt = make(a.n_train, 7, da, dv, ta, tv, 1)
    xv, yv = make(a.n_val, 7, da, dv, ta, tv, 2)
    m = Model(da, dv, nb, rnn, H, act, dr)
    opt = torch.optim.Adam(m.parameters(), lr=lr * 10, eps=1e-7)
    lossf = torch.nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    m.train()
    perm = torch.randperm(a.n_train)
    tot = 0.0
    steps = 0
    for i in range(0, a.n_train, 16):
        idx = perm[i:i + 16]
        opt.zero_grad()
        loss = lossf(m(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        tot += loss.item()
        steps += 1
    m.eval()
    vl = 0.0
    with torch.no_grad():
        for i in range(0, a.n_val, 16):
            vl += lossf(m(xv[i:i + 16]), yv[i:i + 16]).item() * len(yv[i:i + 16])
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    loss = tot / steps
    print(f"impl=torch config={a.config} threads={a.threads} n_train={a.n_train} n_val={a.n_val} "
          f"epoch_s={secs:.3f} loss={loss:.4f} val_loss={vl / a.n_val:.4f} peak_rss_mb={rss:.0f} "
          f"torch={torch.__version__}")
    return 0 if math.isfinite(loss) and loss < math.log(16) + 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
