#!/bin/sh
# Fails when a sanitizer report sits in a log of the last sanitized ctest run. A test process
# that trips ASan/UBSan/LSan fails its own test; this catches the processes whose output no test
# reads: the real binary started by integration tests (its stderr is archived under
# <build>/test-logs/, moved to test-logs.scanned/ by secrets_grep) and CLI runs whose exit code a
# test ignores but whose output ctest kept in Testing/Temporary/LastTest.log.
# Usage: tests/sanitize/scan_reports.sh <sanitizer build dir>
set -eu
build=${1:?usage: scan_reports.sh <build dir>}
pattern='(ERROR|SUMMARY): (Address|Leak|UndefinedBehavior)Sanitizer|: runtime error: '
found=0
for place in "$build/test-logs" "$build/test-logs.scanned" "$build/Testing/Temporary/LastTest.log"; do
  [ -e "$place" ] || continue
  hits=$(grep -r -l -E "$pattern" "$place" 2>/dev/null || true)
  for file in $hits; do
    echo "sanitizer report in $file:"
    grep -n -E -A12 "$pattern" "$file" | head -60
    found=1
  done
done
if [ "$found" -ne 0 ]; then
  echo "scan_reports: sanitizer reports found (above)"
  exit 1
fi
echo "scan_reports: no sanitizer report in any log"
