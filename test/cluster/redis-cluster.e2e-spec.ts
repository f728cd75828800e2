import { randomBytes } from 'node:crypto';
import { Agent, get } from 'node:http';
import Redis from 'ioredis';
import { CandescentSessionService } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { hashHandle } from '../../libs/candescent-auth/src/session/session-handle';
import { sessionKeys } from '../../libs/candescent-auth/src/store/session-keys';
import { ValueCipher } from '../../libs/candescent-auth/src/store/value-cipher';
import type { ErrorBody } from '../support/app-testing';
import { describeRedisCluster, type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster';
import { type SampleProcess, startSampleProcess } from '../support/sample-process';
import { openModule } from '../support/module';
import { sandboxOptions, startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const BACK_OFFICE_KEY = 'cluster-suite-back-office-key';
const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const INSTANCES = 4;

/** GET `url` on its own connection; resolves with the status (0 when the connection failed). */
function call(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const request = get(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve(response.statusCode ?? 0);
      });
    });
    request.on('error', () => {
      resolve(0);
    });
    request.setTimeout(20_000, () => request.destroy());
  });
}

/** Counts of each status, e.g. `{ 200: 998, 503: 2 }`. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/**
 * The module on a real Redis Cluster (3 masters, 3 replicas), with the sample app running as
 * separate Node processes: the promises the module makes across instances hold on a cluster,
 * through a master's crash, and through a change of the encryption key.
 */
