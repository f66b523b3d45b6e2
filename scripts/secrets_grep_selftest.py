#!/usr/bin/env python3
"""Negative check for secrets_grep.py: it must find secrets planted where the suite's logs live.

Builds scratch build trees with the layout the real check reads (test-logs/, Testing/Temporary/
LastTest.log.tmp) and asserts that a secret the tests really use (read from the test sources, not
from here) and a signature planted there are found, while redacted forms and ordinary lines pass.
Usage: secrets_grep_selftest.py --source <repo>
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def run(source, build):
    proc = subprocess.run([sys.executable, str(HERE / "secrets_grep.py"), "--source", str(source),
                           "--build", str(build)], capture_output=True, text=True)
    return proc.returncode, proc.stdout


def planted_secret(source):
    # The integration tests' webhook secret, as the real check collects it.
    harness = (source / "tests" / "integration" / "ingest_harness.h").read_text()
    return re.search(r"kSecret\[\] = \"([^\"]+)\"", harness).group(1)


def scratch(root, server_log, ctest_log):
    (root / "test-logs").mkdir(parents=True)
    (root / "Testing" / "Temporary").mkdir(parents=True)
    (root / "test-logs" / "server-1-0.log").write_text(server_log)
    # The name ctest gives its log while the suite runs (renamed LastTest.log at the end).
    (root / "Testing" / "Temporary" / "LastTest.log.tmp").write_text(ctest_log)
    return root


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True, type=pathlib.Path)
    source = parser.parse_args().source
    secret = planted_secret(source)
    ok_line = '{"level":"info","msg":"webhook","secret":"' + secret[:6] + '…(redacted)"}\n'
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        dirty = scratch(pathlib.Path(tmp) / "dirty", ok_line + f'{{"msg":"x","s":"{secret}"}}\n',
                        "Stripe-Signature: t=1,v1=" + "ab" * 32 + "\n")
        code, out = run(source, dirty)
        if code != 1 or "server-1-0.log:2: secret" not in out or "LastTest.log.tmp:1" not in out:
            failures.append(f"planted secret and signature not both found (exit {code}):\n{out}")
        if secret in out:
            failures.append("the report printed the secret unmasked")
        clean = scratch(pathlib.Path(tmp) / "clean", ok_line, "Test Passed.\n")
        code, out = run(source, clean)
        if code != 0 or not (clean / "test-logs.scanned").is_dir():
            failures.append(f"clean logs not passed or not moved aside (exit {code}):\n{out}")
        empty = pathlib.Path(tmp) / "empty"
        empty.mkdir()
        code, out = run(source, empty)
        if code != 2:
            failures.append(f"a tree without logs must not pass silently (exit {code}):\n{out}")
    for failure in failures:
        print("FAIL:", failure)
    print("secrets_grep self-test:", "failed" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
