#!/usr/bin/env bash
# `make run`: serve on the embedded SQLite default with the development config, after telling
# the developer how to send a first signed event.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$here/build/src/stripehook}
cd "$here"
mkdir -p var
secret=$(sed -n 's/^secrets = \["\(whsec_[^"]*\)"\]/\1/p' config/dev.toml)
port=$(sed -n 's/^port = \([0-9]*\)/\1/p' config/dev.toml)
cat <<MSG

  stripehook is starting on http://127.0.0.1:${port}
    webhook endpoint : http://127.0.0.1:${port}/webhooks/stripe
    dev signing secret: ${secret}
    database          : var/stripehook-dev.db

  Send a first signed event (in another terminal):
    ${binary} send --url http://127.0.0.1:${port}/webhooks/stripe --secret ${secret} \\
        tests/fixtures/lifecycles/a_checkout_new_subscription.jsonl
  Then read the inbox:
    ${binary} events list --config config/dev.toml

  Ctrl-C stops it gracefully.

MSG
exec "$binary" serve --config config/dev.toml
