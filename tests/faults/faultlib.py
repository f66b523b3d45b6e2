"""Shared pieces of the fault-injection scripts in tests/faults/.

Every script is run as `python3 <script>.py BUILD_DIR smoke|full` and drives the real
`BUILD_DIR/src/stripehook` through its CLI and HTTP on 127.0.0.1 only. It prints exactly ONE JSON
line on stdout (the result; diagnostics go to stderr) and exits 0 when the result passed, 1 when
it failed or was skipped (a skip passes only with STRIPEHOOK_FAULTS_ALLOW_SKIP=1), 2 on bad usage.

What this module gives the scripts:
  Run(name, injects, body)  parses the arguments, makes a work directory, calls body(ctx, result),
                            always stops every process it started and removes the directory, and
                            prints the result line.
  Server                    one `stripehook serve` child (log in the work dir, port read from the
                            "listening" log line; its log is copied to BUILD/test-logs/ for the
                            suite's secrets check).
  Post / SignedPost / Get   small HTTP helpers that never raise (status 0 = no answer).
  Load                      client threads posting unique events until stopped, recording every
                            answer with the phase it was sent and answered in.
"""
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback

# Fixed, and written the way scripts/secrets_grep.py finds them (a whsec_ token; keys as TOML
# lines), so the suite's secrets check greps the server logs these scripts archive for them too.
SECRET = "whsec_faults_scripts_secret_0123456789"
BASE_TOML = """
[admin]
admin_key = "faults_admin_key_0123456789abcdef"
app_key = "faults_app_key_0123456789abcdef"
"""
ADMIN_KEY = BASE_TOML.split('admin_key = "')[1].split('"')[0]
APP_KEY = BASE_TOML.split('app_key = "')[1].split('"')[0]
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures")


def log(*parts):
    print("[faults]", *parts, file=sys.stderr, flush=True)


