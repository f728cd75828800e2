import { strict as assert } from 'node:assert';

/**
 * The flow every consumer app must pass against the sandbox, over real HTTP: log in, call
 * Candescent through a guarded route, log out, and be refused afterwards.
 */
export async function runScenario(appUrl: string, customer: { username: string; password: string }): Promise<string[]> {
  const steps: string[] = [];
  const sessionToken = await logIn(appUrl, customer);
  steps.push('login');

  const auth = { authorization: `Bearer ${sessionToken}` };
  const accounts = await fetch(`${appUrl}/accounts`, { headers: auth });
  assert.equal(accounts.status, 200, `GET /accounts answered ${accounts.status}: ${await accounts.clone().text()}`);
  const body = (await accounts.json()) as { loginId: string; accounts: unknown[] };
  assert.equal(body.loginId, customer.username);
  assert.ok(Array.isArray(body.accounts) && body.accounts.length > 0, 'the upstream accounts list is empty');
  steps.push('outgoing call (customer token)');

  const institution = await fetch(`${appUrl}/institution/accounts?loginId=${encodeURIComponent(customer.username)}`);
  assert.equal(institution.status, 200, `GET /institution/accounts answered ${institution.status}`);
  steps.push('outgoing call (institution token)');

  const logout = await fetch(`${appUrl}/auth/logout`, { method: 'POST', headers: auth });
  assert.equal(logout.status, 204, `logout answered ${logout.status}`);
  const after = await fetch(`${appUrl}/accounts`, { headers: auth });
  assert.equal(after.status, 401, `GET /accounts after logout answered ${after.status}`);
  steps.push('logout (then 401)');
  return steps;
}

/** Logs the customer in through the app's login route; returns the session token. */
export async function logIn(appUrl: string, customer: { username: string; password: string }): Promise<string> {
  const login = await fetch(`${appUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(customer),
  });
  assert.equal(login.status, 200, `login answered ${login.status}: ${await login.clone().text()}`);
  const { sessionToken } = (await login.json()) as { sessionToken: string };
  assert.match(sessionToken, /^[A-Za-z0-9_-]{43,}$/);
  return sessionToken;
}
