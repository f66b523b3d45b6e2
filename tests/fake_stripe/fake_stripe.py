#!/usr/bin/env python3
"""A small fake of the Stripe REST API for stripehook's tests. See README.md beside this file."""
import argparse
import copy
import json
import os
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class State:
    """Everything the fake knows, guarded by one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []  # seeded order
        self.objects = {}  # id -> object
        self.object_created = {}  # id -> created of the event that set it
        self.requests = []
        self.faults = []
        self.idempotency = {}  # (path, key) -> (params, status, body)
        self.seq = 0

    def add_event(self, event):
        self.events.append(event)
        obj = event.get("data", {}).get("object")
        if isinstance(obj, dict) and obj.get("id"):
            created = event.get("created", 0)
            if created >= self.object_created.get(obj["id"], -1):
                self.objects[obj["id"]] = copy.deepcopy(obj)
                self.object_created[obj["id"]] = created

    def add_object(self, obj):
        self.objects[obj["id"]] = obj
        self.object_created[obj["id"]] = 1 << 62


STATE = State()
SECRET_KEY = None


def parse_json_lines(text):
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def stripe_error(status, message, type_="invalid_request_error", code=None):
    err = {"type": type_, "message": message}
    if code:
        err["code"] = code
    return status, {"error": err}


def paginate(items, query, url):
    """Stripe's list shape over `items` already in list order."""
    try:
        limit = int(query.get("limit", ["10"])[-1])
    except ValueError:
        return stripe_error(400, "Invalid integer: limit")
    if limit < 1 or limit > 100:
        return stripe_error(400, "limit must be between 1 and 100")
    ids = [i.get("id") for i in items]
    start = 0
    if "starting_after" in query:
        cursor = query["starting_after"][-1]
        if cursor not in ids:
            return stripe_error(400, "No such object: '%s'" % cursor, code="resource_missing")
        start = ids.index(cursor) + 1
    elif "ending_before" in query:
        cursor = query["ending_before"][-1]
        if cursor not in ids:
            return stripe_error(400, "No such object: '%s'" % cursor, code="resource_missing")
        end = ids.index(cursor)
        start = max(0, end - limit)
        page = items[start:end]
        return 200, {"object": "list", "data": page, "has_more": start > 0, "url": url}
    page = items[start:start + limit]
    return 200, {"object": "list", "data": page, "has_more": start + limit < len(items), "url": url}


def created_ok(created, query):
    for op, test in (("gt", lambda a, b: a > b), ("gte", lambda a, b: a >= b),
                     ("lt", lambda a, b: a < b), ("lte", lambda a, b: a <= b)):
        key = "created[%s]" % op
        if key in query and not test(created, int(query[key][-1])):
            return False
    if "created" in query and created != int(query["created"][-1]):
        return False
    return True


def list_events(query):
    types = query.get("types[]", []) + query.get("type", [])
    with STATE.lock:
        indexed = list(enumerate(STATE.events))
    # Newest first; among equal `created`, the later seeded first (Stripe's order is by creation).
    indexed.sort(key=lambda p: (p[1].get("created", 0), p[0]), reverse=True)
    items = [e for _, e in indexed
             if (not types or e.get("type") in types) and created_ok(e.get("created", 0), query)]
    return paginate(items, query, "/v1/events")


def list_objects(kind, query, url):
    with STATE.lock:
        items = [copy.deepcopy(o) for o in STATE.objects.values() if o.get("object") == kind]
    items.sort(key=lambda o: (o.get("created", 0), o.get("id", "")), reverse=True)
    if kind == "subscription":
        status = query.get("status", [""])[-1]
        if status == "":
            items = [o for o in items if o.get("status") != "canceled"]
        elif status != "all":
            items = [o for o in items if o.get("status") == status]
        if "customer" in query:
            items = [o for o in items if o.get("customer") == query["customer"][-1]]
    if kind == "customer" and "email" in query:
        items = [o for o in items if o.get("email") == query["email"][-1]]
    items = [o for o in items if created_ok(o.get("created", 0), query)]
    return paginate(items, query, url)


def get_object(kind, oid):
    with STATE.lock:
        obj = STATE.objects.get(oid)
        if obj is not None and obj.get("object") == kind:
            return 200, copy.deepcopy(obj)
    return stripe_error(404, "No such %s: '%s'" % (kind, oid), code="resource_missing")


def form_dict(form):
    out = {}
    for k, v in form:
        out[k] = v
    return out


