'use strict';
// 24-hour charts drawn with uPlot (embedded; no CDN). The series come from the stats endpoint
// when it offers per-minute buckets; otherwise they are counted here from the event log.
(function () {
  const SH = (window.SH = window.SH || {});
  const DAY = 24 * 3600;
  const MAX_PAGES = 20; // 20,000 events: enough for a day of a small shop; said on the chart if cut

  // Buckets of `step` seconds covering the last 24 h, ending at `now` (Unix seconds).
  function emptyBuckets(now, step) {
    const start = Math.floor((now - DAY) / step) * step + step;
    const xs = [];
    for (let t = start; t <= now; t += step) xs.push(t);
    return xs;
  }

  function eventTime(e) {
    const d = SH.ui.toDate(SH.ui.pick(e, 'received_at', 'received_at_us', 'created'));
    return d ? d.getTime() / 1000 : null;
  }

  const FAILED = new Set(['failed', 'dead']);

  // Counts events per minute and the share that failed per hour, from event rows.
  function seriesFromEvents(events, now) {
    const minutes = emptyBuckets(now, 60);
    const perMinute = new Array(minutes.length).fill(0);
    const hours = emptyBuckets(now, 3600);
    const total = new Array(hours.length).fill(0);
    const failed = new Array(hours.length).fill(0);
    for (const e of events) {
      const t = eventTime(e);
      if (t === null || t < minutes[0] || t >= now + 60) continue;
      perMinute[Math.min(perMinute.length - 1, Math.floor((t - minutes[0]) / 60))]++;
      const h = Math.min(hours.length - 1, Math.max(0, Math.floor((t - hours[0]) / 3600)));
      total[h]++;
      if (FAILED.has(e.status)) failed[h]++;
    }
    const rate = total.map((n, i) => (n === 0 ? null : (100 * failed[i]) / n));
    return { minutes, perMinute, hours, rate };
  }

  // Pages back through the last 24 h of the event log (at most MAX_PAGES pages).
  async function recentEvents(now) {
    const events = [];
    let after = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const q = '/admin/events?limit=1000&received_gte=' + (now - DAY) +
        (after ? '&starting_after=' + encodeURIComponent(after) : '');
      const result = await SH.api.get(q);
      const rows = SH.ui.listData(result);
      events.push(...rows);
      const last = rows[rows.length - 1];
      if (!result.has_more || !last) {
        return { events, truncated: false };
      }
      after = last.id;
    }
    return { events, truncated: true };
  }

  function plot(target, title, xs, ys, label, color, opts) {
    target.replaceChildren();
    const width = Math.max(320, (target.clientWidth || 600) - 20); // inside the box's padding
    const options = {
      title,
      width,
      height: 220,
      scales: { x: { time: true }, y: opts.yRange ? { range: opts.yRange } : {} },
      series: [{}, { label, stroke: color, fill: color + '22', width: 1.5, spanGaps: opts.spanGaps }],
      axes: [{}, { label: opts.yLabel, size: 60 }],
      legend: { show: true },
    };
    return new window.uPlot(options, [xs, ys], target);
  }

  SH.charts = { seriesFromEvents, recentEvents, plot };
})();
