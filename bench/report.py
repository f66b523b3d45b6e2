#!/usr/bin/env python3
"""Prints bench/run.sh's markdown table and target checks from its rows.jsonl.

Each line of rows.jsonl is {"key", "label", "rss_kb", "server_cpu_s", "load": <loadgen JSON>}.
CPU per request (server and load generator) is printed too: on a shared or small machine it says
what the throughput figures cannot, how much work one event costs.
Billing-state rows (keys in BILLING) go to a second table: "applied" (lifecycle events through
the webhook, "load" plus "applied" = billing_load.py wait's JSON), "drain" (the pipeline alone
applying a prefilled inbox: "applied" only) and "access", "access_open" (GET /v1/access, closed
and open loop: "load").
Targets (the issue's) are reported, never asserted: a missed target does not fail the run.
"""
import json
import sys


def fmt(value, digits=2):
    return "–" if value is None else f"{value:,.{digits}f}"


BILLING = ("applied", "drain", "access", "access_open")


def billing_table(rows):
    """Per second: events applied (applied, drain) or GET answers (access)."""
    keys = [k for k in BILLING if k in rows]
    if not keys:
        return
    print()
    print("| billing state | items | per s | webhook accepted/s while feeding | p50 ms | p99 ms "
          "| p99.9 ms | server peak RSS MB | server CPU µs/item | loadgen CPU µs/item |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in keys:
        r = rows[key]
        load, applied = r.get("load"), r.get("applied")
        if applied is not None:
            items, per_s = applied["events"] - applied["pending"], applied["applied_per_s"]
        else:
            items, per_s = load["completed"], load["rps"]
        ingest = load["accepted_per_s"] if load and key == "applied" else None
        lat = [None] * 3 if load is None else [load["p50_ms"], load["p99_ms"], load["p999_ms"]]
        print(f"| {r['label']} | {items:,} | {fmt(per_s, 0)} | {fmt(ingest, 0)} | "
              f"{' | '.join(fmt(v) for v in lat)} | {fmt(r['rss_kb'] / 1024, 1)} | "
              f"{fmt(r['server_cpu_s'] * 1e6 / max(items, 1), 1)} | "
              f"{fmt(load and load['loadgen_cpu_s'] * 1e6 / max(items, 1), 1)} |")
    for key in ("applied", "drain"):
        if key in rows:
            statuses = ", ".join(f"{k} {v:,}" for k, v in
                                 sorted(rows[key]["applied"]["by_status"].items()))
            print(f"\n{rows[key]['label']}: {statuses}; {rows[key]['applied']['seconds']} s.")
    check = rows.get("applied", {}).get("check")
    if check:
        print(f"Final access, status and plan of {check['checked']} copies against the scenarios' "
              f"expected files: {check['mismatches']} mismatches.")


def main(path):
    rows = {}
    order = []
    for line in open(path):
        row = json.loads(line)
        rows[row["key"]] = row
        if row["key"] not in BILLING:
            order.append(row["key"])

    def load(key, field):
        row = rows.get(key)
        return None if row is None else row["load"][field]

    def ratio(a, b):
        x, y = load(a, "accepted_per_s"), load(b, "accepted_per_s")
        return None if x is None or not y else x / y

    print("| scenario | accepted/s | p50 ms | p99 ms | p99.9 ms | server peak RSS MB "
          "| server CPU µs/req | loadgen CPU µs/req |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for key in order:
        r = rows[key]
        l = r["load"]
        done = max(l["completed"], 1)
        print(f"| {r['label']} | {fmt(l['accepted_per_s'], 0)} | {fmt(l['p50_ms'])} | "
              f"{fmt(l['p99_ms'])} | {fmt(l['p999_ms'])} | {fmt(r['rss_kb'] / 1024, 1)} | "
              f"{fmt(r['server_cpu_s'] * 1e6 / done, 1)} | "
              f"{fmt(l['loadgen_cpu_s'] * 1e6 / done, 1)} |")
        if key == "durable":
            print(f"| durable / verify-only ceiling | {fmt(ratio('durable', 'ceiling'))} "
                  "| | | | | | |")
        if key == "prefilled":
            print(f"| prefilled / empty store | {fmt(ratio('prefilled', 'durable'))} | | | | | | |")
    billing_table(rows)

    print()
    print("Targets (reported, not asserted):")
    durable_rss = [rows[k]["rss_kb"] / 1024 for k in ("durable", "open", "mix", "prefilled")
                   if k in rows]
    checks = [
        ("durable accepted/s >= 25,000", load("durable", "accepted_per_s"), 25000, ">="),
        ("durable >= 0.5 x verify-only ceiling", ratio("durable", "ceiling"), 0.5, ">="),
        ("open loop 2,000/s p99 <= 5 ms", load("open", "p99_ms"), 5.0, "<="),
        ("server peak RSS <= 64 MB", max(durable_rss) if durable_rss else None, 64.0, "<="),
        ("prefilled (1M) >= 0.8 x empty store", ratio("prefilled", "durable"), 0.8, ">="),
        ("lifecycle events applied end to end >= 20,000/s",
         rows["applied"]["applied"]["applied_per_s"] if "applied" in rows else None, 20000, ">="),
        ("GET /v1/access >= 30,000 requests/s (64 conns)", load("access", "rps"), 30000, ">="),
        ("GET /v1/access p99 <= 2 ms (64 conns, closed loop)", load("access", "p99_ms"), 2.0,
         "<="),
        ("GET /v1/access p99 <= 2 ms at 30,000/s (open loop)", load("access_open", "p99_ms"),
         2.0, "<="),
    ]
    for name, value, limit, op in checks:
        if value is None:
            verdict = "not measured"
        else:
            met = value >= limit if op == ">=" else value <= limit
            verdict = ("met" if met else "MISSED") + f" ({fmt(value)})"
        print(f"- {name}: {verdict}")

    problems = []
    for key in order + [k for k in BILLING if k in rows and "load" in rows[k]]:
        l = rows[key]["load"]
        # A request or two due at the very end is normal; more means the server fell behind.
        if l["errors"] or l["unsent"] > max(2, l["sent"] // 1000):
            problems.append(f"{rows[key]['label']}: {l['errors']} errors, {l['unsent']} unsent")
    if problems:
        print()
        print("Load problems: " + "; ".join(problems))


if __name__ == "__main__":
    main(sys.argv[1])
