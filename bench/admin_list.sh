#!/usr/bin/env bash
# Admin event list latency over a large inbox: `bench/admin_list.sh BUILD_DIR [EVENTS]`.
# Prefills EVENTS (default 1,000,000) events of mixed types, statuses, objects and arrival times
# with the sqlite3 CLI, starts stripehook on it, and times GET /admin/events for each filter the
# dashboard offers (first pages and pages deep behind a cursor) over one keep-alive connection
# with curl. Prints p50/p99/max per filter as a markdown table. Reports, never asserts (the
# target, p99 <= 50 ms, is for the reader). BENCH_QUICK=1: 50,000 events.
set -uo pipefail

BUILD=${1:?usage: bench/admin_list.sh BUILD_DIR [EVENTS]}
BUILD=$(cd "$BUILD" && pwd)
SERVER="$BUILD/src/stripehook"
if [[ ${BENCH_QUICK:-0} == 1 ]]; then EVENTS=${2:-50000}; else EVENTS=${2:-1000000}; fi
REQUESTS=${ADMIN_BENCH_REQUESTS:-200}  # per filter
[[ -x $SERVER ]] || { echo "admin_list: $SERVER is missing; build first" >&2; exit 2; }
for tool in sqlite3 curl python3; do
  command -v $tool >/dev/null || { echo "admin_list: $tool is needed" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/stripehook-admin-bench.XXXXXX)
KEY="admin_bench_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
DB="$WORK/inbox.db"
PID=
cleanup() {
  [[ -n $PID ]] && { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "admin_list: $*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_server() {
  PORT=$(free_port)
  env DATABASE_URL="sqlite://$DB" STRIPEHOOK_LISTEN="127.0.0.1:$PORT" STRIPEHOOK_ADMIN_KEY="$KEY" \
    STRIPE_WEBHOOK_SECRET="whsec_admin_bench" "$SERVER" serve >"$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1200); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0
    sleep 0.05
  done
  log "server did not start"; cat "$WORK/server.log" >&2; return 1
}
stop_server() { kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=; }

# Arrival times spread over 30 days up to now; 1 % failed (retry far in the future, so the
# pipeline leaves them alone), 0.1 % dead, one type in a thousand rare; ~1.2 KB payloads.
prefill() {
  local started=$SECONDS now_us
  now_us=$(($(date +%s) * 1000000))
  log "prefilling $EVENTS events"
  sqlite3 "$DB" >/dev/null <<SQL
PRAGMA journal_mode=DELETE;
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
PRAGMA cache_size=-262144;
BEGIN;
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $EVENTS),
t(n, status, at) AS (
  SELECT n,
    CASE WHEN n % 1000 = 3 THEN 'dead' WHEN n % 100 = 5 THEN 'failed' ELSE 'processed' END,
    $now_us - ($EVENTS - n) * (2592000000000 / $EVENTS)
  FROM c)
INSERT INTO events (id, type, created, livemode, api_version, account, object_id, object_type,
                    received_at, source, endpoint, status, attempts, next_attempt_at, last_error,
                    processed_at, payload)
SELECT printf('evt_bench%017d', n),
       CASE WHEN n % 1000 = 7 THEN 'charge.dispute.created'
            ELSE (SELECT value FROM json_each('["invoice.paid", "customer.subscription.updated",
                    "customer.updated", "invoice.created", "payment_intent.succeeded",
                    "charge.succeeded", "invoice.finalized", "customer.subscription.created"]')
                  WHERE key = n % 8) END,
       at / 1000000, 0, '2026-07-29.dahlia', NULL,
       CASE n % 4 WHEN 0 THEN printf('sub_%06d', n % 100000) WHEN 1 THEN printf('cus_%05d', n % 50000)
                  WHEN 2 THEN printf('in_%07d', n % 400000) ELSE printf('pi_%07d', n % 400000) END,
       CASE n % 4 WHEN 0 THEN 'subscription' WHEN 1 THEN 'customer' WHEN 2 THEN 'invoice'
                  ELSE 'payment_intent' END,
       at, 'webhook', 'default', status, CASE status WHEN 'processed' THEN 1 ELSE 2 END,
       CASE status WHEN 'failed' THEN $now_us + 86400000000 * 365 END,
       CASE status WHEN 'processed' THEN NULL ELSE 'bench: handler error' END,
       CASE status WHEN 'processed' THEN at + 20000 END,
       CAST(printf('{"id":"evt_bench%017d","object":"event","data":{"object":{"pad":"%s"}}}', n,
                   hex(zeroblob(560))) AS BLOB)
FROM t;
COMMIT;
PRAGMA journal_mode=WAL;
SQL
  local rc=$?
  sync "$DB"
  log "prefill took $((SECONDS - started)) s"
  return $rc
}

# One filter: REQUESTS GETs over one connection, half of them first pages, half behind a cursor
# taken from the middle of the first 1,000 results. Prints "p50 p99 max count" in ms.
time_filter() {
  local query=$1 cursor urls="$WORK/urls.txt"
  cursor=$(curl -s -H "X-Admin-Key: $KEY" "http://127.0.0.1:$PORT/admin/events?limit=1000&$query" |
           python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d[len(d)//2]["id"] if d else "")')
  : >"$urls"
  for i in $(seq "$REQUESTS"); do
    local url="http://127.0.0.1:$PORT/admin/events?limit=20&$query"
    [[ $((i % 2)) == 0 && -n $cursor ]] && url="$url&starting_after=$cursor"
    printf 'url = "%s"\noutput = "/dev/null"\n' "$url" >>"$urls"
  done
  curl -s -H "X-Admin-Key: $KEY" -w '%{http_code} %{time_total}\n' --config "$urls" |
    python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
bad = [r for r in rows if r[0] != "200"]
t = sorted(float(r[1]) * 1000 for r in rows)
p = lambda q: t[min(len(t) - 1, max(0, int(round(q * len(t) + 0.5)) - 1))]
print("%.1f %.1f %.1f %d%s" % (p(0.5), p(0.99), t[-1], len(t), " (%d non-200)" % len(bad) if bad else ""))'
}

main() {
  start_server && stop_server || exit 1  # creates the schema (migrations) on an empty file
  prefill || exit 1
  start_server || exit 1
  local day_ago=$(( $(date +%s) - 86400 ))
  echo
  echo "### Admin event list over $EVENTS stored events (GET /admin/events, limit 20)"
  echo
  echo "| filter | p50 ms | p99 ms | max ms | requests |"
  echo "|---|---|---|---|---|"
  local filters=(
    "" "status=failed" "status=dead" "status=processed" "type=invoice.paid"
    "type=charge.dispute.created" "object_id=sub_000042" "customer=cus_00042"
    "received_gte=$day_ago" "status=failed&type=invoice.paid" "status=dead&type=invoice.paid"
    "type=charge.dispute.created&received_gte=$day_ago")
  for f in "${filters[@]}"; do
    curl -s -o /dev/null -H "X-Admin-Key: $KEY" "http://127.0.0.1:$PORT/admin/events?$f"  # warm
    read -r p50 p99 max n rest < <(time_filter "$f")
    echo "| ${f:-(none)} | $p50 | $p99 | $max | $n ${rest:-} |"
  done
  echo
  echo "Half the requests of each filter page behind a cursor from the middle of its first 1,000 results."
}

main
