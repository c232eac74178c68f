"""test_model_import.py — `avmit model import`, `avmit model export`, and the
imported models in `avmit predict`, `avmit eval` and `avmit train --init`,
over the paper's released files (../shared/data/models/action_recognition):

1. all 12 random_seed.ckpt (Keras HDF5) and both trained TF2 checkpoints
   import with their own train.yaml; trainable / non-trainable counts equal
   the paper's Table 5 (FORMATS.md §5.2); every tensor of model.safetensors
   equals the file's variable bit for bit (h5py; tfckpt_ref.py, the
   pure-Python TF2 reader);
2. `model export --format keras-h5` of each imported random_seed file gives
   the released file back: root attributes, layer_names, weight_names (as
   fixed-length NULLPAD strings like the released ones), dataset shapes and
   values; `--format npz` loads with numpy.load, has the same values and is
   byte-identical to np.savez of those arrays;
3. parity: `avmit predict` probabilities on synthetic inputs equal an
   independent float64 NumPy forward (exp1_ref.py; weights read by h5py /
   tfckpt_ref.py, inputs by tfrecord_ref.py) within 1e-5, for both trained
   checkpoints and the initial weights of all six architectures (SimpleRNN,
   GRU, LSTM gate orders; relu and swish);
4. `avmit eval` runs on the imported trained YamNet_EffNet_GRU_AVMIT model
   over a small synthetic test split (the real test embeddings are not
   available), and `avmit train --init` starts from the imported weights
   (one epoch at lr 1e-30 leaves every trainable weight as imported, while a
   seeded start differs).
"""
import csv
import glob
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# first: it exits 77 without numpy / h5py
from model_io_testlib import (AR, SRC, TMP, check, check_npz, check_values, checkpoints,  # noqa: E402
                              h5py, import_model, np, read_embedding, read_safetensors, run,
                              skip_without_models, yaml_value)
import exp1_ref  # noqa: E402
import tfckpt_ref  # noqa: E402

# FORMATS.md §5.2 / the paper's Table 5: (total, trainable)
TABLE5 = {"VGGish_VGG_FRNN": (367376, 366352), "VGGish_VGG_GRU": (414992, 413968),
          "VGGish_VGG_LSTM": (957968, 956944), "YamNet_EffNet_FRNN": (676496, 675472),
          "YamNet_EffNet_GRU": (249232, 248976), "YamNet_EffNet_LSTM": (741136, 740112)}
SPLITS = os.path.join(SRC, "data", "splits")


def arch_of(config):
    return config.rsplit("_", 2)[0] if config.endswith("MIT_16") else config.rsplit("_", 1)[0]


def h5_layers(path):
    """{layer: {attr: array}} and [(layer, weight_name, dataset array)] of a Keras file."""
    w, flat = {}, []
    with h5py.File(path, "r") as f:
        for ln in f.attrs["layer_names"]:
            ln = ln.decode()
            for wn in f[ln].attrs["weight_names"]:
                wn = wn.decode()
                a = f[ln][wn][()]
                flat.append((ln, wn, a))
                w.setdefault(ln, {})[wn.split("/")[-1].split(":")[0]] = a
    return w, flat


def tf2_layers(prefix):
    _h, _e, values, names = tfckpt_ref.read_checkpoint(prefix)
    return exp1_ref.keras_layers(None, values, names)


def check_export(tag, out, released):
    h5 = os.path.join(TMP, "export.h5")
    r = run("model", "export", "--model", out, "--format", "keras-h5", "-o", h5)
    if not check(r.returncode == 0, "%s: export keras-h5 (%s)" % (tag, r.stderr.strip())):
        return
    with h5py.File(released, "r") as a, h5py.File(h5, "r") as b:
        for k in ("backend", "keras_version"):
            check(a.attrs[k] == b.attrs[k], "%s: export %s" % (tag, k))
        check(list(a.attrs["layer_names"]) == list(b.attrs["layer_names"])
              and a.attrs["layer_names"].dtype == b.attrs["layer_names"].dtype,
              "%s: export layer_names (and their fixed string size)" % tag)
    _, fa = h5_layers(released)
    _, fb = h5_layers(h5)
    check([(ln, wn) for ln, wn, _ in fa] == [(ln, wn) for ln, wn, _ in fb],
          "%s: export layer/weight names and order" % tag)
    check(all(x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y)
              for (_, _, x), (_, _, y) in zip(fa, fb)), "%s: export shapes and values" % tag)
    with h5py.File(h5, "r") as b:
        t = b[fb[0][0]].attrs.get_id("weight_names").get_type()
        check(not t.is_variable_str() and t.get_strpad() == h5py.h5t.STR_NULLPAD,
              "%s: weight_names are fixed-length NULLPAD strings like the released ones" % tag)


def synth(emb, which, per_class):
    if os.path.isdir(emb):
        return True
    r = run("synth", "--split", os.path.join(SPLITS, "test_set.csv"), "--out", emb,
            "--embeddings", which, "--limit-per-class", per_class, "--quiet", "--threads", 2)
    return check(r.returncode == 0, "synth %s (%s)" % (which, r.stderr.strip()))


def inputs(emb, d_audio, T=7):
    """{record filename: x [T, D_a + D_v]}, each stream zero-padded to T."""
    out = {}
    for p in sorted(glob.glob(os.path.join(emb, "*", "*.tfrecord"))):
        name, _label, a, v = read_embedding(p)
        x = np.zeros((T, a.shape[1] + v.shape[1]))
        x[:a.shape[0], :d_audio] = a
        x[:v.shape[0], d_audio:] = v
        out[name] = x
    return out


