"""make_corrupt.py — regenerates the corrupt embedding files in this folder.

Each <name>.tfrecord is a small, deliberately broken AVMIT embedding file;
<name>.expect holds the exact message fragment `avmit tfrecord validate` must
print for it (tests/cli/test_tfrecord_corrupt.sh). Built with the independent
encoder of tests/reference/tfrecord_ref.py. Run: /usr/bin/python3 make_corrupt.py
"""
import gzip
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import numpy as np  # noqa: E402
import tfrecord_ref as ref  # noqa: E402

A = np.full((1, 128), 0.5, dtype="<f4")
V = np.full((1, 512), -0.25, dtype="<f4")
GOOD = ref.encode_embedding("barking/a.mp4", "barking", A, V)


def gz(b):
    return gzip.compress(b, compresslevel=6, mtime=0)


def ctx_entry(key, feature):
    return ref.field_len(1, ref.map_entry(key, feature))


def record(ctx, lists):
    """SequenceExample from lists of (key, payload) in the given order."""
    return (ref.field_len(1, b"".join(ctx_entry(k, f) for k, f in ctx))
            + ref.field_len(2, b"".join(ctx_entry(k, f) for k, f in lists)))


def rows(x):
    return b"".join(ref.field_len(1, ref.feature_bytes([r.tobytes()])) for r in x)


def base_ctx(ta=1, tv=1, label="barking"):
    return [("audio_timesteps", ref.feature_int64([ta])),
            ("filename", ref.feature_bytes([b"barking/a.mp4"])),
            ("label", ref.feature_bytes([label.encode()])),
            ("visual_timesteps", ref.feature_int64([tv]))]


def base_lists(a=A, v=V):
    return [("audio", rows(a)), ("visual_object", rows(v))]


def main():
    cases = {}
    fr = ref.frame(GOOD)
    n = len(GOOD)
    # framing
    b = bytearray(fr)
    b[8] ^= 0xFF
    stored = struct.unpack_from("<I", b, 8)[0]
    computed = ref.mask(ref.crc32c(fr[:8]))
    cases["bad_length_crc"] = (gz(bytes(b)), "record 0 at byte 0: length CRC mismatch "
                               "(stored 0x%08x, computed 0x%08x" % (stored, computed))
    b = bytearray(fr)
    b[12 + 40] ^= 0x01
    stored = struct.unpack_from("<I", b, 12 + n)[0]
    computed = ref.mask(ref.crc32c(bytes(b[12:12 + n])))
    cases["bad_data_crc"] = (gz(bytes(b)), "record 0 at byte 12: data CRC mismatch "
                             "(stored 0x%08x, computed 0x%08x" % (stored, computed))
    cases["truncated_header"] = (fr[:7], "record 0 at byte 0: truncated record: input ends "
                                 "inside the 12-byte header (7 bytes left)")
    cases["truncated_data"] = (gz(fr[:12 + 100]), "record 0 at byte 0: truncated record: input "
                               "ends inside the data (100 of %d bytes present)" % n)
    cases["truncated_footer"] = (gz(fr[:-2]), "record 0 at byte 0: truncated record: input ends "
                                 "inside the 4-byte data CRC footer (2 bytes present)")
    g = gz(fr)
    cases["truncated_gzip"] = (g[:-6], "gzip stream truncated")
    b = bytearray(g)
    b[-6] ^= 0x10
    cases["bad_gzip_crc"] = (bytes(b), "gzip member CRC-32 mismatch")
    cases["trailing_garbage"] = (g + b"\n", "trailing data after gzip member 1")
    cases["two_records"] = (gz(fr + fr), "contains 2 records, expected exactly 1 embedding record")
    cases["no_records"] = (gz(b""), "contains 0 records, expected exactly 1 embedding record")
    big = struct.pack("<Q", 1 << 40)
    cases["length_over_cap"] = (big + struct.pack("<I", ref.mask(ref.crc32c(big))),
                                "record length 1099511627776 exceeds the limit of 2147483648 bytes")
    # record contents
    ctx = base_ctx()
    del ctx[2]
    cases["missing_label"] = (gz(ref.frame(record(ctx, base_lists()))),
                              "record 0: context key 'label' is missing")
    cases["label_wrong_kind"] = (
        gz(ref.frame(record(base_ctx()[:2] + [("label", ref.feature_int64([3]))]
                            + base_ctx()[3:], base_lists()))),
        "record 0: context 'label' must be a bytes_list, found int64_list")
    cases["unknown_label"] = (gz(ref.frame(record(base_ctx(label="coughing"), base_lists()))),
                              "record 0: context 'label' = 'coughing' is not one of the 16 AVMIT "
                              "classes")
    cases["timesteps_mismatch"] = (gz(ref.frame(record(base_ctx(ta=2), base_lists()))),
                                   "record 0: context 'audio_timesteps' = 2 but feature list "
                                   "'audio' has 1 entries")
    cases["missing_list"] = (gz(ref.frame(record(base_ctx(), base_lists()[:1]))),
                             "record 0: feature list 'visual_object' is missing")
    a2 = [("audio", rows(A) + rows(np.zeros((1, 64), "<f4")))]
    cases["unequal_rows"] = (gz(ref.frame(record(base_ctx(ta=2), a2 + base_lists()[1:]))),
                             "record 0: feature list 'audio' timestep 1: row has 256 bytes but "
                             "timestep 0 has 512 (unequal rows)")
    cases["bad_dims"] = (gz(ref.frame(record(base_ctx(), base_lists(a=np.zeros((1, 100), "<f4"))))),
                         "record 0: feature list 'audio' rows have 100 floats, expected 128 "
                         "(VGGish) or 1024 (YAMNet)")
    v = V.copy()
    v[0, 5] = np.inf
    cases["infinite_value"] = (gz(ref.frame(record(base_ctx(), base_lists(v=v)))),
                               "record 0: feature list 'visual_object' timestep 0 column 5: value "
                               "inf is not finite")
    dup = base_ctx() + [("label", ref.feature_bytes([b"barking"]))]
    cases["duplicate_key"] = (gz(ref.frame(record(dup, base_lists()))),
                              "record 0: context key 'label' appears twice (duplicate map key)")
    grp = base_ctx()[:2] + [("label", b"\x0b\x0c")] + base_ctx()[3:]
    cases["group_wire_type"] = (gz(ref.frame(record(grp, base_lists()))),
                                "unsupported wire type (groups 3/4 and types 6/7 are rejected)")
    for name, (blob, expect) in sorted(cases.items()):
        with open(os.path.join(HERE, name + ".tfrecord"), "wb") as f:
            f.write(blob)
        with open(os.path.join(HERE, name + ".expect"), "w") as f:
            f.write(expect + "\n")
    print("wrote %d corrupt files" % len(cases))


if __name__ == "__main__":
    main()
