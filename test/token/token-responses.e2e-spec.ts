import {
  CandescentAuthError,
  type CandescentAuthModuleOptions,
  CandescentForbiddenError,
  CandescentInvalidCredentialsError,
  CandescentProtocolError,
  CandescentRateLimitedError,
  CandescentSessionExpiredError,
  CandescentTimeoutError,
  type CandescentTokenService,
  type CandescentTokenSet,
  CandescentUnavailableError,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS, type SandboxFault } from '@candescent/auth/testing';
import { FakeClock } from '../support/clock';
import { oneModuleAtATime } from '../support/module';
import { thrownBy } from '../support/outcome';
import { refreshAtSandbox, startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

/**
 * How the module reads token-service answers: both success formats, lifetimes, identifiers that
 * must stay strings, and every documented error mapped to its error class and status. Errors are
 * produced by real sandbox behaviour where it has one, and by exact upstream bodies otherwise.
 */

const alice = DEMO_CUSTOMERS[0];
const bob = DEMO_CUSTOMERS[1];
const XML = 'application/xml; charset=utf-8';
const JSON_TYPE = 'application/json';
const V1_NAMESPACE = 'http://schema.intuit.com/fs/common/v2';

type Service = 'v1' | 'v2';
type Grant = 'client_credentials' | 'password' | 'refresh_token';
type ErrorClass = abstract new (...args: never[]) => CandescentAuthError;

/** A V1 `<Status>` document exactly as the spec shows it. */
function v1Status(code: string, message: string, errorType = 'USER_ERROR'): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Status xmlns="${V1_NAMESPACE}">\n` +
    `  <statusMessage>${message}</statusMessage>\n` +
    `  <errorInfo>\n    <errorType>${errorType}</errorType>\n    <errorCode>${code}</errorCode>\n` +
    `    <errorMessage>${message}</errorMessage>\n  </errorInfo>\n</Status>\n`
  );
}

const v1Raw = (status: number, code: string, message: string, errorType?: string): SandboxFault => ({
  kind: 'raw',
  route: 'v1-token',
  status,
  body: v1Status(code, message, errorType),
  contentType: XML,
});

const v2Raw = (status: number, code: string, message: string): SandboxFault => ({
  kind: 'raw',
  route: 'v2-token',
  status,
  body: JSON.stringify({ code, message }),
  contentType: JSON_TYPE,
});

describe('token responses', () => {
  let sandbox: CandescentSandbox;
  const clock = new FakeClock();

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  const modules = oneModuleAtATime(() => sandbox, {
    clientCredentialsEnabled: true,
    v1ErrorInfo: 'many',
    accessTokenTtlSeconds: 1799,
  });

  async function open(
    service: Service,
    overrides: Partial<CandescentAuthModuleOptions> = {},
  ): Promise<CandescentTokenService> {
    return (await modules.open({ tokenServices: [service], retry: { maxAttempts: 1 }, ...overrides }, { clock }))
      .tokens;
  }

  const lastTraceId = (): string | undefined => {
    const last = sandbox.requests().at(-1);
    return last?.headers.di_tid ?? last?.headers.transactionid;
  };

  describe('success bodies', () => {
    it('parses the documented V1 XML <token> of a password grant, every value kept a string', async () => {
      const tokens = await open('v1');
      const xml =
        '<?xml version="1.0" encoding="UTF-8"?>\n<token>\n  <di_fiid>00042</di_fiid>\n' +
        `  <di_ficustomer>${bob.fiCustomerId}</di_ficustomer>\n  <di_member_number>000482913</di_member_number>\n` +
        '  <access_token>Zm9vYmFyYmF6cXV4cXV1eGNvcmdl</access_token>\n  <expires_in>1799</expires_in>\n' +
        '  <refresh_token>cmVmcmVzaC10b2tlbi1leGFtcGxl</refresh_token>\n' +
        '  <refresh_token_expires_in>2591999</refresh_token_expires_in>\n</token>\n';
      sandbox.injectFault({ kind: 'raw', route: 'v1-token', status: 200, body: xml, contentType: XML });
      const receivedAt = clock.now();
      const set = await tokens.login({ username: bob.username, password: bob.password });
      expect(set.v1).toMatchObject({
        service: 'v1',
        accessToken: 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdl',
        tokenType: 'Bearer',
        issuedAt: receivedAt,
        expiresAt: receivedAt + 1799 * 1000,
        refreshToken: 'cmVmcmVzaC10b2tlbi1leGFtcGxl',
        refreshTokenExpiresAt: receivedAt + 2591999 * 1000,
        fiId: '00042',
        fiCustomerId: bob.fiCustomerId,
        memberNumber: '000482913',
      });
      expect(set.customer).toMatchObject({ fiId: '00042', fiCustomerId: bob.fiCustomerId, memberNumber: '000482913' });
    });

    it('parses a V1 XML answer with a namespace prefix and a text/xml content type', async () => {
      const tokens = await open('v1');
      const xml =
        `<ns2:token xmlns:ns2="${V1_NAMESPACE}" xmlns:ns3="urn:example:other">` +
        '<ns2:access_token>cHJlZml4ZWQtdG9rZW4tdmFsdWU</ns2:access_token><ns2:expires_in>900</ns2:expires_in>' +
        '<ns2:di_fiid>00042</ns2:di_fiid></ns2:token>';
      sandbox.injectFault({ kind: 'raw', route: 'v1-token', status: 200, body: xml, contentType: 'text/xml' });
      const token = await tokens.getInstitutionToken();
      expect(token).toMatchObject({
        accessToken: 'cHJlZml4ZWQtdG9rZW4tdmFsdWU',
        fiId: '00042',
        expiresAt: clock.now() + 900_000,
      });
    });

    it('keeps a 20-digit member number exact (a number parser would round it)', async () => {
      const tokens = await open('v1');
      const xml =
        '<token><di_fiid>00042</di_fiid><di_ficustomer>c0ffee</di_ficustomer>' +
        '<di_member_number>00000000000000000123</di_member_number><access_token>bG9uZy1tZW1iZXItdG9rZW4</access_token>' +
        '<expires_in>1799</expires_in></token>';
      sandbox.injectFault({ kind: 'raw', route: 'v1-token', status: 200, body: xml, contentType: XML });
      const set = await tokens.login({ username: alice.username, password: alice.password });
      expect(set.v1?.memberNumber).toBe('00000000000000000123');
      expect(set.customer.memberNumber).toBe('00000000000000000123');
    });

    it('answers the module in XML, the V1 default, for the Accept header the module sends', async () => {
      const tokens = await open('v1');
      await tokens.getInstitutionToken();
      const sent = sandbox.requests().at(-1)!;
      // Replay the module's own request: which format it is answered in decides whether the
      // XML path is what the rest of these suites exercise.
      const response = await fetch(`${sandbox.url}/v1/oauth/token`, {
        method: 'POST',
        headers: {
          ...pick(sent.headers, ['authorization', 'di_fiid', 'content-type', 'user-agent', 'accept']),
          di_tid: crypto.randomUUID(),
        },
        body: 'grant_type=client_credentials',
      });
      const body = await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(body).toMatch(/^<\?xml[^>]*>\s*<token>/);
    });

    it('parses the V1 JSON form (strings) from the sandbox: FI id and member number keep their zeros', async () => {
      const tokens = await open('v1');
      const receivedAt = clock.now();
      const set = await tokens.login({ username: bob.username, password: bob.password });
      expect(set.v1).toMatchObject({
        fiId: '00042',
        fiCustomerId: bob.fiCustomerId,
        memberNumber: '000482913',
        issuedAt: receivedAt,
        expiresAt: receivedAt + 1799 * 1000,
        refreshTokenExpiresAt: receivedAt + 2591999 * 1000,
      });
      expect(typeof set.v1?.memberNumber).toBe('string');
      expect(sandbox.isAccessTokenValid(set.v1!.accessToken)).toBe(true);
    });

    it('parses V1 client_credentials: access token, FI id with zeros, no customer fields', async () => {
      const tokens = await open('v1');
      const token = await tokens.getInstitutionToken();
      expect(token.fiId).toBe('00042');
      expect(token.fiCustomerId).toBeUndefined();
      expect(token.refreshToken).toBeUndefined();
      expect(token.expiresAt).toBe(clock.now() + 1799 * 1000);
      expect(sandbox.isAccessTokenValid(token.accessToken)).toBe(true);
    });

    it('parses V2 JSON: expires_in as a string counts from receipt; password grant carries a refresh token', async () => {
      const tokens = await open('v2');
      const receivedAt = clock.now();
      const institution = await tokens.getInstitutionToken();
      expect(institution).toMatchObject({
        service: 'v2',
        tokenType: 'Bearer',
        issuedAt: receivedAt,
        expiresAt: receivedAt + 1799_000,
      });
      expect(institution.refreshToken).toBeUndefined();
      clock.advance(5_000);
      const set = await tokens.login({ username: alice.username, password: alice.password });
      expect(set.v2).toMatchObject({ issuedAt: receivedAt + 5_000, expiresAt: receivedAt + 5_000 + 1799_000 });
      expect(set.v2?.refreshToken).toEqual(expect.any(String));
      expect(set.v2?.refreshTokenExpiresAt).toBe(receivedAt + 5_000 + 2591999 * 1000);
    });

    it.each<[string, Service, string | number, number]>([
      ['V2 expires_in as a number (old spec)', 'v2', 3600, 3600],
      ['V2 expires_in as a string', 'v2', '600', 600],
      ['V1 expires_in as a string', 'v1', '120', 120],
    ])('%s sets expiresAt = receipt + seconds', async (_name, service, value, seconds) => {
      const tokens = await open(service);
      sandbox.injectFault({ kind: 'expires-in', value });
      const token = await tokens.getInstitutionToken();
      expect(token.expiresAt - token.issuedAt).toBe(seconds * 1000);
      expect(token.issuedAt).toBe(clock.now());
    });

    it('counts the lifetime from when the answer arrived, not from when the request left', async () => {
      const tokens = await open('v2');
      sandbox.injectFault({ kind: 'latency', route: 'v2-token', ms: 400 });
      const before = sandbox.requests().length;
      const sentAt = clock.now();
      const pending = tokens.getInstitutionToken();
      // While the sandbox holds the answer back, 7 s pass on the module's clock.
      await waitFor(() => sandbox.requests().length > before);
      clock.advance(7_000);
      const token = await pending;
      expect(token.issuedAt).toBe(sentAt + 7_000);
      expect(token.expiresAt).toBe(sentAt + 7_000 + 1799_000);
    });

    it('clamps an absurd expires_in to maxExpiresInSeconds instead of trusting it', async () => {
      const tokens = await open('v2');
      sandbox.injectFault({ kind: 'expires-in', value: '999999999' });
      const token = await tokens.getInstitutionToken();
      expect(token.expiresAt - token.issuedAt).toBe(2_678_400 * 1000);
    });

    it('reads refresh_token_expires_in given as an absolute date (old spec)', async () => {
      const tokens = await open('v2');
      const body = JSON.stringify({
        access_token: 'ZGF0ZWQtcmVmcmVzaC1hY2Nlc3M',
        token_type: 'Bearer',
        expires_in: '1799',
        refresh_token: 'ZGF0ZWQtcmVmcmVzaC10b2tlbg',
        refresh_token_expires_in: '2030-02-14T12:00:00Z',
      });
      sandbox.injectFault({ kind: 'raw', route: 'v2-token', status: 200, body, contentType: JSON_TYPE });
      const set = await tokens.login({ username: alice.username, password: alice.password });
      expect(set.v2?.refreshTokenExpiresAt).toBe(Date.parse('2030-02-14T12:00:00Z'));
      expect(set.v2?.refreshToken).toBe('ZGF0ZWQtcmVmcmVzaC10b2tlbg');
    });

    it('uses defaultExpiresInSeconds only when expires_in is missing', async () => {
      const tokens = await open('v2', { defaultExpiresInSeconds: 300 });
      sandbox.injectFault({ kind: 'expires-in', value: null });
      const token = await tokens.getInstitutionToken();
      expect(token.expiresAt).toBe(clock.now() + 300_000);
    });
  });

  describe('malformed success answers are protocol errors', () => {
    const truncatedXml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<token>\n  <access_token>Zm9vYmFy</access_token>\n  <expires_';
    it.each<[string, Service, SandboxFault]>([
      ['truncated JSON (malformed fault)', 'v2', { kind: 'malformed', route: 'v2-token' }],
      ['truncated body (malformed fault)', 'v1', { kind: 'malformed', route: 'v1-token' }],
      ['truncated XML', 'v1', { kind: 'raw', route: 'v1-token', status: 200, body: truncatedXml, contentType: XML }],
      [
        'truncated JSON',
        'v2',
        {
          kind: 'raw',
          route: 'v2-token',
          status: 200,
          body: '{"access_token":"abc","expires_in":"17',
          contentType: JSON_TYPE,
        },
      ],
      [
        'an HTML page with 200',
        'v2',
        {
          kind: 'raw',
          route: 'v2-token',
          status: 200,
          body: '<html><body>Welcome</body></html>',
          contentType: 'text/html',
        },
      ],
      [
        'an HTML page with 200 (V1)',
        'v1',
        {
          kind: 'raw',
          route: 'v1-token',
          status: 200,
          body: '<html><body>Login</body></html>',
          contentType: 'text/html',
        },
      ],
      ['an empty 200 (V1)', 'v1', { kind: 'empty', route: 'v1-token' }],
      ['an empty 200 (V2)', 'v2', { kind: 'empty', route: 'v2-token' }],
      [
        'JSON without access_token',
        'v2',
        {
          kind: 'raw',
          route: 'v2-token',
          status: 200,
          body: '{"token_type":"Bearer","expires_in":"1799"}',
          contentType: JSON_TYPE,
        },
      ],
      [
        'XML <token> without expires_in',
        'v1',
        {
          kind: 'raw',
          route: 'v1-token',
          status: 200,
          body: '<token><access_token>bm8tZXhwaXJ5LWhlcmU</access_token><di_fiid>00042</di_fiid></token>',
          contentType: XML,
        },
      ],
      ['a zero expires_in', 'v2', { kind: 'expires-in', route: 'v2-token', value: '0' }],
      ['a non-numeric expires_in', 'v2', { kind: 'expires-in', route: 'v2-token', value: 'soon' }],
      [
        'JSON nested 20,000 levels deep',
        'v2',
        {
          kind: 'raw',
          route: 'v2-token',
          status: 200,
          body: `{"access_token":${'['.repeat(20_000)}${']'.repeat(20_000)},"expires_in":"60"}`,
          contentType: JSON_TYPE,
        },
      ],
    ])('%s', async (_name, service, fault) => {
      const tokens = await open(service);
      sandbox.injectFault(fault);
      const error = await thrownBy(() => tokens.getInstitutionToken());
      expect(error).toBeInstanceOf(CandescentProtocolError);
      expect(error).toMatchObject({ status: 502, upstreamStatus: 200, service, traceId: lastTraceId() });
    });
  });

  interface ErrorCase {
    name: string;
    service: Service;
    grant: Grant;
    /** Makes the sandbox misbehave; the token set is there for refresh cases. */
    arrange?: (set?: CandescentTokenSet) => unknown;
    options?: Partial<CandescentAuthModuleOptions>;
    password?: string;
    errorClass: ErrorClass;
    status: number;
    upstreamStatus?: number;
    errorCode?: string;
    retryAfterSeconds?: number;
    networkCode?: string;
  }

  const fault = (f: SandboxFault) => () => {
    sandbox.injectFault(f);
  };
  const configure = (patch: Parameters<CandescentSandbox['configure']>[0]) => () => {
    sandbox.configure(patch);
  };

  /**
   * A case answered by a V1 `<Status>` document (see `v1Raw`): the error must report the
   * document's HTTP status and error code as upstream.
   */
  const v1StatusCase = (
    name: string,
    grant: Grant,
    [upstreamStatus, errorCode, message, errorType]: [number, string, string, string?],
    errorClass: ErrorClass,
    status: number,
  ): ErrorCase => ({
    name,
    service: 'v1',
    grant,
    arrange: fault(v1Raw(upstreamStatus, errorCode, message, errorType)),
    errorClass,
    status,
    upstreamStatus,
    errorCode,
  });

  /**
   * A V1 login refused with 401 and error code 90001, written as `body`: however the status is
   * encoded, the module must read it as wrong credentials.
   */
  const v1LoginRefused = (name: string, contentType: string, body: string): ErrorCase => ({
    name,
    service: 'v1',
    grant: 'password',
    arrange: fault({ kind: 'raw', route: 'v1-token', status: 401, contentType, body }),
    errorClass: CandescentInvalidCredentialsError,
    status: 401,
    upstreamStatus: 401,
    errorCode: '90001',
  });

  /** A case answered by a V2 `{code, message}` body (see `v2Raw`), reported upstream the same way. */
  const v2BodyCase = (
    name: string,
    grant: Grant,
    [upstreamStatus, errorCode, message]: [number, string, string],
    errorClass: ErrorClass,
    status: number,
  ): ErrorCase => ({
    name,
    service: 'v2',
    grant,
    arrange: fault(v2Raw(upstreamStatus, errorCode, message)),
    errorClass,
    status,
    upstreamStatus,
    errorCode,
  });

  const errorCases: ErrorCase[] = [
    // Real sandbox behaviour.
    {
      name: 'V1 wrong password',
      service: 'v1',
      grant: 'password',
      password: 'not-alices-password',
      errorClass: CandescentInvalidCredentialsError,
      status: 401,
      upstreamStatus: 401,
      errorCode: '90001',
    },
    {
      name: 'V1 wrong password, single errorInfo',
      service: 'v1',
      grant: 'password',
      password: 'not-alices-password',
      arrange: configure({ v1ErrorInfo: 'single' }),
      errorClass: CandescentInvalidCredentialsError,
      status: 401,
      upstreamStatus: 401,
      errorCode: '90001',
    },
    {
      name: 'V2 wrong password',
      service: 'v2',
      grant: 'password',
      password: 'not-alices-password',
      errorClass: CandescentInvalidCredentialsError,
      status: 401,
      upstreamStatus: 401,
      errorCode: 'CMN_90015',
    },
    {
      name: 'V2 password with a non-printable character',
      service: 'v2',
      grant: 'password',
      password: `${alice.password}\u200b`,
      errorClass: CandescentInvalidCredentialsError,
      status: 401,
      upstreamStatus: 400,
      errorCode: 'CMN_90016',
    },
    {
      name: 'V1 unknown FI (client_credentials)',
      service: 'v1',
      grant: 'client_credentials',
      options: { fiId: '00043' },
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 401,
      errorCode: '90001',
    },
    {
      name: 'V1 unknown FI (password)',
      service: 'v1',
      grant: 'password',
      options: { fiId: '00043' },
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 401,
      errorCode: '90001',
    },
    {
      name: 'V1 FI id without its leading zeros',
      service: 'v1',
      grant: 'client_credentials',
      options: { fiId: '42' },
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 401,
      errorCode: '90001',
    },
    {
      name: 'V2 unknown FI',
      service: 'v2',
      grant: 'client_credentials',
      options: { fiId: '00043' },
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 401,
      errorCode: 'CMN_90001',
    },
    {
      name: 'V1 client credentials disabled',
      service: 'v1',
      grant: 'client_credentials',
      arrange: configure({ clientCredentialsEnabled: false }),
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 403,
      errorCode: '90001',
    },
    {
      name: 'V2 client credentials disabled',
      service: 'v2',
      grant: 'client_credentials',
      arrange: configure({ clientCredentialsEnabled: false }),
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 403,
      errorCode: 'CMN_90006',
    },
    {
      name: 'V1 wrong consumer secret (gateway fault)',
      service: 'v1',
      grant: 'client_credentials',
      options: { consumerSecret: 'wrong-consumer-secret' },
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 401,
    },
    {
      name: 'V2 wrong consumer secret',
      service: 'v2',
      grant: 'client_credentials',
      options: { consumerSecret: 'wrong-consumer-secret' },
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 401,
    },
    {
      name: 'V2 scope the app does not have',
      service: 'v2',
      grant: 'client_credentials',
      options: { scopes: ['accounts:write'] },
      errorClass: CandescentProtocolError,
      status: 502,
      upstreamStatus: 400,
      errorCode: 'CMN_90011',
    },
    {
      name: 'V2 refresh with an already used refresh token',
      service: 'v2',
      grant: 'refresh_token',
      arrange: (set) => refreshAtSandbox(sandbox, set!.v2!.refreshToken!),
      errorClass: CandescentSessionExpiredError,
      status: 401,
      upstreamStatus: 400,
      errorCode: 'CMN_90013',
    },

    // Sandbox faults in each service's own shape.
    {
      name: 'V1 quota (500 90001)',
      service: 'v1',
      grant: 'client_credentials',
      arrange: fault({ kind: 'quota' }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 500,
      errorCode: '90001',
    },
    {
      name: 'V1 quota on login (500 90001, not a bad login)',
      service: 'v1',
      grant: 'password',
      arrange: fault({ kind: 'quota' }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 500,
      errorCode: '90001',
    },
    {
      name: 'V1 spike arrest (500 92000)',
      service: 'v1',
      grant: 'password',
      arrange: fault({ kind: 'spike' }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 500,
      errorCode: '92000',
    },
    {
      name: 'V1 internal error (500 90003)',
      service: 'v1',
      grant: 'client_credentials',
      arrange: fault({ kind: 'server-error' }),
      errorClass: CandescentUnavailableError,
      status: 503,
      upstreamStatus: 500,
      errorCode: '90003',
    },
    {
      name: 'V2 quota (500 CMN_90001)',
      service: 'v2',
      grant: 'client_credentials',
      arrange: fault({ kind: 'quota' }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 500,
      errorCode: 'CMN_90001',
    },
    {
      name: 'V2 spike arrest (500 CMN_90002)',
      service: 'v2',
      grant: 'password',
      arrange: fault({ kind: 'spike' }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 500,
      errorCode: 'CMN_90002',
    },
    {
      name: 'V2 internal error (500 CMN_90000)',
      service: 'v2',
      grant: 'client_credentials',
      arrange: fault({ kind: 'server-error' }),
      errorClass: CandescentUnavailableError,
      status: 503,
      upstreamStatus: 500,
      errorCode: 'CMN_90000',
    },
    {
      name: 'V2 quota on refresh (500 CMN_90001)',
      service: 'v2',
      grant: 'refresh_token',
      arrange: fault({ kind: 'quota' }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 500,
      errorCode: 'CMN_90001',
    },
    {
      name: '503 HTML with Retry-After',
      service: 'v2',
      grant: 'client_credentials',
      arrange: fault({ kind: 'unavailable', retryAfterSeconds: 7 }),
      errorClass: CandescentUnavailableError,
      status: 503,
      upstreamStatus: 503,
      retryAfterSeconds: 7,
    },
    {
      name: '429 with Retry-After',
      service: 'v1',
      grant: 'client_credentials',
      arrange: fault({ kind: 'too-many-requests', retryAfterSeconds: 3 }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 429,
      retryAfterSeconds: 3,
    },
    {
      name: '502 HTML proxy page',
      service: 'v1',
      grant: 'password',
      arrange: fault({ kind: 'html' }),
      errorClass: CandescentUnavailableError,
      status: 503,
      upstreamStatus: 502,
    },
    {
      name: 'Apigee InvalidApiKey fault',
      service: 'v2',
      grant: 'client_credentials',
      arrange: fault({ kind: 'gateway-fault' }),
      errorClass: CandescentForbiddenError,
      status: 403,
      upstreamStatus: 401,
    },
    {
      name: 'no answer within requestTimeoutMs',
      service: 'v2',
      grant: 'client_credentials',
      options: { requestTimeoutMs: 150 },
      arrange: fault({ kind: 'latency', ms: 2_000 }),
      errorClass: CandescentTimeoutError,
      status: 504,
    },
    {
      name: 'a body that trickles past requestTimeoutMs',
      service: 'v1',
      grant: 'password',
      options: { requestTimeoutMs: 150 },
      arrange: fault({ kind: 'slow-body', ms: 2_000 }),
      errorClass: CandescentTimeoutError,
      status: 504,
    },
    {
      name: 'connection reset',
      service: 'v2',
      grant: 'client_credentials',
      arrange: fault({ kind: 'reset' }),
      errorClass: CandescentUnavailableError,
      status: 503,
      networkCode: 'ECONNRESET',
    },
    {
      name: 'connection reset mid-body',
      service: 'v1',
      grant: 'client_credentials',
      arrange: fault({ kind: 'reset-mid-body' }),
      errorClass: CandescentUnavailableError,
      status: 503,
    },

    // V1 <Status> documents for the rest of the V1 table.
    v1StatusCase(
      "V1 400 90002 Form param 'grant_type' invalid",
      'client_credentials',
      [400, '90002', "Form param 'grant_type' invalid", 'APP_ERROR'],
      CandescentProtocolError,
      502,
    ),
    v1StatusCase(
      "V1 400 90002 Form param 'username' invalid",
      'password',
      [400, '90002', "Form param 'username' invalid"],
      CandescentInvalidCredentialsError,
      401,
    ),
    v1StatusCase(
      "V1 400 90002 Form param 'password' invalid",
      'password',
      [400, '90002', "Form param 'password' invalid"],
      CandescentInvalidCredentialsError,
      401,
    ),
    v1StatusCase(
      "V1 400 90002 Header 'di_fiid' invalid",
      'client_credentials',
      [400, '90002', "Header 'di_fiid' invalid", 'APP_ERROR'],
      CandescentProtocolError,
      502,
    ),
    v1StatusCase(
      "V1 400 90002 Header 'di_tid' invalid",
      'password',
      [400, '90002', "Header 'di_tid' invalid", 'APP_ERROR'],
      CandescentProtocolError,
      502,
    ),
    v1StatusCase(
      "V1 400 90002 Header 'originating_ip' invalid",
      'password',
      [400, '90002', "Header 'originating_ip' invalid", 'APP_ERROR'],
      CandescentProtocolError,
      502,
    ),
    v1StatusCase(
      'V1 400 90002 Header invalid',
      'client_credentials',
      [400, '90002', 'Header invalid', 'APP_ERROR'],
      CandescentProtocolError,
      502,
    ),
    v1StatusCase(
      'V1 401 90001 di_ficustomer not authorized',
      'password',
      [401, '90001', 'di_ficustomer not authorized'],
      CandescentForbiddenError,
      403,
    ),
    v1StatusCase(
      'V1 401 90001 login credentials are not valid (client_credentials)',
      'client_credentials',
      [401, '90001', 'login credentials are not valid'],
      CandescentForbiddenError,
      403,
    ),
    v1StatusCase(
      'V1 403 90002 Access blocked',
      'password',
      [403, '90002', 'Access blocked', 'APP_ERROR'],
      CandescentForbiddenError,
      403,
    ),
    v1StatusCase(
      'V1 403 90002 Client not authorized for this URL',
      'client_credentials',
      [403, '90002', 'Client not authorized for this URL', 'APP_ERROR'],
      CandescentForbiddenError,
      403,
    ),
    v1StatusCase(
      'V1 500 91000 Quota limit violation',
      'client_credentials',
      [500, '91000', 'Quota limit violation', 'SYSTEM_ERROR'],
      CandescentRateLimitedError,
      429,
    ),
    v1StatusCase(
      'V1 500 90002 Internal Service Error',
      'password',
      [500, '90002', 'Internal Service Error - contact DI team', 'SYSTEM_ERROR'],
      CandescentUnavailableError,
      503,
    ),
    v1StatusCase(
      'V1 500 90004 Internal Service Error',
      'client_credentials',
      [500, '90004', 'Internal Service Error - contact DI team', 'SYSTEM_ERROR'],
      CandescentUnavailableError,
      503,
    ),
    v1LoginRefused(
      'V1 <Status> with prefixed namespaces and two errorInfo',
      XML,
      `<ns2:Status xmlns:ns2="${V1_NAMESPACE}" xmlns:ns3="urn:example:other"><ns2:statusMessage>login credentials are not valid</ns2:statusMessage>` +
        '<ns2:errorInfo><ns2:errorType>USER_ERROR</ns2:errorType><ns2:errorCode>90001</ns2:errorCode><ns2:errorMessage>login credentials are not valid</ns2:errorMessage></ns2:errorInfo>' +
        '<ns2:errorInfo><ns2:errorType>USER_ERROR</ns2:errorType><ns2:errorCode>90001</ns2:errorCode><ns2:errorMessage>login credentials are not valid</ns2:errorMessage></ns2:errorInfo></ns2:Status>',
    ),
    v1LoginRefused(
      'V1 JSON Status (older portal form)',
      JSON_TYPE,
      JSON.stringify({
        statusMessage: 'login credentials are not valid',
        errorInfo: { errorType: 'USER_ERROR', errorCode: '90001', errorMessage: 'login credentials are not valid' },
      }),
    ),

    // V2 {code, message} bodies for the rest of the V2 table.
    ...(
      [
        ['CMN_90005', 'bad header'],
        ['CMN_90007', 'invalid grant type'],
        ['CMN_90008', 'bad transactionId'],
        ['CMN_90010', 'invalid request'],
        ['CMN_90014', 'invalid request'],
        ['CMN_90017', 'invalid request'],
        ['CMN_90019', 'error creating token'],
      ] as const
    ).map(([code, message]) =>
      v2BodyCase(`V2 400 ${code} ${message}`, 'client_credentials', [400, code, message], CandescentProtocolError, 502),
    ),
    v2BodyCase(
      'V2 400 CMN_90012 username/password invalid',
      'password',
      [400, 'CMN_90012', 'username/password invalid'],
      CandescentInvalidCredentialsError,
      401,
    ),
    v2BodyCase(
      'V2 400 CMN_90009 Access blocked',
      'password',
      [400, 'CMN_90009', 'Access blocked'],
      CandescentForbiddenError,
      403,
    ),
    v2BodyCase(
      'V2 400 CMN_90009 Access blocked (client_credentials)',
      'client_credentials',
      [400, 'CMN_90009', 'Access blocked'],
      CandescentForbiddenError,
      403,
    ),
    v2BodyCase(
      'V2 401 CMN_90004 invalid credentials (password)',
      'password',
      [401, 'CMN_90004', 'invalid credentials'],
      CandescentInvalidCredentialsError,
      401,
    ),
    v2BodyCase(
      'V2 401 CMN_90004 invalid credentials (client_credentials)',
      'client_credentials',
      [401, 'CMN_90004', 'invalid credentials'],
      CandescentForbiddenError,
      403,
    ),
    v2BodyCase(
      'V2 401 CMN_90001 client not authorized (password)',
      'password',
      [401, 'CMN_90001', 'client not authorized'],
      CandescentForbiddenError,
      403,
    ),
    v2BodyCase(
      'V2 403 CMN_90006 on login',
      'password',
      [403, 'CMN_90006', 'not authorized to access this resource'],
      CandescentForbiddenError,
      403,
    ),
    v2BodyCase(
      'V2 500 CMN_90003 spike limit violation',
      'client_credentials',
      [500, 'CMN_90003', 'spike limit violation'],
      CandescentRateLimitedError,
      429,
    ),
    v2BodyCase(
      'V2 500 CMN_90000 on refresh',
      'refresh_token',
      [500, 'CMN_90000', 'internal server error'],
      CandescentUnavailableError,
      503,
    ),
    {
      name: 'Apigee quota fault with 429',
      service: 'v2',
      grant: 'client_credentials',
      arrange: fault({
        kind: 'raw',
        route: 'v2-token',
        status: 429,
        contentType: JSON_TYPE,
        body: JSON.stringify({
          fault: {
            faultstring: 'Rate limit quota violation. Quota limit exceeded.',
            detail: { errorcode: 'policies.ratelimit.QuotaViolation' },
          },
        }),
      }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 429,
    },
    {
      name: 'Apigee spike arrest fault with 500',
      service: 'v1',
      grant: 'client_credentials',
      arrange: fault({
        kind: 'raw',
        route: 'v1-token',
        status: 500,
        contentType: JSON_TYPE,
        body: JSON.stringify({
          fault: {
            faultstring: 'Spike arrest violation. Allowed rate : 10ps',
            detail: { errorcode: 'policies.ratelimit.SpikeArrestViolation' },
          },
        }),
      }),
      errorClass: CandescentRateLimitedError,
      status: 429,
      upstreamStatus: 500,
    },
    {
      name: 'plain-text 500 from a proxy',
      service: 'v2',
      grant: 'password',
      arrange: fault({ kind: 'raw', route: 'v2-token', status: 500, body: 'upstream connect error' }),
      errorClass: CandescentUnavailableError,
      status: 503,
      upstreamStatus: 500,
    },
  ];

  describe('errors', () => {
    it.each(errorCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const tokens = await open(c.service, c.options);
      const before = sandbox.counters().tokenRequests;
      let set: CandescentTokenSet | undefined;
      if (c.grant === 'refresh_token') set = await tokens.login({ username: alice.username, password: alice.password });
      await c.arrange?.(set);
      const afterArrange = sandbox.requests().length;
      const error = await thrownBy(() => {
        if (c.grant === 'client_credentials') return tokens.getInstitutionToken();
        if (c.grant === 'password')
          return tokens.login({ username: alice.username, password: c.password ?? alice.password });
        return tokens.refresh(set!);
      });

      expect(error).toBeInstanceOf(c.errorClass);
      const e = error as CandescentAuthError;
      expect(e.getStatus()).toBe(c.status);
      expect(e.service).toBe(c.service);
      expect(e.upstreamStatus).toBe(c.upstreamStatus);
      if (c.errorCode !== undefined) expect(e.errorCode).toBe(c.errorCode);
      if (c.retryAfterSeconds !== undefined) expect(e.retryAfterSeconds).toBe(c.retryAfterSeconds);
      if (c.networkCode !== undefined) expect(e.networkCode).toBe(c.networkCode);
      expect(e.message).toContain(`Candescent ${c.service.toUpperCase()} token service`);
      // Exactly one request (retries are off) and the error names it.
      expect(sandbox.requests().length - afterArrange).toBe(1);
      expect(e.traceId).toBe(lastTraceId());
      expect(sandbox.counters().tokenRequests).toBeGreaterThan(before);
    });
  });

  describe('retries and back-off', () => {
    it('retries rate limiting and server errors, then returns the token', async () => {
      const tokens = await open('v2', { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 } });
      sandbox.injectFault({ kind: 'quota', route: 'v2-token' });
      sandbox.injectFault({ kind: 'server-error', route: 'v2-token' });
      const before = sandbox.requests().length;
      const token = await tokens.getInstitutionToken();
      expect(
        sandbox
          .requests()
          .slice(before)
          .map((r) => r.status),
      ).toEqual([500, 500, 200]);
      expect(sandbox.isAccessTokenValid(token.accessToken)).toBe(true);
    });

    it('waits at least Retry-After before the next attempt', async () => {
      const tokens = await open('v2', { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5_000 } });
      sandbox.injectFault({ kind: 'too-many-requests', route: 'v2-token', retryAfterSeconds: 2 });
      const before = sandbox.requests().length;
      const startedAt = clock.now();
      const token = await tokens.getInstitutionToken();
      expect(
        sandbox
          .requests()
          .slice(before)
          .map((r) => r.status),
      ).toEqual([429, 200]);
      // The fake clock only moves when the module sleeps.
      expect(token.issuedAt - startedAt).toBeGreaterThanOrEqual(2_000);
    });

    it('gives up at once when Retry-After is longer than it may wait, and says how long', async () => {
      const tokens = await open('v2', { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5_000 } });
      sandbox.injectFault({ kind: 'too-many-requests', route: 'v2-token', retryAfterSeconds: 30 });
      const before = sandbox.requests().length;
      const error = await thrownBy(() => tokens.getInstitutionToken());
      expect(error).toBeInstanceOf(CandescentRateLimitedError);
      expect(error).toMatchObject({ status: 429, retryAfterSeconds: 30 });
      expect(sandbox.requests().length - before).toBe(1);
    });

    it('opens the circuit after repeated failures: fails fast without requests, then lets one probe through', async () => {
      const tokens = await open('v2', { circuitBreaker: { failureThreshold: 3, resetTimeoutMs: 10_000 } });
      sandbox.injectFault({ kind: 'server-error', route: 'v2-token', times: 3 });
      for (let i = 0; i < 3; i++)
        expect(await thrownBy(() => tokens.getInstitutionToken())).toBeInstanceOf(CandescentUnavailableError);
      const before = sandbox.requests().length;
      const fast = await thrownBy(() => tokens.getInstitutionToken());
      expect(fast).toBeInstanceOf(CandescentUnavailableError);
      expect(fast).toMatchObject({ status: 503, errorCode: 'CIRCUIT_OPEN' });
      expect(sandbox.requests().length).toBe(before);

      clock.advance(10_000);
      const token = await tokens.getInstitutionToken();
      expect(sandbox.requests().length - before).toBe(1);
      expect(sandbox.isAccessTokenValid(token.accessToken)).toBe(true);
    });

    it.each<[string, Service]>([
      ['V1', 'v1'],
      ['V2', 'v2'],
    ])('never retries a %s wrong password', async (_name, service) => {
      const tokens = await open(service, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 } });
      const before = sandbox.counters().tokenRequests;
      const error = await thrownBy(() => tokens.login({ username: alice.username, password: 'not-alices-password' }));
      expect(error).toBeInstanceOf(CandescentInvalidCredentialsError);
      expect(sandbox.counters().tokenRequests - before).toBe(1);
    });
  });
});

function pick(record: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => name in record).map((name) => [name, record[name]]));
}