def check_parity(tag, out, layers, emb, act):
    d_audio = layers["audio_bottleneck"]["kernel"].shape[2]
    path = os.path.join(TMP, "pred.csv")
    r = run("predict", "--model", out, "--tfrecords", emb, "--out", path, "--threads", 2)
    if not check(r.returncode == 0, "%s: predict (%s)" % (tag, r.stderr.strip())):
        return
    xs = inputs(emb, d_audio)
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    names = [row[0] for row in rows]
    got = np.array([[float(p) for p in row[3:]] for row in rows])
    want = exp1_ref.forward(layers, np.stack([xs[n] for n in names]), d_audio, act)
    err = np.abs(got - want).max()
    check(len(rows) == len(xs) and err <= 1e-5,
          "%s: predict vs NumPy forward on %d inputs: max |diff| %.2e <= 1e-5" % (tag, len(rows), err))
    return err


def check_eval_and_init(cfg_dir, out, emb):
    r = run("eval", "--model", out, "--test", os.path.join(SPLITS, "test_set.csv"), "--tfrecords", emb,
            "--limit-per-class", 2, "--json")
    ok = check(r.returncode == 0, "eval on the imported trained model runs (%s)" % r.stderr.strip())
    if ok:
        e = json.loads(r.stdout)
        check(e["n"] == 32 and sum(map(sum, e["confusion"])) == 32 and np.isfinite(e["loss"]),
              "eval: 32 synthetic test videos, confusion sums to n, finite loss")
    common = ["--config", os.path.join(cfg_dir, "train.yaml"), "--tfrecords", emb,
              "--train", os.path.join(SPLITS, "test_set.csv"), "--val", os.path.join(SPLITS, "test_set.csv"),
              "--limit-per-class", 1, "--epochs", 1, "--lr", "1e-30", "--threads", 2, "-q"]
    tr, seeded = os.path.join(TMP, "init"), os.path.join(TMP, "seeded")
    r = run("train", *common, "--init", out, "--out", tr)
    r2 = run("train", *common, "--out", seeded)
    if not check(r.returncode == 0 and r2.returncode == 0,
                 "train --init runs (%s %s)" % (r.stderr.strip(), r2.stderr.strip())):
        return
    a, b = read_safetensors(os.path.join(out, "model.safetensors")), \
        read_safetensors(os.path.join(tr, "model.safetensors"))
    c = read_safetensors(os.path.join(seeded, "model.safetensors"))
    trainable = [k for k in a if "moving_" not in k]
    check(all(np.allclose(a[k], b[k], rtol=0, atol=1e-12) for k in trainable),
          "train --init: weights after one epoch at lr 1e-30 are the imported ones")
    check(not np.allclose(a["dense/kernel:0"], c["dense/kernel:0"]),
          "train without --init starts elsewhere (the check above can fail)")
    r = run("train", *common, "--init", os.path.join(TMP, "no_such_model"), "--out", tr)
    check(r.returncode == 1 and "no_such_model" in r.stderr, "train --init with a missing dir names it")


def main():
    skip_without_models()
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
    configs = sorted(d for d in os.listdir(AR) if os.path.isdir(os.path.join(AR, d)))
    check(len(configs) == 12, "12 action_recognition configs (%d)" % len(configs))
    out = os.path.join(TMP, "m")
    n_imported = 0
    worst = 0.0
    for cfg in configs:
        d = os.path.join(AR, cfg)
        total, trainable = TABLE5[arch_of(cfg)]
        tag = cfg + "/random_seed.ckpt"
        got = import_model(d, os.path.join(d, "random_seed.ckpt"), out)
        if got:
            n_imported += 1
            check(got["trainable_params"] == trainable and
                  got["trainable_params"] + got["non_trainable_params"] == total,
                  "%s: trainable %d + non-trainable %d = Table 5 %d / %d" % (
                      tag, got["trainable_params"], got["non_trainable_params"], trainable, total))
            layers, _ = h5_layers(os.path.join(d, "random_seed.ckpt"))
            check_values(tag, out, layers)
            check_export(tag, out, os.path.join(d, "random_seed.ckpt"))
            if cfg.endswith("_AVMIT"):  # one parity run per architecture (the twins are equal in shape)
                vgg = cfg.startswith("VGGish")
                emb = os.path.join(TMP, "emb_vgg" if vgg else "emb_yam")
                if synth(emb, "vggish-vgg16" if vgg else "yamnet-effnet", 2):
                    e = check_parity(tag, out, layers, emb, yaml_value(os.path.join(d, "train.yaml"),
                                                                       "bottleneck_activation"))
                    worst = max(worst, e or 0)
        for prefix, tag in checkpoints(d):
            got = import_model(d, prefix, out)
            if not got:
                continue
            n_imported += 1
            check(got["format"] == "tf2-checkpoint" and got["trainable_params"] == trainable,
                  "%s: trainable %d = Table 5 %d" % (tag, got["trainable_params"], trainable))
            layers = tf2_layers(prefix)
            check_values(tag, out, layers)
            check_npz(tag, out, TMP)
            emb = os.path.join(TMP, "emb_yam")
            if synth(emb, "yamnet-effnet", 2):
                e = check_parity(tag, out, layers, emb, yaml_value(os.path.join(d, "train.yaml"),
                                                                   "bottleneck_activation"))
                worst = max(worst, e or 0)
            if cfg == "YamNet_EffNet_GRU_AVMIT":
                check_eval_and_init(d, out, emb)
    check(n_imported == 14, "12 initial-weight files + 2 trained checkpoints imported (%d)" % n_imported)
    return check.finish("%d files imported, parity max |diff| %.2e" % (n_imported, worst))


if __name__ == "__main__":
    sys.exit(main())
