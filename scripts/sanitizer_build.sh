#!/usr/bin/env bash
# Configures build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer, Debug
# at -O1 with -g1 line tables for the reports' stack traces) and builds the
# targets given as arguments. Used by scripts/sanitize.sh (the tests) and
# scripts/fuzz.sh (the libFuzzer harnesses), so that one build serves both:
#   - with clang, libFuzzer and clang's OpenMP (apt-get install clang
#     libomp-dev), the library also carries libFuzzer's coverage
#     instrumentation (-fsanitize=fuzzer-no-link) and the harnesses in fuzz/
#     link the same objects the sanitizer tests use;
#   - without them, g++ builds the sanitizer tests alone (no fuzzers).
# The CLI and the test files compile at -O0 (GRADFLOW_CLI_TEST_FLAGS): their
# compile time is mostly code generation, and the library they exercise keeps
# -O1.
#   bash scripts/sanitizer_build.sh --has-fuzzer   exit 0 when clang can fuzz here
#   bash scripts/sanitizer_build.sh gradflow gradflow_tests
set -euo pipefail
cd "$(dirname "$0")/.."

# Whether clang++ can build a libFuzzer target that uses OpenMP.
has_fuzzer() {
  command -v clang++ >/dev/null || return 1
  local dir status=0
  dir=$(mktemp -d)
  printf '%s\n' '#include <omp.h>' '#include <cstddef>' '#include <cstdint>' \
    'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return omp_get_max_threads() > 0 ? 0 : 0; }' \
    >"$dir/probe.cpp"
  clang++ -fsanitize=fuzzer -fopenmp "$dir/probe.cpp" -o "$dir/probe" 2>/dev/null || status=1
  rm -rf "$dir"
  return "$status"
}

if [ "${1:-}" = --has-fuzzer ]; then
  has_fuzzer
  exit
fi

sanitizers="address,undefined"
if has_fuzzer; then
  compiler=clang++ fuzz=ON sanitizers="address,undefined,fuzzer-no-link"
else
  compiler=g++ fuzz=OFF
fi
# A build folder configured for the other compiler is started afresh (CMake
# cannot switch compilers in place).
if [ -f build-asan/CMakeCache.txt ] &&
  ! grep -q "^CMAKE_CXX_COMPILER:[A-Z]*=.*/$compiler\$" build-asan/CMakeCache.txt; then
  rm -rf build-asan
fi
flags="-O1 -fsanitize=$sanitizers -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
CXX=$compiler cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DGRADFLOW_CLI_TEST_FLAGS=-O0 -DGRADFLOW_FUZZ=$fuzz >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build-asan -j "$(nproc)" "${targets[@]}"
