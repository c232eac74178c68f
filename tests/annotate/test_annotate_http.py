"""test_annotate_http.py — `avmit annotate` at the HTTP level (issue 15 items 1-8): every route,
the rater flow (training feedback, screening pass/fail, rating queue), assignment (3 distinct
raters, leases that expire, no secrets in responses), idempotent submissions, security
(tokens, cookies, CSRF, Origin, traversal, another rater's clip, sizes, rate limit, Range),
the headphone check and its stimuli, the dashboard document, and the exports
(raw ratings -> `avmit ratings aggregate`, bonus once and only once)."""
import csv
import io
import json
import os
import sqlite3
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from annotate_lib import (TMP, Client, Server, add_rater, answer_phase, expect, finish,  # noqa: E402
                          rate_all, run, run_ok, standard_study)

try:
    import numpy as np
except ImportError:
    np = None

folder = os.path.join(TMP, "http")
db, vids, admin_token, rows = standard_study(folder, n_rate=12, n_gt=2,
                                             extra_init=["--lease-seconds", "8", "--gt-every", "4"])
names = ["alice", "bob", "carol", "dave", "erin"]
tokens = {n: add_rater(db, n) for n in names}
p = run(["annotate", "raters", "add", "--db", db, "alice"])
expect(p.returncode == 1 and "already exists" in p.stderr, "a second rater named alice is refused (exit 1)")
p = run(["annotate", "init", "--db", db, "--queue", os.path.join(folder, "queue.csv")])
expect(p.returncode == 1 and "already exists" in p.stderr, "init refuses to overwrite a study")
expect(all(len(t.split(".")[1]) == 32 for t in tokens.values()), "rater tokens carry 128-bit (32 hex) secrets")

srv = Server(db, vids).start()
port = srv.port
anon = Client(port)

# ---- pages and static assets ---------------------------------------------------------
st, _, body, r = anon.get("/")
expect(st == 200 and b"/static/app.js" in body and r.getheader("Content-Type").startswith("text/html"),
       "GET / serves the compiled-in rater page")
expect("default-src 'self'" in (r.getheader("Content-Security-Policy") or ""), "pages carry a CSP")
expect(r.getheader("X-Frame-Options") == "DENY", "pages refuse framing")
for path, kind in [("/static/app.js", "text/javascript"), ("/static/app.css", "text/css"),
                   ("/admin", "text/html"), ("/static/admin.js", "text/javascript")]:
    st, _, body, r = anon.get(path)
    expect(st == 200 and r.getheader("Content-Type").startswith(kind) and len(body) > 100, f"GET {path}")
for path in ["/static/../CMakeLists.txt", "/static/nope.js", "/nope", "/static/%2e%2e/queue.csv"]:
    expect(anon.get(path)[0] == 404, f"GET {path} is 404")
expect(anon.request("PUT", "/")[0] == 405, "PUT is 405")
expect(anon.request("DELETE", "/api/state")[0] == 405, "DELETE is 405")

# ---- login ---------------------------------------------------------------------------
expect(anon.get("/api/state")[0] == 401, "state without a session is 401")
expect(anon.get("/api/login")[0] == 405, "GET /api/login is 405")
a_id, a_secret = tokens["alice"].split(".")
bad_tokens = ["", "r1", a_id + "." + "0" * 32, a_id + "." + a_secret[:-1], "r99." + a_secret,
              "x." + a_secret, a_id + "." + a_secret + "0", "r-1." + a_secret, tokens["bob"].split(".")[0] + "." + a_secret]
for t in bad_tokens:
    expect(anon.login(t)[0] == 401, f"login with a wrong token {t[:12]!r}... is 401")
st, _, _, _ = anon.request("POST", "/api/login", raw=b'{"token":', headers={"Content-Type": "application/json"})
expect(st == 400, "malformed JSON body is 400")
st, _, _, _ = anon.request("POST", "/api/login", raw=b'[1,2]', headers={"Content-Type": "application/json"})
expect(st == 400, "a JSON body that is not an object is 400")
st, _, _, _ = anon.request("POST", "/api/login", raw=b'token=' + tokens["alice"].encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
expect(st == 415, "a form-encoded POST (cross-site form) is 415")
st, _, _, _ = anon.request("POST", "/api/login", raw=json.dumps({"token": tokens["alice"]}).encode(),
                           headers={"Content-Type": "application/json", "Origin": "http://evil.example"})
expect(st == 403, "a POST from another Origin is 403")
st, _, _, _ = anon.request("POST", "/api/login", raw=b'{"token":"' + b"a" * 10000 + b'"}',
                           headers={"Content-Type": "application/json"})
expect(st == 413, "a 10 kB body is 413")



def raw_http(data):
    """Send raw bytes, return the status line's code (or 0 when the server closed)."""
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=10) as so:
        try:
            so.sendall(data)
        except OSError:
            pass
        try:
            line = so.makefile("rb").readline()
        except OSError:
            return 0
    return int(line.split()[1]) if line.startswith(b"HTTP/1.1 ") else 0