def create_checkout_session(form):
    f = form_dict(form)
    for required in ("mode", "success_url"):
        if required not in f:
            return stripe_error(400, "Missing required param: %s." % required,
                                code="parameter_missing")
    if f["mode"] not in ("subscription", "payment", "setup"):
        return stripe_error(400, "Invalid mode: %s" % f["mode"])
    items = []
    i = 0
    while "line_items[%d][price]" % i in f:
        items.append({"price": f["line_items[%d][price]" % i],
                      "quantity": int(f.get("line_items[%d][quantity]" % i, "1"))})
        i += 1
    if f["mode"] != "setup" and not items:
        return stripe_error(400, "Missing required param: line_items.", code="parameter_missing")
    sid = "cs_test_" + secrets.token_hex(12)
    session = {
        "id": sid, "object": "checkout.session", "mode": f["mode"], "status": "open",
        "payment_status": "unpaid", "created": int(time.time()),
        "customer": f.get("customer"), "customer_email": f.get("customer_email"),
        "client_reference_id": f.get("client_reference_id"),
        "success_url": f["success_url"], "cancel_url": f.get("cancel_url"),
        "url": "https://checkout.stripe.test/c/pay/" + sid, "livemode": False,
        "metadata": {k[9:-1]: v for k, v in f.items() if k.startswith("metadata[")},
        "line_items_requested": items,
    }
    with STATE.lock:
        STATE.add_object(session)
    return 200, session


def update_subscription(sid, form):
    f = form_dict(form)
    with STATE.lock:
        sub = STATE.objects.get(sid)
        if sub is None or sub.get("object") != "subscription":
            return stripe_error(404, "No such subscription: '%s'" % sid, code="resource_missing")
        if sub.get("status") == "canceled":
            return stripe_error(400, "A canceled subscription can only update its metadata")
        if "items[0][price]" in f:
            items = sub.setdefault("items", {"object": "list", "data": []}).setdefault("data", [])
            if not items:
                items.append({"id": "si_" + secrets.token_hex(8), "object": "subscription_item"})
            if "items[0][id]" in f and items[0].get("id") != f["items[0][id]"]:
                return stripe_error(400, "No such subscription item: '%s'" % f["items[0][id]"])
            items[0]["price"] = {"id": f["items[0][price]"], "object": "price"}
            if "plan" in items[0]:
                items[0]["plan"] = {"id": f["items[0][price]"], "object": "plan"}
        if "cancel_at_period_end" in f:
            sub["cancel_at_period_end"] = f["cancel_at_period_end"] == "true"
        for k, v in f.items():
            if k.startswith("metadata["):
                sub.setdefault("metadata", {})[k[9:-1]] = v
        return 200, copy.deepcopy(sub)


def cancel_subscription(sid):
    with STATE.lock:
        sub = STATE.objects.get(sid)
        if sub is None or sub.get("object") != "subscription":
            return stripe_error(404, "No such subscription: '%s'" % sid, code="resource_missing")
        now = int(time.time())
        sub["status"] = "canceled"
        sub["canceled_at"] = sub.get("canceled_at") or now
        sub["ended_at"] = sub.get("ended_at") or now
        return 200, copy.deepcopy(sub)


def route_api(method, path, query, form):
    parts = [p for p in path.split("/") if p][1:]  # after "v1"
    if method == "GET" and parts == ["events"]:
        return list_events(query)
    if method == "GET" and len(parts) == 2 and parts[0] == "events":
        with STATE.lock:
            found = [e for e in STATE.events if e.get("id") == parts[1]]
        if found:
            return 200, found[-1]
        return stripe_error(404, "No such event: '%s'" % parts[1], code="resource_missing")
    if method == "GET" and parts in (["subscriptions"], ["customers"], ["checkout", "sessions"]):
        kind = {"subscriptions": "subscription", "customers": "customer",
                "checkout": "checkout.session"}[parts[0]]
        return list_objects(kind, query, path)
    if parts[:1] == ["subscriptions"] and len(parts) == 2:
        if method == "GET":
            return get_object("subscription", parts[1])
        if method == "POST":
            return update_subscription(parts[1], form)
        if method == "DELETE":
            return cancel_subscription(parts[1])
    if method == "GET" and parts[:1] == ["customers"] and len(parts) == 2:
        return get_object("customer", parts[1])
    if parts == ["checkout", "sessions"] and method == "POST":
        return create_checkout_session(form)
    if method == "GET" and parts[:2] == ["checkout", "sessions"] and len(parts) == 3:
        return get_object("checkout.session", parts[2])
    return stripe_error(404, "Unrecognized request URL (%s: %s)" % (method, path))


def take_fault(method, path):
    with STATE.lock:
        for fault in STATE.faults:
            if fault.get("method", "*") in ("*", method) and path.startswith(fault.get("path", "/")):
                fault["times"] = fault.get("times", 1) - 1
                if fault["times"] <= 0:
                    STATE.faults.remove(fault)
                return dict(fault)
    return None


