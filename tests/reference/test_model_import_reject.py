"""test_model_import_reject.py — `avmit model import` on corrupt or foreign
weight files fails cleanly (FORMATS.md §10, Keras HDF5 and TF2 rows): exit 1
(never a crash or a signal), a message naming the file and the variable (and
both shapes where shapes differ), and no MODELDIR written. Broken files are
made from the released ones with h5py (HDF5) and byte edits / tfckpt_ref.py's
writer (TF2 bundle).
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# first: it exits 77 without numpy / h5py
from model_io_testlib import AR, MODELS, TMP, Checks, h5py, np, run, skip_without_models  # noqa: E402
import tfckpt_ref  # noqa: E402

check = Checks()
GRU = os.path.join(AR, "YamNet_EffNet_GRU_AVMIT")
CKPT = os.path.join(GRU, "weights.64-0.28.ckpt")
DATA = ".data-00000-of-00001"


def reject(what, config_dir, weights, *needles):
    out = os.path.join(TMP, "out")
    shutil.rmtree(out, ignore_errors=True)
    r = run("model", "import", "--config", os.path.join(config_dir, "train.yaml"), "--weights", weights,
            "--out", out)
    msg = r.stderr.strip()
    check(r.returncode == 1, "%s: exit 1, got %d (%s)" % (what, r.returncode, msg))
    missing = [n for n in needles if n not in msg]
    check(not missing, "%s: message names %s: %s" % (what, missing, msg))
    check(not os.path.exists(out), "%s: no MODELDIR written" % what)


def h5_copy(name, edit):
    """A copy of the released GRU random_seed.ckpt changed by edit(h5py.File)."""
    path = os.path.join(TMP, name)
    shutil.copy(os.path.join(GRU, "random_seed.ckpt"), path)
    with h5py.File(path, "r+") as f:
        edit(f)
    return path


def drop_weight(layer, wname):
    def edit(f):
        names = [w for w in f[layer].attrs["weight_names"] if w.decode() != wname]
        f[layer].attrs["weight_names"] = np.array(names, dtype=f[layer].attrs["weight_names"].dtype)
        del f[layer][wname]
    return edit


def add_weight(layer, wname, shape):
    def edit(f):
        names = list(f[layer].attrs["weight_names"]) + [wname.encode()]
        f[layer].attrs["weight_names"] = np.array(names, dtype="S%d" % max(len(n) for n in names))
        f[layer].create_dataset(wname, data=np.zeros(shape, "<f4"))
    return edit


def replace_weight(layer, wname, data):
    def edit(f):
        del f[layer][wname]
        f[layer].create_dataset(wname, data=data)
    return edit


def drop_layer(layer):
    def edit(f):
        f.attrs["layer_names"] = np.array([n for n in f.attrs["layer_names"] if n.decode() != layer],
                                          dtype=f.attrs["layer_names"].dtype)
    return edit


def ckpt_copy(name, edit_index=None, edit_data=None):
    prefix = os.path.join(TMP, name)
    for suf, edit in ((".index", edit_index), (DATA, edit_data)):
        with open(CKPT + suf, "rb") as f:
            raw = bytearray(f.read())
        if edit:
            raw = edit(raw)
        with open(prefix + suf, "wb") as f:
            f.write(raw)
    return prefix


def flip(offset):
    def edit(raw):
        raw[offset] ^= 0x40
        return raw
    return edit


def check_h5_cases():
    vgg_gru, vgg_lstm = os.path.join(AR, "VGGish_VGG_GRU_AVMIT"), os.path.join(AR, "VGGish_VGG_LSTM_AVMIT")
    rs = os.path.join(GRU, "random_seed.ckpt")
    reject("VGGish config, YamNet weights", vgg_gru, rs,
           rs, "audio_bottleneck/audio_bottleneck/kernel:0", "(1, 1, 1024, 64)", "(1, 1, 128, 256)")
    reject("LSTM config, GRU weights", vgg_lstm, os.path.join(vgg_gru, "random_seed.ckpt"),
           "gru/gru/gru_cell/kernel:0", "(512, 384)", "(512, 1024)", "'gru'", "'lstm'")
    savc = os.path.join(MODELS, "savc", "VGGish_VGG16_GRU_AVMIT_avcorr", "random_seed.h5")
    if os.path.exists(savc):
        reject("SAVC weights into an experiment-1 model", GRU, savc,
               savc, "audio_Dense_1/audio_Dense_1/kernel:0", "(128, 128)", "(1, 1, 1024, 64)")
    p = h5_copy("missing.h5", drop_weight("gru", "gru/gru_cell/bias:0"))
    reject("H5 without the GRU bias", GRU, p, p, "no variable 'bias'", "gru/gru_cell/bias:0", "(2, 384)")
    p = h5_copy("extra.h5", add_weight("dense", "dense/scale:0", (16,)))
    reject("H5 with an extra variable", GRU, p, p, "unexpected variable", "dense/dense/scale:0", "takes 2")
    p = h5_copy("shape.h5", replace_weight("dense", "dense/kernel:0", np.zeros((128, 15), "<f4")))
    reject("H5 with a misshapen kernel", GRU, p, p, "dense/dense/kernel:0", "(128, 15)", "(128, 16)")
    p = h5_copy("moving.h5", replace_weight("audio_bn", "audio_bn/moving_variance:0", np.ones(63, "<f4")))
    reject("H5 with a misshapen BN statistic", GRU, p, p, "audio_bn/audio_bn/moving_variance:0", "(63,)",
           "(64,)")
    nan = np.zeros(16, "<f4")
    nan[3] = np.nan
    p = h5_copy("nan.h5", replace_weight("dense", "dense/bias:0", nan))
    reject("H5 with a NaN", GRU, p, p, "dense/dense/bias:0", "non-finite", "index 3")
    p = h5_copy("f64.h5", replace_weight("dense", "dense/bias:0", np.zeros(16, "<f8")))
    reject("H5 with a float64 dataset", GRU, p, p, "dense/bias:0")
    p = h5_copy("nolayer.h5", drop_layer("dense"))
    reject("H5 without the dense layer", GRU, p, p, "5 layers with weights", "has 6")
    p = os.path.join(TMP, "truncated.h5")
    with open(rs, "rb") as f, open(p, "wb") as g:
        g.write(f.read()[:5000])
    reject("truncated H5", GRU, p, p)
    p = os.path.join(TMP, "notes.txt")
    with open(p, "w") as f:
        f.write("not a weights file\n")
    reject("a text file", GRU, p, p)
    reject("a missing file", GRU, os.path.join(TMP, "nope.h5"), "nope.h5")


def check_tf2_cases():
    with open(CKPT + DATA, "rb") as f:
        size = len(f.read())
    p = ckpt_copy("trunc.ckpt", edit_data=lambda raw: raw[:size // 2])
    reject("truncated .data shard", GRU, p, "trunc.ckpt" + DATA)
    # layer_with_weights-4/cell/kernel lives at [600664, 797272) (FORMATS.md §6.3)
    p = ckpt_copy("flip.ckpt", edit_data=flip(600664 + 1000))
    reject("flipped byte in .data", GRU, p, "flip.ckpt" + DATA, "layer_with_weights-4/cell/kernel", "CRC mismatch")
    p = ckpt_copy("notsst.ckpt", edit_index=lambda raw: bytearray(b"this is not an SSTable\n" * 10))
    reject(".index not an SSTable", GRU, p, "notsst.ckpt.index")
    p = ckpt_copy("blockflip.ckpt", edit_index=flip(100))
    reject("flipped byte in the .index data block", GRU, p, "blockflip.ckpt.index", "checksum")
    reject("GRU checkpoint into an LSTM model", os.path.join(AR, "YamNet_EffNet_LSTM_AVMIT"), CKPT,
           "layer_with_weights-0/layer/kernel", "(1, 1, 1024, 64)", "(1, 1, 1024, 256)")
    # a checkpoint whose RNN has no bias (written by the reference writer, no object graph)
    _h, _e, values, _n = tfckpt_ref.read_checkpoint(CKPT)
    keep = {k: v for k, v in values.items() if k.startswith("layer_with_weights-")
            and ".OPTIMIZER_SLOT" not in k and not k.startswith("layer_with_weights-4/cell/bias")}
    p = os.path.join(TMP, "nobias.ckpt")
    tfckpt_ref.write_checkpoint(p, keep)
    reject("checkpoint without the GRU bias", GRU, p, "nobias.ckpt.index", "no variable 'bias'", "(2, 384)")


def check_export_usage():
    r = run("model", "export", "--model", GRU, "--format", "onnx", "-o", os.path.join(TMP, "x"))
    check(r.returncode == 2 and "onnx" in r.stderr, "export --format onnx: usage error (exit 2)")
    r = run("model", "export", "--model", os.path.join(TMP, "nope"), "--format", "npz",
            "-o", os.path.join(TMP, "x.npz"))
    check(r.returncode == 1 and "nope" in r.stderr and not os.path.exists(os.path.join(TMP, "x.npz")),
          "export from a missing model dir: exit 1 naming it, no output")
    r = run("model", "import", "--config", os.path.join(GRU, "train.yaml"), "--out", os.path.join(TMP, "o"))
    check(r.returncode == 2, "import without --weights: usage error (exit 2)")


def main():
    skip_without_models()
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
    check_h5_cases()
    check_tf2_cases()
    check_export_usage()
    return check.finish("corrupt and foreign weight files")


if __name__ == "__main__":
    sys.exit(main())
