import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import {
  type ErrorBody,
  type LoginBody,
  rawRequest,
  type Reply,
  type RunningSample,
  SESSION_HANDLE,
  startSample,
} from '../support/app-testing';

/**
 * The cookie transport (SESSION_TRANSPORT=cookie): the handle travels only in an HttpOnly,
 * Secure, SameSite=Strict cookie, and state-changing requests must also carry the session's CSRF
 * token in a header and must not come from another site.
 */

const [alice, bob] = DEMO_CUSTOMERS;
const COOKIE = '__Host-candescent_session';

interface CookieSession {
  /** `__Host-candescent_session=<handle>`, ready for a Cookie header. */
  cookie: string;
  handle: string;
  csrfToken: string;
  setCookie: string;
}

describe('cookie sessions and CSRF', () => {
  let sample: RunningSample;

  beforeAll(async () => {
    sample = await startSample({ SESSION_TRANSPORT: 'cookie', LOGIN_RATE_LIMIT: '100' });
  });

  afterAll(async () => {
    await sample.close();
  });

  async function open(customer: { username: string; password: string }): Promise<CookieSession> {
    const reply = await sample.client.login(customer.username, customer.password);
    expect(reply.status).toBe(200);
    const setCookies = reply.headers.getSetCookie();
    expect(setCookies).toHaveLength(1);
    const setCookie = setCookies[0] ?? '';
    const cookie = setCookie.split(';')[0] ?? '';
    const body = reply.json<LoginBody>();
    return { cookie, handle: cookie.slice(COOKIE.length + 1), csrfToken: body.csrfToken ?? '', setCookie };
  }

  const me = (cookie: string): Promise<Reply> => sample.client.call('/me', { headers: { cookie } });
  const logout = (cookie: string, headers: Record<string, string> = {}): Promise<Reply> =>
    sample.client.call('/auth/logout', { method: 'POST', headers: { cookie, ...headers } });

  function expectForbidden(reply: Reply): void {
    expect(reply.status).toBe(403);
    const body = reply.json<ErrorBody>();
    expect(body.errorCode).toBe('CSRF_REJECTED');
    expect(body.message).toMatch(/x-csrf-token/);
  }

  it('sets the handle as an HttpOnly, Secure, SameSite=Strict cookie and keeps it out of the body', async () => {
    const reply = await sample.client.login(alice.username, alice.password);
    expect(reply.status).toBe(200);
    const [setCookie = ''] = reply.headers.getSetCookie();
    const [pair = '', ...attributes] = setCookie.split(';').map((part) => part.trim());
    const handle = pair.slice(COOKIE.length + 1);
    expect(pair.startsWith(`${COOKIE}=`)).toBe(true);
    expect(handle).toMatch(SESSION_HANDLE);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']));
    const body = reply.json<LoginBody>();
    // A handle in the body would be readable by page scripts, which is what HttpOnly prevents.
    expect(body.sessionToken).toBeUndefined();
    expect(reply.text).not.toContain(handle);
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(body.customer.loginId).toBe('alice');
  });

  it('admits GET /me and /accounts with the cookie alone (safe methods need no CSRF token)', async () => {
    const session = await open(alice);
    const reply = await me(session.cookie);
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ loginId: 'alice' });
    expect((await sample.client.call('/accounts', { headers: { cookie: session.cookie } })).status).toBe(200);
  });

  it('refuses logout without the CSRF header (403 CSRF_REJECTED) and the session keeps working', async () => {
    const session = await open(alice);
    expectForbidden(await logout(session.cookie));
    expectForbidden(await logout(session.cookie, { 'x-csrf-token': '' }));
    expectForbidden(await logout(session.cookie, { 'x-csrf-token': 'not-the-token' }));
    expectForbidden(await logout(session.cookie, { 'x-csrf-token': `${session.csrfToken}x` }));
    expectForbidden(await logout(session.cookie, { 'x-csrf-token': session.csrfToken.repeat(20) }));
    expect((await me(session.cookie)).status).toBe(200);
  });

  it('binds the CSRF token to its session: another session token does not pass', async () => {
    const mine = await open(alice);
    const theirs = await open(bob);
    expectForbidden(await logout(mine.cookie, { 'x-csrf-token': theirs.csrfToken }));
    expect((await me(mine.cookie)).status).toBe(200);
    expect((await me(theirs.cookie)).status).toBe(200);
  });

  it('refuses a cross-site request even with the right CSRF token', async () => {
    const session = await open(alice);
    expectForbidden(
      await logout(session.cookie, { 'x-csrf-token': session.csrfToken, 'sec-fetch-site': 'cross-site' }),
    );
    expect((await me(session.cookie)).status).toBe(200);
  });

  it('logs out with the right CSRF header (204), clears the cookie and ends the session', async () => {
    const session = await open(alice);
    const reply = await logout(session.cookie, { 'x-csrf-token': session.csrfToken, 'sec-fetch-site': 'same-origin' });
    expect(reply.status).toBe(204);
    const [cleared = ''] = reply.headers.getSetCookie();
    expect(cleared).toMatch(new RegExp(`^${COOKIE}=;`));
    expect(cleared).toMatch(/Max-Age=0/);
    const after = await me(session.cookie);
    expect(after.status).toBe(401);
    expect(after.json<ErrorBody>().errorCode).toBe('SESSION_REVOKED');
  });

  it('finds the session cookie among many unrelated cookies', async () => {
    const session = await open(bob);
    const others = Array.from({ length: 100 }, (_, i) => `pref${i}=v${i}`);
    const cookie = [...others.slice(0, 50), session.cookie, ...others.slice(50)].join('; ');
    const reply = await me(cookie);
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ loginId: 'bob' });
  });

  describe('malformed cookies get 401, never 500', () => {
    const cases: Array<[string, string, string]> = [
      ['no session cookie', 'theme=dark; lang=en', 'SESSION_MISSING'],
      ['an empty value', `${COOKIE}=`, 'SESSION_MISSING'],
      ['garbage', `${COOKIE}=%%%;;;===`, 'SESSION_INVALID'],
      ['a handle-shaped value nobody issued', `${COOKIE}=cds_${'A'.repeat(43)}`, 'SESSION_INVALID'],
      ['a quoted garbage value', `${COOKIE}="<script>alert(1)</script>"`, 'SESSION_INVALID'],
      ['a huge value (10 KB)', `${COOKIE}=${'a'.repeat(10_000)}`, 'SESSION_INVALID'],
      ['many cookies (500)', Array.from({ length: 500 }, (_, i) => `c${i}=${i}`).join('; '), 'SESSION_MISSING'],
      ['separators only', ';;;;=;=;', 'SESSION_MISSING'],
      ['the name without a value', COOKIE, 'SESSION_MISSING'],
    ];

    it.each(cases)('%s', async (_label, cookie, errorCode) => {
      const reply = await me(cookie);
      expect(reply.status).toBe(401);
      expect(reply.json<ErrorBody>().errorCode).toBe(errorCode);
    });

    it('a cookie with raw non-ASCII bytes', async () => {
      const reply = await rawRequest(`${sample.url}/me`, { headers: { cookie: `${COOKIE}=caf\u00e9\u00ff\u0080` } });
      expect(reply.status).toBe(401);
      expect((JSON.parse(reply.body) as ErrorBody).errorCode).toBe('SESSION_INVALID');
    });

    it('a cookie header beyond the server header limit is refused by the HTTP layer, not by a crash', async () => {
      const reply = await me(`${COOKIE}=${'a'.repeat(20_000)}`);
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
    });

    it('a malformed cookie on logout is 401, not a CSRF or server error', async () => {
      const reply = await logout(`${COOKIE}=garbage`, { 'x-csrf-token': 'whatever' });
      expect(reply.status).toBe(401);
      expect(reply.json<ErrorBody>().errorCode).toBe('SESSION_INVALID');
    });

    it('leaves the app answering and real sessions working', async () => {
      const session = await open(alice);
      expect((await me(session.cookie)).status).toBe(200);
      expect((await sample.client.call('/health')).status).toBe(200);
    });
  });
});
