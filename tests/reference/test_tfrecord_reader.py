"""test_tfrecord_reader.py — byte compatibility of avmit's embedding files with
TensorFlow's format, checked by an independent reader/writer (tfrecord_ref.py,
stdlib + numpy only):

1. files written by libavmit (tests/tools/avmit_write_example) are a single
   gzip member with zlib's header; their decompressed stream equals, byte for
   byte, the framing + deterministic SequenceExample that the Python encoder
   produces for the same content; CRCs verify; values decode exactly;
2. files written by Python (canonical, reordered, unpacked, several gzip
   members, uncompressed) are read by `avmit tfrecord info --json` identically
   and pass `avmit tfrecord validate`;
3. the Python encoder reproduces FORMATS.md §3.5 and the §1.2/§1.3 vectors, so
   both implementations agree with the document, not just with each other.
"""
import gzip
import json
import os
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import numpy as np
except ImportError:
    print("skipped: numpy missing")
    sys.exit(77)
import tfrecord_ref as ref  # noqa: E402

AVMIT = os.environ["AVMIT"]
TOOLS = os.environ.get("AVMIT_TOOLS", "")
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-ref-test")
WRITER = os.path.join(TOOLS, "avmit_write_example")
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def values(lst, t_rows, dim, seed):
    t = np.arange(t_rows)[:, None]
    j = np.arange(dim)[None, :]
    return (((lst * 7 + t * 13 + j * 5 + seed * 3) % 201 - 100) / 8.0).astype("<f4")


def spec_checks():
    check(ref.crc32c(b"123456789") == 0xE3069283, "crc32c('123456789')")
    check(ref.crc32c(bytes(32)) == 0x8A9136AA, "crc32c(32 zeros)")
    check(ref.mask(0xE3069283) == 0xC78AB0E5, "mask")
    check(ref.unmask(0xC78AB0E5) == 0xE3069283, "unmask")
    check(ref.frame(b"abc").hex() == "0300000000000000b099490e6162636e57f121", "§1.3 'abc' record")
    ex = ref.encode_embedding("barking/a.mp4", "barking", [[1.0, 2.0], [3.0, 4.0]],
                              [[0.5, -1.0], [0.0, 0.25]])
    check(len(ex) == 196 and ex[:4].hex() == "0a6a0a18" and ex[-4:].hex() == "0000803e",
          "§3.5 196-byte example")
    fr = ref.frame(ex)
    check(fr[:12].hex() == "c40000000000000040f1e57d" and fr[-4:].hex() == "8aefc52b",
          "§3.5 212-byte framed record")


def avmit_written():
    cases = [("barking", "barking/a.mp4", 6, 1024, 7, 1280, 1, "gzip"),
             ("whistling", "whistling/flickr-8729526@N02-4176959389_26.mp4", 3, 128, 4, 512, 9,
              "gzip"),
             ("diving", "diving/b.mp4", 2, 128, 2, 512, 3, "none")]
    for label, fname, ta, da, tv, dv, seed, comp in cases:
        path = os.path.join(TMP, "from_avmit", label + ".tfrecord")
        args = [WRITER, path, label, fname, str(ta), str(da), str(tv), str(dv), str(seed)]
        if comp == "none":
            args.append("none")
        subprocess.run(args, check=True)
        raw = open(path, "rb").read()
        if comp == "gzip":
            check(raw[:10] == bytes.fromhex("1f8b0800000000000003"),
                  "%s: zlib gzip header (FLG 0, MTIME 0, XFL 0, OS 3)" % label)
            d = zlib.decompressobj(31)
            stream = d.decompress(raw) + d.flush()
            check(d.eof and d.unused_data == b"", "%s: exactly one gzip member" % label)
            check(stream == gzip.decompress(raw), "%s: gzip module agrees" % label)
        else:
            stream = raw
        audio, visual = values(0, ta, da, seed), values(1, tv, dv, seed)
        want = ref.frame(ref.encode_embedding(fname, label, audio, visual))
        check(stream == want, "%s: decompressed bytes equal the independent encoding" % label)
        recs = ref.read_records(stream)
        check(len(recs) == 1, "%s: one record" % label)
        f, lab, a, v = ref.embedding_arrays(recs[0])
        check(f == fname and lab == label, "%s: context strings" % label)
        check(a.shape == (ta, da) and v.shape == (tv, dv), "%s: shapes" % label)
        check(np.array_equal(a, audio) and np.array_equal(v, visual), "%s: values" % label)


