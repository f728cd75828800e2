// The demo page's only script (the Content-Security-Policy allows no inline script). Plain
// browser JavaScript, no build step. The session lives in an HttpOnly cookie this script cannot
// read; the CSRF token from the login answer is kept in sessionStorage and sent on every POST.
(function () {
  'use strict';

  var CSRF_KEY = 'candescent-demo-csrf';
  var byId = function (id) {
    return document.getElementById(id);
  };

  /** Calls the sample's API; answers { status, ok, data } and never throws on an HTTP error. */
  async function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    var csrf = sessionStorage.getItem(CSRF_KEY);
    if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
    var response;
    try {
      response = await fetch(path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (error) {
      return { status: 0, ok: false, data: { message: 'The server could not be reached: ' + error.message } };
    }
    var text = await response.text();
    var data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { message: text };
    }
    return { status: response.status, ok: response.ok, data: data };
  }

  function say(text) {
    byId('notice').textContent = text;
  }

  function clearError() {
    byId('error').hidden = true;
  }

  /** Shows an error answer with its status, errorCode and trace id (the module's stable body). */
  function showError(result) {
    var data = result.data || {};
    byId('error-status').textContent = result.status === 0 ? 'no answer' : String(result.status);
    byId('error-code').textContent = data.errorCode || '(none)';
    byId('error-trace').textContent = data.traceId || '(none)';
    byId('error-message').textContent = Array.isArray(data.message)
      ? data.message.join('; ')
      : String(data.message || '');
    byId('error').hidden = false;
    byId('error').querySelector('h2').focus();
  }

  function show(state) {
    document.body.dataset.state = state;
    byId('login').hidden = state !== 'login';
    byId('session').hidden = state !== 'session';
  }

  function showLogin(message) {
    sessionStorage.removeItem(CSRF_KEY);
    byId('accounts').querySelector('tbody').replaceChildren();
    show('login');
    say(message || '');
    byId('password').value = '';
    byId('username').focus();
  }

  /** A guarded call answered 401: the session is over (expired, revoked, unknown). */
  function sessionEnded(result) {
    var code = (result.data && result.data.errorCode) || 'SESSION_MISSING';
    showLogin(code === 'SESSION_MISSING' ? '' : 'Your session ended (' + code + '). Please log in again.');
    if (code !== 'SESSION_MISSING') showError(result);
  }

  function cell(text, className) {
    var td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function showOptional(id, value) {
    byId(id).textContent = value || '';
    byId(id + '-row').hidden = !value;
  }

  async function loadProfile() {
    var result = await api('GET', '/me');
    if (result.status === 401) {
      sessionEnded(result);
      return false;
    }
    if (!result.ok) {
      showError(result);
      return false;
    }
    byId('profile-institution').textContent = result.data.institution + ' (FI ' + result.data.fiId + ')';
    byId('profile-login').textContent = result.data.loginId;
    byId('profile-fi').textContent = result.data.fiId;
    // Only a V1 login names these; without one the rows are left out rather than filled with a placeholder.
    showOptional('profile-customer', result.data.fiCustomerId);
    showOptional('profile-member', result.data.memberNumber);
    show('session');
    return true;
  }

  async function loadAccounts() {
    var result = await api('GET', '/accounts');
    if (result.status === 401) return sessionEnded(result);
    if (!result.ok) return showError(result);
    var list = (result.data.accounts && result.data.accounts.accounts) || [];
    var rows = list.map(function (account) {
      var row = document.createElement('tr');
      row.append(
        cell(account.name + ' (' + account.id + ')'),
        cell(account.type),
        cell(account.balance + ' ' + account.currency, 'amount'),
      );
      return row;
    });
    var body = byId('accounts').querySelector('tbody');
    body.replaceChildren.apply(body, rows);
    say('Accounts loaded through the ' + result.data.service.toUpperCase() + ' service with your own token.');
  }

  async function onLogin(event) {
    event.preventDefault();
    clearError();
    var button = event.submitter || byId('login-form').querySelector('button');
    button.disabled = true;
    try {
      var credentials = { username: byId('username').value, password: byId('password').value };
      var institution = chosenInstitution();
      if (institution) credentials.institution = institution;
      var result = await api('POST', '/auth/login', credentials);
      byId('password').value = '';
      if (!result.ok) return showError(result);
      if (result.data.sessionToken) {
        // Bearer transport: this page will not keep a session token in script-readable memory.
        await fetch('/auth/logout', {
          method: 'POST',
          headers: { Authorization: 'Bearer ' + result.data.sessionToken },
        });
        return showError({
          status: 200,
          data: {
            errorCode: 'BEARER_TRANSPORT',
            message:
              'The server runs the bearer transport; this page needs the cookie transport. Restart it with SESSION_TRANSPORT=cookie (npm start does this by default).',
          },
        });
      }
      sessionStorage.setItem(CSRF_KEY, result.data.csrfToken);
      if (await loadProfile()) {
        byId('session-title').focus();
        await loadAccounts();
      }
    } finally {
      button.disabled = false;
    }
  }

  async function onLogout() {
    clearError();
    var result = await api('POST', '/auth/logout');
    if (result.status === 204) return showLogin('You are logged out.');
    if (result.status === 401) return sessionEnded(result);
    showError(result);
  }

  async function onInstitution() {
    clearError();
    var institution = chosenInstitution();
    var result = await api(
      'GET',
      '/institution/status' + (institution ? '?institution=' + encodeURIComponent(institution) : ''),
    );
    if (!result.ok) {
      byId('institution-result').textContent = '';
      return showError(result);
    }
    byId('institution-result').textContent =
      'Held: ' +
      (result.data.held ? 'yes' : 'no') +
      ', ' +
      result.data.service.toUpperCase() +
      ' token of ' +
      result.data.institution +
      ', valid until ' +
      new Date(result.data.expiresAt).toLocaleString() +
      '.';
  }

  /** The institution picked at login; none while the app serves just one (the picker stays hidden). */
  function chosenInstitution() {
    return byId('institution-choice').hidden ? '' : byId('institution-select').value;
  }

  /** Fills the institution picker from GET /institutions; shown only when there is a choice. */
  async function loadInstitutions() {
    var result = await api('GET', '/institutions');
    if (!result.ok || !result.data || !Array.isArray(result.data.institutions)) return;
    var options = result.data.institutions.map(function (institution) {
      var option = document.createElement('option');
      option.value = institution.id;
      option.textContent = institution.id + ' (FI ' + institution.fiId + ')';
      option.selected = institution.id === result.data.defaultInstitution;
      return option;
    });
    var select = byId('institution-select');
    select.replaceChildren.apply(select, options);
    byId('institution-choice').hidden = options.length < 2;
  }

  async function start() {
    byId('login-form').addEventListener('submit', onLogin);
    byId('logout').addEventListener('click', onLogout);
    byId('refresh').addEventListener('click', function () {
      clearError();
      loadAccounts();
    });
    byId('institution').addEventListener('click', onInstitution);
    await loadInstitutions();
    // A reload keeps the session: the cookie goes along by itself. Without a CSRF token this tab
    // has not logged in, so there is no session to look for (and no 401 to log for it).
    if (!sessionStorage.getItem(CSRF_KEY)) return showLogin();
    if (await loadProfile()) await loadAccounts();
  }

  start();
})();
