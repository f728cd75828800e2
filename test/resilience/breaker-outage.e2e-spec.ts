import { firstValueFrom } from 'rxjs';
import { CandescentHealthIndicator, CandescentUnavailableError } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type AccountsBody, type ErrorBody, type RunningSample, startSample } from '../support/app-testing';
import { FakeClock } from '../support/clock';
import { createTokenModule, type OpenedModule } from '../support/module';
import { failureOf, outcomeOf, successOf } from '../support/outcome';
import { closeAfterEachTest } from '../support/resilience-testing';
import { startSandbox } from '../support/sandbox';
import { sleep } from '../support/wait';

/**
 * The token service fully down: the breaker opens, everything that can be served without the
 * token service keeps working, callers that need a new token get a 503 with `Retry-After`, and
 * the circuit closes within one reset period of the service coming back.
 */

const SECOND = 1_000;
const [alice, bob, carol] = DEMO_CUSTOMERS;

describe('a token service that is down for 60 s (module on a fake clock)', () => {
  let clock: FakeClock;
  let sandbox: CandescentSandbox;
  const opened = closeAfterEachTest(() => sandbox);

  async function open(): Promise<OpenedModule> {
    // Default breaker settings (10 operations, 50 %, 60 s window, 30 s reset): what apps get.
    const created = await createTokenModule(
      sandbox,
      {
        retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
        requestTimeoutMs: 1_000,
        requestDeadlineMs: 5_000,
      },
      { clock },
    );
    opened.push(created);
    return created;
  }

  it('opens, keeps serving the cached token, and closes within one reset period of the service coming back', async () => {
    // Back-off sleeps move the shared clock, so retries cost no wall time.
    clock = new FakeClock({ sleeps: 'advance' });
    sandbox = await startSandbox({ accessTokenTtlSeconds: 3_600, now: () => clock.now() });
    const { tokens, http } = await open();
    const cached = await tokens.getInstitutionToken();
    const health = opened[0].moduleRef.get(CandescentHealthIndicator);
    // The health check reports the circuit (and serves the cached token while doing so).
    const breaker = async () => (await health.check()).candescent.circuit.v2;
    sandbox.injectFault({ route: 'v2-token', kind: 'unavailable', times: Infinity });
    const before = sandbox.counters().tokenRequests;

    let servedFailures = 0;
    let circuitOpenAnswers = 0;
    let openedAt: number | undefined;
    const downAt = clock.now();
    while (clock.now() - downAt < 60 * SECOND) {
      clock.advance(SECOND);
      const [token, accounts] = await Promise.all([
        outcomeOf(() => tokens.getInstitutionToken()),
        outcomeOf(() =>
          firstValueFrom(
            http.get<{ accounts: unknown[] }>('/db-accounts/v1/accounts', { params: { loginId: alice.username } }),
          ),
        ),
      ]);
      if (!token.ok || token.value.accessToken !== cached.accessToken || !accounts.ok) servedFailures++;
      // A customer logging in needs the token service: a new operation every second.
      const login = await outcomeOf(() => tokens.login({ username: bob.username, password: bob.password }));
      const error = failureOf(login);
      expect(error).toBeInstanceOf(CandescentUnavailableError);
      if ((error as CandescentUnavailableError).errorCode === 'CIRCUIT_OPEN') {
        circuitOpenAnswers++;
        expect((error as CandescentUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect((error as CandescentUnavailableError).retryAfterSeconds).toBeLessThanOrEqual(30);
      }
      if (openedAt === undefined && (await breaker()) === 'open') openedAt = clock.now();
    }

    expect(servedFailures).toBe(0);
    // Ten failed logins (the minimum) open it; after that logins fail fast.
    expect(openedAt).toBeDefined();
    expect(openedAt! - downAt).toBeLessThanOrEqual(11 * SECOND);
    expect(circuitOpenAnswers).toBeGreaterThanOrEqual(40);
    // Without the breaker: 60 logins x 3 attempts. With it: the first ten, and a probe round.
    const sentWhileDown = sandbox.counters().tokenRequests - before;
    expect(sentWhileDown).toBeLessThanOrEqual(10 * 3 + 3 * 3);

    sandbox.clearFaults();
    const backAt = clock.now();
    let closedAt: number | undefined;
    while (closedAt === undefined && clock.now() - backAt <= 40 * SECOND) {
      clock.advance(SECOND);
      await outcomeOf(() => tokens.login({ username: bob.username, password: bob.password }));
      if ((await breaker()) === 'closed') closedAt = clock.now();
    }
    expect(closedAt).toBeDefined();
    expect(closedAt! - backAt).toBeLessThanOrEqual(30 * SECOND + SECOND);
    successOf(await outcomeOf(() => tokens.login({ username: carol.username, password: carol.password })));
    await sleep(10);
  });
});

describe('the sample app while the circuit is open (over HTTP)', () => {
  let running: RunningSample | undefined;

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('serves cached institution tokens and valid customer tokens; callers that need a new token get 503 with Retry-After', async () => {
    running = await startSample({ LOGIN_RATE_LIMIT: '1000' }, { sandbox: { accessTokenTtlSeconds: 3_600 } });
    const { client, sandbox } = running;
    const bobSession = await client.sessionFor(bob);
    // Carol's token lives one second, so she needs a renewal while the circuit is open.
    sandbox.configure({ accessTokenTtlSeconds: 1 });
    const carolSession = await client.sessionFor(carol);
    sandbox.configure({ accessTokenTtlSeconds: 3_600 });
    expect((await client.get(`/institution/accounts?loginId=${alice.username}`)).status).toBe(200);

    sandbox.injectFault({ route: 'v2-token', kind: 'server-error', times: Infinity });
    // Twelve customers try to log in at once and fail: more than the ten operations that open it.
    const failedLogins = await Promise.all(
      Array.from({ length: 12 }, () => client.login(alice.username, alice.password)),
    );
    expect(failedLogins.map((r) => r.status)).toEqual(Array.from({ length: 12 }, () => 503));
    const sentBefore = sandbox.counters().tokenRequests;

    const login = await client.login(alice.username, alice.password);
    expect(login.status).toBe(503);
    expect(login.json<ErrorBody>().errorCode).toBe('CIRCUIT_OPEN');
    const retryAfter = Number(login.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);

    const bobAccounts = await client.get('/accounts', bobSession);
    expect(bobAccounts.status).toBe(200);
    expect(bobAccounts.json<AccountsBody>().accounts.accounts.map((a) => a.id)).toEqual(bob.accounts.map((a) => a.id));
    const institution = await client.get(`/institution/accounts?loginId=${alice.username}`);
    expect(institution.status).toBe(200);

    await sleep(1_200);
    const carolAccounts = await client.get('/accounts', carolSession);
    expect(carolAccounts.status).toBe(503);
    expect(carolAccounts.json<ErrorBody>().errorCode).toBe('CIRCUIT_OPEN');
    expect(Number(carolAccounts.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Nothing reached the token service while the circuit was open.
    expect(sandbox.counters().tokenRequests).toBe(sentBefore);
  });
});
