#!/usr/bin/env python3
"""sqlite_busy: another process takes the database's write lock (`BEGIN IMMEDIATE` held open by
python's sqlite3 in a child process) while events arrive, rounds of full 10, smoke 1. A request
sent and answered while the lock is held must be 503 (never 200), answered once the store's
`busy_timeout_ms` (1 s here) runs out rather than hanging; once the lock is released, events are
stored again without a restart, and every 200 is in the database.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

BUSY_TIMEOUT_MS = 1000
LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


class Locker:
    """A child process holding the write lock until release()."""

    def __init__(self, db):
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, db], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()
        fl.check(line.strip() == b"locked", f"the locker did not get the lock: {line!r}")

    def release(self):
        self.proc.stdin.close()
        fl.check(self.proc.wait(30) == 0, "the locker failed")


def one_round(ctx, db, load, phase, round_no):
    phase[0] = f"free{round_no}"
    fl.check(fl.wait_for(lambda: load.count(200, phase[0]) >= 20, 60),
             f"round {round_no}: no progress before the lock")
    locker = Locker(db)
    ctx.cleanups.append(lambda: locker.proc.kill())
    phase[0] = f"locked{round_no}"
    fl.check(fl.wait_for(lambda: load.count(503, phase[0]) >= 4, 60),
             f"round {round_no}: no 503 while the database was locked: {load.statuses()}")
    inside_200 = load.count(200, phase[0])
    phase[0] = f"releasing{round_no}"
    locker.release()
    phase[0] = f"released{round_no}"
    fl.check(fl.wait_for(lambda: load.count(200, phase[0]) >= 20, 60),
             f"round {round_no}: no recovery after the lock was released")
    fl.log(f"round {round_no}: {load.count(503, f'locked{round_no}')} 503s inside the lock")
    return inside_200


def main(ctx, result):
    rounds = ctx.full(10, 1)
    db = os.path.join(ctx.dir, "inbox.db")
    server = fl.Server(ctx, "serve", {"DATABASE_URL": "sqlite://" + db},
                       f"[database]\nbusy_timeout_ms = {BUSY_TIMEOUT_MS}\n").start()
    phase = ["start"]
    load = fl.Load(server.port, 4, "busy", phase).start()
    inside_200 = 0
    try:
        for round_no in range(rounds):
            inside_200 += one_round(ctx, db, load, phase, round_no)
            result["rounds"] = round_no + 1
    finally:
        load.stop()
    fl.check(server.terminate() == 0, "serve did not exit 0 on SIGTERM")
    acked = load.acked_ids()
    lost = fl.sqlite_missing(db, acked)
    result.update(events_acked=len(acked), events_lost=len(lost), acked_while_locked=inside_200,
                  rejected={k: v for k, v in load.statuses().items() if k != "200"},
                  slowest_503_seconds=round(load.max_seconds(503), 2))
    fl.check(inside_200 == 0, f"{inside_200} requests got 200 while another process held the lock")
    fl.check(not lost, f"{len(lost)} acked events missing, e.g. {lost[:3]}")
    statuses = set(load.statuses()) - {"200", "503"}
    fl.check(not statuses, f"unexpected answers: {load.statuses()}")


if __name__ == "__main__":
    fl.run("sqlite_busy", "another process holds the SQLite write lock (BEGIN IMMEDIATE)", main)
