"""cnn_ref.py — independent PyTorch statements of the four embedding CNNs
(FEATURES.md §4, §5, §8, §9, §10), for the parity tests (test_cnn_parity.py).

Weights come in as {layer: [arrays in the file's position order]}, exactly as
the published files hold them (HWIO kernels, [k,k,C,1] depthwise kernels,
[in,out] dense weights, BN [gamma,] beta, moving_mean, moving_variance).

  vggish(W, x)   x [n,96,64] log-mel patches  -> [n,128]  (torch.nn.functional)
  yamnet(W, x)   x [n,96,64]                   -> [n,1024] (torch.nn.functional)
  vgg16(W, x)    x [n,224,224,3] caffe BGR      -> [n,512]  (torchvision vgg16().features)
  effnet(W, u8, variant) u8 [n,224,224,3] RGB   -> [n,1280] (torchvision efficientnet_b0
                                                   with §10's fixes; §9.1 applied here)
All in float64 (the caller sets torch's default dtype).

Weights: tests/reference/cnn_weights.py writes them in the published layouts;
by_layer() regroups its {name: array} by layer and position.
"""
import functools

import numpy as np
import torch
import torch.nn.functional as F

YAMNET_SEP = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512), (1, 512),
              (1, 512), (1, 512), (1, 512), (1, 512), (2, 1024), (1, 1024)]
EFF_STAGES = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
              (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]
VGGISH_CONVS = [("conv1", 64), ("conv2", 128), ("conv3/conv3_1", 256), ("conv3/conv3_2", 256),
                ("conv4/conv4_1", 512), ("conv4/conv4_2", 512)]
VGG16_BLOCKS = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]


def by_layer(kind, values):
    """{stored weight name: array} (cnn_weights.write_random / read_weights) ->
    {layer: [(name, array)]} in the file's position order (cnn_layouts)."""
    import cnn_layouts
    out = {}
    for layer, name, _, _ in cnn_layouts.tensors(kind):
        out.setdefault(layer, []).append((name, np.asarray(values[name])))
    return out


def flat(weights, dtype=np.float64):
    return {layer: [torch.from_numpy(a.astype(dtype)) for _, a in ws] for layer, ws in weights.items()}


