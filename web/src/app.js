'use strict';
// Sign-in and hash routing: #/overview, #/events[?filters], #/events/{id}, #/users[/{query}].
(function () {
  const SH = (window.SH = window.SH || {});
  const $ = (id) => document.getElementById(id);
  let timers = [];

  // Periodic work of the current view; cleared when the view changes.
  function every(ms, fn) {
    timers.push(setInterval(fn, ms));
  }

  function clearTimers() {
    timers.forEach(clearInterval);
    timers = [];
  }

  function showSignIn(message) {
    clearTimers();
    $('nav').hidden = true;
    $('main').hidden = true;
    $('sign-in').hidden = false;
    $('sign-in-error').textContent = message || '';
    $('admin-key').focus();
  }

  async function route() {
    clearTimers();
    if (!SH.api.key()) return showSignIn();
    $('sign-in').hidden = true;
    $('nav').hidden = false;
    const main = $('main');
    main.hidden = false;
    const hash = location.hash.replace(/^#\/?/, '') || 'overview';
    const [path, query] = hash.split('?');
    const parts = path.split('/').map(decodeURIComponent);
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === parts[0]);
    if (parts[0] === 'events' && parts[1]) return SH.views.events.renderDetail(main, parts[1]);
    if (parts[0] === 'events') return SH.views.events.renderList(main, new URLSearchParams(query || ''));
    if (parts[0] === 'users') return SH.views.users.render(main, parts[1] || '');
    return SH.views.overview.render(main);
  }

  async function signIn(ev) {
    ev.preventDefault();
    const key = $('admin-key').value;
    try {
      await SH.api.check(key);
    } catch (e) {
      $('sign-in-error').textContent = e.status === 401 ? 'That admin key was refused.' : e.message;
      return;
    }
    SH.api.setKey(key);
    $('admin-key').value = '';
    route();
  }

  SH.app = { every, showSignIn };
  SH.onUnauthorized = () => {
    SH.api.clearKey();
    showSignIn('The admin key was refused; sign in again.');
  };

  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => {
    SH.api.clearKey();
    showSignIn();
  });
  window.addEventListener('hashchange', route);
  route();
})();
