#!/usr/bin/env bash
# `make install` delivers a usable library: headers, static + shared libavmit, the CLI and a
# libavmit.pc with which an outside program compiles, links and runs.
source "$(dirname "$0")/testlib.sh"
: "${AVMIT_BUILD:?}"
dest="$AVMIT_TMP/dest"
rm -rf "$dest"
DESTDIR="$dest" cmake --install "$AVMIT_BUILD" --prefix /usr/local >"$AVMIT_TMP/install.log" 2>&1 \
    || { bad "cmake --install failed: $(cat "$AVMIT_TMP/install.log")"; exit 1; }
root="$dest/usr/local"
for f in bin/avmit include/avmit/avmit.h lib/libavmit.a lib/pkgconfig/libavmit.pc; do
    [ -e "$root/$f" ] && ok "installed $f" || bad "missing $f"
done
ls "$root"/lib/libavmit.so* >/dev/null 2>&1 && ok "shared library installed" || bad "no libavmit.so"
cat > "$AVMIT_TMP/use.c" <<'C'
#include <avmit/avmit.h>
#include <stdio.h>
int main(void) {
    uint8_t rec[3 + 16];
    avmit_tfrecord_frame(rec, "abc", 3);
    printf("%s %08x\n", avmit_label_name(15), avmit_crc32c(0, "123456789", 9));
    return rec[0] == 3 ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
flags=$(pkg-config --define-variable=prefix="$root" --cflags --libs libavmit) || { bad "pkg-config failed"; exit 1; }
if [ "${AVMIT_SANITIZED:-0}" = 1 ]; then
    echo "skipped: linking an outside program against the sanitizer build (checked in the plain build)"
    exit $fail
fi
if cc -std=c11 "$AVMIT_TMP/use.c" $flags -o "$AVMIT_TMP/use" 2>"$AVMIT_TMP/cc.err"; then
    out=$(LD_LIBRARY_PATH="$root/lib" "$AVMIT_TMP/use")
    [ "$out" = "whistling e3069283" ] && ok "program built with pkg-config runs" \
        || bad "program output '$out'"
else
    bad "compile with pkg-config flags failed: $(cat "$AVMIT_TMP/cc.err")"
fi
exit $fail
