#!/usr/bin/env bash
# Refreshes tests/fixtures from the team's shared/fixtures (the ground truth), when present.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$here/../shared/fixtures}
[ -d "$src" ] || { echo "no fixtures at $src" >&2; exit 1; }
rsync -a --delete "$src/" "$here/tests/fixtures/"
