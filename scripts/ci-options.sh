#!/usr/bin/env bash
# ci-options.sh — build libavmit and the avmit CLI with each optional dependency
# switched off in turn (AVMIT_WITH_<X>=OFF, CMakeLists.txt "options"), so that every
# option keeps building: sources that need X are left out, and what remains must
# compile with -Werror and link (the shared library with -Wl,--no-undefined, so a
# call from a kept source into a left-out one fails here, not at a user's link).
#
#   bash scripts/ci-options.sh [BUILD_ROOT] [OPTION...]
#
# BUILD_ROOT defaults to build-options (one sub-directory per option); OPTIONs
# default to all of them (CAIRO BLAS YAML HDF5 FFMPEG FFTW MPI ANNOTATE DNNL). Only the library
# and the CLI are built (no tests, no benchmarks) at -O0 to keep it fast; the
# elapsed time of each build and the total are printed. Exit status: 0 when all
# built, 1 otherwise (the failing options are listed).
set -uo pipefail
cd "$(dirname "$0")/.."
root=${1:-build-options}
shift || true
opts=("$@")
[ ${#opts[@]} -gt 0 ] || opts=(CAIRO BLAS YAML HDF5 FFMPEG FFTW MPI ANNOTATE DNNL)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$root"
failed=()
t_all=$(date +%s)
for o in "${opts[@]}"; do
    dir="$root/no-${o,,}"
    t0=$(date +%s)
    if cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS=-O0 \
            -DCMAKE_SHARED_LINKER_FLAGS=-Wl,--no-undefined \
            -DAVMIT_BUILD_TESTS=OFF -DAVMIT_BUILD_BENCH=OFF "-DAVMIT_WITH_$o=OFF" \
            >"$dir.log" 2>&1 &&
        cmake --build "$dir" -j "$jobs" --target avmit avmit_shared >>"$dir.log" 2>&1; then
        echo "ci-options: AVMIT_WITH_$o=OFF builds ($(($(date +%s) - t0)) s)"
    else
        echo "ci-options: AVMIT_WITH_$o=OFF FAILS ($(($(date +%s) - t0)) s); last lines of $dir.log:"
        grep -E "error|undefined reference" "$dir.log" | head -20 | sed 's/^/    /'
        failed+=("$o")
    fi
done
echo "ci-options: ${#opts[@]} configurations in $(($(date +%s) - t_all)) s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "ci-options: failed: ${failed[*]}"
    exit 1
fi
