import type { ExecutionContext } from '@nestjs/common';
import {
  CandescentAuthGuard,
  CandescentContext,
  CandescentSessionRejectedError,
  CandescentSessionService,
  type CandescentGuardedRequest,
  MemoryStore,
} from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { thrownBy } from '../support/outcome';
import { startSandbox } from '../support/sandbox';

/** An HTTP route's execution context, as Nest hands it to a guard. */
function httpExecution(req: CandescentGuardedRequest): ExecutionContext {
  class AccountsController {
    list(): void {}
  }
  return {
    getType: () => 'http',
    getClass: () => AccountsController,
    getHandler: () => AccountsController.prototype.list,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

/** A memory store an app instruments: its reads must keep going through its own getMany. */
class CountingStore extends MemoryStore {
  reads = 0;

  override getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    this.reads++;
    return super.getMany(keys);
  }
}

describe('CandescentAuthGuard on the memory store', () => {
  let sandbox: CandescentSandbox;
  const opened: OpenedModule[] = [];
  const [alice] = DEMO_CUSTOMERS;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterAll(async () => {
    for (const module of opened) await module.close();
    await sandbox.stop();
  });

  async function open(store?: MemoryStore) {
    const module = await createTokenModule(sandbox, store ? { store } : {});
    opened.push(module);
    const sessions = module.moduleRef.get(CandescentSessionService);
    const guard = module.moduleRef.get(CandescentAuthGuard);
    const login = await sessions.login({ username: alice.username, password: alice.password });
    const req: CandescentGuardedRequest = { method: 'GET', headers: { authorization: `Bearer ${login.sessionToken}` } };
    const activate = () =>
      CandescentContext.run({ traceId: crypto.randomUUID() }, () => guard.canActivate(httpExecution(req)));
    return { sessions, activate, id: (await sessions.authenticate(login.sessionToken)).id };
  }

  it('admits a session with nothing to renew or record without a promise, and refuses it once it has ended', async () => {
    const { sessions, activate, id } = await open();
    // true itself, not a promise of it: Nest then skips the awaits of an asynchronous guard.
    expect(activate()).toBe(true);
    await sessions.logout(id);
    const refused = activate();
    expect(refused).toBeInstanceOf(Promise);
    const error = await thrownBy(() => refused);
    expect(error).toBeInstanceOf(CandescentSessionRejectedError);
    expect((error as CandescentSessionRejectedError).errorCode).toBe('SESSION_REVOKED');
  });

  it('reads through the getMany of a memory store subclass that replaces it', async () => {
    const store = new CountingStore();
    const { activate } = await open(store);
    const before = store.reads;
    const admitted = activate();
    expect(admitted).toBeInstanceOf(Promise);
    await expect(admitted).resolves.toBe(true);
    expect(store.reads).toBe(before + 1);
  });
});
