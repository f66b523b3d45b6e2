'use strict';
// Overview: health, queue depth, 24-hour counts and the two charts.
(function () {
  const SH = (window.SH = window.SH || {});
  const { el, pick, fmtValue, badge, errorBox } = SH.ui;
  const REFRESH_MS = 30000;

  function tile(label, value, testid, extra) {
    return el('div', { class: 'tile', 'data-testid': testid }, el('div', { class: 'tile-label', text: label }),
      el('div', { class: 'tile-value' }, value instanceof Node ? value : fmtValue(value)), extra || null);
  }

  // Each source may fail alone (an older server, a store hiccup): the rest still renders.
  async function settle(promise) {
    try {
      return { value: await promise };
    } catch (error) {
      return { error };
    }
  }

  function healthTiles(health, subs, stats) {
    const tiles = [];
    if (health.value) {
      const h = health.value;
      tiles.push(tile('Webhook health (24 h)', badge(h.status), 'webhook-health',
        el('div', { class: 'muted', text: 'failure rate ' + (100 * (h.failure_rate || 0)).toFixed(1) + ' %' })));
    }
    // The backlog of every pending event (health), else the window's pending count (stats).
    const pending = pick(health.value || {}, 'pending') ?? pick(stats.value || {}, 'events.pending');
    if (pending !== undefined) {
      tiles.push(tile('Queue depth', pending, 'queue-depth', el('div', { class: 'muted', text: 'pending events' })));
    }
    if (subs.value) {
      tiles.push(tile('Health score', subs.value.score, 'health-score',
        el('div', { class: 'muted', title: subs.value.how_computed || '', text: (subs.value.failed || 0) + ' failed, ' + (subs.value.dead || 0) + ' dead' })));
    }
    if (stats.value) {
      const counts = stats.value.events || {};
      for (const name of ['received', 'processed', 'failed', 'dead', 'stale', 'ignored']) {
        if (counts[name] !== undefined) tiles.push(tile(name[0].toUpperCase() + name.slice(1) + ' (24 h)', counts[name], 'stat-' + name));
      }
      const dup = pick(stats.value, 'duplicates.count');
      if (dup !== undefined) tiles.push(tile('Duplicates', dup, 'stat-duplicates', el('div', { class: 'muted', text: 'since start' })));
    }
    return tiles;
  }

  async function drawCharts(box) {
    const now = Math.floor(Date.now() / 1000);
    const perMinuteBox = el('div', { class: 'chart', 'data-testid': 'chart-events-per-minute' });
    const rateBox = el('div', { class: 'chart', 'data-testid': 'chart-failure-rate' });
    const note = el('p', { class: 'muted' });
    box.replaceChildren(perMinuteBox, rateBox, note);
    // /admin/stats has totals, not buckets: the series are counted from the event log.
    const { events, truncated } = await SH.charts.recentEvents(now);
    const series = SH.charts.seriesFromEvents(events, now);
    note.textContent = 'Counted from the event log (' + events.length + ' events' +
      (truncated ? ', the most recent only' : '') + '); failure rate = failed or dead / all, per hour.';
    SH.charts.plot(perMinuteBox, 'Events per minute (24 h)', series.minutes, series.perMinute, 'events', '#3b5bdb', { yLabel: 'events/min' });
    SH.charts.plot(rateBox, 'Failure rate (24 h, hourly)', series.hours, series.rate, 'failed %', '#e03131', { yLabel: '%', yRange: [0, 100], spanGaps: false });
  }

  async function load(tiles, charts) {
    const [stats, health, subs] = await Promise.all([
      settle(SH.api.get('/admin/stats?window=24h')),
      settle(SH.api.get('/webhooks/health', { allowStatus: [503] })),
      settle(SH.api.get('/admin/health/subscriptions')),
    ]);
    tiles.replaceChildren(...healthTiles(health, subs, stats));
    for (const r of [stats, health, subs]) if (r.error) tiles.append(errorBox(r.error));
    try {
      await drawCharts(charts);
    } catch (e) {
      charts.append(errorBox(e));
    }
  }

  async function render(main) {
    const tiles = el('div', { class: 'tiles' }, el('p', { class: 'muted', text: 'Loading…' }));
    const charts = el('div', { class: 'charts' });
    main.replaceChildren(el('h1', { text: 'Overview' }), tiles, charts);
    // Registered before the first await: leaving the view clears it (SH.app.every).
    let busy = true;
    SH.app.every(REFRESH_MS, async () => {
      if (busy) return; // a slow refresh (a long event log) never stacks up
      busy = true;
      await load(tiles, charts).finally(() => (busy = false));
    });
    await load(tiles, charts).finally(() => (busy = false));
  }

  SH.views = SH.views || {};
  SH.views.overview = { render };
})();
