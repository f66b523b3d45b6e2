#!/usr/bin/env python3
"""Billing-state workloads for bench/run.sh, built from tests/fixtures/lifecycles/*.jsonl.

  events --copies N --out FILE   N copies of every lifecycle scenario as JSON lines for
                                 `stripehook-loadgen --events`. Every id (cus_, sub_, in_, ch_, pi_,
                                 cs_, evt_, user_, si_, il_, re_, dp_, ...) gets a copy suffix, so
                                 each copy is a distinct customer whose events the pipeline really
                                 applies. Lines are interleaved (event k of every copy, then event
                                 k+1), so a copy's events are N scenarios apart on the wire and
                                 arrive in their order even over 64 connections.
  inbox --users N --db FILE      Appends, as 'pending' inbox rows, customer.created and
                                 customer.subscription.created (active, price_pro; scenario a) for
                                 users user_0 .. user_{N-1}: the server's pipeline applies them at
                                 start, building a state of N users through the real code path.
  check --url URL --key KEY --copies N
                                 GET /v1/access for the first and last copy of every scenario's
                                 user and compares access, status and plan with the scenario's
                                 expected final state: the copies must be real, distinct
                                 customers the pipeline got right. Prints {"checked", "mismatches"}.
  wait --db FILE --since T [--expect N]
                                 Polls the database read-only every 20 ms until it holds N events
                                 and none is 'pending'; prints
                                 one JSON line: events, seconds since T (epoch), applied_per_s and
                                 the count per status.
"""
import argparse
import json
import os
import re
import sqlite3
import sys
import time
import urllib.request

# A quoted Stripe-style id: a known prefix, then a digit somewhere or at least 8 characters
# (Stripe ids such as cus_TLvleReCzQXEXpvu may hold no digit; the key "user_id" stays as it is).
ID = re.compile(r'(?<=")((?:cus|sub|in|ch|pi|cs|evt|user|si|il|re|dp|du|pm|py|txn|src|ii)'
                r'_(?=[A-Za-z0-9_]*[0-9]|[A-Za-z0-9_]{8})[A-Za-z0-9_]+)(?=")')


class Rewriter:
    """One event line split at its ids, so a copy is a join, not a regex pass per copy."""

    def __init__(self, line):
        self.parts = ID.split(line.rstrip("\n"))  # literal, id, literal, id, ..., literal
        event = json.loads(line)
        self.id = event["id"]
        self.type = event["type"]
        self.created = event["created"]
        self.api_version = event.get("api_version")
        self.object_id = event["data"]["object"]["id"]
        self.object_type = event["data"]["object"]["object"]

    def render(self, rename):
        out = self.parts[:]
        for i in range(1, len(out), 2):
            out[i] = rename(out[i])
        return "".join(out)


def load_scenarios(fixtures):
    directory = os.path.join(fixtures, "lifecycles")
    names = sorted(n for n in os.listdir(directory) if n.endswith(".jsonl"))
    return [[Rewriter(line) for line in open(os.path.join(directory, n)) if line.strip()]
            for n in names]


def cmd_events(args):
    scenarios = load_scenarios(args.fixtures)
    longest = max(len(s) for s in scenarios)
    count = 0
    with open(args.out, "w") as out:
        for k in range(longest):
            for copy in range(args.copies):
                suffix = f"x{copy}"
                for scenario in scenarios:
                    if k < len(scenario):
                        out.write(scenario[k].render(lambda i: i + suffix) + "\n")
                        count += 1
    print(count)


INSERT = ("INSERT INTO events (id, type, created, livemode, api_version, account, object_id, "
          "object_type, received_at, source, endpoint, status, attempts, payload) "
          "VALUES (?, ?, ?, 0, ?, NULL, ?, ?, ?, 'backfill', 'default', 'pending', 0, ?)")


def inbox_rows(scenario, users):
    customer = next(e for e in scenario if e.type == "customer.created")
    subscription = next(e for e in scenario if e.type == "customer.subscription.created")
    user = next(p for p in customer.parts[1::2] if p.startswith("user_"))
    received = int(time.time() * 1e6)
    for n in range(users):
        def rename(i):
            return f"user_{n}" if i == user else f"{i}u{n}"
        for k, event in enumerate((customer, subscription)):
            body = event.render(rename)
            yield (rename(event.id), event.type, event.created, event.api_version,
                   rename(event.object_id),
                   event.object_type, received + 2 * n + k, body.encode())


def split_payloads(db, after_seq):
    """Stores the rows' payloads as the server does since store migration 6 (event_payloads)."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_payloads'").fetchone():
        return
    db.execute("INSERT INTO event_payloads (seq, payload) SELECT seq, payload FROM events "
               "WHERE seq > ?", (after_seq,))
    db.execute("UPDATE events SET payload = X'' WHERE seq > ?", (after_seq,))


def cmd_inbox(args):
    scenario = next(s for s in load_scenarios(args.fixtures)
                    if any(e.type == "checkout.session.completed" for e in s))
    db = sqlite3.connect(args.db, isolation_level=None)
    # A throwaway database: no journal while loading, WAL again for the server.
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    first = db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
    db.executemany(INSERT, inbox_rows(scenario, args.users))
    split_payloads(db, first)
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()


def cmd_check(args):
    directory = os.path.join(args.fixtures, "lifecycles")
    checked, mismatches = 0, []
    for name in sorted(n for n in os.listdir(directory) if n.endswith(".expected.json")):
        expected = json.load(open(os.path.join(directory, name)))
        final = expected["final"]
        for copy in sorted({0, args.copies - 1}):
            user = f"{expected['user_id']}x{copy}"
            request = urllib.request.Request(f"{args.url}/v1/access/{user}",
                                             headers={"Authorization": f"Bearer {args.key}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                got = json.load(response)
            want = (final["access"], final["subscription_status"], final["plan"])
            have = (got["access"], got["status"], got["plan"])
            checked += 1
            if want != have:
                mismatches.append(f"{user}: expected {want}, got {have}")
    for line in mismatches:
        print(line, file=sys.stderr)
    print(json.dumps({"checked": checked, "mismatches": len(mismatches)}))


def cmd_wait(args):
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=5)
    deadline = time.time() + args.timeout
    while True:
        pending = db.execute("SELECT count(*) FROM events WHERE status = 'pending'").fetchone()[0]
        now = time.time()
        # Started before the load, the table is still filling: done only once all are stored.
        if pending == 0 and db.execute("SELECT count(*) FROM events").fetchone()[0] >= args.expect:
            break
        if now > deadline:
            break
        time.sleep(0.02)
    by_status = dict(db.execute("SELECT status, count(*) FROM events GROUP BY status"))
    events = sum(by_status.values())
    seconds = now - args.since
    print(json.dumps({"events": events, "pending": pending, "seconds": round(seconds, 3),
                      "applied_per_s": round((events - pending) / seconds, 1),
                      "by_status": by_status}))
    return 0 if pending == 0 and events >= args.expect else 1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", default=os.path.join(here, "..", "tests", "fixtures"))
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("events")
    p.add_argument("--copies", type=int, required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("inbox")
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--db", required=True)
    p = sub.add_parser("check")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--copies", type=int, required=True)
    p = sub.add_parser("wait")
    p.add_argument("--db", required=True)
    p.add_argument("--since", type=float, required=True)
    p.add_argument("--expect", type=int, default=0, help="events that must be stored first")
    p.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    commands = {"events": cmd_events, "inbox": cmd_inbox, "check": cmd_check, "wait": cmd_wait}
    return commands[args.command](args) or 0


if __name__ == "__main__":
    sys.exit(main())
