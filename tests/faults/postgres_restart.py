#!/usr/bin/env python3
"""postgres_restart: `stripehook serve` on PostgreSQL with the cluster stopped and started again
under load, rounds of full 6, smoke 1 (stop modes alternate `fast` and `immediate`, the latter
like a crash of the database server). A request sent and answered while the cluster is down must
be 503 (never 200); once it is back, events are stored again without restarting stripehook; every
200 is in the database at the end.

The cluster is a throwaway one from Debian's postgresql package (initdb/pg_ctl in the work
directory, 127.0.0.1 on a free port, default fsync/synchronous_commit), run as the `postgres` user
through runuser when the script runs as root, as tests/support/postgres_cluster.h does.
"""
import glob
import os
import pwd
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402


class Cluster:
    def __init__(self, ctx):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
        if not bins:
            raise fl.Failure("no /usr/lib/postgresql/*/bin: install postgresql (scripts/deps.sh)")
        self.bin, self.dir, self.port = bins[-1], os.path.join(ctx.dir, "pg"), fl.free_port()
        self.as_pg = []
        os.mkdir(self.dir)
        if os.getuid() == 0:
            os.chmod(ctx.dir, 0o711)  # mkdtemp's 0700 would keep `postgres` out of its own dir
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C", "--no-sync")
        self.running = False
        ctx.cleanups.append(lambda: self.stop("immediate"))

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    def run(self, tool, *args):
        p = subprocess.run(self.as_pg + [os.path.join(self.bin, tool), *args],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        fl.check(p.returncode == 0, f"{tool} failed: {p.stdout.decode(errors='replace')[-1500:]}")
        return p.stdout.decode()

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w",
                 "-t", "60", "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}",
                 "start")
        self.running = True

    def stop(self, mode):
        if self.running:
            self.running = False
            self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def psql(self, db, sql):
        return self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d",
                        db, "-Atqc", sql)

    def url(self, db):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"


def one_round(cluster, load, phase, round_no):
    mode = "fast" if round_no % 2 == 0 else "immediate"
    phase[0] = f"up{round_no}"
    fl.check(fl.wait_for(lambda: load.count(200, phase[0]) >= 50, 60),
             f"round {round_no}: no progress before the stop: {load.statuses()}")
    phase[0] = f"stopping{round_no}"
    cluster.stop(mode)
    phase[0] = f"down{round_no}"
    fl.check(fl.wait_for(lambda: load.count(503, phase[0]) >= 20, 60),
             f"round {round_no}: no 503 while PostgreSQL was down: {load.statuses()}")
    inside_200 = load.count(200, phase[0])
    phase[0] = f"starting{round_no}"
    cluster.start()
    phase[0] = f"back{round_no}"
    fl.check(fl.wait_for(lambda: load.count(200, phase[0]) >= 50, 60),
             f"round {round_no}: no recovery after PostgreSQL came back: {load.statuses()}")
    fl.log(f"round {round_no} ({mode}): {load.count(503, f'down{round_no}')} 503s while down")
    return inside_200


def main(ctx, result):
    rounds = ctx.full(6, 1)
    cluster = Cluster(ctx)
    cluster.start()
    cluster.psql("postgres", "CREATE DATABASE faults")
    server = fl.Server(ctx, "serve", {"DATABASE_URL": cluster.url("faults")}).start()
    phase = ["start"]
    load = fl.Load(server.port, 4, "pg", phase).start()
    inside_200 = 0
    try:
        for round_no in range(rounds):
            inside_200 += one_round(cluster, load, phase, round_no)
            result["rounds"] = round_no + 1
    finally:
        load.stop()
    fl.check(server.terminate() == 0, "serve did not exit 0 on SIGTERM")
    acked = load.acked_ids()
    stored = set(cluster.psql("faults", "SELECT id FROM events").split())
    lost = [i for i in acked if i not in stored]
    result.update(events_acked=len(acked), events_lost=len(lost), acked_while_down=inside_200,
                  rejected={k: v for k, v in load.statuses().items() if k != "200"},
                  slowest_503_seconds=round(load.max_seconds(503), 2))
    fl.check(inside_200 == 0, f"{inside_200} requests got 200 while PostgreSQL was down")
    fl.check(not lost, f"{len(lost)} acked events missing, e.g. {lost[:3]}")


if __name__ == "__main__":
    fl.run("postgres_restart", "PostgreSQL stopped (fast / immediate) and started under load",
           main)
