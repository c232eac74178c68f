"""Shared setup of the PyTorch parity tests (test_nn_parity.py, test_savc_parity.py).

require_torch_and_tool(tool) exits 77 ("skipped: ...") when python3-torch or the C tool
$AVMIT_TOOLS/<tool> is missing, sets float64 / 1 thread, and returns (np, torch, tools_dir).
read_safetensors(path) reads an avmit safetensors file independently (header JSON + raw
little-endian float32), as float64 arrays.
"""
import json
import os
import struct
import sys


def require_torch_and_tool(tool):
    try:
        import numpy as np
        import torch
    except ImportError as e:  # pragma: no cover
        print(f"skipped: python3-torch not installed ({e})")
        sys.exit(77)
    tools = os.environ.get("AVMIT_TOOLS")
    if not tools or not os.path.exists(os.path.join(tools, tool)):
        print(f"skipped: AVMIT_TOOLS/{tool} not built")
        sys.exit(77)
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    return np, torch, tools


def read_safetensors(path, require_f32=False):
    import numpy as np
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    hdr = json.loads(buf[8:8 + n])
    out = {}
    for k, v in hdr.items():
        if k == "__metadata__":
            continue
        if require_f32:
            assert v["dtype"] == "F32", (k, v)
        b, e = v["data_offsets"]
        out[k] = np.frombuffer(buf[8 + n + b:8 + n + e], dtype="<f4").reshape(v["shape"]).astype(np.float64)
    return out
