import { CandescentSessionService, MemoryStore } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { accountOf } from '../../libs/candescent-auth/src/session/account-sessions';
import { hashHandle } from '../../libs/candescent-auth/src/session/session-handle';
import type { StoredSession } from '../../libs/candescent-auth/src/session/stored-session.interface';
import { sessionKeys } from '../../libs/candescent-auth/src/store/session-keys';
import { FakeClock } from '../support/clock';
import { openSessionInstance } from '../support/module';
import { startSandbox } from '../support/sandbox';

const [alice] = DEMO_CUSTOMERS;

/**
 * What a session's value holds in the store, and that values written by the previous format
 * (which carried the account and started at revision 1) still work: read, renewed, fenced.
 */
describe('the stored session value', () => {
  let sandbox: CandescentSandbox;
  let store: MemoryStore;
  let sessions: CandescentSessionService;
  let close: () => Promise<void>;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  beforeEach(async () => {
    const clock = new FakeClock();
    store = new MemoryStore({ now: () => clock.now() });
    ({ sessions, close } = await openSessionInstance(sandbox, store, clock));
  });

  afterEach(async () => {
    await close();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  async function login(): Promise<{ id: string; handle: string; raw: string }> {
    const { sessionToken } = await sessions.login({ username: alice.username, password: alice.password });
    const id = hashHandle(sessionToken);
    const raw = await store.get(sessionKeys.value(id));
    if (raw === undefined) throw new Error('login stored no session value');
    return { id, handle: sessionToken, raw };
  }

  it('holds no account and no revision at login: both are derived (the account) or implied (revision 0)', async () => {
    const { raw } = await login();
    const value = JSON.parse(raw) as StoredSession;
    expect(Object.keys(value).sort()).toEqual(['absoluteExpiresAt', 'createdAt', 'lastSeenAt', 'tokens', 'v']);
    expect(value.tokens.customer.loginId).toBe(alice.username);
  });

  it('refuses the value from before the first renewal once it is put back', async () => {
    const { id, handle, raw } = await login();
    const before = JSON.parse(raw) as StoredSession;
    await sessions.renew(id, before.tokens.v2?.accessToken);
    const renewed = JSON.parse((await store.get(sessionKeys.value(id))) ?? '{}') as StoredSession;
    expect(renewed.rev).toBe(1);
    await expect(store.get(sessionKeys.revision(id))).resolves.toBe('1');

    await store.set(sessionKeys.value(id), raw, 600_000);
    await expect(sessions.authenticate(handle)).rejects.toMatchObject({ status: 401, errorCode: 'SESSION_INVALID' });
  });

  it('still reads, renews and fences a value of the previous format (account and revision 1 stored)', async () => {
    const { id, handle, raw } = await login();
    const current = JSON.parse(raw) as StoredSession;
    const account = accountOf(sandbox.credentials.consumerSecret, current.tokens.customer, 'exact');
    const { v, ...rest } = current;
    const previous = JSON.stringify({ v, rev: 1, account, ...rest });
    await store.set(sessionKeys.value(id), previous, 600_000);
    await expect(sessions.authenticate(handle)).resolves.toMatchObject({
      session: { rev: 1, tokens: { customer: { loginId: alice.username } } },
    });

    await sessions.renew(id, current.tokens.v2?.accessToken);
    await expect(store.get(sessionKeys.revision(id))).resolves.toBe('2');
    await expect(sessions.authenticate(handle)).resolves.toMatchObject({ session: { rev: 2 } });
    await store.set(sessionKeys.value(id), previous, 600_000);
    await expect(sessions.authenticate(handle)).rejects.toMatchObject({ status: 401, errorCode: 'SESSION_INVALID' });
  });
});
