import type { CandescentAuthModuleOptions, CandescentTokenService } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS, type RecordedRequest } from '@candescent/sandbox';
import { FakeClock } from '../support/clock';
import { createTokenModule, type OpenedModule } from '../support/module';
import { basicAuth, CANONICAL_UUID, startSandbox } from '../support/sandbox';

/**
 * What the module puts on the wire for every grant of both token services, read back from the
 * sandbox's recording of the real HTTP requests.
 */

const alice = DEMO_CUSTOMERS[0];
const FORM = 'application/x-www-form-urlencoded';
// Headers the HTTP stack adds on its own; everything else on a token request is the module's choice.
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'content-length', 'accept-encoding']);
const SCOPES = ['accounts:read', 'transactions:read'];
// Characters that break a hand-built form body: the password must survive urlencoding intact.
const AWKWARD_PASSWORD = 'P@ss w0rd&=+%;ü"';

describe('token requests on the wire', () => {
  let sandbox: CandescentSandbox;
  const clock = new FakeClock();
  const modules: OpenedModule[] = [];
  let expectedBasic: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    expectedBasic = basicAuth(sandbox.credentials.consumerKey, sandbox.credentials.consumerSecret);
    sandbox.addCustomer({ username: 'awkward', password: AWKWARD_PASSWORD });
  });

  afterAll(async () => {
    await Promise.all(modules.map((m) => m.close()));
    await sandbox.stop();
  });

  async function open(overrides: Partial<CandescentAuthModuleOptions>): Promise<CandescentTokenService> {
    const created = await createTokenModule(sandbox, overrides, { clock });
    modules.push(created);
    return created.tokens;
  }

  /** The requests `action` caused, in order. */
  async function sent(action: () => Promise<unknown>): Promise<RecordedRequest[]> {
    const before = sandbox.requests().length;
    await action();
    return sandbox.requests().slice(before);
  }

  async function sentOne(action: () => Promise<unknown>): Promise<RecordedRequest> {
    const requests = await sent(action);
    expect(requests).toHaveLength(1);
    return requests[0];
  }

  // The recording types headers as always present; absence is exactly what several checks are about.
  const header = (request: RecordedRequest, name: string): string | undefined =>
    Object.hasOwn(request.headers, name) ? request.headers[name] : undefined;

  /** Header names the module chose (transport headers left out), sorted. */
  const ownHeaderNames = (request: RecordedRequest): string[] =>
    Object.keys(request.headers)
      .filter((name) => !TRANSPORT_HEADERS.has(name))
      .sort();

  function expectV1Headers(request: RecordedRequest, userAgent: string): void {
    expect(request.route).toBe('v1-token');
    expect(request.method).toBe('POST');
    expect(request.headers.authorization).toBe(expectedBasic);
    expect(request.headers.di_tid).toMatch(CANONICAL_UUID);
    expect(request.headers.di_fiid).toBe('00042');
    expect(request.headers['content-type']).toBe(FORM);
    expect(request.headers['user-agent']).toBe(userAgent);
    // V1 answers XML by default; whatever else the module accepts, XML must be acceptable.
    expect(header(request, 'accept') ?? 'application/xml').toContain('application/xml');
    expect(request.headers.transactionid).toBeUndefined();
    expect(request.headers.institutionid).toBeUndefined();
    expect(request.status).toBe(200);
  }

  function expectV2Headers(request: RecordedRequest, route: 'v2-token' | 'v2-revoke'): void {
    expect(request.route).toBe(route);
    expect(request.headers.authorization).toBe(expectedBasic);
    expect(request.headers.transactionid).toMatch(CANONICAL_UUID);
    expect(request.headers['content-type']).toBe(FORM);
    expect(request.headers.accept).toBe('application/json');
    // V1-only headers have no business on V2.
    for (const name of ['di_tid', 'di_fiid', 'offering_id', 'originating_ip'])
      expect(request.headers[name]).toBeUndefined();
  }

  describe('V1 /v1/oauth/token', () => {
    const fullOptions: Partial<CandescentAuthModuleOptions> = {
      tokenServices: ['v1'],
      appName: 'iPhone',
      appVersion: '1.0',
      deviceId: 'abc12345',
      offeringId: 'digital-banking-web',
    };

    it('client_credentials: Basic auth, fresh di_tid, zero-padded di_fiid, user-agent, offering_id, form body', async () => {
      const tokens = await open(fullOptions);
      const request = await sentOne(() => tokens.getInstitutionToken());
      expectV1Headers(request, 'iPhone/1.0/abc12345');
      expect(request.headers.offering_id).toBe('digital-banking-web');
      expect(request.headers.originating_ip).toBeUndefined();
      // Accept is undocumented for V1 (checked above when present); every other name is fixed.
      expect(ownHeaderNames(request).filter((name) => name !== 'accept')).toEqual([
        'authorization',
        'content-type',
        'di_fiid',
        'di_tid',
        'offering_id',
        'user-agent',
      ]);
      expect(request.form).toEqual({ grant_type: 'client_credentials' });
    });

    it('password: form body is grant_type, username and password only; originating_ip forwarded when well formed', async () => {
      const tokens = await open(fullOptions);
      const request = await sentOne(() =>
        tokens.login({ username: alice.username, password: alice.password }, { originatingIp: '203.0.113.7' }),
      );
      expectV1Headers(request, 'iPhone/1.0/abc12345');
      expect(request.headers.originating_ip).toBe('203.0.113.7');
      expect(request.headers.offering_id).toBe('digital-banking-web');
      expect(request.form).toEqual({ grant_type: 'password', username: alice.username, password: alice.password });
    });

    it('forwards an IPv6 originating_ip unchanged', async () => {
      const tokens = await open(fullOptions);
      const request = await sentOne(() =>
        tokens.login({ username: alice.username, password: alice.password }, { originatingIp: '2001:db8::7' }),
      );
      expect(request.headers.originating_ip).toBe('2001:db8::7');
    });

    it.each([
      ['a word', 'not-an-ip'],
      ['a header injection attempt', '1.2.3.4\r\nX: y'],
      ['an address with a port', '203.0.113.7:443'],
      ['an empty string', ''],
    ])('leaves originating_ip out for %s, and still logs in', async (_name, originatingIp) => {
      const tokens = await open(fullOptions);
      let fiCustomerId: string | undefined;
      const request = await sentOne(async () => {
        fiCustomerId = (await tokens.login({ username: alice.username, password: alice.password }, { originatingIp }))
          .customer.fiCustomerId;
      });
      expect(request.headers.originating_ip).toBeUndefined();
      expect(request.headers.x).toBeUndefined();
      expect(request.status).toBe(200);
      expect(fiCustomerId).toBe(alice.fiCustomerId);
    });

    it('sends no offering_id when none is configured, and no device id part in the user-agent', async () => {
      const tokens = await open({ tokenServices: ['v1'], appName: 'MyBank', appVersion: '2.3.1' });
      const cc = await sentOne(() => tokens.getInstitutionToken());
      const login = await sentOne(() => tokens.login({ username: alice.username, password: alice.password }));
      for (const request of [cc, login]) {
        expectV1Headers(request, 'MyBank/2.3.1');
        expect(request.headers.offering_id).toBeUndefined();
        expect(request.headers.originating_ip).toBeUndefined();
      }
    });

    it('urlencodes the password so reserved characters arrive intact', async () => {
      const tokens = await open({ tokenServices: ['v1'] });
      const request = await sentOne(() => tokens.login({ username: 'awkward', password: AWKWARD_PASSWORD }));
      expect(request.status).toBe(200);
      expect(request.form).toEqual({ grant_type: 'password', username: 'awkward', password: AWKWARD_PASSWORD });
    });
  });

  describe('V2 /oauth2/v1/token and /oauth2/v1/revoke', () => {
    it('client_credentials with scopes: institutionId, transactionId, plural space-separated scopes', async () => {
      const tokens = await open({
        tokenServices: ['v2'],
        appName: 'MyBank',
        appVersion: '2.3.1',
        deviceId: 'srv-01',
        scopes: SCOPES,
      });
      const request = await sentOne(() => tokens.getInstitutionToken());
      expectV2Headers(request, 'v2-token');
      expect(request.method).toBe('POST');
      expect(request.headers.institutionid).toBe('00042');
      expect(request.headers['user-agent']).toBe('MyBank/2.3.1/srv-01');
      expect(ownHeaderNames(request)).toEqual([
        'accept',
        'authorization',
        'content-type',
        'institutionid',
        'transactionid',
        'user-agent',
      ]);
      expect(request.form).toEqual({ grant_type: 'client_credentials', scopes: 'accounts:read transactions:read' });
      expect(request.status).toBe(200);
    });

    it('client_credentials without configured scopes sends no scopes field', async () => {
      const tokens = await open({ tokenServices: ['v2'] });
      const request = await sentOne(() => tokens.getInstitutionToken());
      expectV2Headers(request, 'v2-token');
      expect(request.headers.institutionid).toBe('00042');
      expect(request.form).toEqual({ grant_type: 'client_credentials' });
    });

    it('password: username, password and the configured scopes', async () => {
      const tokens = await open({ tokenServices: ['v2'], scopes: SCOPES });
      const request = await sentOne(() => tokens.login({ username: alice.username, password: alice.password }));
      expectV2Headers(request, 'v2-token');
      expect(request.headers.institutionid).toBe('00042');
      expect(request.form).toEqual({
        grant_type: 'password',
        username: alice.username,
        password: alice.password,
        scopes: 'accounts:read transactions:read',
      });
      expect(request.status).toBe(200);
    });

    it('password without configured scopes sends no scopes field, and reserved characters survive', async () => {
      const tokens = await open({ tokenServices: ['v2'] });
      const request = await sentOne(() => tokens.login({ username: 'awkward', password: AWKWARD_PASSWORD }));
      expect(request.status).toBe(200);
      expect(request.form).toEqual({ grant_type: 'password', username: 'awkward', password: AWKWARD_PASSWORD });
    });

    it('refresh_token: only grant_type and refresh_token in the body', async () => {
      const tokens = await open({ tokenServices: ['v2'], scopes: SCOPES });
      const set = await tokens.login({ username: alice.username, password: alice.password });
      const request = await sentOne(() => tokens.refresh(set));
      expectV2Headers(request, 'v2-token');
      // institutionId is optional for this grant; when sent it must be the FI id as configured.
      expect([undefined, '00042']).toContain(header(request, 'institutionid'));
      expect(request.form).toEqual({ grant_type: 'refresh_token', refresh_token: set.v2!.refreshToken });
      expect(request.status).toBe(200);
    });

    it('revoke: DELETE with a form body token=<refresh token>', async () => {
      const tokens = await open({ tokenServices: ['v2'] });
      const set = await tokens.login({ username: alice.username, password: alice.password });
      const request = await sentOne(() => tokens.revoke(set));
      expectV2Headers(request, 'v2-revoke');
      expect(request.method).toBe('DELETE');
      expect(request.path).toBe('/oauth2/v1/revoke');
      expect([undefined, '00042']).toContain(header(request, 'institutionid'));
      expect(request.form).toEqual({ token: set.v2!.refreshToken });
      expect(request.status).toBe(204);
    });
  });

  describe('trace ids', () => {
    it('gives every attempt of a retried request its own trace id', async () => {
      const tokens = await open({ tokenServices: ['v2'], retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
      sandbox.injectFault({ kind: 'server-error', route: 'v2-token' });
      const requests = await sent(() => tokens.getInstitutionToken());
      expect(requests.map((r) => r.status)).toEqual([500, 200]);
      const [first, second] = requests.map((r) => r.headers.transactionid);
      expect(first).toMatch(CANONICAL_UUID);
      expect(second).toMatch(CANONICAL_UUID);
      expect(first).not.toBe(second);
    });

    it('never reuses a di_tid or transactionId across all the requests of this suite', () => {
      const ids = sandbox
        .requests()
        .map((r) => header(r, 'di_tid') ?? header(r, 'transactionid'))
        .filter((id): id is string => id !== undefined);
      // Every token request of the suite carried one.
      expect(ids).toHaveLength(sandbox.requests().length);
      expect(ids.length).toBeGreaterThan(15);
      for (const id of ids) expect(id).toMatch(CANONICAL_UUID);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });
});
