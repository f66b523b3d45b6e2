#!/usr/bin/env python3
"""bench/postgres.sh's arithmetic: one JSON row per scenario, then the markdown table.

  postgres_report.py row NAME CPU_SAMPLES LOADAVG_BEFORE LOADAVG_AFTER DRAIN_S PENDING LOADGEN.json...
      CPU_SAMPLES: "server0,pg0,server1,pg1,server2,pg2" (CPU seconds before the load, after it,
      and after the pipeline drained the backlog). Prints the row's JSON.
  postgres_report.py table ROW.json...

CPU per event = CPU seconds (utime + stime) / events accepted. On a machine shared with other
work this is the figure that holds still while throughput moves with the load.
"""
import json
import sys

LABELS = {"one": "one instance", "two": "two instances, one database (sum)"}


def row(name, samples, load_before, load_after, drain_s, pending, files):
    s0, p0, s1, p1, s2, p2 = (float(x) for x in samples.split(","))
    loads = [json.load(open(f)) for f in files]
    accepted = sum(l["accepted"] for l in loads)
    per = 1e6 / max(accepted, 1)
    return {
        "name": name, "accepted": accepted,
        "accepted_per_s": sum(l["accepted_per_s"] for l in loads),
        "p50_ms": [l["p50_ms"] for l in loads], "p99_ms": [l["p99_ms"] for l in loads],
        "errors": sum(l["errors"] for l in loads),
        "server_us": (s1 - s0) * per, "pg_us": (p1 - p0) * per,
        "loadgen_us": sum(l["loadgen_cpu_s"] for l in loads) * per,
        "server_drained_us": (s2 - s0) * per, "pg_drained_us": (p2 - p0) * per,
        "load_before": float(load_before), "load_after": float(load_after),
        "drain_s": int(drain_s), "pending_left": int(pending),
    }


def table(files):
    print("| scenario | accepted/s | p50 ms | p99 ms | server CPU µs/event | PostgreSQL CPU "
          "µs/event | loadgen CPU µs/event | total µs/event | server + PostgreSQL µs/event with "
          "processing | load avg before / after |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f in files:
        r = json.load(open(f))
        ms = lambda v: " / ".join(f"{x:.1f}" for x in v)
        total = r["server_us"] + r["pg_us"] + r["loadgen_us"]
        drained = r["server_drained_us"] + r["pg_drained_us"]
        left = f", {r['pending_left']:,} still pending" if r["pending_left"] else ""
        print(f"| {LABELS.get(r['name'], r['name'])} | {r['accepted_per_s']:,.0f} "
              f"| {ms(r['p50_ms'])} | {ms(r['p99_ms'])} | {r['server_us']:.0f} "
              f"| {r['pg_us']:.0f} | {r['loadgen_us']:.0f} | {total:.0f} "
              f"| {drained:.0f} ({r['drain_s']} s to drain{left}) "
              f"| {r['load_before']:.1f} / {r['load_after']:.1f} |")


def main(argv):
    if len(argv) >= 8 and argv[1] == "row":
        print(json.dumps(row(*argv[2:8], argv[8:])))
    elif len(argv) >= 3 and argv[1] == "table":
        table(argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
