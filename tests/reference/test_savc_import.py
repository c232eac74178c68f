#!/usr/bin/env python3
"""test_savc_import.py — `avmit model import|export` for SAVC models and the
imported models in `avmit savc score|eval|train --init`, over the paper's
released savc files (../shared/data/models/savc):

1. all 12 random_seed.h5 (Keras 2.13.1 HDF5) and all 4 trained TF2 checkpoints
   (Keras >= 2.11 optimizer keys) import with their own train.yaml, which is
   recognised as a SAVC config; the trainable count equals the total of the
   file's variable shapes (h5py / tfckpt_ref.py) and FORMATS.md §5.3; every
   tensor of model.safetensors equals the file's variable bit for bit;
2. `model export --format keras-h5` of each imported random_seed.h5 gives the
   released file back (h5py): the same tree of groups and datasets, including
   the empty top_level_model_weights group; root backend / keras_version;
   layer_names and every weight_names as variable-length strings like the
   released ones; empty weight_names on the layers without weights; dataset
   shapes, dtypes and values. `--format npz` has the model.safetensors names
   and values and is byte-identical to np.savez of them;
3. parity: `avmit savc score` congruence probabilities on synthetic VGGish+VGG16
   TFRecords (`avmit synth`, SAVC test pairs from `avmit savc pairs --test`)
   equal an independent float64 NumPy forward (savc_ref.py; weights read by
   tfckpt_ref.py / h5py, inputs by tfrecord_ref.py) within 1e-5, for the 4
   trained checkpoints (GRU and SimpleRNN) and the initial weights of the
   VGGish LSTM (the LSTM gate order);
4. `avmit savc eval` runs on an imported trained model; `avmit savc train
   --init` starts from the imported weights (one epoch at lr 1e-30 leaves them
   as imported while a seeded start differs) and rejects another architecture;
5. foreign files are clear errors (exit 1, no output directory): an
   action-recognition H5 into a SAVC config and a SAVC H5 into an
   action-recognition config (each naming the variable and both shapes), the
   GRU savc checkpoint into the LSTM savc config, a YamNet savc file into a
   VGGish savc config, a truncated data shard.
"""
import csv
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# first: it exits 77 without numpy / h5py
from model_io_testlib import (AR, MODELS, SRC, TMP, check, check_npz, check_values,  # noqa: E402
                              checkpoints, h5py, import_model, np, read_embedding,
                              read_safetensors, run, skip_without_models)
import exp1_ref  # noqa: E402
import savc_ref  # noqa: E402
import tfckpt_ref  # noqa: E402

SAVC = os.path.join(MODELS, "savc")
TMP = os.path.join(TMP, "savc_import")
# FORMATS.md §5.3 totals (all trainable)
TOTALS = {("VGGish", "FRNN"): 181762, ("VGGish", "GRU"): 314626, ("VGGish", "LSTM"): 379906,
          ("YamNet", "FRNN"): 394754, ("YamNet", "GRU"): 527618, ("YamNet", "LSTM"): 592898}
GRU_AVMIT = os.path.join(SAVC, "VGGish_VGG16_GRU_AVMIT_avcorr")


def text(x):
    return x.decode() if isinstance(x, bytes) else x


def tree(f):
    """[(path, kind, shape, dtype)] of every object of an h5py File."""
    items = []
    f.visititems(lambda n, o: items.append((n, type(o).__name__, getattr(o, "shape", None),
                                            str(getattr(o, "dtype", "")))))
    return sorted(items)


def is_vlen(attr_owner, name):
    return h5py.check_string_dtype(attr_owner.attrs[name].dtype) is not None and \
        attr_owner.attrs.get_id(name).get_type().is_variable_str()


