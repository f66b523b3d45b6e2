'use strict';
// Drives the dashboard in Debian's chromium through playwright-core, against a stripehook that
// dashboard_browser_test.cpp started and fed. Every step waits for a condition (no fixed sleeps);
// a screenshot is saved after each step, and on failure, under $SCREENSHOT_DIR.
//
// env: STRIPEHOOK_URL, ADMIN_KEY, WEBHOOK_SECRET, SCREENSHOT_DIR, FAILED_EVENT, OK_EVENT,
//      USER_QUERY, USER_ID, CUSTOMER_ID, SUBSCRIPTION_ID. Exit 0 when every step passed.
const crypto = require('crypto');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error('missing env ' + name);
  return v;
};
const base = env('STRIPEHOOK_URL');
const shots = env('SCREENSHOT_DIR');
const TIMEOUT = 30000;

// Nothing printed may carry a key or secret (scripts/secrets_grep.py scans the test logs).
const mask = (text) => [process.env.ADMIN_KEY, process.env.WEBHOOK_SECRET]
  .filter(Boolean)
  .reduce((t, secret) => t.split(secret).join('***'), String(text));

function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

async function step(page, name, fn) {
  const started = Date.now();
  await fn();
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
  console.log('ok  ' + name + ' (' + (Date.now() - started) + ' ms)');
}

async function signIn(page) {
  await page.goto(base + '/admin/ui/');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  await page.fill('#admin-key', 'not-the-key');
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#sign-in-error', { hasText: 'refused' }).waitFor();
  await page.fill('#admin-key', env('ADMIN_KEY'));
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#nav').waitFor({ state: 'visible' });
  check(await page.evaluate(() => sessionStorage.getItem('stripehook.adminKey')) === env('ADMIN_KEY'),
    'the key is kept in sessionStorage');
}

async function overview(page) {
  await page.locator('[data-testid=health-score] .tile-value').waitFor();
  await page.locator('[data-testid=queue-depth] .tile-value').waitFor();
  await page.locator('[data-testid=chart-events-per-minute] canvas').waitFor();
  await page.locator('[data-testid=chart-failure-rate] canvas').waitFor();
  const received = await page.locator('[data-testid=stat-received] .tile-value').textContent();
  check(Number(received) >= 2, 'overview counts the delivered events, got ' + received);
}

// Delivers a signed event (a type billing ignores) while the page is open, as Stripe would.
async function deliver(id) {
  const body = JSON.stringify({ id, object: 'event', api_version: '2026-07-29.dahlia',
    created: Math.floor(Date.now() / 1000), livemode: false, type: 'product.created',
    data: { object: { id: 'prod_e2e_live', object: 'product' } } });
  const t = Math.floor(Date.now() / 1000);
  const v1 = crypto.createHmac('sha256', env('WEBHOOK_SECRET')).update(t + '.' + body).digest('hex');
  const response = await fetch(base + '/webhooks/stripe', { method: 'POST', body,
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': 't=' + t + ',v1=' + v1 } });
  check(response.status === 200, 'live delivery answered ' + response.status);
}

async function eventLog(page) {
  await page.click('#nav a[data-view=events]');
  await page.locator('[data-testid=events-table]', { hasText: env('OK_EVENT') }).waitFor();
  await page.locator('[data-testid=events-table]', { hasText: env('FAILED_EVENT') }).waitFor();
  // Live refresh: an event delivered now shows up without reloading the page.
  const live = 'evt_e2e_live_' + Date.now();
  await deliver(live);
  await page.locator('[data-testid=events-table]', { hasText: live }).waitFor();
  // Type filter: only the lifecycle's one checkout event.
  await page.fill('[data-testid=filter-type]', 'checkout.session.completed');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/type=checkout\.session\.completed/);
  await waitForOnlyRow(page, 'checkout.session.completed');
  // Customer filter: the customer's own events (the failed one is about another object).
  await page.fill('[data-testid=filter-type]', '');
  await page.fill('[data-testid=filter-customer]', env('CUSTOMER_ID'));
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/customer=/);
  await page.waitForFunction(([ok, failed]) => {
    const table = document.querySelector('[data-testid=events-table]');
    return table && table.textContent.includes(ok) && !table.textContent.includes(failed);
  }, [env('OK_EVENT'), env('FAILED_EVENT')], { timeout: TIMEOUT });
  // Status filter: only the failed event.
  await page.fill('[data-testid=filter-customer]', '');
  await page.selectOption('[data-testid=filter-status]', 'failed');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/status=failed/);
  await waitForOnlyRow(page, env('FAILED_EVENT'));
}

