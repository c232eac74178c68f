"""annotate_browser_setup.py — studies for the real-browser test (run_annotate_browser.sh):
`main` (4 training, 4 screening, 6 videos to rate, 2 hidden ground-truth clips, a break after
every 3 ratings) and `hp` (the same queue with the headphone check). Prints shell
assignments: SEEDS, MAIN_DB, HP_DB, VIDEOS, RATER, HP_RATER, ADMIN."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "annotate"))
from annotate_lib import TMP, add_rater, run_ok, standard_study  # noqa: E402

folder = os.path.join(TMP, "browser")
db, vids, admin, rows = standard_study(folder, n_rate=6, n_gt=2, extra_init=["--break-every", "3", "--gt-every", "4"])
rater = add_rater(db, "browser-rater")
seeds = [add_rater(db, "seed-rater-a"), add_rater(db, "seed-rater-b")]
add_rater(db, "late-rater")
hp = os.path.join(folder, "hp.sqlite")
for s in ("", "-wal", "-shm"):
    if os.path.exists(hp + s):
        os.remove(hp + s)
run_ok(["annotate", "init", "--db", hp, "--queue", os.path.join(folder, "queue.csv"), "--headphone-check"])
hp_rater = add_rater(hp, "headphone-rater")
print(f"SEEDS='{' '.join(seeds)}'")
print(f"MAIN_DB='{db}'\nHP_DB='{hp}'\nVIDEOS='{vids}'\nRATER='{rater}'\nHP_RATER='{hp_rater}'\nADMIN='{admin}'")
