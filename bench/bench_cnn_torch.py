#!/usr/bin/env python3
"""bench_cnn_torch.py — PyTorch on the same four graphs (tests/reference/cnn_ref.py:
torch.nn.functional VGGish / YAMNet, torchvision VGG16 / EfficientNet-B0 with the
Keras fixes), same random weights, float32, for bench/bench_cnn.sh.

usage: bench_cnn_torch.py WEIGHTS_DIR SECONDS MODEL BATCH THREADS [fp32|bf16]
prints "<model> batch B threads T precision P: X ex/s"
bf16 = torch.autocast("cpu", dtype=torch.bfloat16) around the forward.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import cnn_ref  # noqa: E402
import cnn_weights  # noqa: E402

wdir, secs, model, batch, threads = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
prec = sys.argv[6] if len(sys.argv) > 6 else "fp32"
torch.set_num_threads(threads)
seed = {"vggish": 1, "yamnet": 2, "vgg16": 3, "efficientnetb0": 4}[model]  # as bench_cnn.sh
W = cnn_ref.flat(cnn_ref.by_layer(model, {n: a for _, n, a in cnn_weights.random_weights(model, seed)}),
                 np.float32)
rng = np.random.default_rng(7)
if model in ("vggish", "yamnet"):
    x = torch.from_numpy(np.log(rng.uniform(0, 4, (batch, 96, 64)) + 0.01).astype(np.float32))
    fwd = (lambda x: cnn_ref.vggish(W, x)) if model == "vggish" else (lambda x: cnn_ref.yamnet(W, x))
else:
    x = torch.from_numpy(rng.uniform(-2, 2, (batch, 3, 224, 224)).astype(np.float32))
    if model == "vgg16":
        m = cnn_ref.vgg16_model(W, torch.float32)
        fwd = lambda x: m.features(x).mean((2, 3))  # noqa: E731
    else:
        m = cnn_ref.effnet_model(W, torch.float32)
        fwd = lambda x: m.avgpool(m.features(x)).flatten(1)  # noqa: E731


def run():
    with torch.no_grad():
        if prec == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return fwd(x)
        return fwd(x)


run()
calls, t0 = 0, time.perf_counter()
while calls < 1 or time.perf_counter() - t0 < secs:
    run()
    calls += 1
t = time.perf_counter() - t0
print(f"{model} batch {batch} threads {threads} precision {prec}: {calls * batch / t:.2f} ex/s")
