#!/usr/bin/env bash
# run_annotate_browser.sh — the real-browser test of `avmit annotate` (issue 15 items 8, 9):
# playwright-core (npm, pinned in tests/browser/package.json, installed into
# tests/browser/node_modules, git-ignored) drives Debian's /usr/bin/chromium headless.
# Skips (77) when chromium, node/npm or ffmpeg is missing or playwright-core cannot be
# installed. AVMIT_UPDATE_SCREENSHOTS=1 copies the screenshots into docs/annotate/.
set -u
: "${AVMIT:?}" "${AVMIT_TMP:?}" "${AVMIT_SRC:?}"
PY=${AVMIT_PYTHON:-/usr/bin/python3}
HERE="$AVMIT_SRC/tests/browser"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
for tool in node npm ffmpeg; do
  command -v "$tool" >/dev/null 2>&1 || { echo "skipped: $tool not found"; exit 77; }
done
node -e "process.exit(+process.versions.node.split('.')[0] >= 20 ? 0 : 1)" || { echo "skipped: playwright-core needs node >= 20"; exit 77; }
[ -x "$CHROMIUM" ] || { echo "skipped: $CHROMIUM not found (Debian package chromium)"; exit 77; }
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  # the lock file pins the exact version; --ignore-scripts: no browser download
  (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts >/dev/null 2>&1) ||
    { echo "skipped: cannot install playwright-core from npm (offline?)"; exit 77; }
fi
mkdir -p "$AVMIT_TMP"
eval "$("$PY" "$HERE/annotate_browser_setup.py")" || { echo "FAIL: setup"; exit 1; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
start() { # start DB PORTFILE
  rm -f "$2"
  "$AVMIT" annotate serve --db "$1" --videos "$VIDEOS" --listen 127.0.0.1:0 --port-file "$2" \
    2>>"$AVMIT_TMP/server.log" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$2" ] && return 0; sleep 0.1; done
  echo "FAIL: server did not start"; cat "$AVMIT_TMP/server.log"; exit 1
}
start "$MAIN_DB" "$AVMIT_TMP/main.port"
start "$HP_DB" "$AVMIT_TMP/hp.port"
# shellcheck disable=SC2086
"$PY" "$HERE/annotate_browser_seed.py" "$(cat "$AVMIT_TMP/main.port")" $SEEDS || { echo "FAIL: seeding"; exit 1; }
SHOTS="$AVMIT_TMP/screens"
rc=0
BASE="http://127.0.0.1:$(cat "$AVMIT_TMP/main.port")" HP_BASE="http://127.0.0.1:$(cat "$AVMIT_TMP/hp.port")" \
  RATER="$RATER" HP_RATER="$HP_RATER" ADMIN="$ADMIN" SHOTS="$SHOTS" CHROMIUM="$CHROMIUM" \
  NODE_PATH="$HERE/node_modules" timeout 400 node "$HERE/annotate_browser.js" || rc=1
cleanup
pids=()
"$PY" "$HERE/annotate_browser_check.py" "$MAIN_DB" || rc=1
if [ "$rc" = 0 ] && [ "${AVMIT_UPDATE_SCREENSHOTS:-0}" = 1 ]; then
  mkdir -p "$AVMIT_SRC/docs/annotate"
  cp "$SHOTS"/*.png "$AVMIT_SRC/docs/annotate/"
  echo "screenshots copied to docs/annotate/"
fi
exit $rc
