#!/usr/bin/env python3
"""disk_full: the SQLite database on a small tmpfs (`mount -t tmpfs -o size=64m`) that a filler
file fills to the last byte while events arrive, cycles of full 10, smoke 1. Once a commit fails
for want of space, ingest answers 503 `unavailable` with Retry-After, and must never send a 200
for an event it could not store: a 200 while the disk is full is allowed only because SQLite can
still write into space it already holds (a WAL reset after a checkpoint), and every such event
must be in the file afterwards (counted as acked_while_full). Once the filler is removed, the next
request is stored. At the end the file passes `PRAGMA integrity_check` after a restart and holds
every event that got a 200.

Needs root (CI runs as root) or another way to be allowed to mount: without it the result is
"skipped: <why>", which fails unless STRIPEHOOK_FAULTS_ALLOW_SKIP=1.
"""
import errno
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

TMPFS_SIZE = "64m"  # above the WAL size at which the store checkpoints (~16 MB)


def mount_tmpfs(ctx):
    mnt = os.path.join(ctx.dir, "tmpfs")
    os.mkdir(mnt)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0755", "tmpfs",
                        mnt], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise fl.Skip(f"mount -t tmpfs not permitted here (uid {os.getuid()}): "
                      f"{p.stdout.decode(errors='replace').strip()}")
    ctx.cleanups.append(lambda: subprocess.run(["umount", "-l", mnt], check=False))
    return mnt


def fill(path):
    """Writes `path` until the file system has no byte left; returns the bytes written."""
    written = 0
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 12, 1):
            block = b"\0" * chunk
            while True:
                try:
                    written += f.write(block)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    return written


def post_until_503(server, prefix, acked, statuses, limit=5000):
    """Posts unique events one by one until a 503; records every 200. Returns requests sent."""
    for i in range(limit):
        event_id = f"evt_{prefix}_{i}"
        status = fl.signed_post(server.port, fl.event_body(event_id, padding=2000)).status
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status == 200:
            acked.append(event_id)
        elif status == 503:
            return i + 1
        else:
            raise fl.Failure(f"{event_id}: unexpected status {status} while the disk fills")
    raise fl.Failure(f"no 503 after {limit} requests on a full disk")


def while_full(server, prefix, acked, statuses, requests=20):
    """More requests while the disk stays full: each 503 unavailable, or a 200 that is counted and
    must be stored (the final check looks every acked id up). Returns the number of 200s."""
    full_200 = 0
    for i in range(requests):
        event_id = f"evt_{prefix}_full_{i}"
        r = fl.signed_post(server.port, fl.event_body(event_id, padding=2000))
        statuses[str(r.status)] = statuses.get(str(r.status), 0) + 1
        if r.status == 200:
            full_200 += 1
            acked.append(event_id)
        elif r.status != 503 or b'"unavailable"' not in r.body or "retry-after" not in r.headers:
            raise fl.Failure(f"while full: {r.status} {r.body[:200]!r} (want 503 unavailable)")
    return full_200


def one_cycle(ctx, server, mnt, cycle, acked, statuses):
    # Some events first, so that the WAL holds frames and the disk is full mid-way, not at once.
    for i in range(ctx.rng.randint(20, 200)):
        event_id = f"evt_c{cycle}_warm_{i}"
        status = fl.signed_post(server.port, fl.event_body(event_id, padding=2000)).status
        if status != 200:
            fl.log(subprocess.run(["ls", "-la", mnt], stdout=subprocess.PIPE).stdout.decode())
            fl.log(server.read_log()[-3000:])
        fl.check(status == 200, f"{event_id}: {status} before the disk was filled")
        acked.append(event_id)
    filler = os.path.join(mnt, "filler")
    fill(filler)
    sent = post_until_503(server, f"c{cycle}", acked, statuses)
    full_200 = while_full(server, f"c{cycle}", acked, statuses)
    os.remove(filler)
    recovery = f"evt_c{cycle}_after"
    r = fl.signed_post(server.port, fl.event_body(recovery, padding=2000))
    if r.status != 200:
        tries = [r.status]
        for _ in range(50):
            tries.append(fl.signed_post(server.port, fl.event_body(recovery, padding=2000)).status)
            if tries[-1] == 200:
                break
        fl.log(f"after space returned: {tries}\n{server.read_log()[-3000:]}")
        raise fl.Failure(f"cycle {cycle}: first request after space returned got {r.status}, "
                         f"then {tries[1:]}")
    acked.append(recovery)
    fl.log(f"cycle {cycle}: 503 after {sent} requests; {full_200} 200s while full; recovered")
    return full_200


def main(ctx, result):
    cycles = ctx.full(10, 1)
    mnt = mount_tmpfs(ctx)
    db = os.path.join(mnt, "inbox.db")
    env = {"DATABASE_URL": "sqlite://" + db}
    server = fl.Server(ctx, "serve", env).start()
    acked, statuses, full_200 = [], {}, 0
    for cycle in range(cycles):
        full_200 += one_cycle(ctx, server, mnt, cycle, acked, statuses)
        result.update(rounds=cycle + 1, events_acked=len(acked))
    for when in ("after the cycles", "after a restart"):
        code = server.terminate()
        fl.check(code == 0, f"serve exited {code} on SIGTERM {when}: {server.read_log()[-1500:]}")
        if when == "after the cycles":
            server.start()  # reopen: recovery of whatever the full disk left behind
    integrity = fl.sqlite_query(db, "PRAGMA integrity_check")[0][0]
    lost = fl.sqlite_missing(db, acked)
    result.update(events_acked=len(acked), events_lost=len(lost), acked_while_full=full_200,
                  rejected={k: v for k, v in statuses.items() if k != "200"},
                  integrity=integrity)
    fl.check(not lost, f"{len(lost)} acked events missing, e.g. {lost[:3]}")
    fl.check(integrity == "ok", f"integrity_check: {integrity}")
    fl.check(statuses.get("503", 0) >= 10 * cycles, f"too few 503s on a full disk: {statuses}")


if __name__ == "__main__":
    fl.run("disk_full", f"SQLite on a {TMPFS_SIZE} tmpfs filled to the last byte", main)
