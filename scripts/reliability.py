#!/usr/bin/env python3
"""`make reliability`: runs what proves stripehook under faults and hostile input, at full size,
and regenerates docs/RELIABILITY.md from the results.

  1. every fault script tests/faults/<name>.py at size `full` (each prints one JSON result line);
  2. the crash and hostile suites of the build tree (ctest integration_crash_test, hostile_test),
     the crash suite CRASH_RUNS times;
  3. the fuzz command (default `make fuzz`) with FUZZ_SECONDS per target; libFuzzer's final
     stats give the executions, a crash report or a non-zero exit a crash found.

Usage: scripts/reliability.py --build BUILD [--fuzz-seconds N] [--fuzz-command CMD]
                              [--crash-runs N] [--out docs/RELIABILITY.md] [--only NAME...]
Each result carries the date and commit it ran at and is kept in BUILD/reliability-results.jsonl:
with --only, the parts not run again keep their last result in the table. Everything written after
the notes marker of the existing output is kept (hand-written notes).
Exit 0 when every part passed, 1 otherwise (the table is written either way).
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTES_MARKER = "<!-- notes: everything below is kept when the table is regenerated -->"


def run(cmd, timeout, env=None, cwd=ROOT):
    started = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           shell=isinstance(cmd, str))
        out, code = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, code = (e.stdout or b"").decode(errors="replace") + "\n[timed out]", -1
    return code, out, round(time.monotonic() - started, 1)


def fault_scripts():
    return sorted(p.stem for p in (ROOT / "tests" / "faults").glob("*.py") if p.stem != "faultlib")


def run_fault(build, name):
    script = ROOT / "tests" / "faults" / f"{name}.py"
    code, out, seconds = run([sys.executable, str(script), build, "full"], 3600)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError):
        result = {"name": name, "result": "fail", "error": f"no result line (exit {code}): "
                  + out[-500:]}
    result["seconds"] = seconds
    result["kind"] = "fault"
    print(f"reliability: {name}: {result['result']} in {seconds} s", file=sys.stderr)
    return result


def run_ctest(build, test, runs, injects):
    passed = cases = acked = kills = 0
    errors = []
    total = 0.0
    for _ in range(runs):
        code, out, seconds = run(["ctest", "--test-dir", build, "-R", f"^{test}$", "-V"], 3600)
        total += seconds
        found = re.findall(r"\[  PASSED  \] (\d+) test", out)
        if code == 0 and found:
            passed += 1
            cases = int(found[-1])
        else:
            errors.append(out[-800:])
        for n in re.findall(r"killed after (\d+) acks", out):
            kills, acked = kills + 1, acked + int(n)
    result = {"name": test, "kind": "suite", "injects": injects, "rounds": runs,
              "cases": cases, "result": "pass" if passed == runs else "fail",
              "seconds": round(total, 1)}
    if kills:
        # The suite fails on any acked event missing, so a pass means none was lost.
        result.update(kills=kills, events_acked=acked, events_lost=0 if passed == runs else "?")
    if errors:
        result["error"] = errors[0]
    print(f"reliability: {test}: {result['result']} in {result['seconds']} s", file=sys.stderr)
    return result


def run_fuzz(command, seconds):
    env = dict(os.environ, FUZZ_SECONDS=str(seconds))
    code, out, wall = run(command, 5 * 3600, env)
    results = []
    sections = re.split(r"^== (fuzz_\w+) for \d+s$", out, flags=re.M)
    for name, text in zip(sections[1::2], sections[2::2]):
        execs = (re.findall(r"stat::number_of_executed_units:\s*(\d+)", text) or
                 re.findall(r"^Done (\d+) runs", text, re.M))
        crashed = bool(re.search(r"==\d+==ERROR|deadly signal|SUMMARY: \w+Sanitizer|"
                                 r"Test unit written to", text))
        result = {"name": name, "kind": "fuzz", "injects": "libFuzzer-generated inputs",
                  "rounds": int(execs[-1]) if execs else 0, "crashes": int(crashed),
                  "seconds": seconds, "result": "fail" if crashed or not execs else "pass"}
        artifact = re.findall(r"Test unit written to (\S+)", text)
        if artifact:  # libFuzzer stops at the first crash: fewer seconds than asked
            result["artifact"] = artifact[-1]
        results.append(result)
    # A crash explains a non-zero exit (run_fuzz.sh stops there); anything else gets its own row.
    if not results or (code != 0 and not any(r["crashes"] for r in results)):
        results.append({"name": "fuzz command", "kind": "fuzz", "injects": command,
                        "result": "fail", "error": f"exit {code}: {out[-800:]}",
                        "seconds": wall})
    print(f"reliability: fuzz: exit {code} in {wall} s", file=sys.stderr)
    return results


def fmt_rejected(rejected):
    if not rejected:
        return "0"
    return ", ".join(f"{k}: {v:,}" for k, v in sorted(rejected.items()))


def row(r):
    if r["kind"] == "fault":
        runs = f"{r.get('rounds', 0)} rounds"
        acked = f"{r.get('events_acked', 0):,} / {r.get('events_lost', 0)}"
        rejected, crashes = fmt_rejected(r.get("rejected")), "0" if r["result"] == "pass" else "?"
    elif r["kind"] == "suite":
        runs = f"{r['rounds']} × {r['cases']} cases"
        acked = (f"{r['events_acked']:,} / {r['events_lost']} ({r['kills']} kills)"
                 if "kills" in r else "—")
        rejected = "every case: 4xx, no row changed" if "hostile" in r["name"] else "—"
        crashes = "0" if r["result"] == "pass" else "?"
    else:
        runs = f"{r.get('rounds', 0):,} executions" if r.get("rounds") else "—"
        acked, rejected = "—", "—"
        crashes = str(r.get("crashes", "?"))
    result = r["result"] if r["result"] in ("pass", "fail") else r["result"]
    return (f"| `{r['name']}` | {r.get('injects', '')} | {runs} | {acked} | {rejected} | "
            f"{crashes} | {result} | {r.get('seconds', '')} | {r.get('date', '')}, "
            f"`{r.get('commit', '')}` |")


def details(r):
    skip = {"name", "kind", "injects", "rounds", "events_acked", "events_lost", "rejected",
            "result", "seconds", "size", "cases", "kills", "crashes", "date", "commit"}
    extra = {k: v for k, v in r.items() if k not in skip}
    if not extra:
        return None
    return f"- `{r['name']}`: " + "; ".join(f"{k} = {json.dumps(v)}" for k, v in extra.items())


def stamp():
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            stdout=subprocess.PIPE).stdout.decode().strip()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return now, commit


def merge(path, results, ran_fuzz):
    """Results of this run, plus the last result of every part not run this time."""
    previous = []
    if path.exists():
        previous = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    names = {r["name"] for r in results} | ({"fuzz command"} if ran_fuzz else set())
    merged = results + [r for r in previous if r["name"] not in names]
    order = {"fault": 0, "suite": 1, "fuzz": 2}
    merged.sort(key=lambda r: (order.get(r.get("kind"), 3), r["name"]))
    path.write_text("".join(json.dumps(r) + "\n" for r in merged))
    return merged


def render(results, old_text):
    now, commit = stamp()
    lines = [
        "# Reliability",
        "",
        "What stripehook survives, measured. Regenerated by `make reliability` "
        "(scripts/reliability.py): every fault script of `tests/faults/` at full size, the crash "
        "and hostile suites, and each libFuzzer target for FUZZ_SECONDS (its row's seconds). "
        "`make test` runs "
        "the same fault scripts at smoke size (ctest label `faults`).",
        "",
        f"Generated {now} at commit `{commit}`; each row says when and at which commit it ran "
        f"({os.cpu_count()} CPUs, shared with other builds).",
        "",
        "| test | what it injects | how often it ran | events acked / lost | requests rejected "
        "| crashes found | result | seconds | run at |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [row(r) for r in results]
    lines += ["", "Columns: *events acked* = requests answered 200 (each one checked in the "
              "database afterwards), *lost* = acked but not stored; *requests rejected* counts the "
              "answers that were not 200 by status (`no answer` = connection cut by a kill); a "
              "skipped test fails unless STRIPEHOOK_FAULTS_ALLOW_SKIP=1.", "",
              "## Details of the last run", ""]
    lines += [d for d in (details(r) for r in results) if d]
    lines += ["", NOTES_MARKER]
    kept = old_text.split(NOTES_MARKER, 1)[1] if NOTES_MARKER in old_text else "\n"
    return "\n".join(lines) + kept


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--fuzz-seconds", type=int, default=60)
    parser.add_argument("--fuzz-command", default="make --no-print-directory fuzz")
    parser.add_argument("--crash-runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "RELIABILITY.md"))
    parser.add_argument("--only", nargs="*", help="run only these parts (fault names, crash, "
                        "hostile, fuzz)")
    args = parser.parse_args()
    build = str(pathlib.Path(args.build).resolve())
    wanted = (lambda part: not args.only or part in args.only)
    results = [run_fault(build, name) for name in fault_scripts() if wanted(name)]
    if wanted("crash"):
        results.append(run_ctest(build, "integration_crash_test", args.crash_runs,
                                 "SIGKILL ×5 under 8 clients (gtest, SQLite)"))
    if wanted("hostile"):
        results.append(run_ctest(build, "hostile_test", 1, "slowloris, malformed HTTP, hostile "
                                 "payloads and signatures, injection, key brute force"))
    if wanted("fuzz"):
        results += run_fuzz(args.fuzz_command, args.fuzz_seconds)
    now, commit = stamp()
    for r in results:
        r.update(date=now, commit=commit)
        print(json.dumps(r))
    table = merge(pathlib.Path(build) / "reliability-results.jsonl", list(results),
                  wanted("fuzz"))
    out = pathlib.Path(args.out)
    old = out.read_text() if out.exists() else ""
    out.write_text(render(table, old))
    failed = [r["name"] for r in results if r["result"] != "pass"]
    print(f"reliability: {len(results)} parts, {len(failed)} not passed {failed}; wrote {out}",
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
