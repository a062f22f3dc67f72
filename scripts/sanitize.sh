#!/usr/bin/env bash
# Builds gradflow and its tests with AddressSanitizer + UndefinedBehaviorSanitizer
# in build-asan/ (Debug at -O1 with -g1: line tables for the reports' stack
# traces, a usable speed, and a much cheaper compile than full -g) and runs
# ctest there.
# Any sanitizer report makes the process fail, so the test fails.
#   bash scripts/sanitize.sh                     every test
#   bash scripts/sanitize.sh -R 'CsvReader|Cli'  a subset (ctest arguments)
#   bash scripts/sanitize.sh -E 'plots|Slow'     all but some
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
# The CLI and the test files at -O0 (GRADFLOW_CLI_TEST_FLAGS): half their
# compile time at -O1, and the library they exercise keeps -O1.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_CXX_FLAGS="$flags" \
  -DGRADFLOW_CLI_TEST_FLAGS=-O0 -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build build-asan -j "$(nproc)" --target gradflow gradflow_tests
# halt_on_error: the first report fails the process; leak checks stay on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$@"
