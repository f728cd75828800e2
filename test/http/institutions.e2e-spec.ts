import { Controller, Get, type INestApplication, Module, Param, Query, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  type CandescentAuthMode,
  CandescentAuthModule,
  type CandescentAuthModuleOptions,
  CandescentCustomer,
  type CandescentCustomerView,
  CandescentHealthIndicator,
  CandescentHttpService,
  CandescentInstitutions,
  CandescentSessionService,
  CandescentTokenService,
  RequireInstitution,
} from '@candescent/auth';
import {
  type CandescentSandbox,
  DEMO_CUSTOMERS,
  DEMO_INSTITUTIONS,
  SECOND_FI_DEMO_CREDENTIALS,
  SECOND_FI_DEMO_CUSTOMERS,
} from '@candescent/sandbox';
import { type CallOutcome as Outcome, callOutcome } from '../support/outcome';
import { startSandbox } from '../support/sandbox';

const [aliceNorth] = DEMO_CUSTOMERS;
const [aliceSouth] = SECOND_FI_DEMO_CUSTOMERS;
const ACCOUNTS = '/db-accounts/v1/accounts';

@Controller()
@UseGuards(CandescentAuthGuard)
class BankingController {
  constructor(private readonly http: CandescentHttpService) {}

  @Get('me')
  me(@CandescentCustomer() customer: CandescentCustomerView): { institution: string; fiId: string } {
    return { institution: customer.institution, fiId: customer.fiId };
  }

  /** The customer's own accounts: no institution named, the session's is used. */
  @Get('accounts')
  accounts(): Promise<Outcome> {
    return callOutcome(firstValueFrom(this.http.get(ACCOUNTS)));
  }

  /** A call naming an institution, in a given mode. */
  @Get('named/:institution/:mode')
  named(@Param('institution') institution: string, @Param('mode') mode: CandescentAuthMode): Promise<Outcome> {
    return callOutcome(
      firstValueFrom(
        this.http.get(ACCOUNTS, {
          params: { loginId: 'back-office' },
          candescentAuth: mode,
          candescentInstitution: institution,
        }),
      ),
    );
  }

  @Get('north-only')
  @RequireInstitution('north')
  northOnly(): { ok: true } {
    return { ok: true };
  }
}

@Controller('back-office')
class BackOfficeController {
  constructor(private readonly http: CandescentHttpService) {}

  /** An institution-token call through a client bound to one institution. */
  @Get('accounts')
  accounts(@Query('institution') institution: string): Promise<Outcome> {
    return callOutcome(
      firstValueFrom(this.http.forInstitution(institution).get(ACCOUNTS, { params: { loginId: 'back-office' } })),
    );
  }
}

/**
 * One module serving two institutions, on two gateways or behind one: whatever a request or
 * a call names, nothing of one institution (token, FI id, consumer key) reaches the other's
 * gateway, the same login id at both is two customers, and one FI's outage or removal leaves the
 * other alone.
 */