def check_export(tag, out, released):
    h5 = os.path.join(TMP, "export.h5")
    r = run("model", "export", "--model", out, "--format", "keras-h5", "-o", h5)
    if not check(r.returncode == 0, "%s: export keras-h5 (%s)" % (tag, r.stderr.strip())):
        return
    with h5py.File(released, "r") as a, h5py.File(h5, "r") as b:
        check(tree(a) == tree(b), "%s: export has the released tree of groups and datasets "
              "(incl. top_level_model_weights)" % tag)
        for k in ("backend", "keras_version"):
            check(text(a.attrs[k]) == text(b.attrs[k]), "%s: export %s %s" % (tag, k, text(b.attrs[k])))
        names = [text(x) for x in a.attrs["layer_names"]]
        check(names == [text(x) for x in b.attrs["layer_names"]] and is_vlen(b, "layer_names"),
              "%s: export layer_names, variable-length strings" % tag)
        for ln in names + ["top_level_model_weights"]:
            wa, wb = a[ln].attrs["weight_names"], b[ln].attrs["weight_names"]
            if len(wa):
                check([text(x) for x in wa] == [text(x) for x in wb] and is_vlen(b[ln], "weight_names"),
                      "%s: %s weight_names, variable-length strings" % (tag, ln))
                for wn in wa:
                    x, y = a[ln][text(wn)], b[ln][text(wn)]
                    check(x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x[()], y[()]),
                          "%s: %s/%s shape, dtype and values" % (tag, ln, text(wn)))
            else:
                check(wb.shape == (0,), "%s: %s has an empty weight_names" % (tag, ln))


