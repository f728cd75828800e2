import type { SandboxCustomer } from '@candescent/auth/testing';
import { type AccountsBody, accountIds, idsIn, type RunningSample, startSample } from '../support/app-testing';

/**
 * Many customers at once: each request's outgoing call must carry the token of the session that
 * made it (the request context is per request), so no customer ever sees another's data, however
 * the requests interleave.
 */

const CUSTOMERS = 50;
const REQUESTS = 500;

describe('customer isolation under concurrency', () => {
  let sample: RunningSample;
  const customers: SandboxCustomer[] = [];
  const handles = new Map<string, string>();

  beforeAll(async () => {
    sample = await startSample({ LOGIN_RATE_LIMIT: '1000' });
    for (let i = 0; i < CUSTOMERS; i++) {
      customers.push(sample.sandbox.addCustomer({ username: `iso-${i}`, password: `Isolation-${i}-Pw!` }));
    }
    const logins = await Promise.all(customers.map((customer) => sample.client.sessionFor(customer)));
    customers.forEach((customer, i) => handles.set(customer.fiCustomerId, logins[i] ?? ''));
  });

  afterAll(async () => {
    await sample.close();
  });

  it(`serves ${REQUESTS} interleaved /accounts requests of ${CUSTOMERS} customers, each with only its own data`, async () => {
    // Deterministic shuffle, so a failure can be replayed; half the upstream calls are slowed so
    // answers come back in a different order than the requests went out.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const order = Array.from({ length: REQUESTS }, (_, i) => customers[i % CUSTOMERS])
      .map((customer) => ({ customer, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ customer }) => customer);
    sample.sandbox.resetCounters();
    sample.sandbox.injectFault({ route: 'v2-accounts', kind: 'latency', ms: 25, times: REQUESTS / 2 });

    const replies = await Promise.all(
      order.map((customer) => sample.client.get('/accounts', handles.get(customer.fiCustomerId))),
    );

    const wrong: string[] = [];
    replies.forEach((reply, i) => {
      const customer = order[i];
      if (reply.status !== 200) wrong.push(`${customer.username}: status ${reply.status}`);
      else if (idsIn(reply.json<AccountsBody>()).join() !== accountIds(customer).join())
        wrong.push(`${customer.username}: ${reply.text}`);
    });
    expect(wrong).toEqual([]);

    const calls = sample.sandbox.accountsCalls();
    expect(calls).toHaveLength(REQUESTS);
    const perCustomer = new Map<string, number>();
    const tokenOwners = new Map<string, Set<string>>();
    for (const call of calls) {
      expect(call).toMatchObject({ service: 'v2', status: 200, tokenGrant: 'password' });
      expect(call.tokenFiCustomerId).toBeDefined();
      expect(call.returnedFiCustomerId).toBe(call.tokenFiCustomerId);
      const owner = call.tokenFiCustomerId ?? '';
      perCustomer.set(owner, (perCustomer.get(owner) ?? 0) + 1);
      const owners = tokenOwners.get(call.accessToken) ?? new Set<string>();
      owners.add(owner);
      tokenOwners.set(call.accessToken, owners);
    }
    // Each session made REQUESTS / CUSTOMERS requests; a mixed-up context would skew these counts.
    expect([...perCustomer.keys()].sort()).toEqual(customers.map((c) => c.fiCustomerId).sort());
    for (const count of perCustomer.values()) expect(count).toBe(REQUESTS / CUSTOMERS);
    // One token per session, each used only for its own customer.
    expect(tokenOwners.size).toBe(CUSTOMERS);
    for (const owners of tokenOwners.values()) expect(owners.size).toBe(1);
    expect(sample.sandbox.counters().tokenRequests).toBe(0);
  });

  it('keeps /me per customer under the same kind of load', async () => {
    const picks = Array.from({ length: 200 }, (_, i) => customers[(i * 7) % CUSTOMERS]);
    const replies = await Promise.all(
      picks.map((customer) => sample.client.get('/me', handles.get(customer.fiCustomerId))),
    );
    const seen = replies.map((reply) => reply.json<{ loginId: string }>().loginId);
    expect(seen).toEqual(picks.map((customer) => customer.username));
  });
});
