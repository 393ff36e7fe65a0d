#!/usr/bin/env bash
# Runs every libFuzzer harness (tests/fuzz/fuzz_<target>.cpp) for N seconds each (default 60), built
# with clang, libFuzzer, AddressSanitizer and UBSan in build-fuzz/. Seeds: the harness's `// seeds:`
# line and tests/fuzz/crashes/<target>/; the grown corpus stays in build-fuzz/corpus/<target>/.
# A finding is written to tests/fuzz/crashes/<target>/ (commit it with the fix: CTest replays it).
# Prints each target's executions. Not part of CI's time budget; CI replays the corpora.
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
scripts/install-deps.sh >/dev/null
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON -DLPUSIM_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for h in tests/fuzz/fuzz_*.cpp; do t=$(basename "$h" .cpp); targets+=("${t#fuzz_}"); done
fi
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null
status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  mkdir -p "$corpus" "tests/fuzz/crashes/$t"
  seeds=$(sed -n 's|^// seeds: ||p' "tests/fuzz/fuzz_$t.cpp")
  # libFuzzer takes folders; single seed files are copied into the corpus.
  dirs=()
  for s in $seeds; do
    if [ -d "$s" ]; then dirs+=("$s"); else cp "$s" "$corpus/"; fi
  done
  log=build-fuzz/fuzz_$t.log
  if ! ASAN_OPTIONS=detect_leaks=1 "build-fuzz/tests/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
      -artifact_prefix="tests/fuzz/crashes/$t/" -rss_limit_mb=4096 -timeout=20 \
      "$corpus" "${dirs[@]}" "tests/fuzz/crashes/$t" >"$log" 2>&1; then
    status=1
    echo "fuzz: $t: FINDING (see $log and tests/fuzz/crashes/$t/)"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $t: ${execs:-?} executions in ${secs} s, corpus $(ls "$corpus" | wc -l) files"
done
exit $status
