#!/usr/bin/env bash
# Installs everything the build, the tests and the benchmarks need: Debian packages with apt-get
# and npm packages from their lock files. Idempotent: installs only what is missing, and runs
# `apt-get update` at most once.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev sqlite3 libpq-dev libcurl4-openssl-dev libhiredis-dev libzstd-dev
  libtoml11-dev libcli11-dev libfmt-dev libspdlog-dev
  libgtest-dev libgmock-dev
  # libclang-rt-14-dev: the ASan/UBSan/libFuzzer runtimes of `make test-san`; only a
  # Recommends of clang, which --no-install-recommends skips.
  clang clang-format clang-tidy libclang-rt-14-dev
  python3 curl procps psmisc wrk
  postgresql redis-server python3-aiosmtpd openssl
  chromium fonts-dejavu-core
  prometheus
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm: use the machine's if present, else Debian's.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# npm packages, exactly as locked. Skipped when node_modules already matches the lock file.
for dir in tests/compat web tests/e2e tests/notify_receiver; do
  [ -f "$here/$dir/package-lock.json" ] || continue
  stamp="$here/$dir/node_modules/.lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$here/$dir/package-lock.json" "$stamp"; then
    echo "deps: npm ci in $dir"
    (cd "$here/$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$here/$dir/package-lock.json" "$stamp"
  fi
done
echo "deps: ok"
