#!/usr/bin/env python3
"""clock_jumps: the server's clock jumps forward a day, back an hour, and back weeks, while Stripe
keeps signing with the real time. The binary has a test-only clock seam (`[testing]
manual_clock_start`, moved with `POST /testing/clock`) that every part of the service reads
(signature tolerance, processing retries, scheduler, access), so the jumps are made there rather
than with libfaketime. Rounds: full 10, smoke 1 (each round runs every check on fresh events).

Checks:
  forward_rejects_stale_signature  clock +1 day: a delivery signed with the real time is now
                                   1 day old → 400 signature_*, stores nothing; signed with the
                                   server's time → 200.
  replay_after_jump_rejected       a request accepted before the jump, replayed byte for byte
                                   after it → 400 (not a 200 "duplicate").
  retries_fire_on_jump             an event whose handler fails (status failed, next attempt
                                   +5 min) is retried when the clock jumps past its next attempt,
                                   and is `dead` after max_attempts jumps.
  backward_future_signature        clock -1 hour: a delivery signed with the real time is 1 hour
                                   in the server's future → 200 (Stripe's libraries check only
                                   the age), and the pipeline still processes new events.
  grace_from_event_time            a past_due subscription delivered 2 days late: grace_until is
                                   the event's `created` + 3 days (not the arrival + 3 days);
                                   access true before it, false after it.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

DAY, GRACE = 86400, 3 * 86400
MAX_ATTEMPTS = 4


class Clocked:
    """The server with its manual clock, and counts of what it answered."""

    def __init__(self, server, start):
        self.server, self.now, self.statuses = server, start, {}
        self.acked = {}  # event id -> the server's clock when it was acked
        self.latest = start  # the latest the server's clock has been

    def set(self, unix):
        r = fl.request(self.server.port, "POST", "/testing/clock", str(unix).encode())
        fl.check(r.status == 200, f"POST /testing/clock: {r.status} {r.body!r}")
        self.now, self.latest = unix, max(self.latest, unix)

    def post(self, body, timestamp):
        r = fl.signed_post(self.server.port, body, timestamp)
        self.statuses[str(r.status)] = self.statuses.get(str(r.status), 0) + 1
        if r.status == 200:
            self.acked.setdefault(json.loads(body)["id"], self.now)
        return r

    def status_of(self, db, event_id):
        rows = fl.sqlite_query(db, "SELECT status, attempts FROM events WHERE id = ?", (event_id,))
        return rows[0] if rows else (None, 0)


def failing_event(event_id, created):
    """A subscription event carrying an invoice: billing::apply refuses it (handler error)."""
    return fl.event_body(event_id, created, 100, "customer.subscription.updated")


def forward_jump(c, db, tag, checks):
    real = int(time.time())
    c.set(real)
    accepted = fl.event_body(f"evt_clk_{tag}_before", real)
    fl.check(c.post(accepted, real).status == 200, "a fresh delivery was refused")
    broken = f"evt_clk_{tag}_broken"
    fl.check(c.post(failing_event(broken, real), real).status == 200, "failing event refused")
    fl.check(fl.wait_for(lambda: c.status_of(db, broken) == ("failed", 1), 60, 0.1),
             f"the failing event is not failed once: {c.status_of(db, broken)}")
    c.set(real + DAY)
    stale = fl.event_body(f"evt_clk_{tag}_stale", real)
    r = c.post(stale, real)
    code = (r.json() or {}).get("error", {}).get("code", "")
    checks["forward_rejects_stale_signature"] = r.status == 400 and code.startswith("signature")
    fl.check(checks["forward_rejects_stale_signature"], f"+1 day, real-time signature: "
             f"{r.status} {r.body[:200]!r}")
    fl.check(not fl.sqlite_query(db, "SELECT 1 FROM events WHERE id = ?", (f"evt_clk_{tag}_stale",)),
             "a refused delivery was stored")
    fl.check(c.post(stale, c.now).status == 200, "+1 day, server-time signature refused")
    replay = c.post(accepted, real)
    checks["replay_after_jump_rejected"] = replay.status == 400
    fl.check(replay.status == 400, f"replay after the jump: {replay.status} {replay.body[:200]!r}")
    return broken


def retries(c, db, broken, checks):
    """Each jump past the next attempt makes the retry fire; after MAX_ATTEMPTS it is dead."""
    for attempt in range(2, MAX_ATTEMPTS + 1):
        fl.check(fl.wait_for(lambda: c.status_of(db, broken)[1] >= attempt, 60, 0.1),
                 f"retry {attempt} did not fire after the jump: {c.status_of(db, broken)}")
        c.set(c.now + DAY)
    dead = fl.wait_for(lambda: c.status_of(db, broken)[0] == "dead", 60, 0.1)
    checks["retries_fire_on_jump"] = bool(dead)
    fl.check(dead, f"not dead after {MAX_ATTEMPTS} attempts: {c.status_of(db, broken)}")


def backward_jump(c, db, tag, checks):
    real = int(time.time())
    c.set(real - 3600)
    event_id = f"evt_clk_{tag}_future"
    r = c.post(fl.event_body(event_id, real - 3600), real)
    fl.check(r.status == 200, f"-1 hour, real-time signature: {r.status} {r.body[:200]!r}")
    processed = fl.wait_for(lambda: c.status_of(db, event_id)[0] not in (None, "pending"), 60, 0.1)
    checks["backward_future_signature"] = bool(processed)
    fl.check(processed, f"not processed after the clock went back: {c.status_of(db, event_id)}")


def grace(c, db, tag, checks):
    """d1_past_due_to_unpaid up to its first past_due snapshot, delivered 2 days late."""
    lines = [json.loads(line) for line in fl.fixture_lines("d1_past_due_to_unpaid")]
    upto = next(i for i, e in enumerate(lines)
                if e["data"]["object"].get("status") == "past_due")
    past_due_created = lines[upto]["created"]
    c.set(past_due_created + 2 * DAY)
    for e in lines[:upto + 1]:
        e["id"] += f"_{tag}"
        fl.check(c.post(json.dumps(e).encode(), c.now).status == 200, "lifecycle event refused")
    last = lines[upto]["id"]
    # Later rounds send the same snapshots again under new ids: those are recorded as stale.
    fl.check(fl.wait_for(lambda: c.status_of(db, last)[0] in ("processed", "stale"), 60, 0.1),
             f"past_due event not processed: {c.status_of(db, last)}")
    with open(os.path.join(fl.FIXTURES, "lifecycles", "d1_past_due_to_unpaid.expected.json")) as f:
        user = json.load(f)["user_id"]
    before = access(c, user)
    c.set(past_due_created + GRACE + 1)
    after = access(c, user)
    checks["grace_from_event_time"] = (before.get("grace_until") == past_due_created + GRACE and
                                       before.get("access") is True and after.get("access") is False)
    fl.check(checks["grace_from_event_time"], f"grace: created {past_due_created}, delivered +2 "
             f"days; before {before}; after {after}")


def access(c, user):
    r = fl.request(c.server.port, "GET", f"/v1/access/{user}",
                   headers={"Authorization": f"Bearer {fl.APP_KEY}"})
    fl.check(r.status == 200, f"GET /v1/access/{user}: {r.status} {r.body[:200]!r}")
    return r.json()


def main(ctx, result):
    rounds = ctx.full(10, 1)
    db = os.path.join(ctx.dir, "inbox.db")
    toml = (f"[testing]\nmanual_clock_start = {int(time.time())}\n"
            "[plans.pro]\nprices = [\"price_pro\"]\n"
            f"[processing]\nmax_attempts = {MAX_ATTEMPTS}\n")
    server = fl.Server(ctx, "serve", {"DATABASE_URL": "sqlite://" + db}, toml).start()
    c = Clocked(server, int(time.time()))
    checks = {}
    result["checks"] = checks
    for round_no in range(rounds):
        tag = f"r{round_no}"
        broken = forward_jump(c, db, tag, checks)
        retries(c, db, broken, checks)
        backward_jump(c, db, tag, checks)
        grace(c, db, tag, checks)
        result.update(rounds=round_no + 1, events_acked=len(c.acked))
    fl.check(server.terminate() == 0, "serve did not exit 0 on SIGTERM")
    result["rejected"] = {k: v for k, v in c.statuses.items() if k != "200"}
    # The scheduled cleanup runs on the same clock: jumping weeks forward makes it delete events
    # received more than retention_days (30) of server time ago that no state rests on. Those
    # are not lost; any other missing event is.
    missing = fl.sqlite_missing(db, list(c.acked))
    cleaned = [i for i in missing if c.latest - c.acked[i] > 30 * DAY]
    lost = [i for i in missing if i not in cleaned]
    result.update(events_lost=len(lost), removed_by_retention_cleanup=len(cleaned))
    fl.check(not lost, f"acked but not stored: {lost}")
    code, out = fl.run_cli(ctx, ["rebuild", "--config", server.config_path],
                           {"DATABASE_URL": "sqlite://" + db})
    checks["rebuild_after_jumps"] = code == 0 and "no difference" in out
    fl.check(checks["rebuild_after_jumps"], f"rebuild (exit {code}): {out[-1500:]}")


if __name__ == "__main__":
    fl.run("clock_jumps", "server clock +1 day, -1 hour, -weeks (test-only manual clock)", main)
