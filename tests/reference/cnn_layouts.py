"""cnn_layouts.py — the tensor lists of the four published CNN weight files
(docs/cnn-weights.md), as data: one function per model returning the file's
layer list in file order.

A layout is a list of (layer_name, [(weight_name, shape, numpy dtype), ...]);
layers without weights have an empty list. Written from the publishers'
model sources (tensorflow/models research/audioset vggish_slim.py,
yamnet/yamnet.py + params.py; keras applications vgg16.py and
efficientnet.py of the TF 2.3 era), independently of avmit's C code.
"""
import numpy as np

F32 = np.dtype("<f4")
I64 = np.dtype("<i8")

MODELS = ("vggish", "yamnet", "vgg16", "efficientnetb0")
FILENAMES = {
    "vggish": "vggish_model.ckpt",
    "yamnet": "yamnet.h5",
    "vgg16": "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "efficientnetb0": "efficientnetb0_notop.h5",
}
# Root attributes of the Keras files (None: the attribute is absent).
KERAS_ATTRS = {
    "yamnet": {"backend": "tensorflow", "keras_version": "2.2.4-tf"},
    "vgg16": None,  # Keras 1.x file (2016): no backend / keras_version attributes
    "efficientnetb0": {"backend": "tensorflow", "keras_version": "2.4.0"},
}


def vggish():
    """TF1 variables (scope, [(variable name, shape, dtype)]), vggish_slim.py."""
    out = []
    convs = [("conv1", 1, 64), ("conv2", 64, 128), ("conv3/conv3_1", 128, 256),
             ("conv3/conv3_2", 256, 256), ("conv4/conv4_1", 256, 512),
             ("conv4/conv4_2", 512, 512)]
    for scope, cin, cout in convs:
        s = "vggish/" + scope
        out.append((s, [(s + "/weights", (3, 3, cin, cout), F32), (s + "/biases", (cout,), F32)]))
    for scope, cin, cout in [("fc1/fc1_1", 12288, 4096), ("fc1/fc1_2", 4096, 4096),
                             ("fc2", 4096, 128)]:
        s = "vggish/" + scope
        out.append((s, [(s + "/weights", (cin, cout), F32), (s + "/biases", (cout,), F32)]))
    return out


YAMNET_DEFS = [  # (kind, stride, filters) — yamnet.py _YAMNET_LAYER_DEFS, all 3x3
    ("conv", 2, 32), ("sep", 1, 64), ("sep", 2, 128), ("sep", 1, 128), ("sep", 2, 256),
    ("sep", 1, 256), ("sep", 2, 512), ("sep", 1, 512), ("sep", 1, 512), ("sep", 1, 512),
    ("sep", 1, 512), ("sep", 1, 512), ("sep", 2, 1024), ("sep", 1, 1024)]


def _bn(name, c, gamma):
    ws = ([("gamma", c)] if gamma else []) + [("beta", c), ("moving_mean", c),
                                               ("moving_variance", c)]
    return (name, [("%s/%s:0" % (name, w), (n,), F32) for w, n in ws])


def yamnet():
    """yamnet.py: Conv/DepthwiseConv without bias, BN center=True scale=False."""
    out = [("reshape", [])]
    cin = 1
    for i, (kind, _stride, f) in enumerate(YAMNET_DEFS):
        p = "layer%d" % (i + 1)
        if kind == "conv":
            out.append((p + "/conv", [(p + "/conv/kernel:0", (3, 3, cin, f), F32)]))
            out.append(_bn(p + "/conv/bn", f, False))
            out.append((p + "/relu", []))
        else:
            dw, pw = p + "/depthwise_conv", p + "/pointwise_conv"
            out.append((dw, [(dw + "/depthwise_kernel:0", (3, 3, cin, 1), F32)]))
            out.append(_bn(dw + "/bn", cin, False))
            out.append((dw + "/relu", []))
            out.append((pw, [(pw + "/kernel:0", (1, 1, cin, f), F32)]))
            out.append(_bn(pw + "/bn", f, False))
            out.append((pw + "/relu", []))
        cin = f
    out.append(("global_average_pooling2d", []))
    out.append(("dense", [("dense/kernel:0", (1024, 521), F32), ("dense/bias:0", (521,), F32)]))
    out.append(("activation", []))
    return out