describe.each([
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
])('several institutions in one module on %s', (_name, adapter) => {
  describe.each([
    ['two gateways on two origins', false],
    ['two FI ids behind one origin', true],
  ])('%s', (_case, sharedOrigin) => {
    let north: CandescentSandbox;
    let south: CandescentSandbox;
    let app: INestApplication;
    let url: string;
    let sessions: CandescentSessionService;
    let handles: { north: string; south: string };

    function institutionsOption(): NonNullable<CandescentAuthModuleOptions['institutions']> {
      return [
        { id: 'north', baseUrl: north.url, ...north.credentialsFor('00042') },
        { id: 'south', baseUrl: south.url, ...south.credentialsFor('00043') },
      ];
    }

    beforeAll(async () => {
      north = await startSandbox(sharedOrigin ? { institutions: [...DEMO_INSTITUTIONS] } : {});
      south = sharedOrigin ? north : await startSandbox({ institutions: [DEMO_INSTITUTIONS[1]] });
      @Module({
        imports: [CandescentAuthModule.forRoot({ institutions: institutionsOption() })],
        controllers: [BankingController, BackOfficeController],
      })
      class AppModule {}
      app = await NestFactory.create(AppModule, adapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
      sessions = app.get(CandescentSessionService);
      handles = {
        north: (await sessions.login(aliceNorth, {})).sessionToken,
        south: (await sessions.login(aliceSouth, { institution: 'south' })).sessionToken,
      };
    });

    afterAll(async () => {
      await app.close();
      await north.stop();
      if (south !== north) await south.stop();
    });

    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view, checked by the caller's assertions
    async function get<T>(path: string, handle?: string): Promise<{ status: number; body: T }> {
      const response = await fetch(`${url}${path}`, {
        headers: handle === undefined ? {} : { authorization: `Bearer ${handle}` },
      });
      return { status: response.status, body: (await response.json()) as T };
    }

    /** Whether every request a gateway received carried one institution's key, FI id and tokens. */
    function expectIsolated(): void {
      expect(north.isolationViolations()).toEqual([]);
      expect(south.isolationViolations()).toEqual([]);
      if (sharedOrigin) return;
      // Two origins: each gateway saw only its own FI's id and consumer key.
      for (const [sandbox, fiId] of [
        [north, '00042'],
        [south, '00043'],
      ] as const) {
        for (const request of sandbox.requests()) {
          const headers: Partial<Record<string, string>> = request.headers;
          const fi = headers.di_fiid ?? headers.institutionid;
          if (fi !== undefined) expect({ path: request.path, fi }).toEqual({ path: request.path, fi: fiId });
        }
      }
    }

    it('gives the same login id at two institutions two customers, each seeing only its own data', async () => {
      await expect(get('/me', handles.north)).resolves.toEqual({
        status: 200,
        body: { institution: 'north', fiId: '00042' },
      });
      await expect(get('/me', handles.south)).resolves.toEqual({
        status: 200,
        body: { institution: 'south', fiId: '00043' },
      });
      for (const [handle, sandbox, customer] of [
        [handles.north, north, aliceNorth],
        [handles.south, south, aliceSouth],
      ] as const) {
        const before = sandbox.accountsCalls().length;
        await expect(get<Outcome>('/accounts', handle)).resolves.toMatchObject({ body: { status: 200 } });
        const [call] = sandbox.accountsCalls().slice(before);
        expect(call).toMatchObject({ status: 200, returnedFiCustomerId: customer.fiCustomerId });
      }
      expectIsolated();
    });

    it('refuses a login at an institution it does not serve with 400, before any token request', async () => {
      const before = north.counters().tokenRequests + (sharedOrigin ? 0 : south.counters().tokenRequests);
      await expect(sessions.login(aliceNorth, { institution: 'west' })).rejects.toMatchObject({
        status: 400,
        errorCode: 'UNKNOWN_INSTITUTION',
      });
      expect(north.counters().tokenRequests + (sharedOrigin ? 0 : south.counters().tokenRequests)).toBe(before);
    });

    it.each<[CandescentAuthMode, Outcome]>([
      // auto: the named institution's own token; customer: refused before sending.
      ['auto', { status: 200 }],
      ['institution', { status: 200 }],
      ['customer', { status: 401, errorCode: 'INSTITUTION_MISMATCH' }],
    ])("a %s call naming the other institution never carries the customer's token there", async (mode, expected) => {
      const before = south.accountsCalls().length;
      const result = await get<Outcome>(`/named/south/${mode}`, handles.north);
      expect(result.body).toEqual(expected);
      const calls = south.accountsCalls().slice(before);
      if (expected.status === 200) expect(calls.map((c) => c.tokenGrant)).toEqual(['client_credentials']);
      else expect(calls).toEqual([]);
      expectIsolated();
    });

    it("a client bound to one institution uses that institution's token, one token request per institution", async () => {
      const registry = app.get(CandescentInstitutions);
      // Replacing an institution with its own settings drops its cached tokens: both start cold.
      for (const institution of institutionsOption()) registry.replace(institution);
      const before = [north, south].map((s) => s.requests().length);
      const calls = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          get<Outcome>(`/back-office/accounts?institution=${i % 2 ? 'south' : 'north'}`),
        ),
      );
      expect(calls.map((c) => c.body.status)).toEqual(Array.from({ length: 20 }, () => 200));
      const grantsByFi = new Map<string, number>();
      for (const [index, sandbox] of (sharedOrigin ? [north] : [north, south]).entries()) {
        for (const request of sandbox.requests().slice(before[index])) {
          if (request.form.grant_type !== 'client_credentials') continue;
          const headers: Partial<Record<string, string>> = request.headers;
          const fi = headers.institutionid ?? headers.di_fiid ?? '?';
          grantsByFi.set(fi, (grantsByFi.get(fi) ?? 0) + 1);
        }
      }
      expect(Object.fromEntries(grantsByFi)).toEqual({ '00042': 1, '00043': 1 });
      const token = app.get(CandescentTokenService);
      const [northToken, southToken] = await Promise.all([
        token.getInstitutionToken(),
        token.getInstitutionToken({ institution: 'south' }),
      ]);
      expect(northToken.accessToken).not.toBe(southToken.accessToken);
      let unknown: unknown;
      try {
        app.get(CandescentHttpService).forInstitution('west');
      } catch (error: unknown) {
        unknown = error;
      }
      expect(unknown).toMatchObject({ errorCode: 'UNKNOWN_INSTITUTION' });
      expectIsolated();
    });

    it('restricts a route to one institution with @RequireInstitution()', async () => {
      await expect(get('/north-only', handles.north)).resolves.toMatchObject({ status: 200 });
      await expect(get('/north-only', handles.south)).resolves.toMatchObject({
        status: 403,
        body: { errorCode: 'INSTITUTION_NOT_ALLOWED' },
      });
    });

    it('logs out at one institution and revokes only there', async () => {
      const extra = await sessions.login(aliceSouth, { institution: 'south' });
      const revokesNorth = north.counters().v2Revoke;
      const revokesSouth = south.counters().v2Revoke;
      await sessions.logout((await sessions.authenticate(extra.sessionToken)).id);
      expect(south.counters().v2Revoke).toBe(revokesSouth + 1);
      if (!sharedOrigin) expect(north.counters().v2Revoke).toBe(revokesNorth);
      const revoke = south
        .requests()
        .filter((r) => r.route === 'v2-revoke')
        .at(-1);
      expect(revoke?.headers.authorization).toBe(
        `Basic ${Buffer.from(`${SECOND_FI_DEMO_CREDENTIALS.consumerKey}:${SECOND_FI_DEMO_CREDENTIALS.consumerSecret}`).toString('base64')}`,
      );
      await expect(get('/me', handles.north)).resolves.toMatchObject({ status: 200 });
      expectIsolated();
    });

    it('keeps logins at one institution working while the other is down', async () => {
      if (sharedOrigin) {
        // One gateway: its outage is both institutions'. What stays apart is each one's breaker.
        expect(app.get(CandescentInstitutions).ids()).toEqual(['north', 'south']);
        return;
      }
      const port = Number(new URL(south.url).port);
      const southOptions = institutionsOption()[1];
      await south.stop();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 ? sessions.login(aliceSouth, { institution: 'south' }) : sessions.login(aliceNorth),
        ),
      );
      const northOk = results.filter((r, i) => i % 2 === 0 && r.status === 'fulfilled').length;
      expect(northOk).toBe(5);
      expect(results.filter((r, i) => i % 2 === 1 && r.status === 'rejected')).toHaveLength(5);
      // Health is per institution too: the default one is up, the other says why it is down.
      const health = app.get(CandescentHealthIndicator);
      await expect(health.check()).resolves.toMatchObject({ candescent: { status: 'up', institution: 'north' } });
      // Its cached token is dropped first, so the check has to ask the stopped gateway.
      app.get(CandescentInstitutions).replace(southOptions);
      await expect(health.check('south', { institution: 'south' })).resolves.toMatchObject({
        south: { status: 'down', institution: 'south', errorCode: expect.any(String) as unknown },
      });
      south = await startSandbox({ institutions: [DEMO_INSTITUTIONS[1]], port });
    });
  });
});

