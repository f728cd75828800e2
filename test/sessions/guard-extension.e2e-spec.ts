import type { ExecutionContext } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  CandescentAuthGuard,
  CandescentConfigurationError,
  CandescentContext,
  CandescentForbiddenError,
  CandescentSessionRejectedError,
  CandescentSessionService,
  type CandescentGuardedRequest,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { thrownBy } from '../support/outcome';
import { startSandbox } from '../support/sandbox';

/**
 * What a GraphQL resolver's execution context looks like to a guard: the request sits in the
 * third argument (none for a subscription over WebSocket), the operation in the fourth.
 */
function graphqlExecution(
  req: CandescentGuardedRequest | undefined,
  type = 'graphql',
  operation = 'query',
): ExecutionContext {
  class Resolver {
    accounts(): void {}
  }
  const args = [{}, {}, { req }, { operation: { operation } }];
  return {
    getType: () => type,
    getClass: () => Resolver,
    getHandler: () => Resolver.prototype.accounts,
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
  } as unknown as ExecutionContext;
}

/** An app's refusal for its GraphQL clients. */
class GraphqlUnauthenticated extends Error {
  constructor(readonly code: string) {
    super(`UNAUTHENTICATED: ${code}`);
  }
}

/** The subclass an app writes to guard GraphQL resolvers, through the guard's protected extension points. */
class GraphqlCandescentGuard extends CandescentAuthGuard {
  protected override getRequest(execution: ExecutionContext): CandescentGuardedRequest {
    return execution.getArgByIndex<{ req: CandescentGuardedRequest }>(2).req;
  }

  protected override throwRejection(rejection: CandescentSessionRejectedError): never {
    throw new GraphqlUnauthenticated(rejection.errorCode ?? 'SESSION_INVALID');
  }
}

describe('CandescentAuthGuard extension points', () => {
  let sandbox: CandescentSandbox;
  let module: OpenedModule;
  let guard: GraphqlCandescentGuard;

  beforeAll(async () => {
    sandbox = await startSandbox();
    module = await createTokenModule(sandbox);
    guard = await module.moduleRef.get(ModuleRef).create(GraphqlCandescentGuard);
  });

  afterAll(async () => {
    await module.close();
    await sandbox.stop();
  });

  it('a subclass reads the request from a GraphQL context and hands the session to outgoing calls', async () => {
    const [alice] = DEMO_CUSTOMERS;
    const login = await module.moduleRef
      .get(CandescentSessionService)
      .login({ username: alice.username, password: alice.password });
    const req: CandescentGuardedRequest = {
      method: 'POST',
      headers: { authorization: `Bearer ${login.sessionToken}` },
    };
    const context = { traceId: crypto.randomUUID() };
    const admitted = await CandescentContext.run(context, () => guard.canActivate(graphqlExecution(req)));
    expect(admitted).toBe(true);
    expect(CandescentContext.run(context, () => CandescentContext.current()?.session?.tokens.customer.loginId)).toBe(
      alice.username,
    );
  });

  it('a subclass answers refusals its own way', async () => {
    const missing = await thrownBy(() => guard.canActivate(graphqlExecution({ method: 'POST', headers: {} })));
    expect(missing).toBeInstanceOf(GraphqlUnauthenticated);
    expect((missing as GraphqlUnauthenticated).code).toBe('SESSION_MISSING');
    const malformed = await thrownBy(() =>
      guard.canActivate(graphqlExecution({ method: 'POST', headers: { authorization: 'Basic abc' } })),
    );
    expect((malformed as GraphqlUnauthenticated).code).toBe('SESSION_INVALID');
  });

  it('the base class reads GraphQL contexts itself, and refuses contexts it cannot read', async () => {
    const base = await module.moduleRef.get(ModuleRef).create(CandescentAuthGuard);
    const missing = await thrownBy(() => base.canActivate(graphqlExecution({ method: 'POST', headers: {} })));
    expect(missing).toBeInstanceOf(CandescentSessionRejectedError);
    expect((missing as CandescentSessionRejectedError).reason).toBe('missing');

    const subscription = await thrownBy(() => base.canActivate(graphqlExecution(undefined)));
    expect(subscription).toBeInstanceOf(CandescentConfigurationError);
    expect((subscription as Error).message).toMatch(/no HTTP request in this GraphQL resolver's context/);

    const rpc = await thrownBy(() => base.canActivate(graphqlExecution({ method: 'POST', headers: {} }, 'rpc')));
    expect((rpc as Error).message).toMatch(/HTTP routes and GraphQL resolvers only.*getRequest/);
  });
});

/**
 * With the cookie transport, a GraphQL mutation is held to the CSRF rule whatever its method:
 * the Apollo and Mercurius drivers refuse mutations sent by GET, but a driver that did not would
 * otherwise let a cross-site link run one.
 */
describe('CandescentAuthGuard CSRF rule for GraphQL operations', () => {
  let sandbox: CandescentSandbox;
  let module: OpenedModule;
  let guard: CandescentAuthGuard;

  beforeAll(async () => {
    sandbox = await startSandbox();
    module = await createTokenModule(sandbox, { session: { transport: 'cookie' } });
    guard = await module.moduleRef.get(ModuleRef).create(CandescentAuthGuard);
  });

  afterAll(async () => {
    await module.close();
    await sandbox.stop();
  });

  it('refuses a mutation sent by GET without the CSRF header, and admits a query', async () => {
    const [alice] = DEMO_CUSTOMERS;
    const login = await module.moduleRef
      .get(CandescentSessionService)
      .login({ username: alice.username, password: alice.password });
    const headers = { cookie: `__Host-candescent_session=${login.sessionToken}` };
    const run = (operation: string) =>
      CandescentContext.run({ traceId: crypto.randomUUID() }, () =>
        guard.canActivate(graphqlExecution({ method: 'GET', headers }, 'graphql', operation)),
      );
    expect(await run('query')).toBe(true);
    const mutation = await thrownBy(() => run('mutation'));
    expect(mutation).toBeInstanceOf(CandescentForbiddenError);
    expect((mutation as CandescentForbiddenError).errorCode).toBe('CSRF_REJECTED');
  });
});