def vgg16():
    """Keras 1 vintage names: <layer>_W_1:0, <layer>_b_1:0; kernels HWIO."""
    out = [("input_1", [])]
    cin = 3
    for b, (n, c) in enumerate([(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]):
        for k in range(n):
            name = "block%d_conv%d" % (b + 1, k + 1)
            out.append((name, [(name + "_W_1:0", (3, 3, cin, c), F32),
                               (name + "_b_1:0", (c,), F32)]))
            cin = c
        out.append(("block%d_pool" % (b + 1), []))
    return out


# (kernel, repeats, filters_in, filters_out, expand_ratio, first stride), se_ratio 0.25
EFFNET_B0_BLOCKS = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
                    (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
                    (3, 1, 192, 320, 6, 1)]


def _conv(name, k, cin, cout, bias):
    ws = [(name + "/kernel:0", (k, k, cin, cout), F32)]
    if bias:
        ws.append((name + "/bias:0", (cout,), F32))
    return (name, ws)


def efficientnetb0():
    """TF 2.3 tensorflow/python/keras/applications/efficientnet.py, notop."""
    out = [("input_1", []), ("rescaling", []),
           ("normalization", [("normalization/mean:0", (3,), F32),
                              ("normalization/variance:0", (3,), F32),
                              ("normalization/count:0", (), I64)]),
           ("stem_conv_pad", []), _conv("stem_conv", 3, 3, 32, False),
           _bn("stem_bn", 32, True), ("stem_activation", [])]
    drop_rate, blocks_total, b = 0.2, sum(r for _, r, *_ in EFFNET_B0_BLOCKS), 0
    for i, (k, reps, fin0, fout, er, s0) in enumerate(EFFNET_B0_BLOCKS):
        for j in range(reps):
            fin, stride = (fin0, s0) if j == 0 else (fout, 1)
            p = "block%d%s_" % (i + 1, chr(97 + j))
            filters = fin * er
            if er != 1:
                out += [_conv(p + "expand_conv", 1, fin, filters, False),
                        _bn(p + "expand_bn", filters, True), (p + "expand_activation", [])]
            if stride == 2:
                out.append((p + "dwconv_pad", []))
            out += [(p + "dwconv", [(p + "dwconv/depthwise_kernel:0", (k, k, filters, 1), F32)]),
                    _bn(p + "bn", filters, True), (p + "activation", []),
                    (p + "se_squeeze", []), (p + "se_reshape", [])]
            se = max(1, int(fin * 0.25))
            out += [_conv(p + "se_reduce", 1, filters, se, True),
                    _conv(p + "se_expand", 1, se, filters, True), (p + "se_excite", []),
                    _conv(p + "project_conv", 1, filters, fout, False),
                    _bn(p + "project_bn", fout, True)]
            if stride == 1 and fin == fout:
                if drop_rate * b / blocks_total > 0:
                    out.append((p + "drop", []))
                out.append((p + "add", []))
            b += 1
    out += [_conv("top_conv", 1, 320, 1280, False), _bn("top_bn", 1280, True),
            ("top_activation", [])]
    return out


LAYOUTS = {"vggish": vggish, "yamnet": yamnet, "vgg16": vgg16,
           "efficientnetb0": efficientnetb0}


def layout(model):
    if model not in LAYOUTS:
        raise ValueError("unknown model %r (one of %s)" % (model, ", ".join(MODELS)))
    return LAYOUTS[model]()


def tensors(model):
    """[(layer, weight name, shape, dtype)] in file order."""
    return [(l, w, s, d) for l, ws in layout(model) for (w, s, d) in ws]


def param_count(model):
    return sum(int(np.prod(s, dtype=np.int64)) for _, _, s, _ in tensors(model))


if __name__ == "__main__":
    for m in MODELS:
        t = tensors(m)
        print(m, len(t), "tensors", param_count(m), "params")