def control(method, path, body):
    """The /_fake/ endpoints; returns (status, json)."""
    if path == "/_fake/requests":
        with STATE.lock:
            if method == "DELETE":
                STATE.requests.clear()
                return 200, {"deleted": True}
            return 200, {"data": copy.deepcopy(STATE.requests)}
    if path == "/_fake/faults":
        with STATE.lock:
            if method == "DELETE":
                STATE.faults.clear()
                return 200, {"deleted": True}
            STATE.faults.append(json.loads(body))
            return 200, {"queued": len(STATE.faults)}
    if path == "/_fake/events" and method == "POST":
        events = parse_json_lines(body)
        with STATE.lock:
            for e in events:
                STATE.add_event(e)
        return 200, {"seeded": len(events)}
    if path == "/_fake/objects" and method == "POST":
        objs = parse_json_lines(body)
        with STATE.lock:
            for o in objs:
                STATE.add_object(o)
        return 200, {"stored": len(objs)}
    if path.startswith("/_fake/objects/"):
        oid = path[len("/_fake/objects/"):]
        with STATE.lock:
            if method == "DELETE":
                return (200, {"deleted": True}) if STATE.objects.pop(oid, None) else (404, {})
            obj = STATE.objects.get(oid)
            return (200, copy.deepcopy(obj)) if obj is not None else (404, {"error": {}})
    return 404, {"error": {"message": "unknown control endpoint"}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: tests read /_fake/requests instead
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def send_json(self, status, body, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(7))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if url.path.startswith("/_fake/"):
            status, out = control(method, url.path, body)
            self.send_json(status, out)
            return
        query_pairs = parse_qsl(url.query, keep_blank_values=True)
        form = parse_qsl(body, keep_blank_values=True) if method == "POST" else []
        record = self.record(method, url.path, query_pairs, form)
        status, out, headers = self.answer(method, url.path, query_pairs, form)
        with STATE.lock:
            record["status"] = status
        if status is None:  # an injected dropped connection
            self.close_connection = True
            return
        self.send_json(status, out, headers)

    def record(self, method, path, query_pairs, form):
        with STATE.lock:
            STATE.seq += 1
            rec = {"seq": STATE.seq, "time": time.time(), "method": method, "path": path,
                   "query": [list(p) for p in query_pairs], "form": [list(p) for p in form],
                   "idempotency_key": self.headers.get("Idempotency-Key"),
                   "stripe_version": self.headers.get("Stripe-Version"),
                   "authorization": self.headers.get("Authorization"), "status": None}
            STATE.requests.append(rec)
            return rec

    def answer(self, method, path, query_pairs, form):
        fault = take_fault(method, path)
        if fault:
            if fault.get("delay_ms"):
                time.sleep(fault["delay_ms"] / 1000.0)
            if fault.get("status"):
                headers = []
                if fault.get("retry_after") is not None:
                    headers.append(("Retry-After", str(fault["retry_after"])))
                status, out = stripe_error(fault["status"], fault.get("message", "injected fault"),
                                           "api_error" if fault["status"] >= 500
                                           else "invalid_request_error",
                                           "rate_limit" if fault["status"] == 429 else None)
                return status, out, headers
        if SECRET_KEY and self.headers.get("Authorization") != "Bearer " + SECRET_KEY:
            status, out = stripe_error(401, "Invalid API Key provided")
            return status, out, []
        key = self.headers.get("Idempotency-Key") if method == "POST" else None
        if key:
            with STATE.lock:
                seen = STATE.idempotency.get((path, key))
            if seen is not None:
                if seen[0] != form:
                    status, out = stripe_error(400, "Keys for idempotent requests can only be used "
                                               "with the same parameters they were first used with.",
                                               "idempotency_error")
                    return status, out, []
                return seen[1], copy.deepcopy(seen[2]), [("Idempotent-Replayed", "true")]
        query = {}
        for k, v in query_pairs:
            query.setdefault(k, []).append(v)
        status, out = route_api(method, path, query, form)
        if key and status < 500:
            with STATE.lock:
                STATE.idempotency[(path, key)] = (form, status, copy.deepcopy(out))
        return status, out, []


def parse_fault(spec):
    parts = spec.split(":")
    fault = {"method": parts[0], "path": parts[1], "status": int(parts[2])}
    if len(parts) > 3 and parts[3]:
        fault["retry_after"] = int(parts[3])
    if len(parts) > 4:
        fault["times"] = int(parts[4])
    return fault


def main():
    global SECRET_KEY
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--secret-key")
    ap.add_argument("--seed-events", action="append", default=[])
    ap.add_argument("--seed-objects", action="append", default=[])
    ap.add_argument("--fault", action="append", default=[])
    args = ap.parse_args()
    SECRET_KEY = args.secret_key
    for path in args.seed_events:
        with open(path) as f:
            for e in parse_json_lines(f.read()):
                STATE.add_event(e)
    for path in args.seed_objects:
        with open(path) as f:
            for o in parse_json_lines(f.read()):
                STATE.add_object(o)
    STATE.faults = [parse_fault(s) for s in args.fault]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, args.port_file)
    print("listening %d" % port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
