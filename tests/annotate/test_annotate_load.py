"""test_annotate_load.py — load and crash test of `avmit annotate serve` (issue 15 items 5, 8).

50 simulated raters (threads, one keep-alive HTTP connection each) log in, pass training and
screening, then rate as fast as the server answers: GET /api/trials, GET the clip, POST
/api/rate; one rating in 20 is sent twice (a retried request) and must come back as a
duplicate. Every acknowledged rating is remembered; at the end the database must hold each
exactly once (0 lost, 0 duplicated), no video more than raters_per_video ratings and no
rater a video twice.

  --short       10 s with a kill -9 of the server half-way and a restart (ctest)
  --seconds S   a plain run of S seconds (the benchmark: bench/annotate_load.sh, 60 s)
  --json PATH   write the figures (throughput, latency percentiles) as JSON
"""
import argparse
import json
import os
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from annotate_lib import TMP, Client, Server, add_rater, expect, finish, run_ok, standard_study  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--short", action="store_true")
ap.add_argument("--seconds", type=float, default=60)
ap.add_argument("--raters", type=int, default=50)
ap.add_argument("--videos", type=int, default=0)
ap.add_argument("--json")
args = ap.parse_args()
seconds = 10 if args.short else args.seconds
n_videos = args.videos or (3000 if args.short else 20000)

folder = os.path.join(TMP, "load")
db, vids, admin, rows = standard_study(folder, n_rate=n_videos, n_gt=20, clips=False)
tokens = [add_rater(db, f"load{i:02d}") for i in range(args.raters)]
srv = Server(db, vids, extra=["--rate-limit", "100000", "--threads", "4"]).start()

lock = threading.Lock()
acked = {}          # (rater, request_id) -> trial
latency = []        # seconds per POST /api/rate that was acknowledged
dups_sent = dups_ok = 0
errors = []
stop_at = None
port_box = {"port": srv.port}
down = threading.Event()   # set while the server is being killed / restarted


def call(c, method, path, body=None, **kw):
    """Retry through a server restart; the same body (same request id) every time."""
    for attempt in range(600):
        if down.is_set():
            time.sleep(0.05)
            continue
        c.port = port_box["port"]
        try:
            st, j, payload, r = c.request(method, path, body, **kw)
            if st >= 500 or st == 429:
                time.sleep(0.05)
                continue
            return st, j, payload
        except Exception:
            c.conn = None
            time.sleep(0.05)
    raise RuntimeError("server unreachable")


def rater(i):
    global dups_sent, dups_ok
    c = Client(port_box["port"])
    st, j = c.login(tokens[i])
    assert st == 200
    call(c, "POST", "/api/begin", {})
    n = 0
    while time.time() < stop_at:
        st, j, _ = call(c, "GET", "/api/trials")
        if st != 200 or not j["trials"]:
            if j and j.get("phase") not in ("training", "screening", "rating"):
                break
            if st == 200 and not j["trials"]:
                break
            continue
        t = j["trials"][0]
        call(c, "GET", t["video"], headers={"Range": "bytes=0-65535"})
        rid = f"r{i}-{n}"
        body = {"trial": t["trial"], "rating": 3 if t["kind"] != "rating" else 1 + (n % 3),
                "request_id": rid, "rt_ms": 300 + (n * 37) % 900, "clip_ms": 3000, "replays": 0,
                "early_presses": 0, "clock": "perf"}
        t0 = time.perf_counter()
        st, r, _ = call(c, "POST", "/api/rate", body)
        dt = time.perf_counter() - t0
        if st == 200:
            with lock:
                acked[(i, rid)] = t["trial"]
                latency.append(dt)
            if n % 20 == 7:  # a retried request: must be recorded once
                st2, r2, _ = call(c, "POST", "/api/rate", body)
                with lock:
                    dups_sent += 1
                    dups_ok += st2 == 200 and r2["duplicate"] is True
        elif st != 409:  # 409: an expired lease lost to another rater (acknowledged as not recorded)
            with lock:
                errors.append((st, r))
        n += 1


stop_at = time.time() + seconds
threads = [threading.Thread(target=rater, args=(i,)) for i in range(args.raters)]
t_start = time.time()
for t in threads:
    t.start()
killed_at = None
if args.short:
    time.sleep(seconds / 2)
    with lock:
        before = len(acked)
    down.set()
    srv.kill9()   # kill -9 under load
    killed_at = time.time()
    srv.start()   # restart on a new port; the clients reconnect with their cookies
    port_box["port"] = srv.port
    down.clear()
for t in threads:
    t.join()
elapsed = time.time() - t_start


def cpu_seconds(pid):
    """user + system CPU time of a process (/proc/PID/stat fields 14, 15)."""
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


server_cpu = cpu_seconds(srv.proc.pid)   # the server since its (last) start
client_cpu = sum(os.times()[:2])
srv.stop()

con = sqlite3.connect(db)
stored = {(int(name[4:]), rid) for name, rid in con.execute(
    "SELECT k.name, r.request_id FROM ratings r JOIN raters k ON k.id=r.rater_id")}
lost = [k for k in acked if k not in stored]
dup_pairs = con.execute("SELECT count(*) FROM (SELECT rater_id, video_id FROM ratings GROUP BY 1, 2"
                        " HAVING count(*) > 1)").fetchone()[0]
over = con.execute("SELECT count(*) FROM (SELECT video_id FROM ratings WHERE kind='rate' GROUP BY 1"
                   " HAVING count(*) > 3)").fetchone()[0]
n_rate = len(latency)
lat = sorted(latency)


def pct(q):
    return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")


fig = {"raters": args.raters, "seconds": round(elapsed, 2), "acknowledged_ratings": n_rate,
       "ratings_per_s": round(n_rate / elapsed, 1), "rate_p50_ms": round(pct(0.50), 2),
       "rate_p99_ms": round(pct(0.99), 2), "rate_max_ms": round(lat[-1] * 1000, 2) if lat else None,
       "server_cpu_s": round(server_cpu, 2), "client_cpu_s": round(client_cpu, 2),
       "server_cpu_ms_per_rating": round(1000 * server_cpu / n_rate, 3) if n_rate and not killed_at else None,
       "lost": len(lost), "duplicated": dup_pairs, "retries_sent": dups_sent,
       "retries_recorded_once": dups_ok, "killed": bool(killed_at)}
print(json.dumps(fig))
if args.json:
    with open(args.json, "w") as f:
        json.dump(fig, f, indent=2)
expect(n_rate > args.raters * 10, f"{n_rate} ratings acknowledged")
expect(not errors, f"no unexpected errors ({errors[:3]})")
expect(len(lost) == 0, f"0 acknowledged ratings lost ({len(lost)})")
expect(dup_pairs == 0, "0 duplicated ratings (no rater-video pair twice)")
expect(over == 0, "no video has more than 3 ratings")
expect(dups_ok == dups_sent, f"all {dups_sent} retried submissions were recorded once")
if args.short:
    expect(len(stored) >= before, "ratings committed before the kill -9 are all there after restart")
finish()
