#!/usr/bin/env bash
# Benchmark: `make bench` runs `bench/run.sh BUILD_DIR` after a Release build.
# Starts each server on 127.0.0.1 (a free port) on a temporary database, drives it with
# stripehook-loadgen, samples the server's peak RSS (VmHWM) before stopping it with SIGTERM, and
# prints the machine and a markdown table. Targets are reported, not asserted; the exit status is
# non-zero only when a scenario could not run. BENCH_QUICK=1 shortens everything (smoke run).
# BENCH_LOG_LEVEL sets the server's log level (default: the server's own, info).
# The billing-state scenarios (lifecycle events applied end to end; GET /v1/access over a state
# of many users) live in billing_scenarios.sh; PostgreSQL ingest (one and two instances, when
# postgresql is installed) in postgres.sh.
set -uo pipefail

BUILD=${1:?usage: bench/run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
SERVER="$BUILD/src/stripehook"
VERIFY_ONLY="$BUILD/bench/stripehook-verify-only"
LOADGEN="$BUILD/bench/stripehook-loadgen"

CONNECTIONS=64
RATE=2000
ACCESS_RATE=30000  # the issue's GET /v1/access target
# COPIES: copies of the 16 lifecycle scenarios (123 events each) fed through the webhook;
# USERS: users in the state that GET /v1/access reads (2 inbox events each).
if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  DURATION=2
  PREFILL=50000
  COPIES=20
  USERS=5000
else
  DURATION=10
  PREFILL=1000000
  COPIES=163
  USERS=100000
fi

for exe in "$SERVER" "$VERIFY_ONLY" "$LOADGEN"; do
  [[ -x $exe ]] || { echo "bench: $exe is missing; build the project first" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "bench: the sqlite3 CLI is needed to prefill" >&2; exit 2; }

WORK=$(mktemp -d /tmp/stripehook-bench.XXXXXX)
SECRET="whsec_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
APP_KEY="app_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
SERVER_PID=
PORT=
FAILED=()

cleanup() {
  if [[ -n $SERVER_PID ]]; then kill -KILL "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# Median and worst fdatasync of a 4 KB overwrite in the bench directory. A durable commit costs
# at least this, so with C connections in a closed loop ingest cannot pass C / median events/s.
fsync_probe() {
  python3 - "$1" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
times = []
for i in range(30):
    os.pwrite(fd, os.urandom(4096), (i % 4) * 4096)
    start = time.perf_counter()
    os.fdatasync(fd)
    times.append((time.perf_counter() - start) * 1e3)
os.close(fd)
os.unlink(sys.argv[1])
times.sort()
print(f"median {times[len(times) // 2]:.2f} ms, max {times[-1]:.2f} ms")
PY
}

print_machine() {
  local cpu disk dev
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  dev=$(findmnt -n -o SOURCE -T "$WORK" 2>/dev/null)
  disk="$dev ($(findmnt -n -o FSTYPE -T "$WORK" 2>/dev/null)"
  local name=${dev#/dev/}
  if [[ -r /sys/block/${name}/queue/rotational ]]; then
    [[ $(cat "/sys/block/${name}/queue/rotational") == 0 ]] && disk+=", non-rotational" ||
      disk+=", rotational"
  fi
  disk+=")"
  echo "## stripehook benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GB RAM", $2/1048576}' /proc/meminfo)"
  echo "- disk: $disk; fdatasync of a 4 KB write: $(fsync_probe "$WORK/fsync.probe"); kernel $(uname -r)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (load generator and server share these CPUs)"
  echo "- events: $("$LOADGEN" --dump-template "$WORK/template.json" && wc -c <"$WORK/template.json") B invoice.paid, signed per request; $CONNECTIONS connections, ${DURATION} s per scenario; server log level ${BENCH_LOG_LEVEL:-default}"
  echo
}

# Waits for the verify-only server's "listening on PORT".
wait_for_port() {
  local file=$1 pattern=$2
  for _ in $(seq 200); do
    PORT=$(grep -m1 -o "$pattern" "$file" 2>/dev/null | grep -o '[0-9]*$')
    [[ -n $PORT ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

wait_for_health() {
  for _ in $(seq 200); do
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

start_verify_only() {
  "$VERIFY_ONLY" --port 0 --secret "$SECRET" >"$WORK/verify-only.out" 2>"$WORK/verify-only.err" &
  SERVER_PID=$!
  wait_for_port "$WORK/verify-only.out" 'listening on [0-9]*' && wait_for_health
}

# A free port from the kernel: the server's "listening" log line is not there below log level
# info, so the port is chosen here and passed in.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_stripehook DB LOGFILE [CONFIG]
start_stripehook() {
  local db=$1 logfile=$2 config=${3:-}
  local level=() args=()
  [[ -n $config ]] && args=(--config "$config")
  [[ -n ${BENCH_LOG_LEVEL:-} ]] && level=(STRIPEHOOK_LOG_LEVEL="$BENCH_LOG_LEVEL")
  PORT=$(free_port) || return 1
  env DATABASE_URL="sqlite://$db" STRIPEHOOK_LISTEN="127.0.0.1:$PORT" \
    STRIPE_WEBHOOK_SECRET="$SECRET" "${level[@]}" "$SERVER" serve "${args[@]}" >"$logfile" 2>&1 &
  SERVER_PID=$!
  wait_for_health
}

# Samples VmHWM (kB) into RSS_KB, then SIGTERM and wait for the graceful exit.
stop_server() {
  RSS_KB=$(awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null)
  kill -TERM "$SERVER_PID" 2>/dev/null
  for _ in $(seq 600); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    log "server $SERVER_PID ignored SIGTERM for 30 s; killing it"
    kill -KILL "$SERVER_PID"
  fi
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
  [[ -n $RSS_KB ]]
}

# CPU seconds (user + system) the server has used so far.
server_cpu_s() {
  local ticks
  ticks=$(sed 's/^.*) //' "/proc/$SERVER_PID/stat" 2>/dev/null | awk '{print $12 + $13}')
  awk -v t="${ticks:-0}" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", t / hz}'
}

# run_load KEY LABEL LOADGEN-ARGS...: one load run, its result appended to rows.jsonl once the
# server has been stopped (record_row) so that the row carries the server's peak RSS.
run_load() {
  local key=$1
  shift 2
  local cpu_before
  cpu_before=$(server_cpu_s)
  "$LOADGEN" --url "http://127.0.0.1:$PORT/webhooks/stripe" --secret "$SECRET" \
    --connections "$CONNECTIONS" --duration "$DURATION" "$@" >"$WORK/$key.json" 2>"$WORK/$key.txt"
  local rc=$?
  SERVER_CPU_S=$(awk -v a="$cpu_before" -v b="$(server_cpu_s)" 'BEGIN {printf "%.3f", b - a}')
  sed 's/^/  /' "$WORK/$key.txt" >&2
  [[ $rc == 0 ]] && grep -q '"accepted":[1-9]' "$WORK/$key.json"
}

record_row() {
  local key=$1 label=$2
  printf '{"key":"%s","label":"%s","rss_kb":%s,"server_cpu_s":%s,"load":%s}\n' "$key" "$label" \
    "$RSS_KB" "$SERVER_CPU_S" "$(cat "$WORK/$key.json")" >>"$WORK/rows.jsonl"
}

# scenario KEY LABEL START-COMMAND LOADGEN-ARGS...: a fresh server process per scenario, so
# each peak RSS belongs to one scenario.
scenario() {
  local key=$1 label=$2 start=$3
  shift 3
  log "$label"
  if ! eval "$start"; then
    log "$label: the server did not start"
    tail -5 "$WORK"/*.log "$WORK"/*.err >&2 2>/dev/null
    [[ -n $SERVER_PID ]] && stop_server
    FAILED+=("$key")
    return 1
  fi
  local ok=1
  run_load "$key" "$label" "$@" || ok=0
  stop_server || ok=0
  if [[ $ok == 0 ]]; then
    log "$label: failed (see output above)"
    FAILED+=("$key")
    return 1
  fi
  record_row "$key" "$label"
}

# Prefill: PREFILL processed invoice.paid rows of the loadgen's own body, in one transaction
# without a journal (a throwaway database), then back to WAL for the server.
prefill() {
  local db=$1 started=$SECONDS
  log "prefilling $PREFILL events"
  sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode=DELETE;
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
PRAGMA cache_size=-262144;
CREATE TEMP TABLE tpl AS SELECT CAST(readfile('$WORK/template.json') AS TEXT) AS body;
BEGIN;
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $PREFILL)
INSERT INTO events (id, type, created, livemode, api_version, account, object_id, object_type,
                    received_at, source, endpoint, status, attempts, processed_at, payload)
SELECT printf('evt_prefill%017d', n), 'invoice.paid', 1700000000 + n / 10, 0,
       '2026-07-29.dahlia', NULL, printf('in_prefill%08d', n % 200000), 'invoice',
       (1700000000 + n / 10) * 1000000, 'backfill', 'default', 'processed', 1,
       (1700000000 + n / 10) * 1000000,
       CAST(replace(replace(tpl.body, '########################', printf('prefill%017d', n)),
                    '9876543210', 1700000000 + n / 10) AS BLOB)
FROM c, tpl;
COMMIT;
PRAGMA journal_mode=WAL;
SQL
  local rc=$?
  # Flush the prefill's gigabytes now: left to background writeback they would slow the
  # server's fsyncs during the measurement and be charged to the store.
  sync "$db" || rc=1
  log "prefill took $((SECONDS - started)) s"
  return $rc
}

# shellcheck source=bench/billing_scenarios.sh
source "$HERE/billing_scenarios.sh"

main() {
  local started=$SECONDS
  print_machine
  local empty="$WORK/empty.db" full="$WORK/full.db"
  local d="$CONNECTIONS conns, ${DURATION} s"
  scenario ceiling "verify-only ceiling ($d)" start_verify_only
  scenario durable "durable ingest, empty store ($d)" "start_stripehook $empty $WORK/durable.log"
  scenario open "open loop ${RATE}/s (${DURATION} s)" "start_stripehook $empty $WORK/open.log" \
    --rate "$RATE"
  scenario mix "10% duplicates + 5% bad signatures ($d)" \
    "start_stripehook $empty $WORK/mix.log" --duplicates 0.10 --bad-signatures 0.05
  # A fresh database so "empty" and "prefilled" differ only by the PREFILL stored rows.
  if start_stripehook "$full" "$WORK/migrate.log" && stop_server && prefill "$full"; then
    scenario prefilled "durable ingest, $(thousands "$PREFILL") events stored ($d)" \
      "start_stripehook $full $WORK/prefilled.log"
  else
    log "prefill failed"
    FAILED+=(prefilled)
  fi
  rm -f "$full" "$full-wal" "$full-shm"  # gigabytes the billing scenarios' disk does not need
  billing_scenarios
  # Admin event list latency over a large inbox (its own server and database; prints its table).
  "$HERE/admin_list.sh" "$BUILD" || FAILED+=(admin_list)
  # PostgreSQL ingest, one instance and two (its own throwaway cluster; prints its table), when
  # Debian's postgresql package is installed.
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    local pg_duration=10 pg_drain=60
    [[ ${BENCH_QUICK:-0} == 1 ]] && pg_duration=2 pg_drain=5
    echo
    BENCH_PG_DURATION=${BENCH_PG_DURATION:-$pg_duration} BENCH_PG_CONNECTIONS=$CONNECTIONS \
      BENCH_PG_DRAIN=${BENCH_PG_DRAIN:-$pg_drain} "$HERE/postgres.sh" "$BUILD" || FAILED+=(postgres)
  else
    log "postgresql is not installed: PostgreSQL ingest skipped"
  fi
  python3 "$HERE/report.py" "$WORK/rows.jsonl" || FAILED+=(report)
  echo
  echo "Total bench time: $((SECONDS - started)) s."
  if ((${#FAILED[@]})); then
    echo "Scenarios that failed to run: ${FAILED[*]}" >&2
    return 1
  fi
}

main
