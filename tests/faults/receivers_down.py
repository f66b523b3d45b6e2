#!/usr/bin/env python3
"""receivers_down: the application's webhook receiver, the SMTP server and Redis are all down
while lifecycle events (tests/fixtures/lifecycles) produce notifications; cycles of full 3 (every
scenario), smoke 1 (three scenarios). While they are down, the outbox rows stay pending/failed and
are retried (attempts grow), none is delivered and none is lost; once the three are back, every
row is delivered, and each notification reaches its receiver exactly once: one accepted request
per `webhook-id` at the app receiver, one message per `Message-ID` at the SMTP sink, one `DEL` per
`access.changed` row at redis-server. The counts are taken after `serve` has stopped.

The app receiver is a small HTTP server in this script (it checks each Standard Webhooks
signature itself); SMTP is tests/notify_receiver/smtp_sink.py (aiosmtpd), Redis is redis-server on
a unix socket. All listen on 127.0.0.1 / the work directory at fixed places chosen at start, so
"down" is simply "not running".
"""
import base64
import hashlib
import hmac
import http.server
import os
import re
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402

APP_SECRET = "whsec_" + base64.b64encode(b"faults receivers_down app secret").decode()
EMAIL_TYPES = {"subscription.created", "purchase.created", "payment.succeeded", "payment.failed",
               "payment.action_required", "refund.created", "dispute.created",
               "subscription.canceled", "trial.ending"}


