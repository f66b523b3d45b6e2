'use strict';
// The admin API client. Every call sends the admin key the operator signed in with; the key lives
// in sessionStorage only (gone when the tab closes, never in a URL or a cookie).
(function () {
  const SH = (window.SH = window.SH || {});
  const KEY = 'stripehook.adminKey';

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message || code || 'HTTP ' + status);
      this.status = status;
      this.code = code || '';
    }
  }

  async function request(method, path, { key, allowStatus } = {}) {
    const adminKey = key !== undefined ? key : sessionStorage.getItem(KEY) || '';
    let response;
    try {
      response = await fetch(path, {
        method,
        cache: 'no-store',
        headers: { Authorization: 'Bearer ' + adminKey, Accept: 'application/json' },
      });
    } catch (e) {
      throw new ApiError(0, 'network', 'stripehook is not reachable: ' + e.message);
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = { raw: text };
    }
    const allowed = allowStatus && allowStatus.includes(response.status);
    if (!response.ok && !allowed) {
      const err = (data && data.error) || {};
      if (response.status === 401 && key === undefined && SH.onUnauthorized) SH.onUnauthorized();
      throw new ApiError(response.status, err.code, err.message || text.slice(0, 200));
    }
    return data;
  }

  SH.ApiError = ApiError;
  SH.api = {
    key: () => sessionStorage.getItem(KEY) || '',
    setKey: (k) => sessionStorage.setItem(KEY, k),
    clearKey: () => sessionStorage.removeItem(KEY),
    get: (path, options) => request('GET', path, options),
    post: (path, options) => request('POST', path, options),
    // Checks a key without storing it: any admin endpoint answers 401 to a wrong one.
    check: (key) => request('GET', '/admin/events?limit=1', { key }),
  };
})();
