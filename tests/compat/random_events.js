'use strict';
// Random Stripe-like event payloads for the compatibility tests: random sizes, nesting and
// Unicode (BMP, astral-plane emoji, escapes), pretty-printed as Stripe sends them or compact.
// Deterministic for a given seed so a failure can be replayed.

function makeRng(seed) {
  // mulberry32
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const kPieces = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', 'é', 'ß', 'ü', '€', '日本',
  'Ωμέγα', 'Привет', '🎉', '👩‍💻', '\u0000', '\u001f', '\u2028', 'ｶ', '<', '&'];

function randomString(rng, maxLen) {
  const len = Math.floor(rng() * maxLen);
  let s = '';
  for (let i = 0; i < len; i++) s += kPieces[Math.floor(rng() * kPieces.length)];
  return s;
}

function randomValue(rng, depth) {
  const r = rng();
  if (depth > 3 || r < 0.3) return randomString(rng, 40);
  if (r < 0.45) return Math.floor(rng() * 1e12) - 5e11;
  if (r < 0.5) return rng() * 1000;
  if (r < 0.55) return rng() < 0.5;
  if (r < 0.6) return null;
  if (r < 0.8) {
    const arr = [];
    const n = Math.floor(rng() * 5);
    for (let i = 0; i < n; i++) arr.push(randomValue(rng, depth + 1));
    return arr;
  }
  const obj = {};
  const n = Math.floor(rng() * 6);
  for (let i = 0; i < n; i++) obj[randomString(rng, 12) || 'k' + i] = randomValue(rng, depth + 1);
  return obj;
}

function randomEvent(rng, index) {
  const object = { id: 'cus_' + index.toString(36), object: 'customer' };
  const fields = Math.floor(rng() * rng() * 120);  // mostly small, some ~10 KB
  for (let i = 0; i < fields; i++) object['f' + i + randomString(rng, 4)] = randomValue(rng, 0);
  const event = {
    id: 'evt_' + index.toString(36) + Math.floor(rng() * 1e9).toString(36),
    object: 'event',
    api_version: '2026-07-29.dahlia',
    created: 1700000000 + Math.floor(rng() * 1e8),
    data: { object },
    livemode: rng() < 0.5,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.updated',
  };
  return rng() < 0.8 ? JSON.stringify(event, null, 2) : JSON.stringify(event);
}

function randomSecret(rng) {
  let s = 'whsec_';
  for (let i = 0; i < 32; i++) s += '0123456789abcdefghijklmnopqrstuvwxyzABCDEF'[Math.floor(rng() * 42)];
  return s;
}

module.exports = { makeRng, randomEvent, randomSecret };
