#!/bin/sh
# Long libFuzzer runs (`make fuzz`): each target for FUZZ_SECONDS (default 600) over its seed
# corpus, new inputs kept in <build>/tests/fuzz/corpus/<target>/, crashes written to
# <build>/tests/fuzz/fuzz-artifacts/. A crash stops the run with the target's exit code: copy the
# artifact into tests/fuzz/corpus/<target>/ as regress-<what> and add a unit test for the fix.
# Usage: tests/fuzz/run_fuzz.sh <build dir> [target...]
set -eu
build=${1:?usage: run_fuzz.sh <build dir> [target...]}
shift
targets=${*:-"signature envelope billing config http"}
seconds=${FUZZ_SECONDS:-600}
src=$(cd "$(dirname "$0")" && pwd)
out="$build/tests/fuzz"
mkdir -p "$out/fuzz-artifacts"
for t in $targets; do
  mkdir -p "$out/corpus/$t"
  echo "== fuzz_$t for ${seconds}s"
  "$out/fuzz_$t" "$out/corpus/$t" "$src/corpus/$t" -max_total_time="$seconds" -timeout=60 \
    -rss_limit_mb=4096 -artifact_prefix="$out/fuzz-artifacts/$t-" -print_final_stats=1
done
