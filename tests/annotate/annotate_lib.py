"""annotate_lib.py — shared helpers of the `avmit annotate` tests (issue 15): test clips made
by the ffmpeg CLI (H.264 + AAC mp4), a queue CSV, a study, a server on a free loopback port,
and an HTTP client (http.client) that keeps the session cookie and CSRF token.

Environment (set by CTest): AVMIT (the CLI), AVMIT_TMP (scratch folder).
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time

AVMIT = os.environ.get("AVMIT", "avmit")
TMP = os.environ.get("AVMIT_TMP", "/tmp/avmit_annotate_test")
SKIP = 77

CLASSES = ["barking", "diving", "drumming", "frying"]


def skip(why):
    print("skipped: " + why)
    sys.exit(SKIP)


def need_ffmpeg():
    if not shutil.which("ffmpeg"):
        skip("ffmpeg CLI not found (Debian package ffmpeg)")


def make_clips(folder, names, seconds=3):
    """One 3-s 160x120 30-fps H.264 clip with an AAC tone per name (relative path)."""
    for i, name in enumerate(names):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
             f"testsrc=size=160x120:rate=30:duration={seconds}", "-f", "lavfi", "-i",
             f"sine=frequency={220 + 40 * (i % 20)}:duration={seconds}", "-c:v", "libx264",
             "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
             "-movflags", "+faststart", path], check=True)


def write_queue(path, rows):
    """rows: (filename, label, role, expected, explanation)."""
    with open(path, "w") as f:
        f.write("filename,AVMIT_label,MIT_label,video_location,role,expected,explanation\n")
        for fn, label, role, exp, expl in rows:
            f.write(f"{fn},{label},{label},training,{role},{exp},{expl}\n")


def standard_study(folder, n_rate=12, n_gt=2, clips=True, extra_init=()):
    """A study with one training and one screening clip per class (4 each), n_rate videos
    to rate and n_gt ground-truth clips. Returns (db, videos_dir, admin_token, queue rows)."""
    os.makedirs(folder, exist_ok=True)
    vids = os.path.join(folder, "videos")
    rows = []
    for k, c in enumerate(CLASSES):
        rows.append((f"{c}/train_{k}.mp4", c, "training", 3 if k % 2 == 0 else 2,
                     f"The {c} sound and picture are clear in this clip"))
    for k, c in enumerate(CLASSES):
        rows.append((f"{c}/screen_{k}.mp4", c, "screening", 3, ""))
    for i in range(n_rate):
        c = CLASSES[i % len(CLASSES)]
        rows.append((f"{c}/rate_{i}.mp4", c, "rate", "", ""))
    for i in range(n_gt):
        c = CLASSES[i % len(CLASSES)]
        rows.append((f"{c}/gt_{i}.mp4", c, "gt", 3, ""))
    if clips:
        need_ffmpeg()
        make_clips(vids, [r[0] for r in rows])
    else:  # content does not matter (load tests): one real clip copied
        need_ffmpeg()
        make_clips(vids, [rows[0][0]])
        src = os.path.join(vids, rows[0][0])
        for r in rows[1:]:
            dst = os.path.join(vids, r[0])
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if not os.path.exists(dst):
                os.link(src, dst)  # hard links: 20,000 clips cost no space
    queue = os.path.join(folder, "queue.csv")
    write_queue(queue, rows)
    db = os.path.join(folder, "study.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    out = run_ok(["annotate", "init", "--db", db, "--queue", queue, *extra_init])
    token = [l for l in out.splitlines() if l.startswith("experimenter token: ")][0].split(": ")[1]
    return db, vids, token, rows


def run(args, **kw):
    return subprocess.run([AVMIT, *args], capture_output=True, text=True, **kw)


def run_ok(args):
    p = run(args)
    if p.returncode != 0:
        raise AssertionError(f"avmit {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p.stdout


def add_rater(db, name):
    out = run_ok(["annotate", "raters", "add", "--db", db, name])
    return out.strip().split("#t=")[1]


class Server:
    """`avmit annotate serve` on 127.0.0.1 with a free port."""

    def __init__(self, db, videos, extra=()):
        self.db, self.videos, self.extra = db, videos, extra
        self.proc = None
        self.port = None

    def start(self):
        pf = self.db + ".port"
        if os.path.exists(pf):
            os.remove(pf)
        self.log = open(self.db + ".log", "a")
        self.proc = subprocess.Popen([AVMIT, "annotate", "serve", "--db", self.db, "--videos",
                                      self.videos, "--listen", "127.0.0.1:0", "--port-file", pf,
                                      *self.extra], stdout=self.log, stderr=self.log)
        for _ in range(200):
            if os.path.exists(pf):
                self.port = int(open(pf).read())
                return self
            if self.proc.poll() is not None:
                raise AssertionError("server exited: " + open(self.db + ".log").read()[-2000:])
            time.sleep(0.05)
        raise AssertionError("server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        return self.proc.returncode

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


class Client:
    """One browser-like client: cookie jar of one cookie, CSRF header on POSTs."""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = ""
        self.conn = None

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.conn

    def request(self, method, path, body=None, headers=None, raw=None):
        h = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookie:
            h["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
            h["X-CSRF-Token"] = self.csrf
        if raw is not None:
            data = raw
        h.update(headers or {})
        for attempt in range(2):
            c = self._conn()
            try:
                c.request(method, path, body=data, headers=h)
                r = c.getresponse()
                payload = r.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn = None
                if attempt:
                    raise
        sc = r.getheader("Set-Cookie")
        if sc and sc.startswith("avmit_session="):
            self.cookie = sc.split(";")[0]
            self.set_cookie_header = sc
        try:
            j = json.loads(payload) if payload and r.getheader("Content-Type", "").startswith("application/json") else None
        except ValueError:
            j = None
        return r.status, j, payload, r

    def login(self, token):
        st, j, _, _ = self.request("POST", "/api/login", {"token": token})
        if st == 200:
            self.csrf = j["csrf"]
        return st, j

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)


def expect(cond, what):
    if cond:
        print("ok: " + what)
    else:
        print("FAIL: " + what)
        expect.failed = True


expect.failed = False


def finish():
    sys.exit(1 if expect.failed else 0)


def answer_phase(c, phase, answer):
    """Answer every trial of `phase` with answer(trial) until the phase changes; returns
    (answers given, phase reached)."""
    n = 0
    while True:
        st, j, _, _ = c.get("/api/trials")
        assert st == 200, st
        if j["phase"] != phase or not j["trials"]:
            return n, j["phase"]
        t = j["trials"][0]
        st, r, _, _ = c.post("/api/rate", {"trial": t["trial"], "rating": answer(t),
                                           "request_id": f"{phase}-{n}-{t['trial'][:8]}"})
        assert st == 200, (st, r)
        n += 1


def rate_all(c, who, rating=lambda n: 3 if n % 3 else 2):
    """Rate every clip the rater is given (rating(n) for the n-th); returns how many."""
    n = 0
    while True:
        st, j, _, _ = c.get("/api/trials")
        assert st == 200, st
        if not j["trials"]:
            return n
        t = j["trials"][0]
        st, r, _, _ = c.post("/api/rate", {"trial": t["trial"], "rating": rating(n),
                                           "request_id": f"{who}-{n}", "rt_ms": 400 + 10 * n})
        assert st == 200, (st, r)
        n += 1
