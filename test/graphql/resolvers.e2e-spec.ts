import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type INestApplication, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { Field, GraphQLModule, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { firstValueFrom } from 'rxjs';
import {
  CandescentAuthGuard,
  CandescentAuthModule,
  type CandescentAuthModuleExtras,
  type CandescentAuthModuleOptions,
  CandescentCustomer,
  type CandescentCustomerView,
  type CandescentGraphqlErrorExtensions,
  CandescentHttpService,
  CandescentSessionService,
  RequireCustomerToken,
  SkipCandescentAuth,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { sandboxOptions, startSandbox } from '../support/sandbox';

const [alice, bob] = DEMO_CUSTOMERS;
const ACCOUNTS = '/db-accounts/v1/accounts';
const COOKIE = '__Host-candescent_session';

@ObjectType()
class Account {
  @Field()
  id!: string;

  @Field()
  name!: string;
}

@ObjectType()
class Customer {
  @Field()
  loginId!: string;

  @Field()
  fiId!: string;

  @Field()
  sessionId!: string;
}

/** The accounts list as the sandbox answers it. */
async function accountsOf(http: CandescentHttpService, params: Record<string, string> = {}): Promise<Account[]> {
  const { data } = await firstValueFrom(http.get<{ accounts: Account[] }>(ACCOUNTS, { params }));
  return data.accounts;
}

/** Guarded by the app-wide `CandescentAuthGuard` (APP_GUARD below), without a subclass. */
@Resolver(() => Customer)
class CustomerResolver {
  constructor(private readonly http: CandescentHttpService) {}

  @Query(() => Customer)
  me(@CandescentCustomer() customer: CandescentCustomerView): Customer {
    return customer;
  }

  @Query(() => [Account])
  async accounts(): Promise<Account[]> {
    return accountsOf(this.http);
  }

  /** A field resolver: runs without a guard of its own, inside the request the query's guard admitted. */
  @ResolveField(() => [Account])
  async accountsOfCustomer(@Parent() customer: Customer): Promise<Account[]> {
    const accounts = await accountsOf(this.http);
    return accounts.map(({ id, name }) => ({ id, name: `${customer.loginId}: ${name}` }));
  }

  @Mutation(() => String)
  greet(@CandescentCustomer('loginId') loginId: string): string {
    return `hello ${loginId}`;
  }
}

@Resolver()
class OpenResolver {
  constructor(private readonly http: CandescentHttpService) {}

  @Query(() => String)
  @SkipCandescentAuth()
  ping(): string {
    return 'pong';
  }

  /** Open to the session guard, but its Candescent calls must carry a customer token. */
  @Query(() => [Account])
  @SkipCandescentAuth()
  @RequireCustomerToken()
  async customerOnlyAccounts(): Promise<Account[]> {
    return accountsOf(this.http);
  }
}

/** One GraphQL answer: the HTTP status and the body. */
interface GraphqlReply {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: string[]; extensions?: Partial<CandescentGraphqlErrorExtensions> }>;
  };
  text: string;
}

const drivers = [
  [
    'Apollo on Express',
    () => new ExpressAdapter(),
    () =>
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        autoSchemaFile: true,
        playground: false,
        // Field resolvers go through the module's error filter too (Nest leaves them out by default).
        fieldResolverEnhancers: ['filters'],
      }),
  ],
  [
    'Mercurius on Fastify',
    () => new FastifyAdapter(),
    () =>
      GraphQLModule.forRoot<MercuriusDriverConfig>({
        driver: MercuriusDriver,
        autoSchemaFile: true,
        graphiql: false,
        // Its query cache is loaded with import(), which Jest's CommonJS runtime cannot do.
        cache: false,
        fieldResolverEnhancers: ['filters'],
      }),
  ],
] as const;

/**
 * GraphQL as a transport of its own: the guard, the decorators and the error filter work on
 * resolvers of both Nest drivers with nothing but the module import (and the guard as
 * APP_GUARD), bearer and cookie sessions alike, and Candescent calls made by resolvers carry the
 * customer's token.
 */
