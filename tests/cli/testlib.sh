# testlib.sh — helpers sourced by the CLI tests: ok/bad counters and line assertions.
# Requires AVMIT, AVMIT_TMP (set by CTest); creates AVMIT_TMP; sets PY and fail.
set -u
: "${AVMIT:?}" "${AVMIT_TMP:?}"
PY=${AVMIT_PYTHON:-/usr/bin/python3}
mkdir -p "$AVMIT_TMP"
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
# expect_line FILE EXACT-LINE WHAT
expect_line() {
    if grep -qxF -- "$2" "$1"; then ok "$3"; else bad "$3: missing line '$2'"; fi
}
# check WHAT CMD...: the command's exit status is the assertion
check() {
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
# run PREFIX CMD...: stdout to PREFIX.out, stderr to PREFIX.err, exit status in RC
run() {
    local p=$1; shift
    "$@" >"$p.out" 2>"$p.err"; RC=$?
}
