#!/usr/bin/env python3
"""Prints bench/run.sh's markdown table and target checks from its rows.jsonl.

Each line of rows.jsonl is {"key", "label", "rss_kb", "server_cpu_s", "load": <loadgen JSON>}.
CPU per request (server and load generator) is printed too: on a shared or small machine it says
what the throughput figures cannot, how much work one event costs.
Targets (the issue's) are reported, never asserted: a missed target does not fail the run.
"""
import json
import sys


def fmt(value, digits=2):
    return "–" if value is None else f"{value:,.{digits}f}"


def main(path):
    rows = {}
    order = []
    for line in open(path):
        row = json.loads(line)
        rows[row["key"]] = row
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
    ]
    for name, value, limit, op in checks:
        if value is None:
            verdict = "not measured"
        else:
            met = value >= limit if op == ">=" else value <= limit
            verdict = ("met" if met else "MISSED") + f" ({fmt(value)})"
        print(f"- {name}: {verdict}")

    problems = []
    for key in order:
        l = rows[key]["load"]
        # A request or two due at the very end is normal; more means the server fell behind.
        if l["errors"] or l["unsent"] > max(2, l["sent"] // 1000):
            problems.append(f"{rows[key]['label']}: {l['errors']} errors, {l['unsent']} unsent")
    if problems:
        print()
        print("Load problems: " + "; ".join(problems))


if __name__ == "__main__":
    main(sys.argv[1])
