'use strict';
// Usage: node gen_signed_events.js <out.jsonl> <count> <seed>
// Writes <count> random events, each signed by stripe-node's own generateTestHeaderString, one
// JSON object per line: {payload_b64, header, secret, timestamp}.
const fs = require('fs');
const Stripe = require('stripe');
const { makeRng, randomEvent, randomSecret } = require('./random_events');

const [out, countArg, seedArg] = process.argv.slice(2);
const count = Number(countArg || 1000);
const rng = makeRng(Number(seedArg || 1));
const stripe = new Stripe('sk_test_compat');  // no network: webhooks helpers are local
const lines = [];
for (let i = 0; i < count; i++) {
  const payload = randomEvent(rng, i);
  const secret = randomSecret(rng);
  const timestamp = 1700000000 + Math.floor(rng() * 1e8);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  lines.push(JSON.stringify({
    payload_b64: Buffer.from(payload, 'utf8').toString('base64'), header, secret, timestamp,
  }));
}
fs.writeFileSync(out, lines.join('\n') + '\n');
