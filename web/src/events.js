'use strict';
// The event log (filters, paging, live refresh) and one event's detail with its Retry button.
(function () {
  const SH = (window.SH = window.SH || {});
  const { el, pick, fmtTime, badge, table, keyValues, json, errorBox, listData } = SH.ui;
  const STATUSES = ['', 'pending', 'processed', 'ignored', 'stale', 'failed', 'dead'];
  const REFRESH_MS = 3000;
  const FILTERS = ['status', 'type', 'object_id', 'customer'];

  const eventColumns = [
    { label: 'Received', get: (e) => fmtTime(pick(e, 'received_at', 'created')) },
    { label: 'Id', get: (e) => el('a', { href: '#/events/' + encodeURIComponent(e.id), text: e.id }) },
    { label: 'Type', get: (e) => e.type },
    { label: 'Object', get: (e) => pick(e, 'object_id', 'object.id') },
    { label: 'Status', get: (e) => badge(e.status) },
    { label: 'Attempts', get: (e) => e.attempts },
    { label: 'Last error', get: (e) => pick(e, 'last_error', 'error') },
  ];

  function filterQuery(filters, after) {
    const q = new URLSearchParams({ limit: '50' });
    for (const k of FILTERS) if (filters[k]) q.set(k, filters[k]);
    if (after) q.set('starting_after', after);
    return '/admin/events?' + q.toString();
  }

  function filterForm(filters, onChange) {
    const status = el('select', { name: 'status', 'data-testid': 'filter-status' },
      STATUSES.map((s) => el('option', { value: s, selected: s === (filters.status || ''), text: s || 'any status' })));
    const type = el('input', { name: 'type', placeholder: 'type, e.g. invoice.paid', value: filters.type || '', 'data-testid': 'filter-type' });
    const object = el('input', { name: 'object_id', placeholder: 'object id', value: filters.object_id || '', 'data-testid': 'filter-object' });
    const customer = el('input', { name: 'customer', placeholder: 'customer (cus_…)', value: filters.customer || '', 'data-testid': 'filter-customer' });
    const form = el('form', { class: 'filters' }, status, type, object, customer, el('button', { type: 'submit', text: 'Filter' }));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const chosen = { status: status.value, type: type.value.trim(), object_id: object.value.trim(), customer: customer.value.trim() };
      // Only the filters in use go into the URL.
      onChange(Object.fromEntries(Object.entries(chosen).filter(([, v]) => v)));
    });
    return form;
  }

  async function renderList(main, params) {
    const filters = Object.fromEntries(FILTERS.filter((k) => params.get(k)).map((k) => [k, params.get(k)]));
    const after = params.get('starting_after') || '';
    const setFilters = (f) => (location.hash = '#/events?' + new URLSearchParams(f).toString());
    const live = el('input', { type: 'checkbox', checked: !after, 'data-testid': 'live-refresh' });
    const updated = el('span', { class: 'muted' });
    const list = el('div', { 'data-testid': 'event-list' }, el('p', { class: 'muted', text: 'Loading…' }));
    const pager = el('div', { class: 'pager' });
    main.replaceChildren(el('h1', { text: 'Events' }), filterForm(filters, setFilters),
      el('label', { class: 'live' }, live, ' live refresh ', updated), list, pager);

    async function load() {
      try {
        const page = await SH.api.get(filterQuery(filters, after));
        const rows = listData(page);
        list.replaceChildren(table(rows, eventColumns, { testid: 'events-table', empty: 'No events match.',
          onRowClick: (e) => (location.hash = '#/events/' + encodeURIComponent(e.id)) }));
        pager.replaceChildren(
          after ? el('a', { href: '#/events?' + new URLSearchParams(filters).toString(), text: '« newest' }) : '',
          page.has_more && rows.length
            ? el('a', { href: '#/events?' + new URLSearchParams({ ...filters, starting_after: rows[rows.length - 1].id }).toString(), text: 'older »' })
            : '');
        updated.textContent = 'updated ' + new Date().toLocaleTimeString();
      } catch (e) {
        list.replaceChildren(errorBox(e));
      }
    }
    // Registered before the first await: leaving the view clears it (SH.app.every).
    let busy = false;
    SH.app.every(REFRESH_MS, async () => {
      if (!live.checked || busy) return; // a slow answer never stacks requests up
      busy = true;
      await load().finally(() => (busy = false));
    });
    await load();
  }

  function detailPairs(e) {
    return [
      ['Id', e.id], ['Type', e.type], ['Status', badge(e.status)],
      ['Attempts', e.attempts], ['Object', pick(e, 'object_id')], ['Object type', pick(e, 'object_type')],
      ['Created', fmtTime(e.created)], ['Received', fmtTime(pick(e, 'received_at'))],
      ['Next attempt', fmtTime(pick(e, 'next_attempt_at'))], ['Processed', fmtTime(pick(e, 'processed_at'))],
      ['Source', pick(e, 'source')], ['Livemode', pick(e, 'livemode')],
    ];
  }

  const auditColumns = [
    { label: 'Table', get: (a) => pick(a, 'table', 'table_name', 'change.table') },
    { label: 'Key', get: (a) => pick(a, 'key', 'change.key') },
    { label: 'At', get: (a) => fmtTime(pick(a, 'at')) },
    { label: 'Change', get: (a) => pick(a, 'change') },
  ];

  async function renderDetail(main, id) {
    const body = el('div', {}, el('p', { class: 'muted', text: 'Loading…' }));
    const message = el('p', { class: 'muted', 'data-testid': 'retry-message', role: 'status' });
    main.replaceChildren(el('p', {}, el('a', { href: '#/events', text: '« events' })), el('h1', { text: 'Event ' + id }), body);
    let current = null;
    let retrying = false;

    async function load() {
      const e = await SH.api.get('/admin/events/' + encodeURIComponent(id));
      current = e;
      // The API re-queues failed and dead events only (409 for the rest).
      const retriable = e.status === 'failed' || e.status === 'dead';
      const retry = el('button', { type: 'button', 'data-testid': 'retry', text: 'Retry', disabled: retrying || !retriable,
        title: retriable ? 'Re-queue this event' : 'Only failed or dead events can be retried', onclick: () => retryNow() });
      const errors = listData(e.errors);
      body.replaceChildren(
        el('div', { class: 'actions' }, retry, message),
        keyValues(detailPairs(e), 'event-fields'),
        el('h2', { text: 'Errors' }),
        table(errors, [{ label: 'Attempt', get: (x) => x.attempt }, { label: 'Message', get: (x) => x.message }],
          { testid: 'event-errors', empty: 'None.' }),
        el('h2', { text: 'Audit rows it caused' }),
        table(pick(e, 'audit', 'audit_rows') || [], auditColumns, { testid: 'event-audit', empty: 'None.' }),
        el('h2', { text: 'Payload' }),
        json(e.payload || '', 'event-payload'));
      body.querySelector('[data-testid="event-fields"] .badge').setAttribute('data-testid', 'event-status');
    }

    async function retryNow() {
      const was = current.status;
      const wasAttempts = current.attempts;
      retrying = true;
      body.querySelector('[data-testid="retry"]').disabled = true;
      try {
        await SH.api.post('/admin/events/' + encodeURIComponent(id) + '/retry');
        message.textContent = 'Queued for retry; waiting for the result…';
        // The pipeline applies it in the background: poll until its status moves on.
        for (let i = 0; i < 30; i++) {
          await new Promise((r) => setTimeout(r, 1000));
          await load();
          if (current.status !== 'pending' && (current.status !== was || current.attempts !== wasAttempts)) break;
        }
        message.textContent = 'Retried: status ' + current.status + '.';
      } catch (e) {
        message.replaceChildren(errorBox(e));
      }
      retrying = false;
      await load().catch(() => {});
    }

    try {
      await load();
    } catch (e) {
      body.replaceChildren(errorBox(e));
    }
  }

  SH.views = SH.views || {};
  SH.views.events = { renderList, renderDetail };
})();
