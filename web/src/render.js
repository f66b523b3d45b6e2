'use strict';
// DOM helpers. Data from the API is only ever placed as text (textContent), never parsed as HTML,
// so a hostile payload (Stripe metadata is customer-controlled) cannot inject markup.
(function () {
  const SH = (window.SH = window.SH || {});

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // Accepts Unix seconds, Unix microseconds or an ISO string (whichever the API gives).
  function toDate(value) {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'number') {
      if (value > 1e14) return new Date(value / 1000);
      if (value > 1e11) return new Date(value);
      return new Date(value * 1000);
    }
    const d = new Date(value);
    return isNaN(d) ? null : d;
  }

  function fmtTime(value) {
    const d = toDate(value);
    return d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
  }

  function fmtValue(value) {
    if (value === undefined || value === null) return '—';
    if (typeof value === 'boolean') return value ? 'yes' : 'no';
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  // The first of `paths` ("a.b.c") that is present in `object`.
  function pick(object, ...paths) {
    for (const path of paths) {
      let v = object;
      for (const part of path.split('.')) v = v == null ? undefined : v[part];
      if (v !== undefined && v !== null) return v;
    }
    return undefined;
  }

  function badge(status) {
    const s = String(status || 'unknown');
    return el('span', { class: 'badge badge-' + s.replace(/[^a-z_]/gi, ''), text: s });
  }

  // columns: [{ label, get: row => value|Node }]
  function table(rows, columns, { onRowClick, testid, empty } = {}) {
    if (!rows || rows.length === 0) {
      return el('p', { class: 'muted', 'data-testid': testid }, empty || 'Nothing here.');
    }
    const head = el('tr', {}, columns.map((c) => el('th', { text: c.label })));
    const body = rows.map((row) =>
      el(
        'tr',
        { class: onRowClick ? 'clickable' : null, onclick: onRowClick && (() => onRowClick(row)) },
        columns.map((c) => {
          const v = c.get(row);
          return el('td', {}, v instanceof Node ? v : fmtValue(v));
        })
      )
    );
    return el('table', { 'data-testid': testid }, el('thead', {}, head), el('tbody', {}, body));
  }

  function keyValues(pairs, testid) {
    return el(
      'dl',
      { class: 'kv', 'data-testid': testid },
      pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v instanceof Node ? v : fmtValue(v))])
    );
  }

  function json(value, testid) {
    let parsed = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch (e) {
        return el('pre', { class: 'json', 'data-testid': testid, text: value });
      }
    }
    return el('pre', { class: 'json', 'data-testid': testid, text: JSON.stringify(parsed, null, 2) });
  }

  function errorBox(error) {
    return el('p', { class: 'error', role: 'alert', text: error.message || String(error) });
  }

  function listData(page) {
    if (Array.isArray(page)) return page;
    return (page && page.data) || [];
  }

  SH.ui = { el, toDate, fmtTime, fmtValue, pick, badge, table, keyValues, json, errorBox, listData };
})();
