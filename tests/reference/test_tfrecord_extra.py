"""test_tfrecord_extra.py — interop with embedding files that carry more than the AVMIT
fields (issue 17 item 1). tf.io.parse_sequence_example with a fixed feature spec ignores
context keys and feature lists it was not asked for; avmit must read such files the same
way. Files are written by the independent Python encoder (tfrecord_ref.py), with extra
context keys (`fps` float_list, `source` bytes_list, `aaa` sorting before every AVMIT key,
`zzz` after) and extra feature lists (per-frame `logits` as float_list, `audio_logits` as
int64_list) placed before, between and after the AVMIT lists. Checked facts:

1. `tfrecord info --json` reads the AVMIT fields exactly as from the same record without
   the extras, and lists the ignored keys (extra_context / extra_feature_lists) in record
   order; the text form names them on stderr at info level;
2. `tfrecord dump` writes audio/visual arrays equal to the encoded numpy arrays;
3. `tfrecord validate` passes them (exit 0) with one `INFO <path>:` line per file;
   `validate --strict` fails them (exit 1), naming the extra key;
4. errors name the feature list by its key: a malformed extra list ('logits' with a
   varint where a Feature message belongs) and a malformed AVMIT list ('visual_object'
   with a float_list row) are reported with that key.
"""
import gzip
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import numpy as np
except ImportError:
    print("skipped: numpy missing")
    sys.exit(77)
import tfrecord_ref as ref  # noqa: E402

AVMIT = os.environ["AVMIT"]
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-extra-test")
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def feature_float(values):
    return ref.field_len(2, ref.field_len(1, struct.pack("<%df" % len(values), *values)))


def rows_list(arr, kind="bytes"):
    out = b""
    for row in arr:
        if kind == "bytes":
            feat = ref.feature_bytes([np.asarray(row, "<f4").tobytes()])
        elif kind == "float":
            feat = feature_float([float(x) for x in row])
        else:
            feat = ref.feature_int64([int(x) for x in row])
        out += ref.field_len(1, feat)
    return out


def encode(fname, label, audio, visual, ctx_extra, list_extra, list_order, ctx_order=None):
    """SequenceExample with the AVMIT fields plus extras; entries in the given order."""
    ctx = {
        "audio_timesteps": ref.feature_int64([audio.shape[0]]),
        "filename": ref.feature_bytes([fname.encode()]),
        "label": ref.feature_bytes([label.encode()]),
        "visual_timesteps": ref.feature_int64([visual.shape[0]]),
    }
    ctx.update(ctx_extra)
    lists = {"audio": rows_list(audio), "visual_object": rows_list(visual)}
    lists.update(list_extra)
    corder = ctx_order or sorted(ctx, key=lambda k: k.encode())
    context = b"".join(ref.field_len(1, ref.map_entry(k, ctx[k])) for k in corder)
    flists = b"".join(ref.field_len(1, ref.map_entry(k, lists[k])) for k in list_order)
    return ref.field_len(1, context) + ref.field_len(2, flists)


def run(*args):
    return subprocess.run([AVMIT] + list(args), capture_output=True, text=True)


