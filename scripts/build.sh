#!/usr/bin/env bash
# Installs missing dependencies, then configures and builds gradflow (Release) in build/.
# Arguments are build targets (default: everything, tests included), e.g.
#   bash scripts/build.sh gradflow      # the program only, as the main job needs
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
echo "build: configuring build/ (Release)" >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
echo "build: compiling ${*:-everything} with $(nproc) jobs (a first build takes a few minutes)" >&2
cmake --build build -j "$(nproc)" "${targets[@]}"