// Waits until the event table has exactly one row, and it contains `text`.
async function waitForOnlyRow(page, text) {
  await page.waitForFunction((t) => {
    const rows = document.querySelectorAll('[data-testid=events-table] tbody tr');
    return rows.length === 1 && rows[0].textContent.includes(t);
  }, text, { timeout: TIMEOUT });
}

async function failedEvent(page) {
  await page.click('[data-testid=events-table] tbody tr >> nth=0');
  await page.locator('[data-testid=event-status]', { hasText: 'failed' }).waitFor();
  await page.locator('[data-testid=event-errors]', { hasText: 'expected' }).waitFor();
  await page.locator('[data-testid=event-payload]', { hasText: env('FAILED_EVENT') }).waitFor();
}

async function retry(page) {
  await page.click('[data-testid=retry]');
  // The second attempt fails too and max_attempts is 2: the event must become dead.
  await page.locator('[data-testid=event-status]', { hasText: 'dead' }).waitFor({ timeout: 60000 });
  await page.locator('[data-testid=retry-message]', { hasText: 'dead' }).waitFor();
}

async function userPage(page) {
  await page.click('#nav a[data-view=users]');
  await page.fill('[data-testid=user-search]', env('USER_QUERY'));
  await page.press('[data-testid=user-search]', 'Enter');
  await page.locator('[data-testid=user-id]', { hasText: env('USER_ID') }).waitFor();
  await page.locator('[data-testid=user-access]').waitFor();
  await page.locator('[data-testid=user-reason]').waitFor();
  await page.locator('[data-testid=user-subscriptions]', { hasText: env('SUBSCRIPTION_ID') }).waitFor();
  await page.locator('[data-testid=user-invoices] tbody tr').first().waitFor();
  await page.locator('[data-testid=user-events] tbody tr').first().waitFor();
}

async function signOut(page) {
  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  check(await page.evaluate(() => sessionStorage.getItem('stripehook.adminKey')) === null,
    'signing out forgets the key');
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 120000,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-default-apps', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      '--metrics-recording-only', '--disable-domain-reliability'],
  });
  const problems = [];
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The dashboard must work with no network: any request off this origin is a failure.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base + '/') || url.startsWith('data:')) return route.continue();
      problems.push('request off origin: ' + url);
      return route.abort();
    });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => {
      // Expected: the refused key's 401, and /webhooks/health answering 503 when unhealthy.
      const url = (m.location() && m.location().url) || '';
      const expected = /status of 401/.test(m.text()) ||
        (/status of 503/.test(m.text()) && url.includes('/webhooks/health'));
      if (m.type() === 'error' && !expected) problems.push('console error: ' + m.text() + ' ' + url);
    });
    await step(page, '01-sign-in', () => signIn(page));
    await step(page, '02-overview', () => overview(page));
    await step(page, '03-events-failed-filter', () => eventLog(page));
    await step(page, '04-event-failed', () => failedEvent(page));
    await step(page, '05-event-retried-dead', () => retry(page));
    await step(page, '06-user', () => userPage(page));
    await step(page, '07-signed-out', () => signOut(page));
    check(problems.length === 0, problems.join('; '));
  } catch (e) {
    if (page) await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true }).catch(() => {});
    console.error(mask('FAIL ' + (e && e.stack ? e.stack : e)));
    if (problems.length) console.error(mask('also: ' + problems.join('; ')));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

main();
