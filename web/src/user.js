'use strict';
// A user's page: search by user id, customer id or email; access and its reason, subscriptions,
// invoices, purchases and the user's events.
(function () {
  const SH = (window.SH = window.SH || {});
  const { el, pick, fmtTime, badge, table, keyValues, errorBox, listData } = SH.ui;

  function searchForm(query) {
    const input = el('input', { name: 'q', value: query || '', placeholder: 'user id, customer id (cus_…) or email',
      'data-testid': 'user-search', required: true, size: 40 });
    const form = el('form', { class: 'filters' }, input, el('button', { type: 'submit', text: 'Look up' }));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      location.hash = '#/users/' + encodeURIComponent(input.value.trim());
    });
    return form;
  }

  function accessBlock(access) {
    if (!access) return el('p', { class: 'muted', text: 'No access decision.' });
    const granted = pick(access, 'access', 'granted');
    return keyValues([
      ['Access', el('span', { class: 'badge badge-' + (granted ? 'processed' : 'failed'), 'data-testid': 'user-access', text: granted ? 'granted' : 'denied' })],
      ['Reason', el('span', { 'data-testid': 'user-reason', text: pick(access, 'reason') || '—' })],
      ['Plan', pick(access, 'plan')], ['Status', pick(access, 'status')],
      ['Grace until', fmtTime(pick(access, 'grace_until'))], ['Features', pick(access, 'features')],
      ['Limits', pick(access, 'limits')], ['As of', fmtTime(pick(access, 'as_of'))],
    ], 'user-access-block');
  }

  const subscriptionColumns = [
    { label: 'Id', get: (s) => s.id }, { label: 'Status', get: (s) => badge(s.status) },
    { label: 'Prices', get: (s) => (s.items || []).map((i) => i.price).join(', ') },
    { label: 'Period end', get: (s) => fmtTime(pick(s, 'items.0.current_period_end')) },
    { label: 'Cancel at period end', get: (s) => pick(s, 'cancel_at_period_end') },
  ];
  const invoiceColumns = [
    { label: 'Id', get: (i) => i.id }, { label: 'Status', get: (i) => badge(i.status) },
    { label: 'Due', get: (i) => i.amount_due }, { label: 'Paid', get: (i) => i.amount_paid },
    { label: 'Currency', get: (i) => i.currency }, { label: 'Created', get: (i) => fmtTime(i.created) },
  ];
  const customerColumns = [
    { label: 'Id', get: (c) => c.id }, { label: 'Email', get: (c) => c.email },
    { label: 'Name', get: (c) => c.name }, { label: 'Deleted', get: (c) => fmtTime(c.deleted_at) },
  ];
  const purchaseColumns = [
    { label: 'Id', get: (p) => p.id }, { label: 'Plan', get: (p) => p.plan },
    { label: 'Amount', get: (p) => p.amount }, { label: 'Currency', get: (p) => p.currency },
    { label: 'Created', get: (p) => fmtTime(p.created) },
  ];
  const eventColumns = [
    { label: 'Id', get: (e) => el('a', { href: '#/events/' + encodeURIComponent(e.id), text: e.id }) },
    { label: 'Type', get: (e) => e.type }, { label: 'Status', get: (e) => badge(e.status) },
    { label: 'Created', get: (e) => fmtTime(pick(e, 'created', 'received_at')) },
  ];

  function section(title, content) {
    return [el('h2', { text: title }), content];
  }

  function renderUser(box, u) {
    const list = (name) => listData(pick(u, name));
    box.replaceChildren(
      keyValues([['User id', el('span', { 'data-testid': 'user-id', text: u.user_id })], ['Matched by', u.matched_by]]),
      ...section('Access', accessBlock(u.access)),
      ...section('Customers', table(list('customers'), customerColumns, { testid: 'user-customers', empty: 'None.' })),
      ...section('Subscriptions', table(list('subscriptions'), subscriptionColumns, { testid: 'user-subscriptions', empty: 'None.' })),
      ...section('Invoices', table(list('invoices'), invoiceColumns, { testid: 'user-invoices', empty: 'None.' })),
      ...section('Purchases', table(list('purchases'), purchaseColumns, { testid: 'user-purchases', empty: 'None.' })),
      ...section('Events', table(listData(pick(u, 'recent_events', 'events')), eventColumns, { testid: 'user-events', empty: 'None.' })));
  }

  async function render(main, query) {
    const box = el('div', { 'data-testid': 'user-page' });
    main.replaceChildren(el('h1', { text: query ? 'User ' + query : 'Users' }), searchForm(query), box);
    if (!query) return;
    box.append(el('p', { class: 'muted', text: 'Loading…' }));
    try {
      const u = await SH.api.get('/admin/users/' + encodeURIComponent(query));
      renderUser(box, u);
    } catch (e) {
      box.replaceChildren(errorBox(e));
    }
  }

  SH.views = SH.views || {};
  SH.views.users = { render };
})();
