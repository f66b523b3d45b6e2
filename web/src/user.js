'use strict';
// A user's page: search by user id, customer id or email; access and its reason, subscriptions,
// invoices, purchases and the user's events.
(function () {
  const SH = (window.SH = window.SH || {});
  const { el, pick, fmtTime, badge, table, keyValues, json, errorBox, listData } = SH.ui;

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
    { label: 'Plan', get: (s) => pick(s, 'plan', 'price_ids', 'items') },
    { label: 'Period end', get: (s) => fmtTime(pick(s, 'current_period_end')) },
    { label: 'Cancel at period end', get: (s) => pick(s, 'cancel_at_period_end') },
  ];
  const invoiceColumns = [
    { label: 'Id', get: (i) => i.id }, { label: 'Status', get: (i) => badge(i.status) },
    { label: 'Amount', get: (i) => pick(i, 'amount_paid', 'amount_due', 'total') },
    { label: 'Currency', get: (i) => i.currency }, { label: 'Created', get: (i) => fmtTime(pick(i, 'created', 'snapshot.created')) },
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
    box.replaceChildren(
      ...section('Access', accessBlock(pick(u, 'access', 'decision'))),
      ...section('Customer', pick(u, 'customer') ? json(u.customer, 'user-customer') : el('p', { class: 'muted', text: 'No customer.' })),
      ...section('Subscriptions', table(listData(pick(u, 'subscriptions')), subscriptionColumns, { testid: 'user-subscriptions', empty: 'None.' })),
      ...section('Invoices', table(listData(pick(u, 'invoices')), invoiceColumns, { testid: 'user-invoices', empty: 'None.' })),
      ...section('Purchases', table(listData(pick(u, 'purchases')), [
        { label: 'Id', get: (p) => pick(p, 'id', 'key') }, { label: 'Product', get: (p) => pick(p, 'product', 'product_id') },
        { label: 'Status', get: (p) => pick(p, 'status') }], { testid: 'user-purchases', empty: 'None.' })),
      ...section('Events', table(listData(pick(u, 'events', 'recent_events')), eventColumns, { testid: 'user-events', empty: 'None.' })));
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