def make_inputs():
    """Synthetic VGGish+VGG16 TFRecords of 2 test videos per class, their split
    and the SAVC test pairs (PREFIX_cong.csv, PREFIX_incong.csv)."""
    split, emb, prefix = (os.path.join(TMP, x) for x in ("test2.csv", "emb", "pairs"))
    with open(os.path.join(SRC, "data", "splits", "test_set.csv")) as f:
        rows = list(csv.reader(f))
    col, seen = rows[0].index("AVMIT_label"), {}
    with open(split, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(rows[0])
        for row in rows[1:]:
            seen[row[col]] = seen.get(row[col], 0) + 1
            if seen[row[col]] <= 2:
                w.writerow(row)
    r = run("synth", "--split", split, "--out", emb, "--embeddings", "vggish-vgg16", "--seed", 3,
            "--quiet", "--threads", 2)
    r2 = run("savc", "pairs", "--split", split, "--test", "--seed", 1, "-o", prefix)
    ok = check(r.returncode == 0 and r2.returncode == 0,
               "synth + savc pairs --test (%s %s)" % (r.stderr.strip(), r2.stderr.strip()))
    return (split, emb, prefix) if ok else None


def padded(emb, name, T):
    _n, _l, a, v = read_embedding(os.path.join(emb, name))
    xa, xv = np.zeros((T, a.shape[1])), np.zeros((T, v.shape[1]))
    xa[:a.shape[0]], xv[:v.shape[0]] = a, v
    return xa, xv


def check_parity(tag, out, layers, emb, prefix, T=4):
    worst, n = 0.0, 0
    for kind in ("cong", "incong"):
        scores = os.path.join(TMP, "scores.csv")
        r = run("savc", "score", "--model", out, "--pairs", "%s_%s.csv" % (prefix, kind), "--tfrecords", emb,
                "--out", scores, "--threads", 2)
        if not check(r.returncode == 0, "%s: savc score %s (%s)" % (tag, kind, r.stderr.strip())):
            return None
        with open(scores) as f:
            rows = list(csv.reader(f))[1:]
        xs = [padded(emb, a, T) for a, _v, _p in rows]
        ys = [padded(emb, v, T) for _a, v, _p in rows]
        want = savc_ref.forward(layers, np.stack([x[0] for x in xs]), np.stack([y[1] for y in ys]))[:, 1]
        got = np.array([float(p) for _a, _v, p in rows])
        worst, n = max(worst, float(np.abs(got - want).max())), n + len(rows)
    check(n == 64 and worst <= 1e-5,
          "%s: savc score vs NumPy forward on %d pairs: max |diff| %.2e <= 1e-5" % (tag, n, worst))
    return worst


def check_eval_and_init(out, split, emb, prefix):
    r = run("savc", "eval", "--model", out, "--test", split, "--tfrecords", emb, "--json", "--threads", 2)
    if check(r.returncode == 0, "savc eval on the imported trained model (%s)" % r.stderr.strip()):
        e = json.loads(r.stdout)
        check(e["pairs"] == 64 and sum(map(sum, e["confusion"])) == 64 and np.isfinite(e["loss"]),
              "savc eval: 64 pairs of 32 synthetic test videos, confusion sums to 64, finite loss")
    common = ["--tfrecords", emb, "--train", prefix, "--val", prefix, "--epochs", 1,
              "--epoch-pairs", 32, "--val-pairs", 32, "--batch", 16, "--lr", "1e-30", "--threads", 2, "-q"]
    cfg = os.path.join(GRU_AVMIT, "train.yaml")
    tr, seeded = os.path.join(TMP, "init"), os.path.join(TMP, "seeded")
    r = run("savc", "train", "--config", cfg, *common, "--init", out, "--out", tr)
    r2 = run("savc", "train", "--config", cfg, *common, "--out", seeded)
    if not check(r.returncode == 0 and r2.returncode == 0,
                 "savc train --init runs (%s %s)" % (r.stderr.strip(), r2.stderr.strip())):
        return
    a, b = read_safetensors(os.path.join(out, "model.safetensors")), \
        read_safetensors(os.path.join(tr, "model.safetensors"))
    c = read_safetensors(os.path.join(seeded, "model.safetensors"))
    check(sorted(a) == sorted(b) and all(np.allclose(a[k], b[k], rtol=0, atol=1e-12) for k in a),
          "savc train --init: weights after one epoch at lr 1e-30 are the imported ones")
    check(not np.allclose(a["dense_4/kernel:0"], c["dense_4/kernel:0"]),
          "savc train without --init starts elsewhere (the check above can fail)")
    r = run("savc", "train", "--config", os.path.join(SAVC, "VGGish_VGG16_LSTM_AVMIT_avcorr", "train.yaml"),
            *common, "--init", out, "--out", os.path.join(TMP, "init_lstm"))
    check(r.returncode == 1 and "lstm" in r.stderr and "gru" in r.stderr,
          "savc train --init with a GRU model for an LSTM config: exit 1 naming both (%s)" % r.stderr.strip())


def check_rejects():
    bad = os.path.join(TMP, "bad")
    ar_gru = os.path.join(AR, "VGGish_VGG_GRU_AVMIT")
    lstm = os.path.join(SAVC, "VGGish_VGG16_LSTM_AVMIT_avcorr")
    ckpt = next(checkpoints(GRU_AVMIT))[0]
    cases = [
        ("action-recognition H5 into a SAVC config", GRU_AVMIT, os.path.join(ar_gru, "random_seed.ckpt"),
         ["audio_bottleneck/audio_bottleneck/kernel:0", "(1, 1, 128, 256)", "(128, 128)"]),
        ("SAVC H5 into an action-recognition config", ar_gru, os.path.join(GRU_AVMIT, "random_seed.h5"),
         ["audio_Dense_1/audio_Dense_1/kernel:0", "(128, 128)", "(1, 1, 128, 256)"]),
        ("GRU savc checkpoint into the LSTM savc config", lstm, ckpt,
         ["layer_with_weights-4/cell/kernel", "(1, 768)", "(1, 1024)", "lstm/lstm_cell/kernel:0"]),
        ("YamNet savc H5 into a VGGish savc config", GRU_AVMIT,
         os.path.join(SAVC, "YamNet_EffNet_GRU_AVMIT_avcorr", "random_seed.h5"),
         ["audio_Dense_1/kernel:0", "(1024, 128)", "(128, 128)"]),
    ]
    trunc = os.path.join(TMP, "trunc", "w.ckpt")
    os.makedirs(os.path.dirname(trunc), exist_ok=True)
    shutil.copy(ckpt + ".index", trunc + ".index")
    with open(ckpt + tfckpt_ref.DATA_SUFFIX, "rb") as f:
        data = f.read()
    with open(trunc + tfckpt_ref.DATA_SUFFIX, "wb") as f:
        f.write(data[:len(data) // 2])
    cases.append(("truncated savc data shard", GRU_AVMIT, trunc, ["w.ckpt.data-00000-of-00001"]))
    for what, cfg_dir, weights, needles in cases:
        shutil.rmtree(bad, ignore_errors=True)
        r = run("model", "import", "--config", os.path.join(cfg_dir, "train.yaml"), "--weights", weights,
                "--out", bad)
        check(r.returncode == 1 and all(s in r.stderr for s in needles) and not os.path.exists(bad),
              "%s: exit 1 naming %s, nothing written (%s)" % (what, needles, r.stderr.strip()))


def main():
    skip_without_models()
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
    configs = sorted(d for d in os.listdir(SAVC) if d.endswith("_avcorr"))
    check(len(configs) == 12, "12 savc configs (%d)" % len(configs))
    out = os.path.join(TMP, "m")
    inputs = make_inputs()
    n_imported, worst = 0, 0.0
    for cfg in configs:
        d = os.path.join(SAVC, cfg)
        emb_set, rnn = cfg.split("_")[0], cfg.split("_")[2]
        h5 = os.path.join(d, "random_seed.h5")
        with h5py.File(h5, "r") as f:
            layers = savc_ref.h5_weights(f)
        shapes_total = sum(a.size for v in layers.values() for a in v.values())
        got = import_model(d, h5, out)
        if got:
            n_imported += 1
            check(got["model"] == "savc" and got["trainable_params"] == shapes_total == TOTALS[(emb_set, rnn)]
                  and got["non_trainable_params"] == 0,
                  "%s/random_seed.h5: trainable %d = H5 shapes' total %d = FORMATS §5.3 %d" % (
                      cfg, got["trainable_params"], shapes_total, TOTALS[(emb_set, rnn)]))
            check_values(cfg + "/random_seed.h5", out, layers)
            check_npz(cfg + "/random_seed.h5", out, TMP)
            check_export(cfg + "/random_seed.h5", out, h5)
            if cfg == "VGGish_VGG16_LSTM_AVMIT_avcorr" and inputs:
                worst = max(worst, check_parity(cfg + "/random_seed.h5", out, layers, inputs[1], inputs[2]) or 0)
        for prefix, tag in checkpoints(d):
            got = import_model(d, prefix, out)
            if not got:
                continue
            n_imported += 1
            _h, _e, values, names = tfckpt_ref.read_checkpoint(prefix)
            tl = exp1_ref.keras_layers(None, values, names)
            total = sum(a.size for v in tl.values() for a in v.values())
            check(got["format"] == "tf2-checkpoint" and got["trainable_params"] == total == TOTALS[(emb_set, rnn)],
                  "%s: trainable %d = checkpoint shapes' total %d" % (tag, got["trainable_params"], total))
            check_values(tag, out, tl)
            check_npz(tag, out, TMP)
            if inputs:
                worst = max(worst, check_parity(tag, out, tl, inputs[1], inputs[2]) or 0)
                if cfg == "VGGish_VGG16_GRU_AVMIT_avcorr":
                    check_eval_and_init(out, *inputs)
    check(n_imported == 16, "12 initial-weight files + 4 trained checkpoints imported (%d)" % n_imported)
    check_rejects()
    return check.finish("%d savc files imported, parity max |diff| %.2e" % (n_imported, worst))


if __name__ == "__main__":
    sys.exit(main())