describe.each(drivers)('GraphQL resolvers with %s', (_name, adapter, graphqlModule) => {
  let sandbox: CandescentSandbox;
  const apps: INestApplication[] = [];

  async function start(
    overrides: Partial<CandescentAuthModuleOptions> = {},
    extras: Partial<CandescentAuthModuleExtras> = {},
  ): Promise<{ app: INestApplication; url: string }> {
    @Module({
      imports: [
        CandescentAuthModule.forRoot({ ...sandboxOptions(sandbox, overrides), retry: { maxAttempts: 1 }, ...extras }),
        graphqlModule(),
      ],
      providers: [CustomerResolver, OpenResolver, { provide: APP_GUARD, useClass: CandescentAuthGuard }],
    })
    class AppModule {}
    const app = await NestFactory.create(AppModule, adapter(), { logger: false });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  }

  async function post(url: string, query: string, headers: Record<string, string> = {}): Promise<GraphqlReply> {
    return answer(
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      }),
    );
  }

  async function get(url: string, query: string, headers: Record<string, string> = {}): Promise<GraphqlReply> {
    // Apollo's CSRF prevention wants a header a simple cross-site request cannot send on GET.
    return answer(
      await fetch(`${url}/graphql?${new URLSearchParams({ query }).toString()}`, {
        headers: { 'apollo-require-preflight': 'true', ...headers },
      }),
    );
  }

  async function answer(response: Response): Promise<GraphqlReply> {
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as GraphqlReply['body'], text };
  }

  const bearer = (handle: string) => ({ authorization: `Bearer ${handle}` });

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterEach(() => {
    sandbox.clearFaults();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await sandbox.stop();
  });

  describe('bearer sessions', () => {
    let app: INestApplication;
    let url: string;
    let aliceHandle: string;

    beforeAll(async () => {
      ({ app, url } = await start());
      aliceHandle = (await app.get(CandescentSessionService).login(alice)).sessionToken;
    });

    it('a guarded resolver reads the customer with @CandescentCustomer() and calls Candescent as that customer', async () => {
      const me = await post(url, '{ me { loginId fiId sessionId } }', bearer(aliceHandle));
      expect(me.body.errors).toBeUndefined();
      expect(me.body.data?.me).toMatchObject({ loginId: alice.username, fiId: alice.fiId });
      expect((me.body.data?.me as Customer).sessionId).toMatch(/^[\w-]{16,}$/);

      const before = sandbox.accountsCalls().length;
      const accounts = await post(url, '{ accounts { id } }', bearer(aliceHandle));
      expect(accounts.body.errors).toBeUndefined();
      expect(accounts.body.data?.accounts).toEqual(alice.accounts.map(({ id }) => ({ id })));
      const calls = sandbox.accountsCalls().slice(before);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        status: 200,
        tokenGrant: 'password',
        tokenFiCustomerId: alice.fiCustomerId,
        returnedFiCustomerId: alice.fiCustomerId,
      });
    });

    it('a field resolver calls Candescent as the customer the query was admitted for', async () => {
      const bobHandle = (await app.get(CandescentSessionService).login(bob)).sessionToken;
      const before = sandbox.accountsCalls().length;
      const reply = await post(url, '{ me { loginId accountsOfCustomer { id name } } }', bearer(bobHandle));
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data?.me).toEqual({
        loginId: bob.username,
        accountsOfCustomer: bob.accounts.map(({ id, name }) => ({ id, name: `${bob.username}: ${name}` })),
      });
      expect(sandbox.accountsCalls().slice(before)).toMatchObject([
        { status: 200, tokenGrant: 'password', tokenFiCustomerId: bob.fiCustomerId },
      ]);
    });

    it('a Candescent 429 reaches the client with extensions.code, the status and the retry delay', async () => {
      sandbox.injectFault({ route: 'v2-accounts', kind: 'too-many-requests', retryAfterSeconds: 7 });
      const traceId = crypto.randomUUID();
      const reply = await post(url, '{ accounts { id } }', { ...bearer(aliceHandle), 'x-request-id': traceId });
      expect(reply.body.errors).toHaveLength(1);
      const [error] = reply.body.errors!;
      expect(error.path).toEqual(['accounts']);
      expect(error.extensions).toEqual({
        code: 'UPSTREAM_429',
        status: 429,
        errorType: 'USER_ERROR',
        retryAfterSeconds: 7,
        traceId,
      });
      expect(error.message).toEqual(expect.any(String));
      // Only what the HTTP body would say: no token, no upstream request.
      expect(reply.text).not.toMatch(/Bearer|access_token|originalError|Retry-After/i);
    });

    it('a field resolver meeting a Candescent 429 reports it the same way', async () => {
      sandbox.injectFault({ route: 'v2-accounts', kind: 'too-many-requests', retryAfterSeconds: 3 });
      const reply = await post(url, '{ me { loginId accountsOfCustomer { id } } }', bearer(aliceHandle));
      expect(reply.body.errors?.[0]).toMatchObject({
        path: ['me', 'accountsOfCustomer'],
        extensions: { code: 'UPSTREAM_429', status: 429, retryAfterSeconds: 3 },
      });
    });

    it('refuses a guarded resolver without a session, with the reason as extensions.code', async () => {
      const missing = await post(url, '{ me { loginId } }');
      expect(missing.body.errors?.[0]?.extensions).toMatchObject({ code: 'SESSION_MISSING', status: 401 });
      const invalid = await post(url, '{ me { loginId } }', bearer('cds_not-a-session'));
      expect(invalid.body.errors?.[0]?.extensions).toMatchObject({ code: 'SESSION_INVALID', status: 401 });
      expect(invalid.text).not.toContain('cds_not-a-session');
    });

    it('an open resolver marked @SkipCandescentAuth() answers without a session', async () => {
      const reply = await post(url, '{ ping }');
      expect(reply.body).toEqual({ data: { ping: 'pong' } });
    });

    it('@RequireCustomerToken() refuses a resolver request that carries no session', async () => {
      const before = sandbox.accountsCalls().length;
      const reply = await post(url, '{ customerOnlyAccounts { id } }');
      expect(reply.body.errors?.[0]?.extensions).toMatchObject({ code: 'SESSION_MISSING', status: 401 });
      expect(sandbox.accountsCalls()).toHaveLength(before);
    });
  });

  describe('errors the app meets', () => {
    it('a configuration problem reaches the client with its code and trace id, not the explanation meant for operators', async () => {
      // Without the module's context, a guarded resolver cannot call Candescent as the customer.
      const { app, url } = await start({}, { context: false });
      const handle = (await app.get(CandescentSessionService).login(alice)).sessionToken;
      const traceId = crypto.randomUUID();
      const reply = await post(url, '{ me { loginId } }', { ...bearer(handle), 'x-request-id': traceId });
      expect(reply.body.errors?.[0]?.extensions).toEqual({
        code: 'NO_REQUEST_CONTEXT',
        status: 500,
        errorType: 'CONFIGURATION_ERROR',
        traceId,
      });
      expect(reply.body.errors?.[0]?.message).toMatch(/because of its own configuration/);
      expect(reply.text).not.toMatch(/CandescentContext\.run/);
    });

    it('without the module filter, the error still carries its status and retry delay', async () => {
      const { app, url } = await start({}, { errorFilter: false });
      const handle = (await app.get(CandescentSessionService).login(alice)).sessionToken;
      sandbox.injectFault({ route: 'v2-accounts', kind: 'too-many-requests', retryAfterSeconds: 5 });
      const reply = await post(url, '{ accounts { id } }', bearer(handle));
      // The code is the driver's own choice here (Apollo names every status it has no code for INTERNAL_SERVER_ERROR).
      expect(reply.body.errors?.[0]?.extensions).toMatchObject({ status: 429, retryAfterSeconds: 5 });
    });
  });

  describe('cookie sessions', () => {
    let url: string;
    let cookie: string;
    let csrfToken: string;

    beforeAll(async () => {
      let app: INestApplication;
      ({ app, url } = await start({ session: { transport: 'cookie' } }));
      const login = await app.get(CandescentSessionService).login(alice);
      cookie = `${COOKIE}=${login.sessionToken}`;
      csrfToken = login.csrfToken!;
    });

    it('a query by GET needs only the cookie, and calls Candescent as the customer', async () => {
      const before = sandbox.accountsCalls().length;
      const reply = await get(url, '{ me { loginId } accounts { id } }', { cookie });
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data).toEqual({
        me: { loginId: alice.username },
        accounts: alice.accounts.map(({ id }) => ({ id })),
      });
      expect(sandbox.accountsCalls().slice(before)).toMatchObject([
        { status: 200, tokenGrant: 'password', tokenFiCustomerId: alice.fiCustomerId },
      ]);
    });

    it('a mutation needs the CSRF header and a same-site request', async () => {
      const forged = await post(url, 'mutation { greet }', { cookie });
      expect(forged.body.errors?.[0]?.extensions).toMatchObject({ code: 'CSRF_REJECTED', status: 403 });
      expect(forged.body.data ?? null).toBeNull();

      const wrongToken = await post(url, 'mutation { greet }', { cookie, 'x-csrf-token': 'not-the-token' });
      expect(wrongToken.body.errors?.[0]?.extensions).toMatchObject({ code: 'CSRF_REJECTED', status: 403 });

      const crossSite = await post(url, 'mutation { greet }', {
        cookie,
        'x-csrf-token': csrfToken,
        'sec-fetch-site': 'cross-site',
      });
      expect(crossSite.body.errors?.[0]?.extensions).toMatchObject({ code: 'CSRF_REJECTED', status: 403 });

      const sent = await post(url, 'mutation { greet }', { cookie, 'x-csrf-token': csrfToken });
      expect(sent.body).toEqual({ data: { greet: `hello ${alice.username}` } });
    });

    it('a query by POST is held to the same rule (the method, not the operation, makes it safe)', async () => {
      const without = await post(url, '{ me { loginId } }', { cookie });
      expect(without.body.errors?.[0]?.extensions).toMatchObject({ code: 'CSRF_REJECTED', status: 403 });
      const withToken = await post(url, '{ me { loginId } }', { cookie, 'x-csrf-token': csrfToken });
      expect(withToken.body).toEqual({ data: { me: { loginId: alice.username } } });
    });
  });
});