def python_written():
    rng = np.random.default_rng(7)
    out = os.path.join(TMP, "from_python")
    os.makedirs(out, exist_ok=True)
    expected = {}
    variants = ["canonical", "reversed", "unpacked", "members", "plain"]
    for i, var in enumerate(variants):
        label = ["drumming", "frying", "mowing", "raining", "tapping"][i]
        ta, da, tv, dv = [(6, 1024, 7, 1280), (3, 128, 4, 512)][i % 2]
        audio = rng.standard_normal((ta, da)).astype("<f4")
        visual = rng.standard_normal((tv, dv)).astype("<f4")
        fname = "%s/yt-%d_%s.mp4" % (label, i, var)
        rec = ref.frame(ref.encode_embedding(fname, label, audio, visual,
                                             reverse=(var == "reversed"),
                                             unpacked=(var == "unpacked")))
        if var == "members":  # the record split across two gzip members
            blob = gzip.compress(rec[:100], mtime=0) + gzip.compress(rec[100:], mtime=0)
        elif var == "plain":
            blob = rec
        else:
            blob = gzip.compress(rec, compresslevel=6, mtime=0)
        path = os.path.join(out, "%d_%s.tfrecord" % (i, var))
        open(path, "wb").write(blob)
        expected[path] = dict(path=path, filename=fname, label=label, audio_timesteps=ta,
                              audio_dim=da, visual_timesteps=tv, visual_dim=dv)
    r = subprocess.run([AVMIT, "tfrecord", "info", "--json", out], capture_output=True, text=True)
    check(r.returncode == 0, "info --json exit 0 (stderr: %s)" % r.stderr.strip())
    got = [json.loads(line) for line in r.stdout.splitlines()]
    check(len(got) == len(variants), "info --json: one line per file")
    for g in got:
        check(g == expected.get(g["path"]), "info --json of %s: %s" % (g["path"], g))
    r = subprocess.run([AVMIT, "tfrecord", "validate", out], capture_output=True, text=True)
    check(r.returncode == 0 and "validated 5 files: 5 good, 0 bad" in r.stdout,
          "validate on Python-written files: %s %s" % (r.stdout.strip(), r.stderr.strip()))
    # and a Python-written corruption is caught: flip one data byte and re-gzip
    rec = bytearray(ref.frame(ref.encode_embedding("a/b.mp4", "sanding", np.ones((2, 128)),
                                                   np.ones((2, 512)))))
    rec[200] ^= 1
    bad = os.path.join(TMP, "bad_data_crc.tfrecord")
    open(bad, "wb").write(gzip.compress(bytes(rec), mtime=0))
    r = subprocess.run([AVMIT, "tfrecord", "validate", bad], capture_output=True, text=True)
    check(r.returncode == 1 and "record 0 at byte 12: data CRC mismatch" in r.stdout,
          "validate reports a flipped data byte: %s" % r.stdout.strip())


def main():
    if not os.access(WRITER, os.X_OK):
        print("skipped: %s not built" % WRITER)
        return 77
    os.makedirs(TMP, exist_ok=True)
    spec_checks()
    avmit_written()
    python_written()
    if failures:
        print("test_tfrecord_reader.py: %d checks FAILED" % failures)
        return 1
    print("test_tfrecord_reader.py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
