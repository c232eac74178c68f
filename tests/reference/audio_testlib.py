"""audio_testlib.py - what the test_audio_*.py scripts share: ok/FAIL lines and
a failure count, the scratch directory, and avmit_audio_tool (exit 77 passes
through as a skip)."""
import os
import subprocess
import sys

TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit-test-audio")
os.makedirs(TMP, exist_ok=True)
TOOL = os.path.join(os.environ.get("AVMIT_TOOLS", ""), "avmit_audio_tool")
_failures = [0]


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        _failures[0] += 1


def path(name):
    return os.path.join(TMP, name)


def tool(*args):
    """Run avmit_audio_tool; exit 77 when the build has no audio module."""
    r = subprocess.run([TOOL, *map(str, args)], capture_output=True, text=True)
    if r.returncode == 77:
        print(r.stdout.strip())
        sys.exit(77)
    if r.returncode != 0:
        raise RuntimeError("avmit_audio_tool %s: %s" % (args, r.stderr))


def finish():
    """Print the summary; the exit status for main()."""
    print("all passed" if not _failures[0] else "%d failures" % _failures[0])
    return 1 if _failures[0] else 0
