#!/usr/bin/env bash
# PostgreSQL ingest benchmark: `bench/postgres.sh BUILD_DIR` (also run by run.sh, `make bench`,
# when postgresql is installed). Starts a throwaway cluster from Debian's postgresql package
# (initdb/pg_ctl in a temporary directory, default settings: fsync and synchronous_commit on, as
# the `postgres` user when run as root) on a free 127.0.0.1 port, then measures accepted events/s of
#   1. one `stripehook serve` on it, and
#   2. two instances on the same database, each driven by its own load generator at once.
# For each: accepted/s, latency, and CPU µs per accepted event of the server(s), of PostgreSQL (the
# postmaster and its children) and of the load generator(s), from /proc (on a shared machine it
# moves far less with the others' load than throughput does) during the load, and again once
# the pipeline has applied everything accepted (waiting at most BENCH_PG_DRAIN s, default 60).
# BENCH_PG_SCENARIOS ("one two" by default) picks and orders the scenarios; BENCH_PG_SQL runs
# one statement on the migrated database before them (to try a schema or storage setting).
# Prints a markdown table. Exit status non-zero only when a scenario could not run.
set -uo pipefail

BUILD=$(cd "${1:?usage: bench/postgres.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
SERVER="$BUILD/src/stripehook"
LOADGEN="$BUILD/bench/stripehook-loadgen"
DURATION=${BENCH_PG_DURATION:-10}
CONNECTIONS=${BENCH_PG_CONNECTIONS:-64}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $PG_BIN/initdb ]] || { echo "bench/postgres: install postgresql" >&2; exit 2; }
for exe in "$SERVER" "$LOADGEN"; do
  [[ -x $exe ]] || { echo "bench/postgres: $exe is missing; build first" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/stripehook-pgbench.XXXXXX)
SECRET="whsec_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
AS_PG=()
if [[ $(id -u) == 0 ]]; then
  chown postgres: "$WORK"
  AS_PG=(runuser -u postgres --)
fi
PIDS=()
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PG_PORT=$(free_port)
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "bench/postgres: $*" >&2; }

"${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale=C \
  >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 2; }
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w -o \
  "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $WORK" start >/dev/null ||
  { cat "$WORK/pg.log" >&2; exit 2; }
URL="postgresql://postgres@127.0.0.1:$PG_PORT/bench"
psql_cmd() { "${AS_PG[@]}" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atq "$@"; }
psql_cmd -d postgres -c "CREATE DATABASE bench" || exit 2
DATABASE_URL=$URL STRIPE_WEBHOOK_SECRET=$SECRET "$SERVER" migrate >"$WORK/migrate.log" 2>&1 || { log "migrate failed"; exit 2; }
[[ -n ${BENCH_PG_SQL:-} ]] && { psql_cmd -d bench -c "$BENCH_PG_SQL" || exit 2; }

# start_instance LOGFILE: sets PORT
start_instance() {
  PORT=$(free_port)
  env DATABASE_URL="$URL" STRIPEHOOK_LISTEN="127.0.0.1:$PORT" STRIPE_WEBHOOK_SECRET="$SECRET" \
    STRIPEHOOK_LOG_LEVEL="${BENCH_LOG_LEVEL:-warn}" "$SERVER" serve >"$1" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}
stop_instances() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  PIDS=()
}
load() {  # load PORT OUT CONNECTIONS
  "$LOADGEN" --url "http://127.0.0.1:$1/webhooks/stripe" --secret "$SECRET" \
    --connections "$3" --duration "$DURATION" >"$2" 2>"$2.txt"
}

# CPU seconds (user + system) used so far by the given processes.
cpu_s() {
  local ticks=0 t p
  for p in "$@"; do
    t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
    ticks=$((ticks + ${t:-0}))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", t / hz}'
}
# CPU seconds of the server(s), then of PostgreSQL (the postmaster and its children: backends,
# WAL writer, checkpointer ...), comma-separated.
cpu_sample() {
  local master
  master=$(head -1 "$WORK/data/postmaster.pid")
  echo "$(cpu_s "${PIDS[@]}"),$(cpu_s "$master" $(pgrep -P "$master"))"
}
pending() { psql_cmd -d bench -c "SELECT count(*) FROM events WHERE status = 'pending'"; }

# measure NAME PORT...: one load generator per port, all at once; writes $WORK/NAME.row (JSON,
# postgres_report.py): accepted/s, CPU of the server(s) and of PostgreSQL during the load and
# again once the pipeline has applied the backlog (at most BENCH_PG_DRAIN s more), load average.
measure() {
  local name=$1 port i=0 p
  shift
  local before after drained load_before load_after t0 loads=() jsons=()
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  before=$(cpu_sample)
  for port in "$@"; do
    load "$port" "$WORK/$name.$i.json" "$CONNECTIONS" &
    loads+=($!)
    jsons+=("$WORK/$name.$i.json")
    i=$((i + 1))
  done
  for p in "${loads[@]}"; do wait "$p" || { log "load failed"; return 1; }; done
  after=$(cpu_sample)
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  t0=$SECONDS
  while (($(pending) > 0 && SECONDS - t0 < ${BENCH_PG_DRAIN:-60})); do sleep 0.2; done
  drained=$(cpu_sample)
  python3 "$HERE/postgres_report.py" row "$name" "$before,$after,$drained" "$load_before" \
    "$load_after" $((SECONDS - t0)) "$(pending)" "${jsons[@]}" >"$WORK/$name.row"
}

# BENCH_PG_SCENARIOS: "one" (one instance), "two" (two instances on one database), in order.
SCENARIOS=${BENCH_PG_SCENARIOS:-one two}
ROWS=()
for scenario in $SCENARIOS; do
  case $scenario in
    one)
      log "one instance, $CONNECTIONS connections, $DURATION s"
      start_instance "$WORK/one.log" || { log "instance did not start"; cat "$WORK/one.log" >&2; exit 1; }
      measure one "$PORT" || exit 1
      ;;
    two)
      log "two instances on one database, $CONNECTIONS connections each, $DURATION s"
      start_instance "$WORK/a.log" || exit 1
      PORT_A=$PORT
      start_instance "$WORK/b.log" || exit 1
      measure two "$PORT_A" "$PORT" || exit 1
      ;;
    *) log "unknown scenario $scenario"; exit 2 ;;
  esac
  stop_instances
  ROWS+=("$WORK/$scenario.row")
done
STORED=$(psql_cmd -d bench -c "SELECT count(*) FROM events")
BY_STATUS=$(psql_cmd -d bench -c "SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM (SELECT status, count(*) AS n FROM events GROUP BY status) s")

echo "## PostgreSQL ingest — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), local cluster, default settings (fsync, synchronous_commit on); $(nproc) CPUs shared by PostgreSQL, the server(s) and the load generator(s); $CONNECTIONS connections per instance, $DURATION s per scenario"
echo
python3 "$HERE/postgres_report.py" table "${ROWS[@]}"
echo
echo "- events stored in the database at the end: $STORED ($BY_STATUS)"
echo "- CPU µs/event: CPU seconds (utime + stime, /proc) used during the load / events accepted; \"with processing\" counts on until the pipeline had applied every accepted event"
