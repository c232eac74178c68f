#!/usr/bin/env python3
"""bench_savc_torch.py — the SAVC model (avmit/savc.h, SPEC.md §4 experiment 2) in
PyTorch, one epoch, as the baseline of bench/bench_savc.sh (issue 17 item 7).

  /usr/bin/python3 bench/bench_savc_torch.py --da 128 --dv 512 --T 4 --rnn GRU \
      --threads 2 [--pairs 12960 --val-pairs N --n-videos 6560]

Same model and sizes as `avmit savc train`: per stream Linear(D, 128) -> Linear(128, 128)
(no activations) -> L2 normalise (eps 1e-12); distance sqrt(max(sum (a - v)^2, 1e-7))
per timestep -> [B, T, 1]; input dropout 0.1 (one mask value per sample, as avmit);
PyTorch's own fused nn.RNN(tanh)/nn.GRU/nn.LSTM with 256 units (its fastest CPU path),
last state; Linear(256, 2); softmax; binary cross-entropy over both outputs;
torch.optim.AdamW(lr 1e-4, eps 1e-7, weight_decay 1e-5) — decoupled decay as avmit. An
epoch: `pairs` (audio video, visual video) index pairs drawn from a store of n_videos
padded videos, shuffled, batches of 512 gathered from the store by index (as avmit does),
then a validation pass over `val_pairs` pairs under no_grad (batch 512). Data: random in
memory. Prints key=value: epoch_s (a full epoch after a short warm-up), peak_rss_mb.
"""
import argparse
import resource
import time

import numpy as np
import torch


class Savc(torch.nn.Module):
    def __init__(self, da, dv, rnn, units=256, emb=128, dropout=0.1):
        super().__init__()
        self.a1, self.a2 = torch.nn.Linear(da, emb), torch.nn.Linear(emb, emb)
        self.v1, self.v2 = torch.nn.Linear(dv, emb), torch.nn.Linear(emb, emb)
        self.rnn = getattr(torch.nn, rnn)(1, units, batch_first=True)
        self.out = torch.nn.Linear(units, 2)
        self.dropout = dropout

    @staticmethod
    def l2(y):
        return y / torch.sqrt(torch.clamp((y * y).sum(-1, keepdim=True), min=1e-12))

    def forward(self, xa, xv):
        a = self.l2(self.a2(self.a1(xa)))
        v = self.l2(self.v2(self.v1(xv)))
        d = torch.sqrt(torch.clamp(((a - v) ** 2).sum(-1, keepdim=True), min=1e-7))
        if self.training and self.dropout > 0:
            keep = (torch.rand(d.shape[0], 1, 1) >= self.dropout).float() / (1 - self.dropout)
            d = d * keep
        out, _ = self.rnn(d)
        return torch.softmax(self.out(out[:, -1]), dim=-1)


def bce(p, y):
    p = torch.clamp(p, 1e-7, 1 - 1e-7)
    return -(y * torch.log(p + 1e-7) + (1 - y) * torch.log(1 - p + 1e-7)).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--da", type=int, required=True)
    ap.add_argument("--dv", type=int, required=True)
    ap.add_argument("--T", type=int, required=True)
    ap.add_argument("--rnn", choices=["RNN", "GRU", "LSTM"], required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--pairs", type=int, default=12960)
    ap.add_argument("--val-pairs", type=int, default=12960)
    ap.add_argument("--n-videos", type=int, default=6560)
    ap.add_argument("--batch", type=int, default=512)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    A = torch.from_numpy(rng.standard_normal((a.n_videos, a.T, a.da), dtype=np.float32))
    V = torch.from_numpy(rng.standard_normal((a.n_videos, a.T, a.dv), dtype=np.float32))
    m = Savc(a.da, a.dv, a.rnn)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4, eps=1e-7, weight_decay=1e-5)
    tr_a = torch.from_numpy(rng.integers(0, a.n_videos, a.pairs))
    tr_v = torch.from_numpy(rng.integers(0, a.n_videos, a.pairs))
    tr_y = torch.from_numpy(rng.integers(0, 2, a.pairs))
    va_a = torch.from_numpy(rng.integers(0, a.n_videos, a.val_pairs))
    va_v = torch.from_numpy(rng.integers(0, a.n_videos, a.val_pairs))
    times = []
    # pass 0 warms up (3 training batches + 1 validation batch: allocator, BLAS
    # threads); pass 1 is the timed full epoch
    for ep in range(2):
        n_tr = 3 * a.batch if ep == 0 else a.pairs
        n_va = a.batch if ep == 0 else a.val_pairs
        t0 = time.perf_counter()
        m.train()
        perm = torch.randperm(a.pairs)[:n_tr]
        for s in range(0, n_tr, a.batch):
            idx = perm[s:s + a.batch]
            y = torch.nn.functional.one_hot(tr_y[idx], 2).float()
            opt.zero_grad()
            loss = bce(m(A[tr_a[idx]], V[tr_v[idx]]), y)
            loss.backward()
            opt.step()
        m.eval()
        with torch.no_grad():
            for s in range(0, n_va, a.batch):
                m(A[va_a[s:s + a.batch]], V[va_v[s:s + a.batch]])
        times.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("epoch_s=%.4f peak_rss_mb=%.0f" % (times[-1], rss))


if __name__ == "__main__":
    main()
