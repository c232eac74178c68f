#!/usr/bin/env python3
"""bench_search_torch.py -- the PyTorch side of bench_search.sh: the time of one
random-search trial of SPEC 5 in PyTorch, for the configs avmit drew.

A trial = the experiment-1 model (SPEC 4: per-timestep Dense(nb) + BatchNorm + act per
modality, concat, SimpleRNN/GRU/LSTM with input dropout, Dense(16)), Adam, batch 16,
EPOCHS epochs over a bootstrap sample of the pool (n draws with replacement from n),
then a loss/top-1 pass over the out-of-bag samples after every epoch (what early
stopping needs). Data are random arrays of the pool's shape: only the time is measured.

usage: bench_search_torch.py N D_A D_V EPOCHS THREADS CONFIGS_CSV
CONFIGS_CSV: avmit's trials.csv (rnn, nb, activation, units, dropout, lr columns used).
Prints one line per trial: "torch <rnn> <seconds>".
"""
import csv
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as e:  # the caller skips the comparison
    print(f"skipped: {e.name} not installed")
    sys.exit(77)

T, K, B = 7, 16, 16


class Exp1(nn.Module):
    def __init__(self, d_a, d_v, rnn, nb, act, units, dropout):
        super().__init__()
        self.d_a = d_a
        self.a = nn.Linear(d_a, nb)
        self.v = nn.Linear(d_v, nb)
        self.bn_a = nn.BatchNorm1d(nb, eps=1e-3, momentum=0.01)
        self.bn_v = nn.BatchNorm1d(nb, eps=1e-3, momentum=0.01)
        self.act = nn.SiLU() if act == "swish" else nn.ReLU()
        cls = {"frnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[rnn]
        self.rnn = cls(2 * nb, units, batch_first=True)
        self.drop = dropout
        self.out = nn.Linear(units, K)

    def branch(self, x, dense, bn):
        h = dense(x)                                  # [B, T, nb]
        h = bn(h.transpose(1, 2)).transpose(1, 2)     # statistics over batch x time
        return self.act(h)

    def forward(self, x):
        h = torch.cat([self.branch(x[..., :self.d_a], self.a, self.bn_a),
                       self.branch(x[..., self.d_a:], self.v, self.bn_v)], dim=2)
        if self.training and self.drop > 0:           # one mask per sample, shared over time
            m = (torch.rand(h.shape[0], 1, h.shape[2]) >= self.drop).float() / (1 - self.drop)
            h = h * m
        _, s = self.rnn(h)
        if isinstance(s, tuple):
            s = s[0]
        return self.out(s[-1])


def trial(x, y, cfg, epochs, rng):
    n = x.shape[0]
    boot = rng.integers(0, n, n)
    oob = np.setdiff1d(np.arange(n), boot)
    model = Exp1(int(sys.argv[2]), int(sys.argv[3]), cfg["rnn"], int(cfg["nb"]), cfg["activation"],
                 int(cfg["units"]), float(cfg["dropout"]))
    opt = torch.optim.Adam(model.parameters(), lr=float(cfg["lr"]), eps=1e-7)
    lossf = nn.CrossEntropyLoss()
    xo, yo = x[oob], y[oob]
    t0 = time.perf_counter()
    for _ in range(epochs):
        model.train()
        perm = torch.from_numpy(rng.permutation(boot))
        for at in range(0, n, B):
            idx = perm[at:at + B]
            opt.zero_grad()
            loss = lossf(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            for at in range(0, len(oob), B):
                p = model(xo[at:at + B])
                lossf(p, yo[at:at + B])
                (p.argmax(1) == yo[at:at + B]).sum()
    return time.perf_counter() - t0


def main():
    n, d_a, d_v, epochs, threads = (int(a) for a in sys.argv[1:6])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.random((n, T, d_a + d_v), dtype=np.float32))
    y = torch.from_numpy(rng.integers(0, K, n))
    with open(sys.argv[6]) as f:
        for cfg in csv.DictReader(f):
            print(f"torch {cfg['rnn']} {trial(x, y, cfg, epochs, rng):.3f}", flush=True)


if __name__ == "__main__":
    main()
