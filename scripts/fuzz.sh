#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (in the sanitizer build, build-asan/,
# through scripts/sanitizer_build.sh; needs clang and libomp-dev) and runs
# each, as many at a time as there are cores: first over its committed corpus
# fuzz/corpus/NAME/ (every file once: a regression check), then for SECONDS
# seconds of new inputs.
#   bash scripts/fuzz.sh          corpus replay + 60 s each
#   bash scripts/fuzz.sh 600      corpus replay + 10 minutes each
#   bash scripts/fuzz.sh 0        corpus replay only
#   FUZZERS="csv_reader" bash scripts/fuzz.sh 30    a subset
# Logs and new inputs go to build-fuzz/ (build-fuzz/corpus/NAME/, not
# committed); a crash leaves its input in build-fuzz/ and fails the script.
# Exit 0 when all pass, 3 when clang cannot build fuzzers here.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
fuzzers="${FUZZERS:-safetensors csv_reader sweep_grid config_file}"
if ! bash scripts/sanitizer_build.sh --has-fuzzer; then
  echo "fuzz.sh: clang++ with libFuzzer and OpenMP not found (apt-get install clang libomp-dev);" \
    "nothing fuzzed" >&2
  exit 3
fi
targets=()
for name in $fuzzers; do targets+=("${name}_fuzz"); done
bash scripts/sanitizer_build.sh "${targets[@]}"
mkdir -p build-fuzz
# One fuzzer: corpus replay, then SECONDS of new inputs; everything goes to
# build-fuzz/NAME.log, and the exit status says whether it passed.
fuzz_one() {
  local name=$1
  local binary="build-asan/fuzz/${name}_fuzz" seeds="fuzz/corpus/$name"
  local log="build-fuzz/$name.log"
  mkdir -p "build-fuzz/corpus/$name"
  {
    echo "== $name: corpus replay ($(ls "$seeds" | wc -l) files)"
    # -runs=0 with directories: every file is executed once, nothing new is tried.
    (cd build-fuzz && "../$binary" -runs=0 "../$seeds") || return 1
    if [ "$seconds" -gt 0 ]; then
      echo "== $name: ${seconds} s"
      # -timeout fails an input that takes over 10 s (a hang); -rss_limit_mb one
      # that needs over 2 GB. New inputs go to build-fuzz/corpus/NAME/.
      (cd build-fuzz && "../$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "corpus/$name" "../$seeds") || return 1
    fi
  } >"$log" 2>&1
}

# As many fuzzers at a time as there are cores (each is single-threaded).
failed=()
running=()
names=($fuzzers)
report() {  # wait for the oldest running fuzzer and print its summary
  local name=${running[0]} pid=${pids[0]}
  running=("${running[@]:1}")
  pids=("${pids[@]:1}")
  local status=0
  wait "$pid" || status=$?
  grep -E "^== |INITED|DONE|stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/$name.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "build-fuzz/$name.log" >&2
    echo "fuzz.sh: $name failed; the input is in build-fuzz/ (crash-*, timeout-*, oom-*)" >&2
    failed+=("$name")
  fi
}
pids=()
for name in "${names[@]}"; do
  if [ "${#running[@]}" -ge "$(nproc)" ]; then report; fi
  fuzz_one "$name" &
  pids+=($!)
  running+=("$name")
done
while [ "${#running[@]}" -gt 0 ]; do report; done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all passed"
