// Internal, and used only where the sandbox cannot count: attempts against a closed port.
import { CandescentTokenHttpClient } from '../../libs/candescent-auth/src/token/token-http.client';
import {
  type CandescentAuthError,
  type CandescentAuthModuleOptions,
  CandescentForbiddenError,
  CandescentInvalidCredentialsError,
  CandescentProtocolError,
  CandescentSessionExpiredError,
  CandescentRateLimitedError,
  CandescentTimeoutError,
  CandescentUnavailableError,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS, type SandboxFault } from '@candescent/auth/testing';
import { openModule } from '../support/module';
import { failureOf, type Outcome, outcomeOf, successOf } from '../support/outcome';
import { closeAfterEachTest } from '../support/resilience-testing';
import { sandboxOptions, startSandbox } from '../support/sandbox';
import { sleep } from '../support/wait';

/**
 * Fault injection over real HTTP: each case names what the caller gets (a typed error with its
 * status, or a token), how long it took on the real clock, and how many token requests reached
 * the sandbox. Back-offs are small so the suite stays fast; Retry-After cases wait for real.
 */

type ErrorClass = abstract new (...args: never[]) => CandescentAuthError;

// Generous enough for a loaded CI machine, still below the shortest wait a failure could hide
// (a 1 s Retry-After), so it tells "failed fast" from "waited".
const FAST_MS = 900;
const SLACK_MS = 250;

/** Small back-offs: 20, 40 ms (times a random share) between three attempts. */
const BASE: Partial<CandescentAuthModuleOptions> = {
  requestTimeoutMs: 1_000,
  requestDeadlineMs: 5_000,
  retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200 },
};

const alice = DEMO_CUSTOMERS[0];

