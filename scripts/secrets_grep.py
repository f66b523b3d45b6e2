#!/usr/bin/env python3
"""Fails when a log written by the test suite contains a secret, key or signature.

Run by ctest as the last test of the suite (`secrets_grep`, tests/CMakeLists.txt). It collects
every secret the tests configure (literal whsec_/sk_/rk_ tokens, constants named *Secret*/*Key*/
*Token*/*Password*, values given to STRIPE_WEBHOOK_SECRET and friends in environment maps or TOML,
the secrets of the signature vectors) and greps every log of the build tree for them, and for
anything shaped like a Stripe signature (`v1=` + 64 hex digits).

Logs read: <build>/test-logs/** (server logs archived by tests/support/server_process.h) and
<build>/Testing/Temporary/LastTest.log.tmp (everything each ctest test printed, stderr included;
ctest appends to it as each test ends), or LastTest.log when run by hand after ctest.

Usage: secrets_grep.py --source <repo> --build <build dir> [--keep]
Exit 0: clean (the archived server logs are then moved to test-logs.scanned/, so the next run
starts empty); 1: a hit (file, line and which secret, shown masked); 2: nothing to scan.
"""
import argparse
import json
import pathlib
import re
import shutil
import sys

TOKEN = re.compile(r"\b(?:whsec|sk_test|sk_live|rk_test|rk_live)_[A-Za-z0-9_]+")
NAMED_CONSTANT = re.compile(
    r"\bk\w*(?:Secret|Key|Token|Password)\w*(?:\[\])?\s*=\s*\"([^\"\\]{8,})\"")
ENV_PAIR = re.compile(
    r"\"(?:STRIPE_WEBHOOK_SECRET|STRIPE_SECRET_KEY|STRIPEHOOK_ADMIN_KEY|STRIPEHOOK_APP_KEY)\""
    r"\s*,\s*\"([^\"\\]{8,})\"")
TOML_PAIR = re.compile(r"^\s*(?:admin_key|app_key|secret_key|password|token)\s*=\s*\"([^\"]{8,})\"",
                       re.M)
SIGNATURE = re.compile(r"v1=[0-9a-f]{64}")
SOURCE_GLOBS = ["tests/**/*.cpp", "tests/**/*.h", "tests/**/*.js", "tests/**/*.py",
                "tests/**/*.toml", "config/*.toml", "bench/*.sh", "bench/*.py"]
# Placeholders too generic to be told apart from ordinary words in a log.
MIN_LENGTH = 8


def collect_secrets(source):
    secrets = set()
    for pattern in SOURCE_GLOBS:
        for path in source.glob(pattern):
            if "node_modules" in path.parts or not path.is_file():
                continue
            text = path.read_text(errors="replace")
            secrets.update(TOKEN.findall(text))
            for regex in (NAMED_CONSTANT, ENV_PAIR, TOML_PAIR):
                secrets.update(regex.findall(text))
    vectors = source / "tests" / "fixtures" / "signature-vectors.jsonl"
    if vectors.exists():
        for line in vectors.read_text().splitlines():
            if line.strip():
                secret = json.loads(line).get("secret")
                if isinstance(secret, str):
                    secrets.add(secret)
    secrets = {s.strip() for s in secrets}
    # Shell variables ($APP_KEY) and values with spaces are not literal secrets.
    return sorted(s for s in secrets if len(s) >= MIN_LENGTH and not re.search(r"[\s$]", s))


def log_files(build):
    files = sorted((build / "test-logs").glob("**/*"))
    # ctest writes LastTest.log.tmp while it runs and renames it LastTest.log at the end: under
    # ctest read only the current run's log, not the last run's (run by hand, read that one).
    temporary = build / "Testing" / "Temporary"
    current = sorted(temporary.glob("LastTest*.log.tmp"))
    files += current or sorted(temporary.glob("LastTest*.log"))
    return [f for f in files if f.is_file()]


def mask(secret):
    return secret[:6] + "..." + f"({len(secret)} chars)"


def scan(files, secrets):
    # One regex for all: a secret counts only as a whole token (whsec_a is not in whsec_abc).
    alternatives = "|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True))
    secret_re = re.compile(r"(?<![A-Za-z0-9_])(?:" + alternatives + r")(?![A-Za-z0-9_])")
    hits = []
    for path in files:
        with open(path, errors="replace") as f:
            for number, line in enumerate(f, 1):
                for match in secret_re.finditer(line):
                    hits.append(f"{path}:{number}: secret {mask(match.group(0))}")
                if SIGNATURE.search(line):
                    hits.append(f"{path}:{number}: a Stripe signature (v1=<64 hex>)")
    return hits


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True, type=pathlib.Path)
    parser.add_argument("--build", required=True, type=pathlib.Path)
    parser.add_argument("--keep", action="store_true", help="do not move scanned logs away")
    args = parser.parse_args()
    secrets = collect_secrets(args.source)
    files = log_files(args.build)
    size = sum(f.stat().st_size for f in files)
    print(f"{len(secrets)} secrets, {len(files)} log files, {size} bytes scanned")
    if not files or not secrets:
        print("nothing to scan: the logs or the secrets were not found")
        return 2
    hits = scan(files, secrets)
    for hit in hits[:200]:
        print(hit)
    if hits:
        print(f"{len(hits)} hits")
        return 1
    logs = args.build / "test-logs"
    if not args.keep and logs.is_dir():
        scanned = args.build / "test-logs.scanned"
        shutil.rmtree(scanned, ignore_errors=True)
        logs.rename(scanned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
