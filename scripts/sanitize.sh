#!/usr/bin/env bash
# Builds gradflow and its tests with AddressSanitizer + UndefinedBehaviorSanitizer
# in build-asan/ (scripts/sanitizer_build.sh: clang with the fuzzers'
# coverage where it is installed, else g++) and runs ctest there.
# Any sanitizer report makes the process fail, so the test fails.
#   bash scripts/sanitize.sh                     every test
#   bash scripts/sanitize.sh -R 'CsvReader|Cli'  a subset (ctest arguments)
#   bash scripts/sanitize.sh -E 'plots|Slow'     all but some
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/sanitizer_build.sh gradflow gradflow_tests
# halt_on_error: the first report fails the process; leak checks stay on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$@"