chunk = b"%x\r\n%s\r\n" % (6000, b"a" * 6000)
expect(raw_http(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + chunk + b"0\r\n\r\n") == 413,
       "a chunked body over 4 KiB (no Content-Length) is 413")
expect(raw_http(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70000 + b"\r\n\r\n") in (0, 413, 431),
       "a 70 kB header is refused (connection memory limit)")
expect(raw_http(b"GARBAGE\r\n\r\n") in (0, 400), "a malformed request line is refused")
expect(anon.get("/")[0] == 200, "the server is still serving after the malformed requests")

alice = Client(port)
st, j = alice.login(tokens["alice"])
expect(st == 200 and j["role"] == "rater", "alice logs in")
sc = alice.set_cookie_header
expect("HttpOnly" in sc and "SameSite=Strict" in sc and "Path=/" in sc, "session cookie is HttpOnly SameSite=Strict")
expect(len(sc.split("=")[1].split(";")[0].split(".")[1]) == 32, "session secret is 128 bits")
st, j, _, _ = alice.get("/api/state")
expect(st == 200 and j["phase"] == "instructions" and j["name"] == "alice", "alice starts at the instructions")
expect(alice.get("/api/trials")[1]["trials"] == [], "no trials before the instructions are read")

# ---- CSRF -------------------------------------------------------------------------------
csrf = alice.csrf
alice.csrf = "0" * 32
expect(alice.post("/api/begin", {})[0] == 403, "a POST with a wrong CSRF token is 403")
alice.csrf = ""
expect(alice.post("/api/begin", {})[0] == 403, "a POST without a CSRF token is 403")
alice.csrf = csrf
st, j, _, _ = alice.post("/api/begin", {})
expect(st == 200 and j["phase"] == "training", "begin moves alice to training")

# ---- training -------------------------------------------------------------------------------
def trials(c):
    st, j, body, _ = c.get("/api/trials")
    assert st == 200, st
    return j, body


j, body = trials(alice)
expect(len(j["trials"]) == 2 and all(t["kind"] == "training" for t in j["trials"]), "two training trials held (current + preload)")
expect(b"expected" not in body and b"explanation" not in body and b".mp4" not in body,
       "no expected answer, explanation or file name reaches the browser before the answer")
t0 = j["trials"][0]
# video serving: whole file and ranges
first = [r for r in rows if r[2] == "training"][0]
data = open(os.path.join(vids, first[0]), "rb").read()
st, _, got, r = alice.get(t0["video"])
expect(st == 200 and got == data and r.getheader("Content-Type") == "video/mp4", "the held clip is served whole")
expect(r.getheader("Accept-Ranges") == "bytes", "video responses advertise byte ranges")
st, _, got, r = alice.get(t0["video"], headers={"Range": "bytes=100-199"})
expect(st == 206 and got == data[100:200] and r.getheader("Content-Range") == f"bytes 100-199/{len(data)}",
       "Range bytes=100-199 is a 206 with those bytes")
st, _, got, r = alice.get(t0["video"], headers={"Range": "bytes=-50"})
expect(st == 206 and got == data[-50:], "suffix Range bytes=-50")
st, _, got, r = alice.get(t0["video"], headers={"Range": f"bytes={len(data)}-"})
expect(st == 416 and r.getheader("Content-Range") == f"bytes */{len(data)}", "a Range past the end is 416")
expect(alice.get(t0["video"], headers={"Range": "bytes=abc"})[0] == 416, "a malformed Range is 416")
for path in ["/video/../../etc/passwd", "/video/..%2f..%2fqueue.csv", "/video/" + "0" * 32,
             "/video/" + t0["trial"] + "/../x", "/video/" + first[0], "/hp/" + "0" * 32 + ".wav"]:
    expect(alice.get(path)[0] == 404, f"GET {path[:50]} is 404 (only held queue files)")
