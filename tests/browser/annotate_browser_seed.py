"""annotate_browser_seed.py PORT TOKEN... — before the browser session, two raters go
through training, screening and their whole queue over HTTP, so that the dashboard the
browser test photographs has agreement figures (the browser rater then completes each
video's third rating)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "annotate"))
from annotate_lib import Client, answer_phase, rate_all  # noqa: E402

port = int(sys.argv[1])
for k, tok in enumerate(sys.argv[2:]):
    c = Client(port)
    assert c.login(tok)[0] == 200
    assert c.post("/api/begin", {})[0] == 200
    answer_phase(c, "training", lambda t: 3)
    assert answer_phase(c, "screening", lambda t: 3)[1] == "rating"
    rate_all(c, f"seed{k}", (lambda n: 3 if n % 2 else 2) if k else (lambda n: 3 if n % 3 else 1))
