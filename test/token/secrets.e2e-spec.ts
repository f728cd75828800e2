import { inspect } from 'node:util';
import { isAxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthError,
  type CandescentAuthModuleOptions,
  CandescentConfigurationError,
  CandescentContext,
  type CandescentTokenService,
  type CandescentTokenSet,
} from '@candescent/auth';
import type { CandescentSandbox, SandboxFault } from '@candescent/auth/testing';
import { FakeClock } from '../support/clock';
import { LogCapture } from '../support/logs';
import { createTokenModule, type OpenedModule } from '../support/module';
import { basicAuth, startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

/**
 * Runs successful and failing logins, refreshes, revocations, faults, configuration errors and an
 * outgoing call that dies with an axios error, keeps every log line (all levels) and every error,
 * and then looks for each secret by value in all of them.
 */

const CONSUMER_KEY = 'secrets-suite-key';
const CONSUMER_SECRET = 'cs-Very$ecret-9f3a7b2e';
const WRONG_SECRET = 'cs-Wrong$ecret-41d7c0aa';
const PASSWORD = 'Dana-Pa55word!#2030';
const WRONG_PASSWORD = 'Wrong-Pa55word!#2030';
// Urlencoding changes it, so its encoded forms are looked for as well.
const AWKWARD_PASSWORD = 'p@ss w0rd&=+%/Q9x';
const INVISIBLE_PASSWORD = `Dana-Pa55word\u200b!#2030`;
const CONTROL_PASSWORD = 'Dana-Pa55word\r\n!#2030';
const LONG_PASSWORD = `Long-Pa55word-${'z'.repeat(300)}`;

describe('secrets never reach logs or errors', () => {
  const clock = new FakeClock();
  const logs = new LogCapture();
  const errors: unknown[] = [];
  /** Secrets seen during the run, with what they are (for a readable failure). */
  const secrets = new Map<string, string>();
  const modules: OpenedModule[] = [];
  let sandbox: CandescentSandbox;

  const remember = (kind: string, value: string | undefined): void => {
    // Very short values would match by accident; every secret here is far longer.
    if (value !== undefined && value.length >= 8) secrets.set(value, kind);
  };
  const rememberSet = (set: CandescentTokenSet): void => {
    for (const token of [set.v1, set.v2]) {
      remember('access token', token?.accessToken);
      remember('refresh token', token?.refreshToken);
    }
  };

  /** Runs an operation that may fail, keeping what it threw. */
  async function attempt<T>(operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await operation();
    } catch (error: unknown) {
      errors.push(error);
      return undefined;
    }
  }

  async function open(overrides: Partial<CandescentAuthModuleOptions> = {}): Promise<CandescentTokenService> {
    const created = await createTokenModule(
      sandbox,
      {
        consumerKey: CONSUMER_KEY,
        consumerSecret: CONSUMER_SECRET,
        retry: { maxAttempts: 1 },
        // Every fault must reach the sandbox; an open circuit would answer in its place.
        circuitBreaker: { failureThreshold: 1000 },
        ...overrides,
      },
      { clock, logs },
    );
    modules.push(created);
    return created.tokens;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    sandbox.addCustomer({ username: 'dana', password: PASSWORD });
    sandbox.addCustomer({ username: 'erin', password: AWKWARD_PASSWORD });
    for (const [kind, value] of [
      ['consumer secret', CONSUMER_SECRET],
      ['wrong consumer secret', WRONG_SECRET],
      ['Basic credentials', basicAuth(CONSUMER_KEY, CONSUMER_SECRET).slice('Basic '.length)],
      ['Basic credentials (wrong secret)', basicAuth(CONSUMER_KEY, WRONG_SECRET).slice('Basic '.length)],
      ['password', PASSWORD],
      ['wrong password', WRONG_PASSWORD],
      ['awkward password', AWKWARD_PASSWORD],
      ['awkward password, form-encoded', new URLSearchParams({ p: AWKWARD_PASSWORD }).toString().slice(2)],
      ['awkward password, URI-encoded', encodeURIComponent(AWKWARD_PASSWORD)],
      ['password with an invisible character', INVISIBLE_PASSWORD],
      ['password with CR LF', CONTROL_PASSWORD],
      ['long password', LONG_PASSWORD],
    ] as const) {
      remember(kind, value);
    }
  });

  afterAll(async () => {
    await Promise.all(modules.map((m) => m.close()));
    await sandbox.stop();
  });

  it('runs logins, refreshes, revocations and failures', async () => {
    // Successful customer sessions on both services, renewed and ended.
    const both = await open({ tokenServices: ['v1', 'v2'] });
    const dana = await both.login({ username: 'dana', password: PASSWORD }, { originatingIp: '203.0.113.7' });
    rememberSet(dana);
    const renewed = await both.refresh(dana);
    rememberSet(renewed);
    await both.revoke(renewed);
    const erin = await both.login({ username: 'erin', password: AWKWARD_PASSWORD });
    rememberSet(erin);

    // Failing logins: wrong password on each service, characters the service refuses, and input
    // refused before sending.
    const v1 = await open({ tokenServices: ['v1'] });
    const v2 = await open({ tokenServices: ['v2'] });
    await attempt(() => v1.login({ username: 'dana', password: WRONG_PASSWORD }));
    await attempt(() => v2.login({ username: 'dana', password: WRONG_PASSWORD }));
    await attempt(() => v2.login({ username: 'dana', password: INVISIBLE_PASSWORD }));
    await attempt(() => both.login({ username: 'dana', password: CONTROL_PASSWORD }));
    await attempt(() => both.login({ username: 'dana', password: LONG_PASSWORD }));
    await attempt(() => both.login({ username: PASSWORD, password: '' }));

    // A used refresh token, and a refresh that meets a server error.
    await attempt(() => v2.refresh(dana));
    const fresh = await v2.login({ username: 'dana', password: PASSWORD });
    rememberSet(fresh);
    sandbox.injectFault({ kind: 'server-error', route: 'v2-token' });
    await attempt(() => v2.refresh(fresh));

    // A half-failed login on both services: V1 breaks, the V2 tokens already issued are revoked.
    sandbox.injectFault({ kind: 'reset', route: 'v1-token' });
    await attempt(() => both.login({ username: 'dana', password: PASSWORD }));

    // Every kind of fault on token requests.
    const faults: SandboxFault[] = [
      { kind: 'quota' },
      { kind: 'spike' },
      { kind: 'server-error' },
      { kind: 'unavailable', retryAfterSeconds: 5 },
      { kind: 'too-many-requests', retryAfterSeconds: 5 },
      { kind: 'html' },
      { kind: 'empty' },
      { kind: 'malformed' },
      { kind: 'gateway-fault' },
      { kind: 'reset' },
      { kind: 'reset-mid-body' },
    ];
    for (const [service, tokens, route] of [
      ['v1', v1, 'v1-token'],
      ['v2', v2, 'v2-token'],
    ] as const) {
      for (const f of faults) {
        sandbox.injectFault({ ...f, route });
        await attempt(() => tokens.login({ username: 'dana', password: PASSWORD }));
        sandbox.injectFault({ ...f, route });
        // A fresh module each time: a remembered rejection would answer without a request.
        await attempt(async () => (await open({ tokenServices: [service] })).getInstitutionToken());
      }
    }

    // The wrong consumer secret, on both services.
    const wrongV1 = await open({ tokenServices: ['v1'], consumerSecret: WRONG_SECRET });
    const wrongV2 = await open({ tokenServices: ['v2'], consumerSecret: WRONG_SECRET });
    await attempt(() => wrongV1.getInstitutionToken());
    await attempt(() => wrongV1.login({ username: 'dana', password: PASSWORD }));
    await attempt(() => wrongV2.getInstitutionToken());
    await attempt(() => wrongV2.login({ username: 'dana', password: PASSWORD }));

    expect(errors.length).toBeGreaterThan(40);
    expect(errors.every((e) => e instanceof CandescentAuthError)).toBe(true);
  });

  it('runs a failed background renewal, which is logged', async () => {
    const tokens = await open({ tokenServices: ['v2'], tokenRefreshJitter: 0 });
    const first = await tokens.getInstitutionToken();
    remember('access token', first.accessToken);
    sandbox.injectFault({ kind: 'reset', route: 'v2-token' });
    clock.set(first.expiresAt - 30_000);
    await tokens.getInstitutionToken();
    await waitFor(() => logs.linesAt('warn').some((line) => line.includes('institution token failed')));
    expect(logs.linesAt('warn').length).toBeGreaterThan(0);
  });

  it('runs outgoing calls that fail: raw axios errors on request, module errors otherwise (connection reset, refused token)', async () => {
    const created = await createTokenModule(
      sandbox,
      { consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, tokenServices: ['v2'], retry: { maxAttempts: 1 } },
      { clock, logs },
    );
    modules.push(created);
    const { http } = created;
    const path = '/db-accounts/v1/accounts';

    // Institution token: one good call (so its token is known), then a reset.
    const ok = await firstValueFrom(http.get<{ accounts: unknown[] }>(path, { params: { loginId: 'dana' } }));
    expect(ok.data.accounts).toHaveLength(2);
    sandbox.injectFault({ kind: 'reset', route: 'v2-accounts' });
    await attempt(() => firstValueFrom(http.get(path, { params: { loginId: 'dana' }, candescentRawErrors: true })));

    // Customer token inside a request context: a reset, then a token the service keeps refusing.
    const set = await created.tokens.login({ username: 'dana', password: PASSWORD });
    rememberSet(set);
    const asDana = <T>(call: () => Promise<T>): Promise<T> =>
      CandescentContext.run({ traceId: crypto.randomUUID(), session: { id: 'session-hash', tokens: set } }, call);
    sandbox.injectFault({ kind: 'reset', route: 'v2-accounts' });
    await attempt(() => asDana(() => firstValueFrom(http.get(path, { candescentRawErrors: true }))));
    sandbox.injectFault({ kind: 'reset', route: 'v2-accounts' });
    await attempt(() => asDana(() => firstValueFrom(http.get(path))));
    sandbox.injectFault({ kind: 'reject-token', route: 'v2-accounts', times: 2 });
    await attempt(() => firstValueFrom(http.get(path, { params: { loginId: 'dana' } })));
    sandbox.injectFault({ kind: 'reject-token', route: 'v2-accounts', times: 2 });
    await attempt(() => asDana(() => firstValueFrom(http.get(path))));

    expect(errors.filter((e) => isAxiosError(e))).toHaveLength(2);
    const apiResets = errors.filter(
      (e) =>
        e instanceof CandescentAuthError && e.networkCode === 'ECONNRESET' && e.message.startsWith('Candescent V2 API'),
    );
    expect(apiResets).toHaveLength(1);
    expect(apiResets[0]).toMatchObject({ statusCode: 503, errorCode: 'NETWORK_ERROR' });
    expect(
      errors.filter((e) => e instanceof CandescentAuthError && e.errorCode === 'TOKEN_REFUSED_AFTER_RENEWAL'),
    ).toHaveLength(2);
  });

  it('runs configuration errors that carry a secret in the wrong place', async () => {
    const bad: Array<Record<string, unknown>> = [
      { consumerSecret: `${CONSUMER_SECRET} ` },
      { consumerSecret: `${CONSUMER_SECRET}\n` },
      { fiId: CONSUMER_SECRET },
      { baseUrl: `http://${CONSUMER_KEY}:${CONSUMER_SECRET}@127.0.0.1:1` },
      { consumerKey: CONSUMER_SECRET, appName: CONSUMER_SECRET, offeringId: `${CONSUMER_SECRET}!` },
      { consumerSecrett: CONSUMER_SECRET },
    ];
    for (const overrides of bad) {
      await attempt(() => open(overrides as Partial<CandescentAuthModuleOptions>));
    }
    const configErrors = errors.filter((e) => e instanceof CandescentConfigurationError);
    expect(configErrors).toHaveLength(bad.length);
  });

  /** Where each known secret shows up in `texts`. */
  function leaksIn(texts: Array<[where: string, text: string]>): string[] {
    const leaks: string[] = [];
    for (const [where, text] of texts) {
      for (const [secret, kind] of secrets) {
        if (text.includes(secret)) leaks.push(`${kind} in ${where}`);
      }
    }
    return leaks;
  }

  /** Every textual form of an error someone might log or send. */
  function renderings(error: unknown, label: string): Array<[string, string]> {
    const message = error instanceof Error ? error.message : String(error);
    return [
      [`${label} message`, message],
      [`${label} JSON.stringify`, safely(() => JSON.stringify(error))],
      [`${label} util.inspect`, inspect(error, { depth: 10 })],
      [`${label} stack`, String(error instanceof Error ? error.stack : undefined)],
    ];
  }

  it('collects every secret that went over the wire', () => {
    // Whatever reached the sandbox is a secret too: every password, refresh token and revoked
    // token in a form body, every bearer token in a header.
    for (const request of sandbox.requests()) {
      remember('password (as sent)', request.form.password);
      remember('refresh token (as sent)', request.form.refresh_token);
      remember('revoked token (as sent)', request.form.token);
      const authorization = Object.hasOwn(request.headers, 'authorization') ? request.headers.authorization : '';
      remember('access token (as sent)', /^Bearer (.+)$/.exec(authorization)?.[1]);
    }
    const kinds = [...secrets.values()];
    expect(kinds.filter((kind) => kind.startsWith('access token')).length).toBeGreaterThan(4);
    expect(kinds.filter((kind) => kind.startsWith('refresh token')).length).toBeGreaterThan(3);
    expect(logs.linesAt('warn').length).toBeGreaterThan(0);
  });

  it('keeps every secret out of every log line (all levels)', () => {
    expect(
      leaksIn(logs.entries.map((entry, i): [string, string] => [`log line #${i} (${entry.level})`, entry.line])),
    ).toEqual([]);
  });

  it('keeps every secret out of the module errors: message, JSON, util.inspect and stack', () => {
    const moduleErrors = errors.filter((e) => !isAxiosError(e));
    expect(moduleErrors.every((e) => e instanceof CandescentAuthError)).toBe(true);
    expect(leaksIn(moduleErrors.flatMap((e, i) => renderings(e, `#${i} ${(e as Error).name}`)))).toEqual([]);
  });

  it('keeps every secret out of axios errors from outgoing calls: message, JSON, util.inspect and stack', () => {
    const axiosErrors = errors.filter((e) => isAxiosError(e));
    expect(axiosErrors).toHaveLength(2);
    expect(leaksIn(axiosErrors.flatMap((e, i) => renderings(e, `axios error #${i} (${e.code ?? 'no code'})`)))).toEqual(
      [],
    );
  });

  // Gateways' validation messages sometimes quote the value they rejected.
  it.each<[string, 'v1' | 'v2', SandboxFault]>([
    [
      'V1 <errorMessage>',
      'v1',
      {
        kind: 'raw',
        route: 'v1-token',
        status: 400,
        contentType: 'application/xml',
        body:
          '<Status xmlns="http://schema.intuit.com/fs/common/v2"><statusMessage>Form param invalid</statusMessage><errorInfo>' +
          `<errorType>USER_ERROR</errorType><errorCode>90002</errorCode><errorMessage>Form param 'password' invalid: ${PASSWORD}</errorMessage>` +
          '</errorInfo></Status>',
      },
    ],
    [
      'V2 message',
      'v2',
      {
        kind: 'raw',
        route: 'v2-token',
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'CMN_90015', message: `invalid user credentials for dana/${PASSWORD}` }),
      },
    ],
  ])('keeps the password out of the error when the %s echoes it back', async (_name, service, echo) => {
    const tokens = await open({ tokenServices: [service] });
    sandbox.injectFault(echo);
    const error = await thrownByLogin(tokens);
    expect(error).toBeInstanceOf(CandescentAuthError);
    expect(
      renderings(error, service)
        .filter(([, text]) => text.includes(PASSWORD))
        .map(([where]) => where),
    ).toEqual([]);
  });
});

async function thrownByLogin(tokens: CandescentTokenService): Promise<unknown> {
  try {
    await tokens.login({ username: 'dana', password: PASSWORD });
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the login to fail');
}

function safely(serialize: () => string | undefined): string {
  try {
    return serialize() ?? 'undefined';
  } catch (error: unknown) {
    return `(not serializable: ${error instanceof Error ? error.message : 'unknown'})`;
  }
}
