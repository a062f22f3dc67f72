#!/usr/bin/env bash
# Performance benchmark (issue 8): installs the benchmark-only packages
# (PyTorch CPU, OpenBLAS so PyTorch is not on reference BLAS, Google Benchmark,
# GNU time for peak RSS),
# builds build/gradflow_bench and compares gradflow with PyTorch in one run.
# Usage: bash scripts/bench.sh [--quick] [--threads N] [--json FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
missing=()
for p in python3-torch libopenblas-dev libbenchmark-dev time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGRADFLOW_BENCH=ON >/dev/null
cmake --build build -j "$(nproc)" --target gradflow gradflow_bench
/usr/bin/python3 scripts/bench_vs_torch.py "$@"
