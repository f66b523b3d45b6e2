# shellcheck shell=bash disable=SC2153  # globals (USERS, ...) come from run.sh
# Billing-state scenarios, sourced by bench/run.sh (uses its globals and helpers: WORK, HERE,
# LOADGEN, SECRET, APP_KEY, CONNECTIONS, DURATION, COPIES, USERS, ACCESS_RATE, start_stripehook,
# stop_server,
# server_cpu_s, log, thousands, FAILED). Each appends rows to $WORK/rows.jsonl for report.py.

# The server's configuration for these scenarios: the app key for GET /v1/access and the
# lifecycle fixtures' catalogue as plans, so access answers carry a plan and its features.
write_billing_config() {
  cat >"$WORK/billing.toml" <<EOF
[admin]
app_key = "$APP_KEY"

[plans.pro]
prices = ["price_pro"]
features = ["export"]
limits = { seats = 5, projects = 20 }

[plans.team]
prices = ["price_team"]
features = ["export", "sso"]

[plans.enterprise]
prices = ["price_enterprise"]
features = ["export", "sso", "audit"]
EOF
}

cpu_since() { awk -v a="$1" -v b="$(server_cpu_s)" 'BEGIN {printf "%.3f", b - a}'; }
vm_hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null; }

# COPIES copies of every lifecycle scenario through the webhook at full speed (closed loop,
# CONNECTIONS connections); timed from just before the first request until the database holds
# every event and none is 'pending' (billing_load.py wait, started before the load, polls it
# read-only every 20 ms: its own CPU is a few percent of one core).
applied_scenario() {
  local db="$WORK/applied.db" n label t0 cpu_before waiter ok=1
  n=$(python3 "$HERE/billing_load.py" events --copies "$COPIES" --out "$WORK/lifecycles.jsonl") ||
    { FAILED+=(applied); return 1; }
  label="lifecycle events applied end to end ($(thousands "$n") events, $CONNECTIONS conns)"
  log "$label"
  if ! start_stripehook "$db" "$WORK/applied.log" "$WORK/billing.toml"; then
    log "$label: the server did not start"
    tail -5 "$WORK/applied.log" >&2
    [[ -n $SERVER_PID ]] && stop_server
    FAILED+=(applied)
    return 1
  fi
  cpu_before=$(server_cpu_s)
  t0=$(date +%s.%N)
  python3 "$HERE/billing_load.py" wait --db "$db" --since "$t0" --expect "$n" \
    >"$WORK/applied.wait" &
  waiter=$!
  "$LOADGEN" --url "http://127.0.0.1:$PORT/webhooks/stripe" --secret "$SECRET" \
    --connections "$CONNECTIONS" --events "$WORK/lifecycles.jsonl" \
    >"$WORK/applied.json" 2>"$WORK/applied.txt" || ok=0
  wait "$waiter" || ok=0
  SERVER_CPU_S=$(cpu_since "$cpu_before")
  # The first and last copy of every scenario must end in the scenario's expected state.
  python3 "$HERE/billing_load.py" check --url "http://127.0.0.1:$PORT" --key "$APP_KEY" \
    --copies "$COPIES" >"$WORK/applied.check" || ok=0
  sed 's/^/  /' "$WORK/applied.txt" "$WORK/applied.wait" "$WORK/applied.check" >&2
  stop_server || ok=0
  if [[ $ok == 0 ]] || ! grep -q '"accepted":[1-9]' "$WORK/applied.json"; then
    log "$label: failed (see output above)"
    FAILED+=(applied)
    return 1
  fi
  printf '{"key":"applied","label":"%s","rss_kb":%s,"server_cpu_s":%s,"load":%s,' \
    "$label" "$RSS_KB" "$SERVER_CPU_S" "$(cat "$WORK/applied.json")" >>"$WORK/rows.jsonl"
  printf '"applied":%s,"check":%s}\n' "$(cat "$WORK/applied.wait")" \
    "$(cat "$WORK/applied.check")" >>"$WORK/rows.jsonl"
}

