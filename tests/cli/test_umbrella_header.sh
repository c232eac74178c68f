#!/usr/bin/env bash
# include/avmit/avmit.h includes every public header, so `#include <avmit/avmit.h>` is the whole API.
source "$(dirname "$0")/testlib.sh"
: "${AVMIT_SRC:?}"
for h in "$AVMIT_SRC"/include/avmit/*.h; do
    n=$(basename "$h")
    [ "$n" = avmit.h ] && continue
    grep -q "#include \"avmit/$n\"" "$AVMIT_SRC/include/avmit/avmit.h" \
        && ok "avmit.h includes $n" || bad "avmit.h does not include $n"
done
exit $fail
