#!/usr/bin/env bash
# ctest bench_smoke: the load generator against the verify-only server for one second. Checks
# the tool is correct (its signatures verify, bad ones are refused, nothing errors), not speed.
# Then its other two request sources: --events (every lifecycle copy from billing_load.py is
# sent once and its signature verifies) and GET mode (each answered).
set -euo pipefail
verify_only=$1
loadgen=$2
secret=whsec_bench_smoke_0123456789
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$verify_only" --port 0 --threads 1 --secret "$secret" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$work/server.out")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { echo "verify-only server did not start"; cat "$work/server.err"; exit 1; }

"$loadgen" --url "http://127.0.0.1:$port/webhooks/stripe" --secret "$secret" --connections 4 \
  --duration 1 --bad-signatures 0.2 --seed 7 >"$work/result.json"
cat "$work/result.json"
python3 - "$work/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = r["responses"].get("200", 0)
bad = r["responses"].get("400", 0)
problems = []
if ok == 0 or r["accepted"] != ok:
    problems.append("expected accepted 200s")
if bad != r["bad_signatures_sent"] or bad == 0:
    problems.append("expected one 400 per bad signature")
if r["errors"] != 0 or r["completed"] != r["sent"]:
    problems.append("expected every request answered without errors")
if not 2500 <= r["body_bytes"] <= 4500:
    problems.append("expected a body of about 3 KB")
if r["p50_ms"] <= 0 or r["p99_ms"] < r["p50_ms"]:
    problems.append("expected ordered latency quantiles")
if problems:
    sys.exit("bench_smoke: " + "; ".join(problems))
PY

python3 "$(dirname "$0")/billing_load.py" events --copies 2 --out "$work/events.jsonl" >"$work/n"
"$loadgen" --url "http://127.0.0.1:$port/webhooks/stripe" --secret "$secret" --connections 4 \
  --events "$work/events.jsonl" >"$work/events.json"
"$loadgen" --url "http://127.0.0.1:$port/" --method GET --path-template '/healthz?u={n}' \
  --users 10 --header 'X-Bench: 1' --connections 4 --requests 200 >"$work/get.json"
cat "$work/events.json" "$work/get.json"
python3 - "$work/events.json" "$work/get.json" "$(cat "$work/n")" <<'PY'
import json, sys
events, get, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
problems = []
if n != 246 or events["sent"] != n or events["accepted"] != n or events["errors"]:
    problems.append(f"expected each of {n} (246) lifecycle events accepted once: {events}")
if get["sent"] != 200 or get["responses"] != {"200": 200} or get["errors"]:
    problems.append(f"expected 200 GETs answered 200: {get}")
if problems:
    sys.exit("bench_smoke: " + "; ".join(problems))
PY