def main():
    out = os.path.join(TMP, "extra")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    rng = np.random.default_rng(17)
    ta, da, tv, dv = 3, 128, 4, 512
    audio = rng.standard_normal((ta, da)).astype("<f4")
    visual = rng.standard_normal((tv, dv)).astype("<f4")
    logits = rng.standard_normal((tv, 339)).astype("<f4")
    ctx_extra = {"fps": feature_float([25.0]), "source": ref.feature_bytes([b"youtube"]),
                 "aaa": ref.feature_int64([1, 2, 3]), "zzz": ref.feature_bytes([])}
    list_extra = {"logits": rows_list(logits, "float"),
                  "audio_logits": rows_list(np.arange(ta * 5).reshape(ta, 5), "int64")}
    layouts = {
        "before": ["logits", "audio_logits", "audio", "visual_object"],
        "between": ["audio", "logits", "visual_object", "audio_logits"],
        "after": ["visual_object", "audio", "audio_logits", "logits"],
    }
    want_ctx = sorted(["fps", "source", "aaa", "zzz"])
    expected = {}
    for name, order in layouts.items():
        fname = "drumming/yt-%s.mp4" % name
        rec = ref.frame(encode(fname, "drumming", audio, visual, ctx_extra, list_extra, order))
        path = os.path.join(out, name + ".tfrecord")
        open(path, "wb").write(gzip.compress(rec, mtime=0))
        expected[path] = dict(path=path, filename=fname, label="drumming", audio_timesteps=ta,
                              audio_dim=da, visual_timesteps=tv, visual_dim=dv,
                              extra_context=want_ctx,
                              extra_feature_lists=[k for k in order if k in list_extra])
    # a plain record: info must give the same AVMIT fields
    plain = os.path.join(TMP, "plain.tfrecord")
    open(plain, "wb").write(gzip.compress(ref.frame(ref.encode_embedding(
        "drumming/yt-plain.mp4", "drumming", audio, visual)), mtime=0))

    r = run("tfrecord", "info", "--json", out)
    check(r.returncode == 0, "info --json on files with extras exits 0 (%s)" % r.stderr.strip())
    got = [json.loads(line) for line in r.stdout.splitlines()]
    check(len(got) == 3, "info --json: one line per file (%d)" % len(got))
    for g in got:
        check(g == expected.get(g["path"]), "info --json %s: %s" % (g["path"], g))
    r = run("tfrecord", "info", plain)
    check(r.returncode == 0 and "audio 3x128\tvisual 4x512" in r.stdout and r.stderr == "",
          "plain record: no info note (%s)" % r.stderr)
    r = run("tfrecord", "info", os.path.join(out, "between.tfrecord"))
    check(r.returncode == 0 and "avmit: info:" in r.stderr and "'fps'" in r.stderr
          and "feature list(s) 'logits', 'audio_logits'" in r.stderr,
          "info text names the ignored keys on stderr: %r" % r.stderr)

    for name in layouts:
        a_npy = os.path.join(TMP, name + "_a.npy")
        v_npy = os.path.join(TMP, name + "_v.npy")
        r = run("tfrecord", "dump", os.path.join(out, name + ".tfrecord"),
                "--audio", a_npy, "--visual", v_npy)
        check(r.returncode == 0, "dump %s exits 0 (%s)" % (name, r.stderr.strip()))
        if r.returncode == 0:
            check(np.array_equal(np.load(a_npy), audio) and np.array_equal(np.load(v_npy), visual),
                  "dump %s: AVMIT rows equal the encoded arrays bit for bit" % name)

    r = run("tfrecord", "validate", out)
    check(r.returncode == 0 and "validated 3 files: 3 good, 0 bad" in r.stdout
          and r.stdout.count("INFO ") == 3,
          "validate passes files with extras, one INFO line each: %r" % r.stdout)
    r = run("tfrecord", "validate", "--strict", out)
    check(r.returncode == 1 and "validated 3 files: 0 good, 3 bad" in r.stdout
          and r.stdout.count("is not an AVMIT field") == 3,
          "validate --strict rejects extras: %r" % r.stdout)
    r = run("tfrecord", "validate", "--strict", plain)
    check(r.returncode == 0, "validate --strict passes a plain record: %r" % r.stdout)

    # errors name the feature list by its key
    bad_extra = {"logits": ref.field_varint(1, 5)}  # FeatureList.feature as a varint
    rec = ref.frame(encode("a/b.mp4", "drumming", audio, visual, {}, bad_extra,
                           ["audio", "logits", "visual_object"]))
    p = os.path.join(TMP, "bad_extra.tfrecord")
    open(p, "wb").write(gzip.compress(rec, mtime=0))
    r = run("tfrecord", "validate", p)
    check(r.returncode == 1 and "logits" in r.stdout and "wire type" in r.stdout,
          "a malformed extra list is named by its key: %r" % r.stdout)
    vis_float = rows_list(visual, "float")
    body = encode("a/b.mp4", "drumming", audio, visual, {}, {"visual_object": vis_float},
                  ["audio", "visual_object"])
    p = os.path.join(TMP, "bad_visual.tfrecord")
    open(p, "wb").write(gzip.compress(ref.frame(body), mtime=0))
    r = run("tfrecord", "validate", p)
    check(r.returncode == 1 and "feature list 'visual_object' timestep 0" in r.stdout,
          "a malformed AVMIT list is named by its key: %r" % r.stdout)

    if failures:
        print("test_tfrecord_extra.py: %d checks FAILED" % failures)
        return 1
    print("test_tfrecord_extra.py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
