"""visual_testlib.py — shared by the `avmit features visual` reference tests
(test_visual_frames.py, test_visual_partial.py): the skips (exit 77 without the
ffmpeg CLI or with an avmit built without FFmpeg), the scratch directory, and
check()/finish() counting failures."""
import os
import shutil
import subprocess
import sys

failures = 0


def setup(default_tmp):
    """Skip unless the ffmpeg CLI and an FFmpeg-enabled avmit exist; return (AVMIT, TMP)."""
    if not shutil.which("ffmpeg"):
        print("skipped: ffmpeg CLI not installed")
        sys.exit(77)
    avmit = os.environ["AVMIT"]
    if subprocess.run([avmit, "features", "visual", "--help"], capture_output=True).returncode:
        print("skipped: avmit built without FFmpeg")
        sys.exit(77)
    tmp = os.environ.get("AVMIT_TMP", default_tmp)
    os.makedirs(tmp, exist_ok=True)
    return avmit, tmp


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def finish():
    print("failures:", failures)
    sys.exit(1 if failures else 0)
