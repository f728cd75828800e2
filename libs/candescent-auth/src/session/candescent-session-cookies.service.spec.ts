import { CandescentForbiddenError } from '../errors/candescent-auth.error';
import { validateOptions } from '../options/validate-options';
import { CandescentClock } from '../token/candescent-clock';
import { type CandescentLoginRequest, CandescentSessionCookies } from './candescent-session-cookies.service';
import { newSessionHandle } from './session-handle';
import type { CandescentLoginResult } from './stored-session.interface';

const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);
const clock = new (class extends CandescentClock {
  override now(): number {
    return NOW;
  }
})();
const base = { baseUrl: 'https://api.candescent.com', consumerKey: 'key', consumerSecret: 'secret', fiId: '00042' };

/** A response that records the cookies set, shaped like Express's. */
function response(): { cookies: string[]; append(name: string, value: string): void } {
  const cookies: string[] = [];
  return { cookies, append: (_name, value) => cookies.push(value) };
}

function result(handle: string): CandescentLoginResult {
  return {
    sessionToken: handle,
    expiresAt: NOW + 900_000,
    absoluteExpiresAt: NOW + 3_600_500,
    csrfToken: 'csrf-token-0123456789',
    customer: { fiId: '00042', loginId: 'alice' },
  };
}

describe('CandescentSessionCookies', () => {
  const cookieMode = new CandescentSessionCookies(
    validateOptions({ ...base, session: { transport: 'cookie', cookieName: 'sid', cookieSameSite: 'lax' } }),
    clock,
  );
  const bearerMode = new CandescentSessionCookies(validateOptions(base), clock);

  it('sets the configured cookie for whole seconds up to the absolute expiry, and answers without the handle', () => {
    const res = response();
    const handle = newSessionHandle();
    const body = cookieMode.loginResponse(res, result(handle));
    expect(res.cookies).toEqual([
      `sid=${handle}; Path=/; Max-Age=3600; Expires=${new Date(NOW + 3_600_000).toUTCString()}; HttpOnly; Secure; SameSite=Lax`,
    ]);
    expect(body).toEqual({
      csrfToken: 'csrf-token-0123456789',
      expiresAt: new Date(NOW + 900_000).toISOString(),
      customer: { fiId: '00042', loginId: 'alice' },
    });
    expect(JSON.stringify(body)).not.toContain(handle);
  });

  it('in bearer mode sets and clears nothing, and answers with the handle', () => {
    const res = response();
    const handle = newSessionHandle();
    expect(bearerMode.loginResponse(res, result(handle))).toEqual({
      sessionToken: handle,
      expiresAt: new Date(NOW + 900_000).toISOString(),
      customer: { fiId: '00042', loginId: 'alice' },
    });
    bearerMode.clear(res);
    expect(res.cookies).toEqual([]);
  });

  it('collects the session tokens the request presents in the configured transport', () => {
    const [mine, other] = [newSessionHandle(), newSessionHandle()];
    const trace = '6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b';
    const cookies = {
      headers: {
        cookie: `theme=dark; sid=${mine}; sid=not-a-handle`,
        authorization: `Bearer ${other}`,
        'x-request-id': trace,
      },
    };
    expect(cookieMode.loginContext(cookies, { originatingIp: '203.0.113.9' })).toEqual({
      originatingIp: '203.0.113.9',
      presentedSessionTokens: [mine],
      traceId: trace,
    });
    expect(bearerMode.loginContext(cookies).presentedSessionTokens).toEqual([other]);
  });

  it("asks the app's loginInstitution when the login names no institution itself", () => {
    const seen: unknown[] = [];
    const resolving = new CandescentSessionCookies(
      validateOptions({
        ...base,
        loginInstitution: (request: CandescentLoginRequest) => {
          seen.push(request.body);
          const header = request.headers['x-institution'];
          return typeof header === 'string' ? header : undefined;
        },
      }),
      clock,
    );
    const request = { headers: { 'x-institution': 'south' }, body: { username: 'alice' } };
    expect(resolving.loginContext(request).institution).toBe('south');
    expect(resolving.loginContext(request, { institution: 'north' }).institution).toBe('north');
    expect(resolving.loginContext({ headers: {} })).not.toHaveProperty('institution');
    expect(seen).toEqual([{ username: 'alice' }, undefined]);
    expect(() => validateOptions({ ...base, loginInstitution: 'south' })).toThrow(
      /loginInstitution: expected a function/,
    );
  });

  it('refuses a cross-site login in cookie mode only', () => {
    const crossSite = { headers: { 'sec-fetch-site': 'cross-site' } };
    expect(() => cookieMode.loginContext(crossSite)).toThrow(CandescentForbiddenError);
    expect(() => cookieMode.loginContext({ headers: { 'sec-fetch-site': 'same-origin' } })).not.toThrow();
    expect(bearerMode.loginContext(crossSite)).toMatchObject({ presentedSessionTokens: [] });
  });
});
