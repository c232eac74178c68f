#!/usr/bin/env bash
# test_report.sh — `avmit report` (issue 16 item 2): two experiment-1 models trained on
# SYNTHETIC data and a SAVC model on one page (--compare): the test numbers in the page
# equal `avmit eval --json` (loss, top-1, top-5, per-class accuracy) and the SAVC model's
# equal `avmit savc eval --json` (loss, accuracy), the page says
# SYNTHETIC, has no script and no network reference, every inline SVG parses, the paper's
# Table-6 number for the configuration is shown, and Debian's headless Chromium opens it
# without console errors (tests/reference/browser_check.sh, checked against a page that
# does log an error).
. "$(dirname "$0")/testlib.sh"
. "$(dirname "$0")/analysis_fixtures.sh"   # S, REF, T (emptied), the ASan fontconfig suppression
exp1_yaml "$T/train.yaml" 16 swish 0.003
small_data 15 15 5
check "synth leaves the SYNTHETIC marker" grep -q "SYNTHETIC" "$T/emb/SYNTHETIC.txt"
for m in a b; do
  "$AVMIT" train --config "$T/train.yaml" --tfrecords "$T/emb" --train "$T/tr.csv" --val "$T/va.csv" --epochs 3 \
      --seed $([ $m = a ] && echo 1 || echo 2) --threads 2 -q --out "$T/model_$m" >/dev/null || bad "train $m"
  "$AVMIT" eval --model "$T/model_$m" --test "$T/test.csv" --tfrecords "$T/emb" --json --threads 2 >"$T/eval_$m.json" \
      || bad "eval $m"
done
small_savc "$T/savc" 2
"$AVMIT" savc eval --model "$T/savc" --test "$T/test.csv" --tfrecords "$T/emb" --json --threads 2 >"$T/savc_eval.json" \
    || bad "savc eval"
run "$T/r" "$AVMIT" report --compare "$T/model_a" "$T/model_b" "$T/savc" --test "$T/test.csv" --tfrecords "$T/emb" \
    -o "$T/report.html" --threads 2
check "report exits 0" test "$RC" -eq 0
check "prints where to open it" grep -q "file://$T/report.html" "$T/r.out"
check "report numbers equal avmit eval --json; SYNTHETIC; no script/network; SVGs parse" "$PY" - "$T" <<'PYEOF'
import json, re, sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
T = sys.argv[1]
html = open(T + "/report.html").read()
assert "<script" not in html.lower() and not re.search(r"(src|href)=\"?(https?:)?//", html), "network or script"
assert "SYNTHETIC" in html
svgs = re.findall(r"<svg.*?</svg>", html, re.S)
assert len(svgs) >= 9, len(svgs)   # 2 curves + confusion + paper bars per exp-1 model, 2 curves + bars for SAVC
for s in svgs:
    ET.fromstring(s.replace("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 1))
class Tables(HTMLParser):
    def __init__(self):
        super().__init__(); self.tables = []; self.cell = None
    def handle_starttag(self, tag, attrs):
        if tag == "table": self.tables.append((dict(attrs).get("class", ""), []))
        elif tag == "tr" and self.tables: self.tables[-1][1].append([])
        elif tag in ("td", "th"): self.cell = ""
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][1][-1].append(self.cell.strip()); self.cell = None
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
p = Tables(); p.feed(html)
tests = [rows for cls, rows in p.tables if cls == "num test"]
per = [rows for cls, rows in p.tables if cls == "num perclass"]
assert len(tests) == 2 and len(per) == 2, (len(tests), len(per))
for i, m in enumerate("ab"):
    ev = json.load(open("%s/eval_%s.json" % (T, m)))
    loss, top1, top5 = tests[i][1]
    assert loss == "%.6f" % ev["loss"] and top1 == "%.2f" % (100 * ev["top1"]) and top5 == "%.2f" % (100 * ev["top5"]), (tests[i], ev)
    for row in per[i][1:]:
        pc = ev["per_class"][row[0]]
        assert int(row[1]) == pc["n"] and row[2] == "%.2f" % (100 * pc["top1"]), (row, pc)
summary = [rows for cls, rows in p.tables if cls == "num" and rows and rows[0][0] == "run"][0]
assert len(summary) == 4, summary
assert summary[1][6] == "%.2f" % (100 * json.load(open(T + "/eval_a.json"))["top1"])
assert summary[1][9] == "91.04", summary[1]      # paper Table 6: VGGish+VGG16 GRU, AVMIT-trained
assert summary[3][1] == "SAVC" and summary[3][9] == "72.92", summary[3]   # Table 7
sv = json.load(open(T + "/savc_eval.json"))
st = [rows for cls, rows in p.tables if cls == "num savctest"]
assert len(st) == 1 and st[0][1] == ["%.6f" % sv["loss"], "%.2f" % (100 * sv["accuracy"])], (st, sv)
assert summary[3][6] == "%.2f" % (100 * sv["accuracy"]), summary[3]
print("ok: %d tables, %d inline SVGs" % (len(p.tables), len(svgs)))
PYEOF
# the browser check must be able to fail: a page that logs an error
printf '<!DOCTYPE html><html><body><script>console.error("x")</script></body></html>\n' >"$T/bad.html"
bash "$REF/browser_check.sh" "$T/bad.html" >/dev/null; brc=$?
if [ $brc -eq 77 ]; then
  echo "skipped: chromium not installed (the rest passed)"; [ $fail -eq 0 ] && exit 77 || exit 1
fi
check "browser check detects a console error" test $brc -eq 1
check "headless Chromium opens the report without console errors" bash "$REF/browser_check.sh" "$T/report.html"
run "$T/e" "$AVMIT" report --model "$T/nowhere" -o "$T/x.html"
check "missing model dir: exit 1" test "$RC" -eq 1
check "no half-written page" test ! -e "$T/x.html"
exit $fail