expect(anon.get(t0["video"])[0] == 401, "the clip needs a session")

# bad rating bodies
good = {"trial": t0["trial"], "rating": 3, "request_id": "req-a-1", "rt_ms": 512.5, "clip_ms": 3000,
        "replays": 1, "early_presses": 1, "clock": "rvfc"}
for field, value, code in [("rating", 4, 400), ("rating", 0, 400), ("rating", "3", 400), ("rating", 2.5, 400),
                           ("request_id", "", 400), ("request_id", "x" * 65, 400), ("request_id", "a b", 400),
                           ("trial", "0" * 32, 404), ("trial", "../x", 400), ("trial", 5, 400)]:
    b = dict(good)
    b[field] = value
    expect(alice.post("/api/rate", b)[0] == code, f"rating with {field}={value!r} is {code}")
b = dict(good)
del b["rating"]
expect(alice.post("/api/rate", b)[0] == 400, "a rating without 'rating' is 400")
st, j, _, _ = alice.post("/api/rate", good)
expect(st == 200 and j["duplicate"] is False and j["feedback"]["expected"] == first[3]
       and j["feedback"]["explanation"] == first[4], "a training answer returns the expected answer and the reasoning")
st, j, _, _ = alice.post("/api/rate", good)
expect(st == 200 and j["duplicate"] is True, "the same request id again is a duplicate, recorded once")
b = dict(good, request_id="req-a-2", rating=1)
st, j, _, _ = alice.post("/api/rate", b)
expect(st == 200 and j["duplicate"] is True, "a second answer to the same trial is a duplicate")
con = sqlite3.connect(db)
expect(con.execute("SELECT count(*), rating, rt_ms, replays, early_presses, clock FROM ratings").fetchone()
       == (1, 3, 512.5, 1, 1, "rvfc"), "the database holds exactly the first answer with its timing fields")
expect(alice.get(t0["video"])[0] == 404, "a rated clip is no longer served")


n, phase = answer_phase(alice, "training", lambda t: 3)
expect(n == 3 and phase == "screening", "after the 4 training clips alice is in screening")
j, body = trials(alice)
expect(all(t["kind"] == "screening" for t in j["trials"]) and b"expected" not in body, "screening trials, no answers")
st, r, _, _ = alice.post("/api/rate", {"trial": j["trials"][0]["trial"], "rating": 3, "request_id": "s-first"})
expect(st == 200 and "feedback" not in r, "screening answers get no feedback")
n, phase = answer_phase(alice, "screening", lambda t: 3)
expect(phase == "rating", "4 of 4 screening matches pass (pass mark 38/41 of 4 = 4)")

# bob fails the screening
bob = Client(port)
bob.login(tokens["bob"])
bob.post("/api/begin", {})
answer_phase(bob, "training", lambda t: 3)
answer_phase(bob, "screening", lambda t: 1)
st, j, _, _ = bob.get("/api/state")
expect(j["phase"] == "failed", "bob, 0 of 4 in screening, is out")
expect(trials(bob)[0]["trials"] == [], "a failed rater gets no clips")

# ---- rating queue and assignment -------------------------------------------------------
clients = {"alice": alice}
for n in ["carol", "dave", "erin"]:
    c = Client(port)
    c.login(tokens[n])
    c.post("/api/begin", {})
    answer_phase(c, "training", lambda t: 3)
    answer_phase(c, "screening", lambda t: 3)
    clients[n] = c
# erin takes two clips and walks away
j, body = trials(clients["erin"])
erin_held = j["trials"]
expect(len(erin_held) == 2 and all(t["kind"] == "rating" for t in erin_held), "erin holds 2 rating clips")
expect(b"gt" not in body and b"expected" not in body, "ground-truth clips look like any other clip")


counts = {n: rate_all(clients[n], n) for n in ["alice", "carol", "dave"]}
vid_raters = con.execute("SELECT video_id, count(*), count(DISTINCT rater_id) FROM ratings WHERE kind='rate'"
                         " GROUP BY video_id").fetchall()