describe('token requests under injected faults', () => {
  let sandbox: CandescentSandbox;

  beforeEach(async () => {
    sandbox = await startSandbox();
  });

  // Registered first so it runs first: spies come off before the modules they watched close.
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const opened = closeAfterEachTest(() => sandbox);

  async function open(
    overrides: Partial<CandescentAuthModuleOptions> = {},
    base: CandescentSandbox | string = sandbox,
  ) {
    const options =
      typeof base === 'string'
        ? { baseUrl: base, ...sandbox.credentials, ...BASE, ...overrides }
        : sandboxOptions(base, { ...BASE, ...overrides });
    const created = await openModule(options);
    opened.push(created);
    return created.tokens;
  }

  const tokenRequests = () => sandbox.counters().tokenRequests;

  function expectTyped(error: unknown, type: ErrorClass, status: number): asserts error is CandescentAuthError {
    expect(error).toBeInstanceOf(type);
    expect((error as CandescentAuthError).getStatus()).toBe(status);
  }

  /**
   * Opens a module (see `open`) and asks it for the institution token once, timed. `random`
   * pins `Math.random` (the back-off jitter) once the module is open: Nest draws provider ids
   * from it while compiling (through a shared buffer), and pinned ids collide in the injector.
   */
  async function institutionToken(
    overrides: Partial<CandescentAuthModuleOptions> = {},
    base: CandescentSandbox | string = sandbox,
    random?: number,
  ) {
    const tokens = await open(overrides, base);
    if (random !== undefined) jest.spyOn(Math, 'random').mockReturnValue(random);
    return outcomeOf(() => tokens.getInstitutionToken());
  }

  /** The error of a call that failed fast with `type` and `status` after `requests` token requests. */
  function fastFailure(
    outcome: Outcome<unknown>,
    type: ErrorClass,
    status: number,
    requests: number,
  ): CandescentAuthError {
    const error = failureOf(outcome);
    expectTyped(error, type, status);
    expect(outcome.ms).toBeLessThan(FAST_MS);
    expect(tokenRequests()).toBe(requests);
    return error;
  }

  /** The value of a call that succeeded fast after `requests` token requests. */
  function fastSuccess<T>(outcome: Outcome<T>, requests: number): T {
    const value = successOf(outcome);
    expect(outcome.ms).toBeLessThan(FAST_MS);
    expect(tokenRequests()).toBe(requests);
    return value;
  }

  /** Arrival times (sandbox clock) of the token requests so far. */
  const tokenArrivals = () =>
    sandbox
      .requests()
      .filter((r) => r.route === 'v1-token' || r.route === 'v2-token')
      .map((r) => r.at);

  const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

  describe('token service down', () => {
    it('fails fast with CandescentUnavailableError after a bounded number of attempts when nothing listens', async () => {
      const down = await startSandbox();
      const deadUrl = down.url;
      await down.stop();
      const sends = jest.spyOn(CandescentTokenHttpClient.prototype, 'send');
      const outcome = await institutionToken({}, deadUrl);

      const error = failureOf(outcome);
      expectTyped(error, CandescentUnavailableError, 503);
      expect(error.networkCode).toBe('ECONNREFUSED');
      expect(sends).toHaveBeenCalledTimes(3);
      expect(outcome.ms).toBeLessThan(FAST_MS);
    });

    it('is back in business as soon as the service listens again', async () => {
      const sends = jest.spyOn(CandescentTokenHttpClient.prototype, 'send');
      const down = await startSandbox();
      const url = down.url;
      const port = Number(new URL(url).port);
      await down.stop();
      const tokens = await open({ retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }, url);
      expect(failureOf(await outcomeOf(() => tokens.getInstitutionToken()))).toBeInstanceOf(CandescentUnavailableError);

      // No breaker trip and no negative cache for a refused connection: the next call just works.
      const revived = await startSandbox({ port });
      try {
        expect(revived.url).toBe(url);
        successOf(await outcomeOf(() => tokens.getInstitutionToken()));
        expect(revived.counters().tokenRequests).toBe(1);
        expect(sends).toHaveBeenCalledTimes(2);
      } finally {
        await revived.stop();
      }
    });
  });

  describe('latency', () => {
    it('a 20 s stall ends in CandescentTimeoutError within the overall deadline, not after 20 s', async () => {
      sandbox.injectFault({ kind: 'latency', ms: 20_000, times: Infinity });
      const outcome = await institutionToken({
        requestTimeoutMs: 300,
        requestDeadlineMs: 1_000,
        retry: { maxAttempts: 10, baseDelayMs: 20, maxDelayMs: 100 },
      });

      const error = failureOf(outcome);
      expectTyped(error, CandescentTimeoutError, 504);
      expect(error.errorCode).toBe('TIMEOUT');
      expect(outcome.ms).toBeGreaterThanOrEqual(290);
      expect(outcome.ms).toBeLessThan(1_000 + SLACK_MS);
      // 300 ms attempts inside a 1 s deadline: three full ones and at most a short last one.
      expect(tokenRequests()).toBeGreaterThanOrEqual(3);
      expect(tokenRequests()).toBeLessThanOrEqual(4);
    });

    it('a slow first answer is retried and the caller gets a token', async () => {
      sandbox.injectFault({ kind: 'latency', ms: 20_000 });
      const outcome = await institutionToken({ requestTimeoutMs: 300, requestDeadlineMs: 2_000 });

      expect(successOf(outcome).accessToken).toMatch(/^\S+$/);
      expect(outcome.ms).toBeGreaterThanOrEqual(290);
      expect(outcome.ms).toBeLessThan(300 + FAST_MS);
      expect(tokenRequests()).toBe(2);
    });

    it('a body that trickles in slower than the attempt timeout is a timeout, not a hang', async () => {
      sandbox.injectFault({ kind: 'slow-body', ms: 20_000, times: Infinity });
      const outcome = await institutionToken({ requestTimeoutMs: 300, requestDeadlineMs: 800 });

      expectTyped(failureOf(outcome), CandescentTimeoutError, 504);
      expect(outcome.ms).toBeLessThan(800 + SLACK_MS);
      expect(tokenRequests()).toBeGreaterThanOrEqual(2);
      expect(tokenRequests()).toBeLessThanOrEqual(3);
    });
  });

  describe('connection resets', () => {
    it.each<SandboxFault['kind']>(['reset', 'reset-mid-body'])(
      'one %s is retried and the caller gets a token',
      async (kind) => {
        sandbox.injectFault({ kind } as SandboxFault);

        fastSuccess(await institutionToken(), 2);
      },
    );

    it.each<SandboxFault['kind']>(['reset', 'reset-mid-body'])(
      'a %s on every attempt ends in CandescentUnavailableError (ECONNRESET) after maxAttempts',
      async (kind) => {
        sandbox.injectFault({ kind, times: Infinity } as SandboxFault);

        const error = fastFailure(await institutionToken(), CandescentUnavailableError, 503, 3);
        expect(error.networkCode).toBe('ECONNRESET');
      },
    );

    it('a password grant cut off mid-body is retried too, and the customer is logged in', async () => {
      sandbox.injectFault({ route: 'v2-token', kind: 'reset-mid-body' });
      const tokens = await open();

      const outcome = await outcomeOf(() => tokens.login({ username: alice.username, password: alice.password }));

      expect(successOf(outcome).v2?.refreshToken).toBeDefined();
      expect(outcome.ms).toBeLessThan(FAST_MS);
      expect(sandbox.counters().byGrant.password).toBe(2);
    });
    it('a refresh grant whose connection is reset before any answer is retried, and the session goes on', async () => {
      const tokens = await open();
      const set = await tokens.login({ username: alice.username, password: alice.password });
      sandbox.injectFault({ route: 'v2-token', kind: 'reset' });

      const outcome = await outcomeOf(() => tokens.refresh(set));

      const renewed = successOf(outcome);
      expect(renewed.v2?.accessToken).not.toBe(set.v2?.accessToken);
      expect(renewed.v2?.refreshToken).not.toBe(set.v2?.refreshToken);
      expect(outcome.ms).toBeLessThan(FAST_MS);
      expect(sandbox.counters().byGrant.refresh_token).toBe(2);
    });
  });

  describe('rate limiting reported as 500 (quota, spike) and other 5xx', () => {
    it.each([
      ['v2', 'quota', 1],
      ['v2', 'quota', 2],
      ['v2', 'spike', 2],
      ['v1', 'quota', 2],
      ['v1', 'spike', 2],
      ['v2', 'server-error', 2],
      ['v1', 'server-error', 1],
    ] as const)(
      '%s: a burst of %s x%i is retried with backoff, then the caller gets a token',
      async (service, kind, burst) => {
        sandbox.injectFault({ kind, times: burst });
        // Jitter pinned at its maximum so each wait is exactly baseDelayMs * 2^(n-1).
        const outcome = await institutionToken(
          { tokenServices: [service], retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 } },
          sandbox,
          1,
        );

        expect(successOf(outcome).service).toBe(service);
        // Waits of 100 and 200 ms: at least their sum, and not much more.
        expect(outcome.ms).toBeGreaterThanOrEqual(100 * (2 ** burst - 1) - 5);
        expect(outcome.ms).toBeLessThan(100 * (2 ** burst - 1) + FAST_MS);
        expect(tokenRequests()).toBe(burst + 1);
        const waits = gaps(tokenArrivals());
        waits.forEach((wait, i) => {
          expect(wait).toBeGreaterThanOrEqual(100 * 2 ** i - 5);
          expect(wait).toBeLessThan(100 * 2 ** i + SLACK_MS);
        });
      },
    );

    it('back-off is full jitter: a random share of the exponential step, never more', async () => {
      sandbox.injectFault({ kind: 'quota', times: 2 });
      const outcome = await institutionToken(
        { retry: { maxAttempts: 3, baseDelayMs: 400, maxDelayMs: 5_000 } },
        sandbox,
        0.25,
      );

      successOf(outcome);
      expect(outcome.ms).toBeLessThan(100 + 200 + FAST_MS);
      expect(tokenRequests()).toBe(3);
      const [first, second] = gaps(tokenArrivals());
      expect(first).toBeGreaterThanOrEqual(100 - 5);
      expect(first).toBeLessThan(400);
      expect(second).toBeGreaterThanOrEqual(200 - 5);
      expect(second).toBeLessThan(800);
    });

    it('a quota burst longer than maxAttempts ends in CandescentRateLimitedError (429) after exactly maxAttempts', async () => {
      sandbox.injectFault({ kind: 'quota', times: Infinity });

      const error = fastFailure(await institutionToken(), CandescentRateLimitedError, 429, 3);
      expect(error.upstreamStatus).toBe(500);
      expect(error.errorCode).toBe('CMN_90001');
    });

    it('each attempt carries a fresh trace id', async () => {
      sandbox.injectFault({ kind: 'spike', times: 2 });
      const outcome = await institutionToken();

      successOf(outcome);
      expect(outcome.ms).toBeLessThan(FAST_MS);
      const ids = sandbox.requests().map((r) => r.headers.transactionid);
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
    });
  });

  describe('503 and 429 with Retry-After', () => {
    it('503 Retry-After: 1 is honoured (the retry waits at least 1 s), then the caller gets a token', async () => {
      sandbox.injectFault({ kind: 'unavailable', retryAfterSeconds: 1 });
      const outcome = await institutionToken({ retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 2_000 } });

      successOf(outcome);
      expect(tokenRequests()).toBe(2);
      const [wait] = gaps(tokenArrivals());
      expect(wait).toBeGreaterThanOrEqual(1_000 - 5);
      expect(outcome.ms).toBeLessThan(1_000 + FAST_MS);
    });

    it('Retry-After as an HTTP date is honoured too', async () => {
      const at = new Date(Date.now() + 2_000);
      sandbox.injectFault({
        kind: 'raw',
        status: 503,
        body: '',
        headers: { 'Retry-After': at.toUTCString() },
      });
      const outcome = await institutionToken({ retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 3_000 } });

      successOf(outcome);
      expect(outcome.ms).toBeLessThan(2_000 + FAST_MS);
      expect(tokenRequests()).toBe(2);
      // The date has one-second precision; anything from 1 s on shows it was read.
      expect(gaps(tokenArrivals())[0]).toBeGreaterThanOrEqual(1_000 - 5);
    });

    it('a Retry-After beyond maxDelayMs fails at once and tells the caller when to come back', async () => {
      sandbox.injectFault({ kind: 'unavailable', retryAfterSeconds: 30, times: Infinity });
      const outcome = await institutionToken({ retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 2_000 } });

      const error = fastFailure(outcome, CandescentUnavailableError, 503, 1);
      expect(error.retryAfterSeconds).toBe(30);
      expect(error.upstreamStatus).toBe(503);
    });

    it('a Retry-After that would pass the overall deadline fails at once', async () => {
      sandbox.injectFault({ kind: 'unavailable', retryAfterSeconds: 2, times: Infinity });
      const outcome = await institutionToken({
        requestDeadlineMs: 1_500,
        retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 5_000 },
      });

      expect(failureOf(outcome)).toMatchObject({ status: 503, retryAfterSeconds: 2 });
      expect(outcome.ms).toBeLessThan(FAST_MS);
      expect(tokenRequests()).toBe(1);
    });

    it('429 Retry-After: 1 is retried after at least 1 s, then the caller gets a token', async () => {
      sandbox.injectFault({ kind: 'too-many-requests', retryAfterSeconds: 1 });
      const outcome = await institutionToken({ retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 2_000 } });

      successOf(outcome);
      expect(outcome.ms).toBeLessThan(1_000 + FAST_MS);
      expect(tokenRequests()).toBe(2);
      expect(gaps(tokenArrivals())[0]).toBeGreaterThanOrEqual(1_000 - 5);
    });

    it('429 on every attempt ends in CandescentRateLimitedError (429) after maxAttempts', async () => {
      sandbox.injectFault({ kind: 'too-many-requests', times: Infinity });

      const error = fastFailure(await institutionToken(), CandescentRateLimitedError, 429, 3);
      expect(error.upstreamStatus).toBe(429);
    });
  });

  describe('bodies that break the contract', () => {
    // Far beyond any real token answer; fetching it again cannot make it smaller.
    const oversized = JSON.stringify({ access_token: 'x'.repeat(100_000), token_type: 'Bearer', expires_in: '60' });

    const unreadable: Array<[string, SandboxFault, 'v1' | 'v2']> = [
      ['truncated JSON', { kind: 'malformed' }, 'v2'],
      ['a truncated V1 answer (XML, which the module prefers)', { kind: 'malformed' }, 'v1'],
      [
        'truncated XML',
        {
          kind: 'raw',
          status: 200,
          contentType: 'application/xml',
          body: '<?xml version="1.0" encoding="UTF-8"?>\n<token>\n  <access_token>Zm9v',
        },
        'v1',
      ],
      [
        'XML with a DOCTYPE',
        {
          kind: 'raw',
          status: 200,
          contentType: 'application/xml',
          body: '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x "y">]><token><access_token>&x;</access_token><expires_in>60</expires_in></token>',
        },
        'v1',
      ],
      ['an empty 200', { kind: 'empty' }, 'v2'],
      ['an empty 200 from V1', { kind: 'empty' }, 'v1'],
      [
        'an HTML page with status 200',
        { kind: 'raw', status: 200, contentType: 'text/html', body: '<html><body>Welcome</body></html>' },
        'v2',
      ],
    ];

    // client_credentials spends nothing, so an answer that broke in transit is asked for again.
    it.each(unreadable)(
      '%s once, for client_credentials: retried, then the caller gets a token',
      async (_name, fault, service) => {
        sandbox.injectFault(fault);

        expect(fastSuccess(await institutionToken({ tokenServices: [service] }), 2).service).toBe(service);
      },
    );

    it.each(unreadable)(
      '%s on every attempt: CandescentProtocolError (502) after maxAttempts',
      async (_name, fault, service) => {
        sandbox.injectFault({ ...fault, times: Infinity });

        const error = fastFailure(
          await institutionToken({ tokenServices: [service] }),
          CandescentProtocolError,
          502,
          3,
        );
        expect(error.errorCode).toBe('MALFORMED_BODY');
      },
    );

    it('an answer larger than the 64 KiB limit: CandescentProtocolError (502) after one request', async () => {
      sandbox.injectFault({
        kind: 'raw',
        status: 200,
        contentType: 'application/json',
        body: oversized,
        times: Infinity,
      });

      const error = fastFailure(await institutionToken(), CandescentProtocolError, 502, 1);
      expect(error.errorCode).toBe('MALFORMED_BODY');
    });

    it('a malformed 200 to a refresh grant is retried with the same refresh token, and the caller gets new tokens', async () => {
      const tokens = await open();
      const set = await tokens.login({ username: alice.username, password: alice.password });
      sandbox.injectFault({ route: 'v2-token', kind: 'malformed' });

      // The login, the broken answer, the retry.
      const renewed = fastSuccess(await outcomeOf(() => tokens.refresh(set)), 3);
      expect(sandbox.counters().byGrant.refresh_token).toBe(2);
      expect(renewed.v2?.refreshToken).not.toBe(set.v2?.refreshToken);
    });

    it('a broken answer after the refresh token was rotated ends the same way a later renewal would: the old token is spent', async () => {
      const tokens = await open();
      const set = await tokens.login({ username: alice.username, password: alice.password });
      // The sandbox rotates before the answer breaks, as the real service may.
      sandbox.injectFault({ route: 'v2-token', kind: 'reset-mid-body' });

      expect(failureOf(await outcomeOf(() => tokens.refresh(set)))).toBeInstanceOf(CandescentSessionExpiredError);
      expect(sandbox.counters().byGrant.refresh_token).toBe(2);
      // Retried or not, the session holds only the spent token: a later renewal is refused the same way.
      expect(failureOf(await outcomeOf(() => tokens.refresh(set)))).toBeInstanceOf(CandescentSessionExpiredError);
    });

    it('an HTML 502 proxy page is a server error: retried, then the caller gets a token', async () => {
      sandbox.injectFault({ kind: 'html' });

      fastSuccess(await institutionToken(), 2);
    });

    it('HTML 502 pages on every attempt end in CandescentUnavailableError (503) after maxAttempts', async () => {
      sandbox.injectFault({ kind: 'html', times: Infinity });

      const error = fastFailure(await institutionToken(), CandescentUnavailableError, 503, 3);
      expect(error.upstreamStatus).toBe(502);
    });
  });

  describe('expires_in', () => {
    const DAY = 86_400;
    it.each<[string, string | number | null, number | undefined, number | 'error']>([
      ['missing', null, undefined, 'error'],
      ['missing, with defaultExpiresInSeconds', null, 120, 120],
      ['0', 0, undefined, 'error'],
      ['"0", even with a default', '0', 120, 'error'],
      ['negative', -60, undefined, 'error'],
      ['negative as text, even with a default', '-60', 120, 'error'],
      ['non-numeric', 'soon', undefined, 'error'],
      ['non-numeric, with defaultExpiresInSeconds', 'soon', 120, 120],
      ['"NaN", even with a default', 'NaN', 120, 'error'],
      ['"Infinity", even with a default', 'Infinity', 120, 'error'],
      ['fractional', 12.5, undefined, 'error'],
      ['beyond double range', '1e400', undefined, 'error'],
      ['numeric text with spaces', ' 90 ', undefined, 90],
      ['huge (clamped to 31 days)', 1e12, undefined, 31 * DAY],
      ['huge as text (clamped to 31 days)', '99999999999999999999', undefined, 31 * DAY],
    ])('%s', async (_name, value, defaultExpiresInSeconds, expected) => {
      sandbox.injectFault({ kind: 'expires-in', value });
      const outcome = await institutionToken({ defaultExpiresInSeconds });

      expect(tokenRequests()).toBe(1);
      expect(outcome.ms).toBeLessThan(FAST_MS);
      if (expected === 'error') {
        const error = failureOf(outcome);
        expectTyped(error, CandescentProtocolError, 502);
        expect(error.errorCode).toBe('INVALID_TOKEN_RESPONSE');
        expect(error.message).toContain('expires_in');
        return;
      }
      const token = successOf(outcome);
      expect(Number.isFinite(token.expiresAt)).toBe(true);
      expect(token.expiresAt - token.issuedAt).toBe(expected * 1000);
    });

    it('a huge lifetime is clamped to maxExpiresInSeconds when configured', async () => {
      sandbox.injectFault({ kind: 'expires-in', value: '315360000' });
      const outcome = await institutionToken({ maxExpiresInSeconds: 3_600 });

      const token = successOf(outcome);
      expect(token.expiresAt - token.issuedAt).toBe(3_600_000);
      expect(outcome.ms).toBeLessThan(FAST_MS);
      expect(tokenRequests()).toBe(1);
    });
  });

  describe('rejected credentials are never retried', () => {
    it.each(['v1', 'v2'] as const)(
      '%s: a wrong customer password is one request and CandescentInvalidCredentialsError (401)',
      async (service) => {
        const tokens = await open({ tokenServices: [service] });

        const outcome = await outcomeOf(() => tokens.login({ username: alice.username, password: 'not-the-password' }));

        fastFailure(outcome, CandescentInvalidCredentialsError, 401, 1);
      },
    );

    it.each(['v1', 'v2'] as const)(
      '%s: a wrong consumer secret is one request and CandescentForbiddenError (403)',
      async (service) => {
        fastFailure(
          await institutionToken({ tokenServices: [service], consumerSecret: 'wrong-consumer-secret' }),
          CandescentForbiddenError,
          403,
          1,
        );
      },
    );

    it('an Apigee fault for the app key is one request and CandescentForbiddenError (403)', async () => {
      sandbox.injectFault({ kind: 'gateway-fault', times: Infinity });

      fastFailure(await institutionToken(), CandescentForbiddenError, 403, 1);
    });
  });

  describe('circuit breaker', () => {
    const BREAKER: Partial<CandescentAuthModuleOptions> = {
      // Room for a slow machine: these tests are about the breaker, not the attempt timeout.
      requestTimeoutMs: 5_000,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: { minimumCalls: 3, resetTimeoutMs: 600, halfOpenProbes: 1 },
    };

    async function tripBreaker() {
      sandbox.injectFault({ kind: 'server-error', times: Infinity });
      const tokens = await open(BREAKER);
      for (let i = 0; i < 3; i++) {
        const error = failureOf(await outcomeOf(() => tokens.getInstitutionToken()));
        expectTyped(error, CandescentUnavailableError, 503);
        expect(error.errorCode).toBe('CMN_90000');
      }
      expect(tokenRequests()).toBe(3);
      return tokens;
    }

    it('once minimumCalls operations failed the next calls fail fast with CIRCUIT_OPEN and send nothing', async () => {
      const tokens = await tripBreaker();

      for (let i = 0; i < 5; i++) {
        const outcome = await outcomeOf(() => tokens.getInstitutionToken());
        const error = failureOf(outcome);
        expectTyped(error, CandescentUnavailableError, 503);
        expect(error.errorCode).toBe('CIRCUIT_OPEN');
        expect(error.retryAfterSeconds).toBe(1);
        expect(outcome.ms).toBeLessThan(50);
      }
      expect(tokenRequests()).toBe(3);
    });

    it('after resetTimeoutMs one probe goes through; its success closes the circuit', async () => {
      const tokens = await tripBreaker();
      sandbox.clearFaults();
      expect(failureOf(await outcomeOf(() => tokens.getInstitutionToken()))).toMatchObject({
        errorCode: 'CIRCUIT_OPEN',
      });

      await sleep(650);
      const probe = successOf(await outcomeOf(() => tokens.getInstitutionToken()));
      expect(tokenRequests()).toBe(4);

      // Closed again: a fresh fetch goes straight to the service.
      tokens.invalidate(probe.accessToken);
      successOf(await outcomeOf(() => tokens.getInstitutionToken()));
      expect(tokenRequests()).toBe(5);
    });

    it('a failed probe opens the circuit again', async () => {
      const tokens = await tripBreaker();

      await sleep(650);
      const probe = failureOf(await outcomeOf(() => tokens.getInstitutionToken()));
      expect(probe).toMatchObject({ errorCode: 'CMN_90000' });
      expect(tokenRequests()).toBe(4);

      expect(failureOf(await outcomeOf(() => tokens.getInstitutionToken()))).toMatchObject({
        errorCode: 'CIRCUIT_OPEN',
      });
      expect(tokenRequests()).toBe(4);
    });

    it('while the probe is in flight, other requests to the same service still fail fast', async () => {
      const tokens = await tripBreaker();
      await sleep(650);
      sandbox.clearFaults();
      sandbox.injectFault({ kind: 'latency', ms: 200 });

      // Different scopes are different cache keys, so single-flight does not merge them.
      const probe = outcomeOf(() => tokens.getInstitutionToken({ scopes: ['accounts:read'] }));
      const others = await Promise.all(
        [['transactions:read'], ['alerts:read'], ['accounts:read', 'alerts:read']].map((scopes) =>
          outcomeOf(() => tokens.getInstitutionToken({ scopes })),
        ),
      );

      for (const other of others) {
        expect(failureOf(other)).toMatchObject({ errorCode: 'CIRCUIT_OPEN', status: 503 });
        expect(other.ms).toBeLessThan(50);
      }
      successOf(await probe);
      expect(tokenRequests()).toBe(4);
    });

    it('a burst of spike arrests and quota answers never opens it: they mean "slow down", not "down"', async () => {
      sandbox.injectFault({ kind: 'spike', times: 10 });
      sandbox.injectFault({ kind: 'quota', times: 10 });
      const tokens = await open(BREAKER);

      for (let i = 0; i < 20; i++) {
        expectTyped(failureOf(await outcomeOf(() => tokens.getInstitutionToken())), CandescentRateLimitedError, 429);
      }
      successOf(await outcomeOf(() => tokens.getInstitutionToken()));
      expect(tokenRequests()).toBe(21);
    });

    it('failed attempts that the retries absorb never open it', async () => {
      const tokens = await open({ ...BREAKER, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });

      for (let i = 0; i < 10; i++) {
        sandbox.injectFault({ kind: i % 2 === 0 ? 'reset' : 'server-error', times: 2 });
        const token = successOf(await outcomeOf(() => tokens.getInstitutionToken()));
        tokens.invalidate(token.accessToken);
      }
      expect(tokenRequests()).toBe(30);
    });

    it('half-open lets halfOpenProbes callers through at once; one success closes it', async () => {
      sandbox.injectFault({ kind: 'server-error', times: 3 });
      const tokens = await open({
        ...BREAKER,
        circuitBreaker: { minimumCalls: 3, resetTimeoutMs: 600, halfOpenProbes: 2 },
      });
      for (let i = 0; i < 3; i++)
        expectTyped(failureOf(await outcomeOf(() => tokens.getInstitutionToken())), CandescentUnavailableError, 503);
      expect(failureOf(await outcomeOf(() => tokens.getInstitutionToken()))).toMatchObject({
        errorCode: 'CIRCUIT_OPEN',
      });
      await sleep(650);
      sandbox.injectFault({ kind: 'latency', ms: 200, times: 2 });

      const outcomes = await Promise.all(
        [['accounts:read'], ['transactions:read'], ['alerts:read']].map((scopes) =>
          outcomeOf(() => tokens.getInstitutionToken({ scopes })),
        ),
      );

      expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
      const refused = outcomes.filter((o) => !o.ok).map((o) => failureOf(o));
      expect(refused).toEqual([expect.objectContaining({ errorCode: 'CIRCUIT_OPEN', retryAfterSeconds: 1 })]);
      expect(tokenRequests()).toBe(5);
      // Closed: the caller that was refused gets through now.
      successOf(await outcomeOf(() => tokens.getInstitutionToken({ scopes: ['alerts:read'] })));
      expect(tokenRequests()).toBe(6);
    });
  });

  describe('negative cache of rejected client credentials', () => {
    it('100 concurrent callers cause one request; calls within invalidClientCacheMs cause none', async () => {
      const tokens = await open({ consumerSecret: 'wrong-consumer-secret', invalidClientCacheMs: 1_000 });

      const burst = await Promise.all(Array.from({ length: 100 }, () => outcomeOf(() => tokens.getInstitutionToken())));

      for (const outcome of burst) expectTyped(failureOf(outcome), CandescentForbiddenError, 403);
      expect(tokenRequests()).toBe(1);

      for (let i = 0; i < 20; i++) {
        const outcome = await outcomeOf(() => tokens.getInstitutionToken());
        expectTyped(failureOf(outcome), CandescentForbiddenError, 403);
        expect(outcome.ms).toBeLessThan(50);
      }
      expect(tokenRequests()).toBe(1);

      await sleep(1_050);
      expectTyped(failureOf(await outcomeOf(() => tokens.getInstitutionToken())), CandescentForbiddenError, 403);
      expect(tokenRequests()).toBe(2);
    });

    it('the V1 gateway fault for a wrong secret is remembered the same way', async () => {
      const tokens = await open({
        tokenServices: ['v1'],
        consumerSecret: 'wrong-consumer-secret',
        invalidClientCacheMs: 1_000,
      });

      const burst = await Promise.all(Array.from({ length: 100 }, () => outcomeOf(() => tokens.getInstitutionToken())));
      for (let i = 0; i < 5; i++) burst.push(await outcomeOf(() => tokens.getInstitutionToken()));

      for (const outcome of burst) expectTyped(failureOf(outcome), CandescentForbiddenError, 403);
      expect(tokenRequests()).toBe(1);
    });
  });
});
