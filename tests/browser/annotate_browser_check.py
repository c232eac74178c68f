"""annotate_browser_check.py DB — what the real-browser session left in the database: every
phase's ratings, timing taken from real playback (clip length ~3 s, reaction time from the
clip's end), the early press and the replays recorded on the first trial, the bonus."""
import sqlite3
import sys

con = sqlite3.connect(sys.argv[1])
fail = 0


def expect(cond, what):
    global fail
    print(("ok: " if cond else "FAIL: ") + what)
    fail |= not cond


rows = con.execute("SELECT r.kind, r.rating, r.rt_ms, r.clip_ms, r.replays, r.early_presses, r.clock, r.correct"
                   " FROM ratings r JOIN raters k ON k.id=r.rater_id WHERE k.name='browser-rater' ORDER BY r.id").fetchall()
kinds = [r[0] for r in rows]
expect(kinds.count("training") == 4 and kinds.count("screening") == 4, "4 training + 4 screening answers stored")
expect(kinds.count("rate") + kinds.count("gt") >= 5, f"rating-phase answers stored ({len(rows) - 8})")
expect(con.execute("SELECT phase FROM raters WHERE name='browser-rater'").fetchone()[0] == "rating", "the rater passed the screening")
if not rows:
    sys.exit(1)
first = rows[0]
expect(first[5] >= 1, f"the early press on the first clip is counted ({first[5]}) and recorded no rating")
expect(first[4] >= 2, f"replays on the first clip (after the warning and with space): {first[4]}")
# 3-s clips (AAC priming makes the mp4 ~3.05 s); the upper bound leaves room for a loaded machine
expect(all(2700 <= r[3] <= 4000 for r in rows), "every clip played for ~3 s (clip_ms " + ", ".join(f"{r[3]:.0f}" for r in rows) + ")")
expect(all(0 <= r[2] < 20000 for r in rows), "reaction times from clip end are stored (" + ", ".join(f"{r[2]:.0f}" for r in rows) + ")")
expect(all(r[6] == "rvfc" for r in rows), "clip onset/end timed from video frames (requestVideoFrameCallback)")
expect(first[1] == 3, "the first clip's rating is the 3 pressed after its end, not the early 2 (nothing recorded)")
full = con.execute("SELECT count(*) FROM (SELECT video_id FROM ratings WHERE kind='rate' GROUP BY 1"
                   " HAVING count(DISTINCT rater_id) = 3)").fetchone()[0]
expect(full == 6, f"with the two seeded raters every video has 3 ratings from 3 raters ({full})")
sys.exit(1 if fail else 0)