# ---- the graphs -------------------------------------------------------------------------------
def same_pad(x, k, s):
    """TF 'SAME': total = max((ceil(in/s)-1)*s + k - in, 0), before = total//2."""
    pads = []
    for size in (x.shape[3], x.shape[2]):  # W then H, as F.pad wants
        out = -(-size // s)
        tot = max((out - 1) * s + k - size, 0)
        pads += [tot // 2, tot - tot // 2]
    return F.pad(x, pads)


def conv_tf(x, k_hwio, bias=None, stride=1):
    k = k_hwio.permute(3, 2, 0, 1)
    if stride == 1:  # TF SAME with stride 1 and an odd kernel is symmetric
        return F.conv2d(x, k, bias, 1, k.shape[2] // 2)
    return F.conv2d(same_pad(x, k.shape[2], stride), k, bias, stride)


def dw_tf(x, k_hw_c1, stride=1):
    k = k_hw_c1.permute(2, 3, 0, 1)  # [C,1,kh,kw]
    if stride == 1:
        return F.conv2d(x, k, None, 1, k.shape[2] // 2, groups=k.shape[0])
    return F.conv2d(same_pad(x, k.shape[2], stride), k, None, stride, groups=k.shape[0])


def vggish(W, x):
    x = torch.as_tensor(x, dtype=W["vggish/fc2"][0].dtype).reshape(-1, 1, 96, 64)
    for i, (s, _) in enumerate(VGGISH_CONVS):
        w, b = W["vggish/" + s]
        x = F.relu(conv_tf(x, w, b))
        if i in (0, 1, 3, 5):
            x = F.max_pool2d(x, 2, 2)
    x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # NHWC flatten
    for s in ("fc1/fc1_1", "fc1/fc1_2"):
        w, b = W["vggish/" + s]
        x = F.relu(x @ w + b)
    w, b = W["vggish/fc2"]
    return x @ w + b


def yamnet(W, x):
    def bn(x, layer):
        beta, mean, var = W[layer]
        sh = (1, -1, 1, 1)
        return (x - mean.view(sh)) / torch.sqrt(var.view(sh) + 1e-4) + beta.view(sh)
    x = torch.as_tensor(x, dtype=W["layer1/conv"][0].dtype).reshape(-1, 1, 96, 64)
    x = F.relu(bn(conv_tf(x, W["layer1/conv"][0], None, 2), "layer1/conv/bn"))
    for i, (s, _) in enumerate(YAMNET_SEP):
        n = "layer%d" % (i + 2)
        x = F.relu(bn(dw_tf(x, W[n + "/depthwise_conv"][0], s), n + "/depthwise_conv/bn"))
        x = F.relu(bn(conv_tf(x, W[n + "/pointwise_conv"][0]), n + "/pointwise_conv/bn"))
    return x.mean((2, 3))


def vgg16(W, x):
    m = vgg16_model(W)
    with torch.no_grad():
        x = torch.as_tensor(x, dtype=torch.float64).permute(0, 3, 1, 2)
        return m.features(x).mean((2, 3))


def vgg16_model(W, dtype=torch.float64):
    """torchvision vgg16 with W loaded; call .features(x).mean((2, 3))."""
    import torchvision
    m = torchvision.models.vgg16().to(dtype).eval()
    convs = [c for c in m.features if isinstance(c, torch.nn.Conv2d)]
    names = ["block%d_conv%d" % (b + 1, i + 1) for b, (n, _) in enumerate(VGG16_BLOCKS) for i in range(n)]
    with torch.no_grad():
        for conv, name in zip(convs, names):
            k, b = W[name]
            conv.weight.copy_(k.permute(3, 2, 0, 1))
            conv.bias.copy_(b)
    return m


class _KerasPad(torch.nn.Module):
    """Keras correct_pad before a stride-2 'valid' conv (FEATURES §9.2, §10.1)."""
    def __init__(self, conv):
        super().__init__()
        self.conv = conv
        conv.padding = (0, 0)

    def forward(self, x):
        k = self.conv.kernel_size[0]
        return self.conv(F.pad(x, (k // 2 - 1, k // 2, k // 2 - 1, k // 2)))


def effnet(W, u8, variant="tf2.3"):
    m = effnet_model(W)
    with torch.no_grad():
        mean, var, _ = W["normalization"]
        x = torch.as_tensor(u8, dtype=torch.float64) / 255.0
        x = (x - mean) / torch.clamp(torch.sqrt(var), min=1e-7)
        if variant == "tf2.10":
            x = x / torch.sqrt(torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64))
        x = x.permute(0, 3, 1, 2)
        return m.avgpool(m.features(x)).flatten(1)


def effnet_model(W, dtype=torch.float64):
    """torchvision efficientnet_b0 with §10's fixes and W loaded; input: the
    normalised NCHW frame; call m.avgpool(m.features(x)).flatten(1)."""
    import torchvision
    m = torchvision.models.efficientnet_b0(
        norm_layer=functools.partial(torch.nn.BatchNorm2d, eps=1e-3)).to(dtype).eval()

    def set_bn(bn, layer):
        g, b, mu, var = W[layer]
        bn.weight.copy_(g), bn.bias.copy_(b), bn.running_mean.copy_(mu), bn.running_var.copy_(var)

    def set_conv(conv, layer, dw=False):
        k = W[layer][0]
        conv.weight.copy_(k.permute(2, 3, 0, 1) if dw else k.permute(3, 2, 0, 1))
        if conv.bias is not None:
            conv.bias.copy_(W[layer][1])

    with torch.no_grad():
        stem = m.features[0]
        set_conv(stem[0], "stem_conv"), set_bn(stem[1], "stem_bn")
        stem[0] = _KerasPad(stem[0])
        for s, (k, reps, ci, co, e, st) in enumerate(EFF_STAGES):
            for r in range(reps):
                p = "block%d%s_" % (s + 1, "abcd"[r])
                blk = m.features[s + 1][r].block
                i = 0
                if e != 1:
                    set_conv(blk[0][0], p + "expand_conv"), set_bn(blk[0][1], p + "expand_bn")
                    i = 1
                set_conv(blk[i][0], p + "dwconv", dw=True), set_bn(blk[i][1], p + "bn")
                if r == 0 and st == 2:
                    blk[i][0] = _KerasPad(blk[i][0])
                se = blk[i + 1]
                set_conv(se.fc1, p + "se_reduce"), set_conv(se.fc2, p + "se_expand")
                set_conv(blk[i + 2][0], p + "project_conv"), set_bn(blk[i + 2][1], p + "project_bn")
        set_conv(m.features[8][0], "top_conv"), set_bn(m.features[8][1], "top_bn")
    return m


def effnet_frontend(u8, variant="tf2.3"):
    """What `avmit features visual --preprocess efficientnetb0` writes (float32, §9.1
    with the published constants), the input avmit's graph takes."""
    m0 = np.array([0.485, 0.456, 0.406], np.float32)
    sd = np.sqrt(np.array([0.229, 0.224, 0.225], np.float32))
    x = (u8.astype(np.float32) * np.float32(1 / 255) - m0) / sd
    if variant == "tf2.10":
        x = x * (np.float32(1) / sd)
    return x.astype(np.float32)


def vgg16_frontend(u8):
    """Keras caffe preprocessing: RGB -> BGR, minus the ImageNet means (float32)."""
    return (u8[..., ::-1].astype(np.float32) - np.array([103.939, 116.779, 123.68], np.float32))
