"""test_extract_vgg.py - `avmit extract --embeddings vggish-vgg16` (issue 14) on three
clips made with the ffmpeg CLI (H.264 25 fps + AAC, VP8 30 fps odd size + Opus, H.264
4:4:4 odd size without audio), random weights in the published layouts (VGGish a TF
checkpoint, VGG16 Keras HDF5), against the Python reference chain (extract_ref.py):
960 ms frames (4 per clip), VGGish 3 patches, each within the CNN parity tolerance
1e-4 * max|ref| (see test_extract.py); the outputs read back with the independent
reader. VGG16 is heavy (15.5 GFLOP per frame): 12 frames only.
"""
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extract_testlib as T  # noqa: E402
import extract_ref as X  # noqa: E402

TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-extract-vgg")


def main():
    shutil.rmtree(TMP, ignore_errors=True)
    vids, wdir = f"{TMP}/videos", f"{TMP}/weights"
    os.makedirs(wdir)
    T.skip_without_extract()
    T.make_media(vids)
    # 7: vggish-vgg16 on 3 clips
    v3 = f"{TMP}/v3"
    for rel in ("barking/a.mp4", "barking/b.webm", "diving/c.mkv"):
        os.makedirs(os.path.dirname(f"{v3}/{rel}"), exist_ok=True)
        shutil.copy(f"{vids}/{rel}", f"{v3}/{rel}")
    t0 = time.time()
    W2 = {k: X.write_weights(k, seed, wdir) for k, seed in (("vggish", 3), ("vgg16", 4))}
    print(f"weights written in {time.time() - t0:.1f} s", flush=True)
    r = T.run("--videos", v3, "--embeddings", "vggish-vgg16", "--weights-dir", wdir, "--threads",
            "2", "--batch", "8", "--out", f"{TMP}/vgg", "-v")
    T.check(r.returncode == 0, f"vggish-vgg16 over 3 clips: exit 0 ({r.stderr.strip()[-300:]})")
    print(r.stdout, flush=True)
    T.compare_reference(v3, f"{TMP}/vgg", "vggish-vgg16", W2,
                      ["barking/a.mp4", "barking/b.webm", "diving/c.mkv"])

    T.finish()


if __name__ == "__main__":
    main()
