#!/usr/bin/env bash
# browser_check.sh FILE.html — open a page in Debian's headless Chromium and fail (exit 1)
# when the page logs a console error or an uncaught exception, or cannot be loaded;
# exit 77 when chromium is not installed. Console messages come from Chromium's own log
# (--enable-logging=stderr): lines "CONSOLE(...)" / ":INFO:CONSOLE" carry console.* calls
# and uncaught errors. Network is switched off (a self-contained page needs none).
page=$1
CHROME=${AVMIT_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROME" ] || { echo "skipped: chromium not installed"; exit 77; }
prof=$(mktemp -d)
log=$(mktemp)
timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$prof" \
    --enable-logging=stderr --v=0 --proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' \
    --dump-dom "file://$(realpath "$page")" >"$log.dom" 2>"$log"
rc=$?
rm -rf "$prof"
if [ $rc -ne 0 ]; then echo "chromium exit $rc"; tail -5 "$log"; rm -f "$log" "$log.dom"; exit 1; fi
if grep -E 'CONSOLE|Uncaught|ERR_' "$log" | grep -vE 'dbus|DevTools listening' >"$log.err"; [ -s "$log.err" ]; then
    echo "console errors:"; cat "$log.err"; rm -f "$log" "$log.dom" "$log.err"; exit 1
fi
grep -q '</html>\|</body>' "$log.dom" || { echo "page did not render"; rm -f "$log" "$log.dom" "$log.err"; exit 1; }
rm -f "$log" "$log.dom" "$log.err"
exit 0
