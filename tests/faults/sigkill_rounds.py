#!/usr/bin/env python3
"""sigkill_rounds: SIGKILL `stripehook serve` (SQLite) at a random point under load, N rounds
(full 20, smoke 3). After each restart every event that got a 200 must be in the database; at the
end, once processing has caught up, `stripehook rebuild` must say "no difference" (state built
incrementally across the crashes equals state rebuilt from the inbox).

The load mixes synthetic invoice events with the lifecycle fixtures' events under fresh ids, so
the same customers and subscriptions are updated again and again while the server is killed
mid-batch and mid-processing.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

SCENARIOS = ["a_checkout_new_subscription", "c_payment_failed_then_recovered",
             "d1_past_due_to_unpaid", "e_upgrade_pro_to_team_proration", "h_dispute_created"]


def make_body(lines, rng):
    def body(event_id):
        if rng.random() < 0.75:
            return fl.event_body(event_id, padding=rng.randint(100, 2500))
        event = json.loads(rng.choice(lines))
        event["id"] = event_id
        return json.dumps(event).encode()
    return body


def one_round(ctx, server, round_no, body, phase):
    server.start()
    load = fl.Load(lambda: server.port, 4, f"kill_r{round_no}", phase, body).start()
    fl.check(fl.wait_for(lambda: load.count(200) > 0, 60), f"round {round_no}: no 200 at all")
    time.sleep(ctx.rng.uniform(0.05, 1.5))  # the random point of the kill
    server.kill()
    load.stop()
    return load


def main(ctx, result):
    rounds = ctx.full(20, 3)
    db = os.path.join(ctx.dir, "inbox.db")
    env = {"DATABASE_URL": "sqlite://" + db}
    server = fl.Server(ctx, "serve", env, "[plans.pro]\nprices = [\"price_pro\"]\n"
                       "[plans.team]\nprices = [\"price_team\"]\n")
    lines = [line for s in SCENARIOS for line in fl.fixture_lines(s)]
    body = make_body(lines, ctx.rng)
    acked, statuses, phase = [], {}, ["up"]
    for round_no in range(rounds):
        load = one_round(ctx, server, round_no, body, phase)
        acked += load.acked_ids()
        for status, n in load.statuses().items():
            statuses[status] = statuses.get(status, 0) + n
        result["rounds"] = round_no + 1
        fl.log(f"round {round_no}: killed after {load.count(200)} acks")
        server.start()  # recovery: the WAL is replayed by SQLite on open
        lost = fl.sqlite_missing(db, acked)
        result["events_acked"], result["events_lost"] = len(acked), len(lost)
        fl.check(not lost, f"after round {round_no}: {len(lost)} acked events missing, "
                 f"e.g. {lost[:3]}")
        if round_no + 1 < rounds:
            server.kill()
    pending = fl.wait_for(lambda: fl.sqlite_query(
        db, "SELECT count(*) FROM events WHERE status = 'pending'")[0][0] == 0, 120, 0.2)
    fl.check(pending, "processing did not catch up within 120 s")
    fl.check(server.terminate() == 0, "serve did not exit 0 on SIGTERM")
    # Answers other than 200 (0 = connection cut by the kill) are what Stripe would retry.
    result["rejected"] = {k: v for k, v in statuses.items() if k != "200"}
    code, out = fl.run_cli(ctx, ["rebuild", "--config", server.config_path], env)
    result["rebuild"] = out.strip().splitlines()[-1] if out.strip() else ""
    fl.check(code == 0 and "no difference" in out, f"rebuild (exit {code}): {out[-1500:]}")


if __name__ == "__main__":
    fl.run("sigkill_rounds", "SIGKILL of serve at a random point under load (SQLite)", main)
