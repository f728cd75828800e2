import type { ExecutionContext } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  CandescentAuthGuard,
  CandescentContext,
  CandescentSessionRejectedError,
  CandescentSessionService,
  type GuardedRequest,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { thrownBy } from '../support/outcome';
import { startSandbox } from '../support/sandbox';

/** What a GraphQL resolver's execution context looks like to a guard: the request sits in the third argument. */
function graphqlExecution(req: GuardedRequest): ExecutionContext {
  class Resolver {
    accounts(): void {}
  }
  const args = [{}, {}, { req }, {}];
  return {
    getType: () => 'graphql',
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
  protected override getRequest(execution: ExecutionContext): GuardedRequest {
    return execution.getArgByIndex<{ req: GuardedRequest }>(2).req;
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
    const req: GuardedRequest = { method: 'POST', headers: { authorization: `Bearer ${login.sessionToken}` } };
    const context = { traceId: crypto.randomUUID() };
    const admitted = await CandescentContext.run(context, () => guard.canActivate(graphqlExecution(req)));
    expect(admitted).toBe(true);
    expect(CandescentContext.run(context, () => CandescentContext.current()?.session?.tokens.customer.loginId)).toBe(
      alice.username,
    );
  });

  it('a subclass answers refusals its own way, and the base class still refuses non-HTTP contexts it cannot read', async () => {
    const missing = await thrownBy(() => guard.canActivate(graphqlExecution({ method: 'POST', headers: {} })));
    expect(missing).toBeInstanceOf(GraphqlUnauthenticated);
    expect((missing as GraphqlUnauthenticated).code).toBe('SESSION_MISSING');
    const malformed = await thrownBy(() =>
      guard.canActivate(graphqlExecution({ method: 'POST', headers: { authorization: 'Basic abc' } })),
    );
    expect((malformed as GraphqlUnauthenticated).code).toBe('SESSION_INVALID');

    const base = await module.moduleRef.get(ModuleRef).create(CandescentAuthGuard);
    const refused = await thrownBy(() => base.canActivate(graphqlExecution({ method: 'POST', headers: {} })));
    expect((refused as Error).message).toMatch(/HTTP routes only.*getRequest/);
  });
});
