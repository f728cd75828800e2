import { DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type IssuedTokens, SandboxTokenStore } from '../../libs/candescent-sandbox/src/sandbox-token-store';
import { type ErrorBody, type LoginBody, type RunningSample, startSample } from '../support/app-testing';
import { refreshAtSandbox } from '../support/sandbox';

const [alice, bob] = DEMO_CUSTOMERS;
const COOKIE = '__Host-candescent_session';

/**
 * Logging in again from a client that still holds a session ends that session and revokes its
 * tokens upstream, with either transport, so a second login never leaves the first one alive.
 */
describe.each(['bearer', 'cookie'] as const)('logging in again with a %s session', (transport) => {
  let sample: RunningSample;
  let issueSpy: jest.SpyInstance<IssuedTokens, Parameters<SandboxTokenStore['issue']>>;

  beforeAll(async () => {
    issueSpy = jest.spyOn(SandboxTokenStore.prototype, 'issue');
    sample = await startSample({ SESSION_TRANSPORT: transport, LOGIN_RATE_LIMIT: '100' });
  });

  afterAll(async () => {
    await sample.close();
    issueSpy.mockRestore();
  });

  const lastIssued = (): IssuedTokens => {
    const result = issueSpy.mock.results.at(-1);
    if (result?.type !== 'return') throw new Error('the sandbox issued no token');
    return result.value;
  };

  /** Logs in, presenting `previous` the way the transport carries it; returns the new handle. */
  async function login(customer: { username: string; password: string }, previous?: string): Promise<string> {
    const presented: Record<string, string> =
      previous === undefined
        ? {}
        : transport === 'bearer'
          ? { authorization: `Bearer ${previous}` }
          : { cookie: `${COOKIE}=${previous}` };
    const reply = await sample.client.login(customer.username, customer.password, presented);
    expect(reply.status).toBe(200);
    if (transport === 'bearer') return reply.json<LoginBody>().sessionToken ?? '';
    return (reply.headers.getSetCookie()[0] ?? '').split(';')[0]?.slice(COOKIE.length + 1) ?? '';
  }

  const me = (handle: string) =>
    sample.client.call('/me', {
      headers: transport === 'bearer' ? { authorization: `Bearer ${handle}` } : { cookie: `${COOKIE}=${handle}` },
    });

  it.each([
    ['the same customer', alice],
    ['another customer', bob],
  ])('ends the presented session and revokes its tokens when %s logs in', async (_label, next) => {
    const first = await login(alice);
    const firstTokens = lastIssued();
    const second = await login(next, first);
    expect(second).not.toBe(first);

    const old = await me(first);
    expect(old.status).toBe(401);
    expect(old.json<ErrorBody>().errorCode).toBe('SESSION_REVOKED');
    expect(sample.sandbox.isAccessTokenValid(firstTokens.accessToken)).toBe(false);
    expect(await refreshAtSandbox(sample.sandbox, firstTokens.refreshToken ?? '')).not.toBe(200);
    expect((await me(second)).status).toBe(200);
  });

  it('leaves sessions the client did not present alone', async () => {
    const elsewhere = await login(alice);
    const elsewhereTokens = lastIssued();
    await login(alice);
    expect((await me(elsewhere)).status).toBe(200);
    expect(sample.sandbox.isAccessTokenValid(elsewhereTokens.accessToken)).toBe(true);
  });
});
