import {
  Controller,
  Get,
  type INestApplication,
  Injectable,
  Module,
  Param,
  UseGuards,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  type CandescentAuthMode,
  CandescentAuthModule,
  type CandescentAuthModuleOptions,
  CandescentHttpService,
  CandescentSessionService,
  RequireCustomerToken,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type CallOutcome as Outcome, callOutcome } from '../support/outcome';
import { sandboxOptions, startSandbox } from '../support/sandbox';

const [alice] = DEMO_CUSTOMERS;
const ACCOUNTS = '/db-accounts/v1/accounts';
const FI_A = '00042';
const FI_B = '00077';

/**
 * An app that serves two FIs with two module instances: FI A's controller is guarded by A's
 * guard and calls FI B's gateway through B's CandescentHttpService. A's customer token must
 * never reach B: B's calls use B's institution token (`auto`, `institution`) or fail before
 * sending (`customer`, `@RequireCustomerToken()`), always with B's FI id.
 */
function twoInstanceApp(
  optionsA: CandescentAuthModuleOptions,
  optionsB: CandescentAuthModuleOptions,
): { AppModule: Type; FiASessions: Type<FiASessions> } {
  /** FI A's own session service: the app holds two, one per instance. */
  @Injectable()
  class FiASessionsProvider implements FiASessions {
    constructor(readonly sessions: CandescentSessionService) {}
  }
  @Injectable()
  class FiBCalls {
    constructor(readonly http: CandescentHttpService) {}
  }

  @Module({
    imports: [CandescentAuthModule.forRoot(optionsB)],
    providers: [FiBCalls],
    exports: [FiBCalls],
  })
  class FiBModule {}

  @Controller()
  @UseGuards(CandescentAuthGuard)
  class FiAController {
    constructor(
      private readonly ownHttp: CandescentHttpService,
      private readonly fiB: FiBCalls,
    ) {}

    @Get('own')
    own(): Promise<Outcome> {
      return callOutcome(firstValueFrom(this.ownHttp.get(ACCOUNTS)));
    }

    @Get('other/:mode')
    other(@Param('mode') mode: CandescentAuthMode): Promise<Outcome> {
      return callOutcome(
        firstValueFrom(this.fiB.http.get(ACCOUNTS, { params: { loginId: 'back-office' }, candescentAuth: mode })),
      );
    }

    @Get('required/other')
    @RequireCustomerToken()
    requiredOther(): Promise<Outcome> {
      return callOutcome(firstValueFrom(this.fiB.http.get(ACCOUNTS, { params: { loginId: 'back-office' } })));
    }
  }

  @Module({
    imports: [CandescentAuthModule.forRoot(optionsA), FiBModule],
    controllers: [FiAController],
    providers: [FiASessionsProvider],
  })
  class FiAModule {}

  @Module({ imports: [FiAModule] })
  class AppModule {}
  return { AppModule, FiASessions: FiASessionsProvider };
}

interface FiASessions {
  readonly sessions: CandescentSessionService;
}

describe.each([
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
])('two module instances on %s', (_name, adapter) => {
  describe.each([
    ['two gateways on two origins', false],
    ['two FI ids behind one origin', true],
  ])('%s', (_case, sharedOrigin) => {
    let sandboxA: CandescentSandbox;
    let sandboxB: CandescentSandbox;
    let app: INestApplication;
    let url: string;
    let handle: string;

    beforeAll(async () => {
      sandboxA = await startSandbox(sharedOrigin ? { fiIds: [FI_A, FI_B] } : {});
      sandboxB = sharedOrigin
        ? sandboxA
        : await startSandbox({ fiIds: [FI_B], consumerKey: 'fi-b-key', consumerSecret: 'fi-b-secret' });
      const optionsA = sandboxOptions(sandboxA, { fiId: FI_A });
      const optionsB = sandboxOptions(sandboxB, { fiId: FI_B });
      const { AppModule, FiASessions } = twoInstanceApp(optionsA, optionsB);
      app = await NestFactory.create(AppModule, adapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
      handle = (await app.get(FiASessions).sessions.login(alice)).sessionToken;
    });

    afterAll(async () => {
      await app.close();
      await sandboxA.stop();
      if (sandboxB !== sandboxA) await sandboxB.stop();
    });

    async function get(path: string): Promise<Outcome> {
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${handle}` } });
      expect(response.status).toBe(200);
      return (await response.json()) as Outcome;
    }

    /** Runs `fn` and returns what FI B's gateway received meanwhile (accounts calls and their headers). */
    async function seenAtB(fn: () => Promise<Outcome>) {
      const callsBefore = sandboxB.accountsCalls().length;
      const requestsBefore = sandboxB.requests().length;
      const result = await fn();
      const accounts = sandboxB
        .requests()
        .slice(requestsBefore)
        .filter((request) => request.route === 'v2-accounts');
      return { result, calls: sandboxB.accountsCalls().slice(callsBefore), accounts };
    }

    /** No bearer token of A's customer and no A FI id in anything B's gateway received for B. */
    function expectNothingOfA(accounts: ReturnType<CandescentSandbox['requests']>): void {
      for (const request of accounts) {
        expect(request.headers.institutionid).toBe(FI_B);
        const bearer = /^Bearer (.+)$/.exec(request.headers.authorization)?.[1] ?? '';
        if (!sharedOrigin) expect(sandboxA.isAccessTokenValid(bearer)).toBe(false);
      }
    }

    it("A's own call carries A's customer token (the session works where it belongs)", async () => {
      const { result } = await seenAtB(() => get('/own'));
      expect(result).toEqual({ status: 200 });
      const last = sandboxA.accountsCalls().at(-1);
      expect(last?.tokenFiCustomerId).toBe(alice.fiCustomerId);
    });

    it("auto: B's call goes out with B's institution token and B's FI id, never A's customer token", async () => {
      const { result, calls, accounts } = await seenAtB(() => get('/other/auto'));
      expect(result).toEqual({ status: 200 });
      expect(calls).toHaveLength(1);
      expect(calls[0]?.tokenGrant).toBe('client_credentials');
      expect(calls[0]?.tokenFiCustomerId).toBeUndefined();
      expectNothingOfA(accounts);
    });

    it("customer: B's call fails before sending, with a code that says whose session it is", async () => {
      const { result, calls } = await seenAtB(() => get('/other/customer'));
      expect(result).toEqual({ status: 401, errorCode: 'SESSION_OF_OTHER_INSTANCE' });
      expect(calls).toHaveLength(0);
    });

    it("institution: B's call carries B's FI id, not the customer's", async () => {
      const { result, calls, accounts } = await seenAtB(() => get('/other/institution'));
      expect(result).toEqual({ status: 200 });
      expect(calls[0]?.tokenGrant).toBe('client_credentials');
      expectNothingOfA(accounts);
    });

    it("@RequireCustomerToken(): B's auto call fails before sending instead of using A's session", async () => {
      const { result, calls } = await seenAtB(() => get('/required/other'));
      expect(result.status).toBe(401);
      expect(calls).toHaveLength(0);
    });
  });
});