class AppReceiver:
    """Standard Webhooks receiver: counts accepted (verified) requests per webhook-id."""

    def __init__(self, port):
        self.port, self.server, self.accepted, self.rejected = port, None, {}, 0
        self.lock = threading.Lock()

    def verified(self, headers, body):
        key = base64.b64decode(APP_SECRET[len("whsec_"):])
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        given = [s.split(",", 1)[1] for s in headers.get("webhook-signature", "").split()
                 if s.startswith("v1,")]
        return any(hmac.compare_digest(want, g) for g in given)

    def up(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = "webhook-id" in headers and receiver.verified(headers, body)
                with receiver.lock:
                    if ok:
                        wid = headers["webhook-id"]
                        receiver.accepted[wid] = receiver.accepted.get(wid, 0) + 1
                    else:
                        receiver.rejected += 1
                self.send_response(204 if ok else 400)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class Daemons:
    """The SMTP sink and redis-server, started and stopped on fixed addresses."""

    def __init__(self, ctx):
        self.ctx, self.smtp_port = ctx, fl.free_port()
        self.mail_dir = os.path.join(ctx.dir, "mail")
        self.redis_socket = os.path.join(ctx.dir, "redis.sock")
        self.smtp = self.redis = None
        self.redis_dels = 0  # DELs counted by redis instances already stopped
        os.makedirs(self.mail_dir)
        ctx.cleanups.append(self.down)

    def up(self):
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        sink = os.path.join(fl.SOURCE_DIR, "tests", "notify_receiver", "smtp_sink.py")
        port_file = os.path.join(self.ctx.dir, "smtp.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.smtp = subprocess.Popen([python, sink, "--dir", self.mail_dir, "--port-file",
                                      port_file, "--port", str(self.smtp_port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket",
                                       self.redis_socket, "--save", "", "--appendonly", "no",
                                       "--dir", self.ctx.dir], stdout=subprocess.DEVNULL)
        fl.check(fl.wait_for(lambda: os.path.exists(port_file)), "the SMTP sink did not start")
        fl.check(fl.wait_for(lambda: self.redis_info() is not None), "redis did not start")

    def redis_info(self):
        p = subprocess.run(["redis-cli", "-s", self.redis_socket, "INFO", "commandstats"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return p.stdout.decode() if p.returncode == 0 and p.stdout else None

    def down(self):
        if self.redis is not None:
            info = self.redis_info() or ""
            m = re.search(r"cmdstat_del:calls=(\d+)", info)
            self.redis_dels += int(m.group(1)) if m else 0
        for proc in (self.smtp, self.redis):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(30)
        self.smtp = self.redis = None

    def message_ids(self):
        ids = []
        for name in sorted(os.listdir(self.mail_dir)):
            if name.endswith(".eml"):
                with open(os.path.join(self.mail_dir, name), "rb") as f:
                    m = re.search(rb"^Message-ID:\s*(\S+)", f.read(), re.M | re.I)
                ids.append(m.group(1).decode() if m else name)
        return ids


def config(app_port, daemons):
    return (f"[plans.pro]\nprices = [\"price_pro\"]\n[plans.team]\nprices = [\"price_team\"]\n"
            f"[plans.enterprise]\nprices = [\"price_enterprise\"]\n"
            "[notify]\npoll_interval_ms = 50\ninitial_backoff_seconds = 1\n"
            "max_backoff_seconds = 2\n"
            f"[[notify.webhooks]]\nurl = \"http://127.0.0.1:{app_port}/hook\"\n"
            f"secret = \"{APP_SECRET}\"\ntimeout_ms = 2000\n"
            f"[notify.email]\nsmtp_url = \"smtp://127.0.0.1:{daemons.smtp_port}\"\n"
            "from = \"billing@faults.test\"\ntimeout_ms = 2000\n"
            f"[notify.redis]\nurl = \"unix://{daemons.redis_socket}\"\n")


def outbox(db):
    return fl.sqlite_query(db, "SELECT seq, type, status, attempts FROM outbox ORDER BY seq")


def one_cycle(ctx, server, db, scenarios, app, daemons, cycle):
    before = len(outbox(db))
    for scenario in scenarios:
        for line in fl.fixture_lines(scenario):
            r = fl.signed_post(server.port, line)
            fl.check(r.status == 200, f"{scenario}: {r.status} {r.body[:200]!r}; serve exit code "
                     f"{server.proc.poll()}, log: {server.read_log()[-1500:]}")
    # Down: rows appear, fail and are retried; nothing is delivered.
    retried = fl.wait_for(lambda: [r for r in outbox(db)[before:] if r[3] >= 3], 60, 0.2)
    rows = outbox(db)[before:]
    fl.check(retried, f"cycle {cycle}: no outbox row retried 3 times while receivers were down")
    fl.check(all(r[2] in ("pending", "failed") for r in rows),
             f"cycle {cycle}: a row left pending/failed while every receiver was down: {rows}")
    failed_attempts = sum(r[3] for r in outbox(db)[before:])
    app.up()
    daemons.up()
    delivered = fl.wait_for(lambda: all(r[2] == "delivered" for r in outbox(db)), 90, 0.2)
    fl.check(delivered, f"cycle {cycle}: not all delivered after the receivers came back: "
             f"{[r for r in outbox(db) if r[2] != 'delivered'][:5]}")
    app.down()
    daemons.down()
    fl.log(f"cycle {cycle}: {len(rows)} rows, up to {max(r[3] for r in rows)} attempts while down")
    return failed_attempts, max(r[3] for r in rows)


def main(ctx, result):
    names = sorted(f[:-6] for f in os.listdir(os.path.join(fl.FIXTURES, "lifecycles"))
                   if f.endswith(".jsonl"))
    groups = [names[i::3] for i in range(3)] if ctx.size == "full" else [names[:3]]
    db = os.path.join(ctx.dir, "inbox.db")
    app, daemons = AppReceiver(fl.free_port()), Daemons(ctx)
    ctx.cleanups.append(app.down)
    server = fl.Server(ctx, "serve", {"DATABASE_URL": "sqlite://" + db},
                       config(app.port, daemons)).start()
    max_attempts = failed_attempts = 0
    for cycle, scenarios in enumerate(groups):
        failed, attempts = one_cycle(ctx, server, db, scenarios, app, daemons, cycle)
        max_attempts, failed_attempts = max(max_attempts, attempts), failed_attempts + failed
        result["rounds"] = cycle + 1
    fl.check(server.terminate() == 0, "serve did not exit 0 on SIGTERM")
    rows = outbox(db)
    webhooks = {f"msg_{r[0]}" for r in rows if r[1] != "operator.alert"}
    dup_hooks = {k: v for k, v in app.accepted.items() if v != 1}
    mails = daemons.message_ids()
    access_changed = sum(1 for r in rows if r[1] == "access.changed")
    email_rows = sum(1 for r in rows if r[1] in EMAIL_TYPES)
    result.update(events_acked=sum(len(fl.fixture_lines(s)) for g in groups for s in g),
                  events_lost=0, outbox_rows=len(rows), max_attempts_while_down=max_attempts,
                  received={"webhooks": sum(app.accepted.values()), "emails": len(mails),
                            "redis_dels": daemons.redis_dels},
                  rejected={"delivery attempts failed (retried)": failed_attempts})
    fl.check(set(app.accepted) == webhooks,
             f"webhooks: {len(webhooks - set(app.accepted))} never received, "
             f"{len(set(app.accepted) - webhooks)} unknown")
    fl.check(not dup_hooks, f"webhooks received more than once: {list(dup_hooks.items())[:5]}")
    fl.check(app.rejected == 0, f"{app.rejected} webhooks failed signature verification")
    fl.check(len(mails) == len(set(mails)), "an email was received twice")
    fl.check(len(mails) == email_rows, f"{len(mails)} emails for {email_rows} email rows")
    fl.check(daemons.redis_dels == access_changed,
             f"{daemons.redis_dels} redis DELs for {access_changed} access.changed rows")


if __name__ == "__main__":
    fl.run("receivers_down", "app webhook receiver, SMTP and Redis down while notifications are "
           "produced", main)
