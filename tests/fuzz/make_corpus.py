#!/usr/bin/env python3
"""Builds the seed corpora tests/fuzz/corpus/<target>/ from tests/fixtures (and config/).

Files are named by the SHA-1 of their content, as libFuzzer names what it finds, so rerunning
this script is idempotent and never touches regression inputs added by hand (crash-*, regress-*).
Usage: tests/fuzz/make_corpus.py [repo root]
"""
import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parents[2])
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
SECRET = "whsec_4b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e"  # the http target's secret (and vectors')


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def vectors():
    with open(FIXTURES / "signature-vectors.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def lifecycle_lines():
    for path in sorted((FIXTURES / "lifecycles").glob("*.jsonl")):
        yield path, [l for l in path.read_text().splitlines() if l.strip()]


def http_request(method, target, headers, body=b""):
    head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers)
    if body or method == "POST":
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def seed_http(vs):
    for v in vs[:12]:
        body = v["payload"].encode()
        headers = [("Content-Type", "application/json"), ("Stripe-Signature", v["header"] or "")]
        put("http", http_request("POST", "/webhooks/stripe", headers, body))
    put("http", http_request("GET", "/webhooks/stripe", []))
    put("http", http_request("GET", "http://127.0.0.1/healthz?x=1%20y", [("X-Request-Id", "r1")]))
    put("http", http_request("POST", "/webhooks/stripe", [("Expect", "100-continue")], b"{}"))
    chunked = (b"POST /webhooks/stripe HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"2\r\n{}\r\n0\r\n\r\n")
    put("http", chunked)
    put("http", http_request("GET", "/", []) * 3 + b"GARBAGE\r\n\r\n")


def seed_config():
    put("config", (ROOT / "config" / "dev.toml").read_text())
    put("config", "")
    put("config", '[server]\nport = 70000\n')
    put("config", '[server]\nprot = 1\n')
    put("config", '[[endpoints]]\nname = "a"\npath = "/a"\nsecrets = ["whsec_x", " "]\n'
                  '[[endpoints]]\nname = "b"\npath = "/a"\n')
    put("config", '[plans.pro]\nprices = ["price_1"]\nfeatures = ["x"]\nlimits = {seats = 3}\n'
                  '[access]\ngrace_seconds = -1\n')
    put("config", '[database]\nurl = "postgresql://u:pw@h/db"\n'
                  '[stripe]\nsecret_key = "sk_test_1"\n')
    put("config", 'a = """\nwhsec_unterminated')


def main():
    vs = vectors()
    for v in vs:
        if v.get("header") is not None and v.get("payload") is not None:
            put("signature", v["header"] + "\0" + v["payload"])
            put("envelope", v["payload"])
    for path, lines in lifecycle_lines():
        put("billing", "\n".join(lines) + "\n")
        for line in lines:
            put("envelope", line)
    event = FIXTURES / "stripe-openapi" / "event.json"
    if event.exists():
        put("envelope", event.read_text())
    seed_http(vs)
    seed_config()


if __name__ == "__main__":
    main()