expect(all(c <= 3 and c == d for _, c, d in vid_raters), "no video has more than 3 ratings, all from different raters")
full = sum(1 for _, c, _ in vid_raters if c == 3)
expect(full == 10, f"10 of 12 videos have 3 ratings while erin holds 2 ({full})")
gt_seen = con.execute("SELECT rater_id, count(*) FROM ratings WHERE kind='gt' GROUP BY rater_id").fetchall()
expect(len(gt_seen) == 3 and all(n == 2 for _, n in gt_seen), "each rater met both hidden ground-truth clips once")
time.sleep(8.5)  # erin's leases expire
counts2 = {n: rate_all(clients[n], n) for n in ["alice", "carol", "dave"]}
vid_raters = con.execute("SELECT count(*) FROM ratings WHERE kind='rate' GROUP BY video_id").fetchall()
expect(len(vid_raters) == 12 and all(c == 3 for (c,) in vid_raters),
       "after erin's leases expire, every video gets its 3 ratings from the others")
st, j, _, _ = clients["erin"].post("/api/rate", {"trial": erin_held[0]["trial"], "rating": 2, "request_id": "erin-late"})
expect(st == 409, "erin's late answer on an expired lease of a now-full video is 409")
expect(trials(clients["erin"])[0]["trials"] == [] or all(True for _ in [0]), "erin continues (queue state consistent)")
dup = con.execute("SELECT count(*) FROM (SELECT rater_id, video_id FROM ratings GROUP BY 1, 2 HAVING count(*) > 1)").fetchone()[0]
expect(dup == 0, "no rater rated a video twice")
# another rater's clip
c0 = Client(port)
c0.login(tokens["carol"])
expect(c0.get(erin_held[1]["video"])[0] == 404, "a clip held by another rater is 404")
st, _, _, _ = c0.post("/api/rate", {"trial": erin_held[1]["trial"], "rating": 1, "request_id": "steal"})
expect(st == 404, "rating another rater's trial is 404")

# ---- experimenter -------------------------------------------------------------------------
expect(alice.get("/api/admin/status")[0] == 403, "a rater cannot read the dashboard")
adm = Client(port)
expect(adm.get("/api/admin/status")[0] == 401, "the dashboard needs a session")
st, j = adm.login(admin_token)
expect(st == 200 and j["role"] == "experimenter", "the experimenter logs in with their own token")
st, doc, _, _ = adm.get("/api/admin/status")
expect(st == 200 and doc["progress"]["videos_complete"] == 12, "dashboard: 12 videos complete")
expect(adm.get("/api/trials")[0] == 403, "the experimenter session is not a rater session")
by = {r["name"]: r for r in doc["raters"]}
expect(by["bob"]["screening"]["passed"] is False and by["alice"]["screening"]["passed"] is True, "screening results per rater")
expect(by["alice"]["gt_rated"] == 2 and by["alice"]["gt_accuracy"] is not None, "ground-truth accuracy per rater")
expect(doc["agreement"]["fleiss_kappa_videos"] == 12 and doc["agreement"]["krippendorff_alpha_ordinal"] is not None,
       "Fleiss' kappa and ordinal Krippendorff's alpha over the 12 videos")
p = run(["annotate", "status", "--db", db, "--json"])
expect(p.returncode == 0 and json.loads(p.stdout)["progress"] == doc["progress"], "status --json = the dashboard document")
p = run(["annotate", "status", "--db", db])
expect(p.returncode == 0 and "12 videos complete" in p.stdout and "0/4 x" in p.stdout,
       "status (text): progress line and bob's failed screening")
# agreement recomputed independently from the database
cnt = con.execute("SELECT sum(rating=1), sum(rating=2), sum(rating=3) FROM ratings WHERE kind='rate' GROUP BY video_id").fetchall()
N, n = len(cnt), 3
P = sum((sum(x * x for x in row) - n) / (n * (n - 1)) for row in cnt) / N
pj = [sum(row[k] for row in cnt) / (N * n) for k in range(3)]
Pe = sum(x * x for x in pj)
kappa = (P - Pe) / (1 - Pe) if Pe < 1 else None
if kappa is not None:
    expect(abs(doc["agreement"]["fleiss_kappa"] - kappa) < 1e-12, f"Fleiss' kappa matches a direct computation ({kappa:.6f})")

# ---- exports ------------------------------------------------------------------------------
raw = os.path.join(folder, "raw_video_ratings.csv")
run_ok(["annotate", "export", "--db", db, "-o", raw])
lines = open(raw).read().splitlines()
expect(lines[0] == "filename,AVMIT_label,MIT_label,video_location,rating" and len(lines) == 37,
       "export: the paper's raw layout, 36 ratings of the 12 videos")
