import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type ErrorBody, type RunningSample, startSample } from '../support/app-testing';
import { sleep } from '../support/wait';

const [alice] = DEMO_CUSTOMERS;
const PAGE_DIR = join(__dirname, '..', '..', 'apps', 'sample', 'public');

describe('the demo page and its headers (cookie transport)', () => {
  let sample: RunningSample;

  beforeAll(async () => {
    sample = await startSample({ SESSION_TRANSPORT: 'cookie' });
  });
  afterAll(() => sample.close());

  /** Logs in and returns the Cookie header value and the CSRF token. */
  async function login(): Promise<{ cookie: string; csrf: string }> {
    const reply = await sample.client.login(alice.username, alice.password);
    expect(reply.status).toBe(200);
    const cookie = (reply.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^__Host-candescent_session=cds_/);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    return { cookie, csrf: reply.json<{ csrfToken: string }>().csrfToken };
  }

  it('serves the page at / with a strict CSP, nosniff and a referrer policy', async () => {
    const reply = await sample.client.get('/');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = reply.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
    expect(reply.text).toContain('<script src="/demo.js" defer></script>');
  });

  it('serves the icon the page links, so a browser asks for no missing favicon', async () => {
    const html = (await sample.client.get('/')).text;
    const icon = /<link rel="icon" href="([^"]+)"/.exec(html)?.[1];
    expect(icon).toBe('/favicon.svg');
    const reply = await sample.client.get(icon ?? '/favicon.ico');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(reply.headers.get('cache-control')).toBe('no-cache');
  });

  it('has no inline script or inline event handler, so the CSP needs no exception', () => {
    const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(readFileSync(join(PAGE_DIR, 'demo.js'), 'utf8')).not.toMatch(/innerHTML|eval\(|new Function/);
  });

  it('serves the script as JavaScript and every label names a field', async () => {
    const script = await sample.client.get('/demo.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const html = (await sample.client.get('/')).text;
    const inputs = [...html.matchAll(/<input\s+id="([^"]+)"/g)].map((m) => m[1]);
    expect(inputs).toEqual(['username', 'password']);
    for (const id of inputs) expect(html).toContain(`<label for="${id}">`);
  });

  it('answers authenticated requests with Cache-Control: no-store', async () => {
    const { cookie } = await login();
    const me = await sample.client.get('/me', undefined, { cookie });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    const accounts = await sample.client.get('/accounts', undefined, { cookie });
    expect(accounts.status).toBe(200);
    expect(accounts.headers.get('cache-control')).toBe('no-store');
  });

  it("reports the request's trace id when a session expires during renewal", async () => {
    sample.sandbox.configure({ accessTokenTtlSeconds: 1, refreshTokenTtlSeconds: 1 });
    try {
      const { cookie } = await login();
      await sleep(1_200);
      const traceId = '7d444840-9dc0-41e9-8a2c-2f2b7c3e0c11';
      const reply = await sample.client.get('/me', undefined, { cookie, 'x-request-id': traceId });
      expect(reply.status).toBe(401);
      expect(reply.json<ErrorBody>()).toMatchObject({ errorCode: 'SESSION_EXPIRED', traceId });
    } finally {
      sample.sandbox.configure({ accessTokenTtlSeconds: 1799, refreshTokenTtlSeconds: 2591999 });
    }
  });
});
