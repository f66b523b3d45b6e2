'use strict';
// Usage: node check_cli_sign.js <stripehook binary> [count]
// For random events, `stripehook sign --secret <whsec> [--timestamp <unix>] <file>` must print a
// header that stripe-node 23.1.0's constructEvent accepts, and that it rejects once one byte of
// the body changes. Exits 1 with a message on the first failure.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const Stripe = require('stripe');
const { makeRng, randomEvent, randomSecret } = require('./random_events');

const [binary, countArg] = process.argv.slice(2);
const count = Number(countArg || 200);
const rng = makeRng(20261124);
const stripe = new Stripe('sk_test_compat');  // no network: webhooks helpers are local
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripehook-compat-'));

function fail(message) {
  console.error('FAIL: ' + message);
  process.exitCode = 1;
  throw new Error(message);
}

function sign(file, secret, timestamp) {
  const args = ['sign', '--secret', secret];
  if (timestamp !== undefined) args.push('--timestamp', String(timestamp));
  args.push(file);
  return execFileSync(binary, args, { encoding: 'utf8' }).trim();
}

function checkOne(i) {
  const body = Buffer.from(randomEvent(rng, i), 'utf8');
  const secret = randomSecret(rng);
  const file = path.join(dir, 'event-' + i + '.json');
  fs.writeFileSync(file, body);
  const now = Math.floor(Date.now() / 1000);
  // Half with the CLI's own clock, half with an explicit timestamp a minute ago.
  const explicit = i % 2 === 0 ? now - 60 : undefined;
  const header = sign(file, secret, explicit);
  if (!/^t=\d+,v1=[0-9a-f]{64}$/.test(header)) fail(`event ${i}: unexpected header "${header}"`);
  if (explicit !== undefined && header.split(',')[0] !== 't=' + explicit) {
    fail(`event ${i}: --timestamp ${explicit} not honoured: ${header}`);
  }
  const event = stripe.webhooks.constructEvent(body, header, secret);
  if (event.id !== JSON.parse(body.toString('utf8')).id) fail(`event ${i}: wrong event parsed`);
  const changed = Buffer.from(body);
  const pos = Math.floor(rng() * changed.length);
  changed[pos] ^= 1 + Math.floor(rng() * 255);
  let rejected = false;
  try {
    stripe.webhooks.signature.verifyHeader(changed, header, secret);
  } catch (e) {
    rejected = e.type === 'StripeSignatureVerificationError';
  }
  if (!rejected) fail(`event ${i}: accepted after changing byte ${pos}`);
}

try {
  if (!binary || !fs.existsSync(binary)) fail(`stripehook binary not found: ${binary}`);
  for (let i = 0; i < count; i++) checkOne(i);
  console.log(`ok: ${count} headers from stripehook sign accepted by stripe-node constructEvent`);
} catch (e) {
  if (!process.exitCode) console.error('FAIL: ' + e.message);
  process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