describeRedisCluster('a fleet of instances on a Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let sandbox: CandescentSandbox;
  let fleet: SampleProcess[] = [];

  /** Token requests of one grant type the sandbox received so far. */
  const grants = (grant: string): number => sandbox.counters().byGrant[grant] ?? 0;

  const envWith = (storeKey: string): Record<string, string> => ({
    CANDESCENT_BASE_URL: sandbox.url,
    CANDESCENT_CONSUMER_KEY: sandbox.credentials.consumerKey,
    CANDESCENT_CONSUMER_SECRET: sandbox.credentials.consumerSecret,
    CANDESCENT_FIID: sandbox.credentials.fiId,
    REDIS_CLUSTER_NODES: cluster.seeds,
    CANDESCENT_STORE_KEY: storeKey,
    SAMPLE_BACKOFFICE_KEY: BACK_OFFICE_KEY,
    LOGIN_RATE_LIMIT: '10000',
    LOGIN_USERNAME_RATE_LIMIT: '10000',
  });

  let institutionTokensBefore = 0;

  /** What beforeAll started, stopped in reverse even when a later start failed. */
  const started: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    started.push(() => sandbox.stop());
    cluster = await startRedisCluster();
    started.push(() => cluster.stop());
    // Counted from before the instances start, so a token fetched at start-up would count too.
    institutionTokensBefore = grants('client_credentials');
    const launched = await Promise.allSettled(
      Array.from({ length: INSTANCES }, () => startSampleProcess(envWith(KEY_A))),
    );
    fleet = launched.flatMap((launch) => (launch.status === 'fulfilled' ? [launch.value] : []));
    started.push(() => Promise.all(fleet.map((instance) => instance.stop())).then(() => undefined));
    const failed = launched.find((launch) => launch.status === 'rejected');
    if (failed) throw failed.reason;
  }, 60_000);

  afterAll(async () => {
    for (const stop of started.reverse()) await stop();
  });

  afterEach(() => {
    sandbox.clearFaults();
    // No instance ever hit a CROSSSLOT error or answered a 500 (they would be logged).
    for (const instance of fleet) {
      expect(instance.output()).not.toContain('CROSSSLOT');
      expect(instance.output()).not.toMatch(/Internal server error|ExceptionsHandler/i);
    }
  });

  it('1,000 concurrent cold calls over 4 instances cost exactly 1 institution-token request', async () => {
    // Up and connected before the traffic, as a fleet behind a load balancer is: unknown session
    // handles make each instance read the store, and so connect to every master of the cluster.
    for (const instance of fleet) {
      for (let i = 0; i < 30; i++) {
        const unknown = `cds_${randomBytes(32).toString('base64url')}`;
        expect((await instance.client.get('/me', unknown)).status).toBe(401);
      }
    }
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const statuses = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        call(`${fleet[i % INSTANCES].url}/institution/accounts?loginId=${DEMO_CUSTOMERS[0].username}`, agent, {
          'x-api-key': BACK_OFFICE_KEY,
        }),
      ),
    );
    agent.destroy();
    expect(tally(statuses)).toEqual({ 200: 1_000 });
    const fallbacks = fleet.flatMap((instance) =>
      instance
        .output()
        .split('\n')
        .filter((line) => line.includes('store failed') || line.includes('Redis store')),
    );
    expect({ tokenRequests: grants('client_credentials') - institutionTokensBefore, fallbacks }).toEqual({
      tokenRequests: 1,
      fallbacks: [],
    });
  });

  it('a session opened on one instance works on every other', async () => {
    for (const [index, opener] of fleet.entries()) {
      const customer = DEMO_CUSTOMERS[index % DEMO_CUSTOMERS.length];
      const handle = await opener.client.sessionFor(customer);
      for (const instance of fleet) {
        const reply = await instance.client.get('/me', handle);
        expect(reply.status).toBe(200);
        expect(reply.json<{ loginId: string }>().loginId).toBe(customer.username);
      }
    }
  });

  it('4 instances renewing one session at once spend exactly 1 refresh grant, no refresh token twice', async () => {
    const [alice] = DEMO_CUSTOMERS;
    // The login's V2 access token lives 3 s, so the session is due for renewal 2.4 s later.
    sandbox.injectFault({ kind: 'expires-in', value: 3, route: 'v2-token', times: 1 });
    const handle = await fleet[0].client.sessionFor(alice);
    const refreshesBefore = grants('refresh_token');
    await new Promise((resolve) => setTimeout(resolve, 2_700));
    // Several requests per instance, all at once: every instance finds the session due.
    const replies = await Promise.all(
      Array.from({ length: INSTANCES * 5 }, (_, i) => fleet[i % INSTANCES].client.get('/accounts', handle)),
    );
    // Any refusal is shown with its body (a fixed message and a trace id, nothing secret).
    expect(replies.filter((reply) => reply.status !== 200).map((reply) => `${reply.status} ${reply.text}`)).toEqual([]);
    // The token was still usable, so the renewal may run ahead, behind the answers: wait for it.
    await waitFor(() => grants('refresh_token') - refreshesBefore >= 1, 10_000, 'the renewal');
    // And the renewed session still works everywhere (time for any second renewal to show).
    for (const instance of fleet) expect((await instance.client.get('/me', handle)).status).toBe(200);
    expect(grants('refresh_token') - refreshesBefore).toBe(1);
    const spent = sandbox
      .requests()
      .filter((request) => request.form.grant_type === 'refresh_token')
      .map((request) => request.form.refresh_token);
    expect(new Set(spent).size).toBe(spent.length);
  });

  it("an app's own ioredis Cluster, passed as redis.client, shares sessions with the fleet and stays open", async () => {
    const [, bob] = DEMO_CUSTOMERS;
    const client = new Redis.Cluster(cluster.nodes, { lazyConnect: true });
    const opened = await openModule(sandboxOptions(sandbox, { redis: { client, encryptionKey: KEY_A } }));
    try {
      const sessions = opened.moduleRef.get(CandescentSessionService);
      const fromFleet = await fleet[2].client.sessionFor(bob);
      expect((await sessions.authenticate(fromFleet)).session.tokens.customer.loginId).toBe(bob.username);
      const { sessionToken } = await sessions.login({ username: bob.username, password: bob.password });
      const me = await fleet[3].client.get('/me', sessionToken);
      expect(me.status).toBe(200);
      expect(me.json<{ loginId: string }>().loginId).toBe(bob.username);
      await opened.close();
      // The module never quits a client it was given.
      expect(client.status).toBe('ready');
    } finally {
      await opened.close();
      client.disconnect();
    }
  });

  it('no key or value in the cluster holds a token, secret, handle or password (redis-cli --scan, DUMP)', async () => {
    const handles = await Promise.all(DEMO_CUSTOMERS.map((customer, i) => fleet[i].client.sessionFor(customer)));
    for (const handle of handles) expect((await fleet[3].client.get('/accounts', handle)).status).toBe(200);
    const secrets = new Set<string>([
      sandbox.credentials.consumerSecret,
      KEY_A,
      Buffer.from(KEY_A, 'base64').toString('hex'),
      ...DEMO_CUSTOMERS.map((customer) => customer.password),
      ...handles,
    ]);
    // Tokens Candescent saw (spent refresh tokens, presented access tokens)...
    for (const request of sandbox.requests()) {
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization)?.[1];
      if (bearer) secrets.add(bearer);
      for (const name of ['refresh_token', 'password', 'client_secret']) {
        if (request.form[name]) secrets.add(request.form[name]);
      }
    }
    // ...and the live ones each session holds now, as the module reads them back.
    const reader = await openModule(
      sandboxOptions(sandbox, { redis: { cluster: { nodes: cluster.nodes }, encryptionKey: KEY_A } }),
    );
    try {
      const sessions = reader.moduleRef.get(CandescentSessionService);
      for (const handle of handles) {
        const { v2 } = (await sessions.authenticate(handle)).session.tokens;
        for (const token of [v2?.accessToken, v2?.refreshToken]) if (token) secrets.add(token);
      }
    } finally {
      await reader.close();
    }
    expect(secrets.size).toBeGreaterThan(handles.length * 3 + 5);
    // A value stored in plain text is found: the search can fail.
    const canaryKey = 'candescent-suite-canary';
    const canary = `plain-${randomBytes(24).toString('hex')}`;
    await cluster.cli(await cluster.ownerOf(canaryKey), 'set', canaryKey, canary);
    const { keys, bytes } = await cluster.dumpAll();
    await cluster.cli(await cluster.ownerOf(canaryKey), 'del', canaryKey);
    expect(bytes.includes(canary)).toBe(true);
    // At least each session's value and revision, and the canary.
    expect(keys).toBeGreaterThanOrEqual(handles.length * 2 + 1);
    const found = [...secrets].filter((secret) => bytes.includes(secret));
    expect(found.map((secret) => `${secret.slice(0, 4)}… (${secret.length} chars)`)).toEqual([]);
  });

  it('a master crashing mid-load: calls succeed or fail closed (503), never 500 or another customer; then all works', async () => {
    const sessions = await Promise.all(
      DEMO_CUSTOMERS.map(async (customer, i) => ({
        customer,
        handle: await fleet[i].client.sessionFor(customer),
      })),
    );
    const statuses: number[] = [];
    const wrong: string[] = [];
    let loading = true;
    const load = async (worker: number) => {
      for (let n = 0; loading; n++) {
        const { customer, handle } = sessions[(worker + n) % sessions.length];
        const reply = await fleet[(worker + n) % INSTANCES].client.get('/me', handle);
        statuses.push(reply.status);
        if (reply.status === 200 && reply.json<{ loginId: string }>().loginId !== customer.username) {
          wrong.push(`${customer.username} got ${reply.text}`);
        }
        if (reply.status === 503) expect(reply.json<ErrorBody>().errorCode).toBe('STORE_UNAVAILABLE');
      }
    };
    const workers = Array.from({ length: 8 }, (_, worker) => load(worker));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The master of the first customer's session: its records live in one slot, on that master.
    const victim = await cluster.ownerOf(`candescent:data:${sessionKeys.value(hashHandle(sessions[0].handle))}`);
    const beforeCrash = statuses.length;
    await cluster.crash(victim);
    await cluster.waitUntilHealthy(15_000);
    // Some load after the promotion too, so the clients must have found the new master.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    loading = false;
    await Promise.all(workers);

    expect(wrong).toEqual([]);
    const counts = tally(statuses);
    expect(Object.keys(counts).filter((status) => status !== '200' && status !== '503')).toEqual([]);
    // Calls were served before the crash and after it, not only refused.
    expect(statuses.slice(0, beforeCrash)).toContain(200);
    expect(statuses.slice(-20)).toEqual(Array.from({ length: 20 }, () => 200));
    for (const { customer, handle } of sessions) {
      for (const instance of fleet) {
        const reply = await instance.client.get('/me', handle);
        expect(reply.status).toBe(200);
        expect(reply.json<{ loginId: string }>().loginId).toBe(customer.username);
      }
    }
    const fresh = await fleet[1].client.sessionFor(DEMO_CUSTOMERS[0]);
    expect((await fleet[2].client.get('/accounts', fresh)).status).toBe(200);
  });

  it('key rotation: sessions under key A work after a restart with [B, A], and under [B] alone once rewritten', async () => {
    const [alice, bob] = DEMO_CUSTOMERS;
    let instance = await startSampleProcess(envWith(KEY_A));
    try {
      const renewed = await instance.client.sessionFor(alice);
      const untouched = await instance.client.sessionFor(bob);
      await instance.stop();

      instance = await startSampleProcess(envWith(`${KEY_B}, ${KEY_A}`));
      for (const handle of [renewed, untouched]) expect((await instance.client.get('/me', handle)).status).toBe(200);
      // Candescent refuses the access token once: the session is renewed and written again, under B.
      sandbox.injectFault({ kind: 'reject-token', route: 'v2-accounts', times: 1 });
      expect((await instance.client.get('/accounts', renewed)).status).toBe(200);
      const node = new Redis.Cluster(cluster.nodes, { lazyConnect: true });
      try {
        const value = await node.get(`candescent:data:${sessionKeys.value(hashHandle(renewed))}`);
        expect(value?.split('.')[1]).toBe(ValueCipher.fromKey(KEY_B).keyIds[0]);
      } finally {
        node.disconnect();
      }
      await instance.stop();

      instance = await startSampleProcess(envWith(KEY_B));
      const me = await instance.client.get('/me', renewed);
      expect(me.status).toBe(200);
      expect(me.json<{ loginId: string }>().loginId).toBe(alice.username);
      // The session never written again is still under A, which this instance no longer has.
      const stale = await instance.client.get('/me', untouched);
      expect(stale.status).toBe(401);
      expect(stale.json<ErrorBody>().errorCode).toBe('SESSION_INVALID');
      expect(instance.output()).not.toContain(KEY_A);
      expect(instance.output()).not.toContain(KEY_B);
    } finally {
      await instance.stop();
    }
  });
});