# GET /v1/access must answer access:true for users of the state, or the load measures nothing.
check_access() {
  local n answer
  for n in 0 $((USERS / 2)) $((USERS - 1)); do
    answer=$(curl -sf -H "Authorization: Bearer $APP_KEY" \
      "http://127.0.0.1:$PORT/v1/access/user_$n") || { log "GET user_$n failed"; return 1; }
    grep -q '"access":true' <<<"$answer" || { log "user_$n: $answer"; return 1; }
  done
}

# A state of USERS users: their events (customer.created + customer.subscription.created each)
# are written to the inbox as 'pending' with the server stopped, and the server's pipeline
# applies them at start (timed: the pipeline alone, inbox to state). Then GET
# /v1/access/user_<random> (access_loads).
access_scenario() {
  local db="$WORK/users.db" t0 cpu_before drain_cpu drain_rss
  local users
  users=$(thousands "$USERS")
  log "state of $users users: inbox prefill, then the pipeline applies it"
  if ! { start_stripehook "$db" "$WORK/users-migrate.log" && stop_server &&
    python3 "$HERE/billing_load.py" inbox --users "$USERS" --db "$db" && sync "$db"; }; then
    log "users prefill failed"
    FAILED+=(drain access)
    return 1
  fi
  t0=$(date +%s.%N)
  if ! start_stripehook "$db" "$WORK/users.log" "$WORK/billing.toml"; then
    log "the server did not start on the users database"
    tail -5 "$WORK/users.log" >&2
    [[ -n $SERVER_PID ]] && stop_server
    FAILED+=(drain access)
    return 1
  fi
  cpu_before=$(server_cpu_s)
  if ! python3 "$HERE/billing_load.py" wait --db "$db" --since "$t0" >"$WORK/drain.wait" ||
    ! check_access; then
    sed 's/^/  /' "$WORK/drain.wait" >&2
    stop_server
    FAILED+=(drain access)
    return 1
  fi
  drain_cpu=$(cpu_since "$cpu_before")
  drain_rss=$(vm_hwm_kb)
  sed 's/^/  /' "$WORK/drain.wait" >&2
  printf '{"key":"drain","label":"%s","rss_kb":%s,"server_cpu_s":%s,"applied":%s}\n' \
    "pipeline alone: $(thousands $((2 * USERS))) inbox events applied at start" "$drain_rss" \
    "$drain_cpu" "$(cat "$WORK/drain.wait")" >>"$WORK/rows.jsonl"
  access_loads "$users"
}

# access_load KEY LABEL [LOADGEN-ARGS...]: one GET /v1/access/user_<random> run on the running
# server; the last one stops it (RSS_KB).
access_load() {
  local key=$1 label=$2 cpu_before ok=1
  shift 2
  log "$label"
  cpu_before=$(server_cpu_s)
  "$LOADGEN" --url "http://127.0.0.1:$PORT/" --method GET \
    --path-template '/v1/access/user_{n}' --users "$USERS" \
    --header "Authorization: Bearer $APP_KEY" --connections "$CONNECTIONS" \
    --duration "$DURATION" "$@" >"$WORK/$key.json" 2>"$WORK/$key.txt" || ok=0
  SERVER_CPU_S=$(cpu_since "$cpu_before")
  RSS_KB=$(vm_hwm_kb)
  sed 's/^/  /' "$WORK/$key.txt" >&2
  if [[ $ok == 0 ]] || ! grep -q '"responses":{"200":[1-9][0-9]*}' "$WORK/$key.json"; then
    log "$label: failed (every answer must be a 200)"
    FAILED+=("$key")
    return 1
  fi
  printf '{"key":"%s","label":"%s","rss_kb":%s,"server_cpu_s":%s,"load":%s}\n' \
    "$key" "$label" "$RSS_KB" "$SERVER_CPU_S" "$(cat "$WORK/$key.json")" >>"$WORK/rows.jsonl"
}

# Closed loop (the issue's "at 64 connections": there latency is connections / throughput), then
# an open loop at the target rate, where p99 is the latency of the target load itself.
access_loads() {
  local what="GET /v1/access/{user}, $1 users in state"
  access_load access "$what ($CONNECTIONS conns, ${DURATION} s)"
  access_load access_open "$what, open loop ${ACCESS_RATE}/s (${DURATION} s)" \
    --rate "$ACCESS_RATE"
  stop_server
}

billing_scenarios() {
  write_billing_config
  applied_scenario
  access_scenario
}