/**
 * The registry changes the institutions of a running app: onboarding, a rotated consumer secret
 * and offboarding, while calls of the other institution go on without a failure.
 */
describe('institutions changed at run time', () => {
  let gateway: CandescentSandbox;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    gateway = await startSandbox({ institutions: [...DEMO_INSTITUTIONS] });
    @Module({
      imports: [
        CandescentAuthModule.forRoot({
          institutions: [{ id: 'north', baseUrl: gateway.url, ...gateway.credentialsFor('00042') }],
        }),
      ],
      controllers: [BankingController, BackOfficeController],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
    await gateway.stop();
  });

  const southSettings = (consumerSecret: string) => ({
    id: 'south',
    baseUrl: gateway.url,
    ...gateway.credentialsFor('00043'),
    consumerSecret,
  });

  async function status(path: string, handle?: string): Promise<number> {
    const response = await fetch(`${url}${path}`, {
      headers: handle === undefined ? {} : { authorization: `Bearer ${handle}` },
    });
    // The handlers answer 200 with the call's outcome; a refusal by the guard is the answer's own status.
    const body = (await response.json()) as Partial<Outcome>;
    return response.status === 200 && body.status !== undefined ? body.status : response.status;
  }

  it('adds, rotates and removes an institution under load, with no failed call at the other', async () => {
    const registry = app.get(CandescentInstitutions);
    const sessions = app.get(CandescentSessionService);
    const northHandle = (await sessions.login(aliceNorth)).sessionToken;
    const northStatuses: number[] = [];
    const state = { running: true };
    const load = (async () => {
      // Stops on its own after a minute, whatever happens to the test.
      const until = Date.now() + 60_000;
      while (state.running && Date.now() < until) {
        const batch = await Promise.all([
          status('/accounts', northHandle),
          status('/back-office/accounts?institution=north'),
        ]);
        northStatuses.push(...batch);
      }
    })();

    try {
      await changeInstitutions(registry, sessions);
    } finally {
      state.running = false;
      await load;
    }
    expect(northStatuses.length).toBeGreaterThan(4);
    expect(northStatuses.filter((s) => s !== 200)).toEqual([]);
    expect(gateway.isolationViolations()).toEqual([]);
  });

  async function changeInstitutions(
    registry: CandescentInstitutions,
    sessions: CandescentSessionService,
  ): Promise<void> {
    // Not served yet: refused before anything is sent.
    await expect(sessions.login(aliceSouth, { institution: 'south' })).rejects.toMatchObject({
      errorCode: 'UNKNOWN_INSTITUTION',
    });
    // A wrong secret is refused with the start-up wording, and never printed.
    const misfit = { ...southSettings('secret-never-printed-7f3a'), fiId: 'not an id!' };
    expect(() => registry.add(misfit)).toThrow(/fiId: expected the FI id/);
    expect(() => registry.add(misfit)).not.toThrow(/secret-never-printed/);
    expect(registry.add(southSettings(SECOND_FI_DEMO_CREDENTIALS.consumerSecret))).toEqual({
      id: 'south',
      fiId: '00043',
      baseUrl: gateway.url,
      tokenServices: ['v2'],
    });
    expect(() => registry.add(southSettings(SECOND_FI_DEMO_CREDENTIALS.consumerSecret))).toThrow(/id: expected/);
    const southHandle = (await sessions.login(aliceSouth, { institution: 'south' })).sessionToken;
    expect(await status('/accounts', southHandle)).toBe(200);
    expect(await status('/back-office/accounts?institution=south')).toBe(200);

    // A rotated secret: new calls use it at once (the old one is refused from then on).
    registry.replace(southSettings('rotated-secret-00043'));
    expect(await status('/back-office/accounts?institution=south')).not.toBe(200);
    registry.replace(southSettings(SECOND_FI_DEMO_CREDENTIALS.consumerSecret));
    expect(await status('/back-office/accounts?institution=south')).toBe(200);

    // Offboarded: its calls are refused, its sessions end with a reason.
    expect(registry.remove('south')).toBe(true);
    expect(await status('/back-office/accounts?institution=south')).toBe(400);
    const ended = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${southHandle}` } });
    expect(ended.status).toBe(401);
    expect(await ended.json()).toMatchObject({ errorCode: 'SESSION_REMOVED' });
  }
});
