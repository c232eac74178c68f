#!/usr/bin/env bash
# Install the Debian packages avmit builds and tests with — only those missing.
# Idempotent: a machine that has them all does nothing (and needs no network).
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake pkg-config  # toolchain
  zlib1g-dev                        # GZIP TFRecords (deflate/inflate, gzip framing)
  libjansson-dev                    # JSON output (--json) and safetensors headers
  libcairo2-dev                     # SVG/PNG plots
  libopenblas-dev libopenblas0-pthread  # GEMMs of the nn core (cblas); also what NumPy/PyTorch use
  libyaml-dev                       # the paper's train.yaml configs
  libhdf5-dev                       # Keras HDF5 weight files
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev  # media decoding
  libfftw3-dev                      # STFTs of the audio front end (single precision)
  libsoxr-dev                       # optional high-quality resampler (--resampler soxr)
  libmicrohttpd-dev libsqlite3-dev  # avmit annotate: the rating web app's HTTP server + study database
)
TEST_PKGS=(
  python3 python3-numpy             # independent test-time readers (tests/reference/)
  python3-torch python3-scipy       # test-time oracles: layer/gradient parity (PyTorch)
  python3-h5py                      # test-time oracle: reading the released Keras HDF5 files
  python3-opencv python3-resampy python3-pydub ffmpeg  # test-time oracles + test media generation
  libopenmpi-dev openmpi-bin        # MPI scale-out of the random search (build option)
  clang libclang-rt-14-dev          # libFuzzer targets, clang -Werror build
  chromium                          # browser tests: annotate (playwright-core, tests/browser/); HTML reports (--dump-dom)
)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js + npm install playwright-core for the browser test; a machine that already has a
# node (e.g. NodeSource's, which bundles npm) keeps it. playwright-core wants node >= 20;
# with an older one the browser test skips.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
