#!/bin/sh
# ctest `fuzz_<name>_smoke`: runs a libFuzzer target with its whole log written to <log>, and
# prints only libFuzzer's final stats, or on failure the log's last 100 lines (the crash report).
# Why: libFuzzer logs every dictionary entry it learns, among them the fake secrets a target
# compares against (config_fuzz.cpp checks that no environment secret leaks), and secrets_grep
# reads ctest's own log. The target itself is what checks for a leak.
# Usage: smoke.sh <log> <fuzz target> [libFuzzer arguments...]
set -u
log=$1
shift
"$@" >"$log" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
  tail -n 100 "$log"
else
  grep -E '^(Done|stat::)' "$log"
fi
exit "$rc"
