#!/usr/bin/env python3
"""Trains the zstd dictionary the SQLite store compresses event payloads with.

    scripts/train_payload_dictionary.py OUT.zdict DICT_ID

Needs the `zstd` command (Debian package zstd; not installed by scripts/deps.sh, since neither
the build nor the tests train a dictionary). payload_dictionary.zdict was made with id 1735012024.

Samples: every event of tests/fixtures/lifecycles/*.jsonl in the three layouts a payload arrives
in (Stripe's 2-space pretty print, Python's spaced separators, compact), so that the dictionary
holds the keys, the nesting and the enum values of the objects webhooks carry.

A dictionary is part of the on-disk format: every stored payload names its dictionary's id, and
decoding needs that exact dictionary. Never replace src/store/sqlite/payload_dictionary.zdict:
add a new one with a new id next to it and teach payload_codec.cpp to decode both.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "lifecycles")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, dict_id = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as samples:
        n = 0
        for path in sorted(glob.glob(os.path.join(FIXTURES, "*.jsonl"))):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    for text in (json.dumps(event, indent=2), json.dumps(event),
                                 json.dumps(event, separators=(",", ":"))):
                        with open(os.path.join(samples, f"{n}.json"), "w", encoding="utf-8") as s:
                            s.write(text)
                        n += 1
        files = sorted(glob.glob(os.path.join(samples, "*.json")))
        subprocess.run(["zstd", "-q", "-f", "--train", "--maxdict=16384", f"--dictID={dict_id}",
                        "-o", out, *files], check=True)
    print(f"{out}: {os.path.getsize(out)} bytes from {n} samples, id {dict_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