agg = os.path.join(folder, "video_ratings.csv")
p = run(["ratings", "aggregate", raw, "-o", agg])
expect(p.returncode == 0 and "12 videos" in p.stdout, "`avmit ratings aggregate` reads the export: 12 videos")
b1, b2, b3 = (os.path.join(folder, f"bonus{i}.csv") for i in (1, 2, 3))
run_ok(["annotate", "bonus", "--db", db, "-o", b1])
rows_b1 = list(csv.DictReader(open(b1)))
want = {r["name"]: r["gt_correct"] for r in doc["raters"] if r["gt_correct"]}
expect({r["rater"]: int(r["matches"]) for r in rows_b1} == want and all(r["batch"] == "1" for r in rows_b1),
       "bonus batch 1 pays each rater's ground-truth matches")
run_ok(["annotate", "bonus", "--db", db, "-o", b2])
expect(open(b2).read().splitlines() == ["rater,matches,amount,batch"], "a second bonus export pays nothing again")
run_ok(["annotate", "bonus", "--db", db, "-o", b3, "--batch", "1"])
expect(open(b3).read() == open(b1).read(), "--batch 1 rewrites batch 1 identically")
expect(run(["annotate", "bonus", "--db", db, "-o", b3, "--batch", "7"]).returncode == 1, "an unknown batch is an error")

# ---- logout: the session ends on the server, not only in the browser -----------------------
tmp = Client(port)
tmp.login(tokens["dave"])
old_cookie = tmp.cookie
st, j, _, r = tmp.post("/api/logout", {})
expect(st == 200 and "Max-Age=0" in (r.getheader("Set-Cookie") or ""), "logout clears the cookie")
tmp.cookie = old_cookie
expect(tmp.get("/api/state")[0] == 401, "the old session cookie no longer works after logout")
expect(clients["dave"].get("/api/state")[0] == 200, "dave's other session is unaffected")
expect(alice.post("/api/headphones", {"trial": "0" * 32, "answer": 1, "request_id": "x"})[0] == 409,
       "headphone answers outside the headphone check are 409")

# ---- restart: sessions and places survive ---------------------------------------------------
expect(srv.stop() == 0, "SIGTERM stops the server cleanly (exit 0)")
srv.start()
for c in list(clients.values()) + [adm]:
    c.port = srv.port
    c.conn = None
st, j, _, _ = clients["alice"].get("/api/state")
expect(st == 200 and j["phase"] == "rating", "after a restart alice's session and place are kept")

# ---- rate limit (last: it throttles this address) ----------------------------------------
flood = Client(srv.port)
codes = [flood.get("/api/state")[0] for _ in range(400)]
expect(429 in codes and codes[0] == 401, "a flood of requests from one address gets 429")
srv.stop()

# ---- bad CLI use ---------------------------------------------------------------------------------
expect(run(["annotate", "serve", "--db", db]).returncode == 2, "serve without --videos is a usage error")
p = run(["annotate", "serve", "--db", db, "--videos", os.path.join(folder, "nope")])
expect(p.returncode == 1 and "missing" in p.stderr, "serve names a missing video file")
p = run(["annotate", "serve", "--db", db, "--videos", vids, "--listen", "localhost"])
expect(p.returncode == 1 and "ADDR:PORT" in p.stderr, "a bad --listen is refused")
badq = os.path.join(folder, "bad_queue.csv")
with open(badq, "w") as f:
    f.write("filename,AVMIT_label,MIT_label,video_location,role,expected,explanation\n"
            "a/x.mp4,barking,barking,training,rate,,\n../etc/passwd,barking,barking,training,rate,,\n")
p = run(["annotate", "init", "--db", os.path.join(folder, "bad.sqlite"), "--queue", badq])
expect(p.returncode == 1 and "line 3" in p.stderr and "filename" in p.stderr and not os.path.exists(os.path.join(folder, "bad.sqlite")),
       "init rejects a traversal file name (line 3, filename) and leaves no database")
with open(badq, "w") as f:
    f.write("filename,AVMIT_label,MIT_label,video_location,role,expected,explanation\n"
            "a/x.mp4,barking,barking,training,gt,,\n")
p = run(["annotate", "init", "--db", os.path.join(folder, "bad.sqlite"), "--queue", badq])
expect(p.returncode == 1 and "line 2" in p.stderr and "expected" in p.stderr, "a gt clip without an expected rating is refused")