def wait_for(condition, timeout=30.0, interval=0.02):
    """Polls `condition` until it is truthy or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def free_port():
    """A port free on 127.0.0.1 right now (another process may take it before we bind it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signature_header(body, timestamp, secret=SECRET):
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def event_body(event_id, created=None, padding=600, event_type="invoice.paid"):
    """A realistic event (an invoice snapshot) of about `padding` more bytes, as bytes."""
    created = int(time.time()) if created is None else created
    return json.dumps({
        "id": event_id, "object": "event", "api_version": "2026-07-29.dahlia",
        "created": created, "livemode": False, "type": event_type,
        "data": {"object": {"id": "in_" + event_id[4:], "object": "invoice",
                            "description": "x" * padding}},
    }).encode()


class Answer:
    def __init__(self, status, body=b"", headers=None):
        self.status, self.body, self.headers = status, body, headers or {}

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def request(port, method, path, body=None, headers=None, timeout=30.0):
    """One HTTP/1.1 request on a fresh connection; status 0 when there was no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Answer(r.status, r.read(), {k.lower(): v for k, v in r.getheaders()})
    except (OSError, http.client.HTTPException) as e:
        return Answer(0, f"no answer: {type(e).__name__}: {e}".encode())
    finally:
        conn.close()


def signed_post(port, body, timestamp=None, timeout=30.0):
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {"Content-Type": "application/json",
               "Stripe-Signature": signature_header(body, timestamp)}
    return request(port, "POST", "/webhooks/stripe", body, headers, timeout)


def fixture_lines(scenario):
    with open(os.path.join(FIXTURES, "lifecycles", scenario + ".jsonl"), "rb") as f:
        return [line.strip() for line in f if line.strip()]


class Server:
    """`stripehook serve` as a child process. `env` adds to a minimal environment."""

    def __init__(self, ctx, name, env, config_toml=None, wrapper=None):
        self.ctx, self.name, self.proc, self.port = ctx, name, None, 0
        self.log_path = os.path.join(ctx.dir, name + ".log")
        self.env = {"PATH": "/usr/bin:/bin", "STRIPE_WEBHOOK_SECRET": SECRET,
                    "STRIPEHOOK_LISTEN": "127.0.0.1:0"}
        self.env.update(env)
        self.config_path = os.path.join(ctx.dir, name + ".toml")
        with open(self.config_path, "w") as f:
            f.write(BASE_TOML + (config_toml or ""))
        self.args = [ctx.binary, "serve", "--config", self.config_path]
        self.wrapper = wrapper or []
        ctx.servers.append(self)

    def start(self, timeout=30.0):
        """Starts and waits for the "listening" line; raises Failure if it does not come."""
        self.offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        out = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.wrapper + self.args, env=self.env, stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out.close()
        port = wait_for(self._listening_port, timeout)
        if not port:
            tail = self.read_log()[-2000:]
            self.kill()
            raise Failure(f"{self.name} did not start listening: {tail}")
        self.port = port
        return self

    def _listening_port(self):
        text = self.read_log()
        at = text.find('"msg":"listening"')
        if at < 0:
            return 0 if self.proc.poll() is None else -1
        p = text.find('"port":', at)
        return int(text[p + 7:].split(",")[0].split("}")[0]) if p >= 0 else 0

    def read_log(self):
        with open(self.log_path, "rb") as f:
            f.seek(self.offset)
            return f.read().decode(errors="replace")

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def terminate(self, timeout=60.0):
        """SIGTERM; returns the exit code (SIGKILL and -9 after `timeout`)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9

    def archive_log(self):
        if not os.path.exists(self.log_path):
            return
        dest = os.path.join(self.ctx.build, "test-logs")
        os.makedirs(dest, exist_ok=True)
        shutil.copy(self.log_path, os.path.join(
            dest, f"fault-{self.ctx.name}-{self.name}-{os.getpid()}.log"))


class Load:
    """`clients` threads posting unique events to `port()` until stop(). `phase` is a shared
    list of one value the script moves (e.g. "up", "down", "back"); each answer is recorded with
    the phase at send and at answer time."""

    def __init__(self, port, clients, prefix, phase, body=event_body):
        self.port, self.prefix, self.phase, self.body = port, prefix, phase, body
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.outcomes = []  # (event id, status, phase at send, phase at answer, seconds)
        self.threads = [threading.Thread(target=self._client, args=(c,), daemon=True)
                        for c in range(clients)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(60)

    def _client(self, c):
        i = 0
        while not self.stop_flag.is_set():
            event_id = f"evt_{self.prefix}_{c}_{i}"
            before, sent = self.phase[0], time.monotonic()
            status = signed_post(self.port() if callable(self.port) else self.port,
                                 self.body(event_id), timeout=60).status
            with self.lock:
                self.outcomes.append((event_id, status, before, self.phase[0],
                                      time.monotonic() - sent))
            i += 1
            if status in (0, 503):
                time.sleep(0.01)  # no server or no storage right now: retry, but do not spin

    def count(self, status=None, phase=None):
        with self.lock:
            return sum(1 for o in self.outcomes if (status is None or o[1] == status) and
                       (phase is None or (o[2] == phase and o[3] == phase)))

    def max_seconds(self, status):
        with self.lock:
            return max((o[4] for o in self.outcomes if o[1] == status), default=0.0)

    def acked_ids(self):
        with self.lock:
            return [o[0] for o in self.outcomes if o[1] == 200]

    def statuses(self):
        with self.lock:
            counts = {}
            for o in self.outcomes:
                key = str(o[1]) if o[1] else "no answer"
                counts[key] = counts.get(key, 0) + 1
            return counts


def sqlite_missing(db_path, ids):
    """The ids in `ids` that the SQLite file does not hold, read directly (not through us)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        missing = []
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            rows = db.execute("SELECT id FROM events WHERE id IN (%s)" % ",".join("?" * len(part)),
                              part).fetchall()
            found = {r[0] for r in rows}
            missing += [i for i in part if i not in found]
        return missing
    finally:
        db.close()


def sqlite_query(db_path, sql, params=()):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def run_cli(ctx, args, env, timeout=300):
    """Runs `stripehook ARGS` to completion; returns (exit code, stdout+stderr)."""
    full_env = {"PATH": "/usr/bin:/bin", "STRIPE_WEBHOOK_SECRET": SECRET}
    full_env.update(env)
    p = subprocess.run([ctx.binary] + args, env=full_env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace")


class Failure(Exception):
    """A check failed: the message goes into the result line."""


class Skip(Exception):
    """The fault cannot be injected here (the message says why)."""


class Context:
    def __init__(self, name, build, size):
        self.name, self.build, self.size = name, os.path.abspath(build), size
        self.binary = os.path.join(self.build, "src", "stripehook")
        self.dir = tempfile.mkdtemp(prefix=f"stripehook-fault-{name}-")
        self.servers, self.cleanups = [], []
        self.rng = random.Random()

    def full(self, full_value, smoke_value):
        return full_value if self.size == "full" else smoke_value

    def close(self):
        """Stops every server, then runs the cleanups (last registered first), then removes the
        work directory."""
        for server in self.servers:
            server.kill()
            server.archive_log()
        for action in reversed(self.cleanups):
            try:
                action()
            except Exception:  # noqa: BLE001 - cleanup must go on
                traceback.print_exc()
        shutil.rmtree(self.dir, ignore_errors=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


def _terminated(*_):
    # SIGTERM (ctest's timeout): unwind through run()'s finally, which stops what we started and
    # removes the work directory.
    raise Failure("terminated by SIGTERM")


def run(name, injects, body):
    """Entry point of every script; see the module docstring."""
    if len(sys.argv) != 3 or sys.argv[2] not in ("smoke", "full"):
        print(f"usage: {sys.argv[0]} BUILD_DIR smoke|full", file=sys.stderr)
        sys.exit(2)
    ctx = Context(name, sys.argv[1], sys.argv[2])
    result = {"name": name, "injects": injects, "size": ctx.size, "rounds": 0,
              "events_acked": 0, "events_lost": 0, "rejected": {}, "result": "fail"}
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _terminated)
    try:
        if not os.access(ctx.binary, os.X_OK):
            raise Failure(f"{ctx.binary} is missing: build first")
        body(ctx, result)
        result["result"] = "pass"
    except Skip as e:
        result["result"] = f"skipped: {e}"
    except Failure as e:
        result["result"] = "fail"
        result["error"] = str(e)
    except Exception as e:  # noqa: BLE001 - an unexpected error is a failed run, with its trace
        traceback.print_exc()
        result["result"] = "fail"
        result["error"] = f"{type(e).__name__}: {e}"
    finally:
        ctx.close()
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result), flush=True)
    if result["result"] == "pass":
        sys.exit(0)
    if result["result"].startswith("skipped") and os.environ.get("STRIPEHOOK_FAULTS_ALLOW_SKIP") == "1":
        sys.exit(0)
    sys.exit(1)