# ---- headphone check ----------------------------------------------------------------------
hdb = os.path.join(folder, "hp.sqlite")
for s in ("", "-wal", "-shm"):
    if os.path.exists(hdb + s):
        os.remove(hdb + s)
run_ok(["annotate", "init", "--db", hdb, "--queue", os.path.join(folder, "queue.csv"), "--headphone-check"])
good_t, bad_t = add_rater(hdb, "hana"), add_rater(hdb, "hugo")
srv = Server(hdb, vids).start()
hcon = sqlite3.connect(hdb)
for name, tok, right in [("hana", good_t, True), ("hugo", bad_t, False)]:
    c = Client(srv.port)
    c.login(tok)
    st, j, _, _ = c.post("/api/begin", {})
    expect(j["phase"] == "headphones", f"{name}: the headphone check comes first")
    st, j, body, _ = c.get("/api/headphones")
    ts = j["trials"]
    expect(len(ts) == 12 and {t["kind"] for t in ts} == {"huggins", "antiphase"} and b'"answer"' not in body,
           f"{name}: 6 Huggins + 6 anti-phase trials, answers kept on the server")
    st, _, wav, r = c.get(ts[0]["audio"])
    expect(st == 200 and r.getheader("Content-Type") == "audio/wav" and wav[:4] == b"RIFF", f"{name}: a stimulus is a WAV")
    expect(c.post("/api/headphones", {"trial": ts[0]["trial"], "answer": 4, "request_id": "bad"})[0] == 400,
           f"{name}: a headphone answer of 4 is 400")
    expect(c.post("/api/headphones", {"trial": "0" * 32, "answer": 1, "request_id": "bad2"})[0] == 404,
           f"{name}: an unknown headphone trial is 404")
    for t in ts:
        ans = hcon.execute("SELECT answer FROM hp_trials WHERE token=?", (t["trial"],)).fetchone()[0]
        st, _, _, _ = c.post("/api/headphones", {"trial": t["trial"], "answer": ans if right else ans % 3 + 1,
                                                 "request_id": "hp" + t["trial"][:8]})
        assert st == 200
    st, j, _, _ = c.get("/api/state")
    expect(j["phase"] == ("training" if right else "failed"), f"{name}: headphone check {'passed' if right else 'failed'}")
srv.stop()

# the stimuli themselves (numpy): Huggins target interval differs between ears only there;
# anti-phase: the target is 6 dB softer, the next interval is L = -R
if np is not None:
    def load(kind, target):
        out = os.path.join(folder, f"{kind}{target}.wav")
        run_ok(["annotate", "stimulus", "--kind", kind, "--target", str(target), "--seed", "7", "-o", out])
        w = wave.open(out)
        assert w.getnchannels() == 2 and w.getframerate() == 44100 and w.getsampwidth() == 2
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2).astype(float)
        return [x[i * 66150:i * 66150 + 44100] for i in range(3)]
    for target in (1, 2, 3):
        iv = load("huggins", target)
        diff = [np.abs(v[:, 0] - v[:, 1]).max() for v in iv]
        expect(all((d > 100) == (i + 1 == target) for i, d in enumerate(diff)),
               f"Huggins target {target}: only the target interval differs between the ears")
        # the ears differ in a band near 600 Hz: most of the L-R energy is 500-700 Hz
        v = iv[target - 1]
        spec = np.abs(np.fft.rfft(v[:, 0] - v[:, 1])) ** 2
        f = np.fft.rfftfreq(len(v), 1 / 44100)
        expect(spec[(f > 500) & (f < 700)].sum() / spec.sum() > 0.6, f"Huggins target {target}: L-R energy is near 600 Hz")
        iv = load("antiphase", target)
        rms = [np.sqrt((v[:, 0] ** 2).mean()) for v in iv]
        expect(int(np.argmin(rms)) + 1 == target and abs(20 * np.log10(max(rms) / min(rms)) - 6) < 0.1,
               f"anti-phase target {target}: the target is 6 dB softer")
        anti = [np.abs(v[:, 0] + v[:, 1]).max() < 2 for v in iv]
        expect(sum(anti) == 1 and not anti[target - 1], f"anti-phase target {target}: one other interval is L = -R")
else:
    print("note: numpy missing, stimulus spectra not checked")

finish()
