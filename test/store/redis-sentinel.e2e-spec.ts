import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { CandescentSessionService } from '@candescent/auth';
import type { SandboxCustomer } from '@candescent/auth/testing';
import {
  type AccountsBody,
  accountIds,
  idsIn,
  type Reply,
  type RunningSample,
  startSample,
} from '../support/app-testing';
import { LogCapture } from '../support/logs';
import { createTokenModule, type OpenedModule } from '../support/module';
import { describeRedis } from '../support/redis-server';
import { type SentinelTopology, startSentinelTopology } from '../support/redis-sentinel';
import { UnhandledRejections } from '../support/unhandled-rejections';
import { sleep, waitFor } from '../support/wait';

const CUSTOMERS = 8;
const WORKERS_PER_CUSTOMER = 2;
const INSTITUTION_WORKERS = 4;

/** One answer under load, with what it was for. */
interface Outcome {
  customer: SandboxCustomer;
  kind: 'accounts' | 'institution';
  reply: Reply;
  /** When the answer came, and when the call was sent. */
  at: number;
  startedAt: number;
}

/**
 * Redis behind Sentinel (a master, a replica, three Sentinels): the module finds the master
 * through the Sentinels and follows it when the master dies and a replica is promoted. During
 * the gap guarded calls wait for the promotion (within the failover deadline) instead of
 * failing, institution calls go on from the in-process cache, no call gets a 500 or another
 * customer's data, and no promise rejection goes unhandled.
 */
describeRedis('the sample app on Redis behind Sentinel', () => {
  let topology: SentinelTopology;
  let sample: RunningSample;
  const logs = new LogCapture();
  const customers: SandboxCustomer[] = [];
  const handles = new Map<string, string>();
  const encryptionKey = randomBytes(32).toString('base64');
  let rejections: UnhandledRejections;

  beforeAll(async () => {
    rejections = new UnhandledRejections();
    topology = await startSentinelTopology();
    sample = await startSample({
      REDIS_SENTINELS: topology.sentinels.map(({ host, port }) => `${host}:${port}`).join(','),
      REDIS_SENTINEL_NAME: topology.name,
      CANDESCENT_STORE_KEY: encryptionKey,
      LOGIN_RATE_LIMIT: '1000',
    });
    sample.app.useLogger(logs);
  }, 60_000);

  afterAll(async () => {
    await clientModule.close();
    // The app's client stays the app's: the module left it open.
    expect(appClient.status).toBe('ready');
    appClient.disconnect();
    await sample.close();
    await topology.stop();
    rejections.stop();
  });

  // A second app instance, on an ioredis client it configured for Sentinel itself.
  let appClient: Redis;
  let clientModule: OpenedModule;
  let clientSessions: CandescentSessionService;
  let clientCustomer: SandboxCustomer;
  let clientHandle: string;

  it('keeps sessions through an ioredis client the app configured for Sentinel', async () => {
    appClient = new Redis({ sentinels: topology.sentinels, name: topology.name, lazyConnect: true });
    clientModule = await createTokenModule(sample.sandbox, { redis: { client: appClient, encryptionKey } }, { logs });
    clientSessions = clientModule.moduleRef.get(CandescentSessionService);
    clientCustomer = sample.sandbox.addCustomer({ username: 'sentinel-client', password: 'Sentinel-Client-1!' });
    clientHandle = (
      await clientSessions.login({ username: clientCustomer.username, password: clientCustomer.password })
    ).sessionToken;
    const authenticated = await clientSessions.authenticate(clientHandle);
    expect(authenticated.session.tokens.customer.loginId).toBe(clientCustomer.username);
    // It went to the master the Sentinels name, through the app's client.
    const direct = new Redis({ port: await topology.masterPort(), lazyConnect: true });
    expect((await direct.keys('candescent:*')).length).toBeGreaterThan(0);
    direct.disconnect();
  });

  it('survives the master being killed under load: sessions live on, the gap is a pause, never a 503, a 500 or another customer', async () => {
    for (let i = 0; i < CUSTOMERS; i++) {
      const customer = sample.sandbox.addCustomer({ username: `failover-${i}`, password: `Failover-${i}-Pw!` });
      customers.push(customer);
      handles.set(customer.username, await sample.client.sessionFor(customer));
    }
    // Sessions made before the failover must be on the replica that will be promoted.
    await topology.replicated();
    const formerMaster = await topology.masterPort();
    expect(formerMaster).toBe(topology.master.port);

    const outcomes: Outcome[] = [];
    let running = true;
    const call = async (customer: SandboxCustomer, kind: Outcome['kind']) => {
      const startedAt = Date.now();
      const reply =
        kind === 'accounts'
          ? await sample.client.get('/accounts', handles.get(customer.username))
          : await sample.client.get(`/institution/accounts?loginId=${customer.username}`);
      outcomes.push({ customer, kind, reply, at: Date.now(), startedAt });
    };
    const worker = async (index: number, kind: Outcome['kind']) => {
      for (let n = 0; running; n++) await call(customers[(index + n) % CUSTOMERS], kind);
    };
    const load = Promise.all([
      ...customers.flatMap((_, i) => Array.from({ length: WORKERS_PER_CUSTOMER }, () => worker(i, 'accounts'))),
      ...Array.from({ length: INSTITUTION_WORKERS }, (_, i) => worker(i, 'institution')),
    ]);

    await sleep(500);
    const killedAt = Date.now();
    await topology.master.kill();
    const promoted = await topology.waitForPromotion(formerMaster);
    const promotedAt = Date.now();
    // Load goes on until the app has answered guarded calls from the new master for a while.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      await sleep(250);
      const recent = outcomes.filter((o) => o.kind === 'accounts' && o.at > promotedAt);
      if (recent.filter((o) => o.reply.status === 200).length >= 50) break;
    }
    running = false;
    await load;

    expect(promoted).toBe(topology.replica.port);
    const byStatus = (status: number) => outcomes.filter((o) => o.reply.status === status);
    // Only successes: the switch was waited out; never a 503, a 500, or a login demanded again.
    expect(outcomes.filter((o) => o.reply.status !== 200).map((o) => o.reply.text)).toEqual([]);
    // Each answer carries its own customer's accounts, whichever Redis node served the session.
    const wrong = byStatus(200).filter(
      (o) => idsIn(o.reply.json<AccountsBody>()).join() !== accountIds(o.customer).join(),
    );
    expect(wrong.map((o) => `${o.kind} ${o.customer.username}`)).toEqual([]);
    // The kill did hit the load: guarded calls sent in the gap waited for the promotion, and
    // calls worked before and after it.
    const paused = outcomes.filter((o) => o.kind === 'accounts' && o.startedAt > killedAt && o.startedAt < promotedAt);
    expect(paused.length).toBeGreaterThan(0);
    expect(paused.some((o) => o.at >= promotedAt - 1_000)).toBe(true);
    expect(outcomes.some((o) => o.kind === 'accounts' && o.reply.status === 200 && o.at < killedAt)).toBe(true);
    expect(outcomes.some((o) => o.kind === 'accounts' && o.reply.status === 200 && o.at > promotedAt)).toBe(true);
    // Institution calls never needed Redis: the token was in the process.
    expect(outcomes.filter((o) => o.kind === 'institution').every((o) => o.reply.status === 200)).toBe(true);

    // No customer has to log in again: every session made before the failover still works.
    for (const customer of customers) {
      const me = await sample.client.get('/me', handles.get(customer.username));
      expect(me.status).toBe(200);
      expect(me.json<{ loginId: string }>().loginId).toBe(customer.username);
    }
    // The app's own Sentinel client followed the master too, with the session it made before.
    await waitFor(
      async () => (await clientSessions.authenticate(clientHandle).catch(() => undefined)) !== undefined,
      10_000,
      "the app client's session after the failover",
    );
    expect((await clientSessions.authenticate(clientHandle)).session.tokens.customer.loginId).toBe(
      clientCustomer.username,
    );
    const health = await sample.client.get('/health');
    expect(health.json<{ details: { candescent: { store: string } } }>().details.candescent.store).toBe('up');
    expect(rejections.reasons).toEqual([]);
    // Nothing failed for good, so no call was reported unavailable.
    expect(logs.linesAt('warn').filter((line) => line.includes('Redis store unavailable during'))).toEqual([]);
    // The outage and the recovery are in the log once per connection (the sample's and the app
    // client's), not once per call.
    expect(logs.linesAt('warn').filter((line) => line.includes('Redis store connection failed'))).toHaveLength(2);
    expect(logs.lines().filter((line) => line.includes('Redis store connection restored'))).toHaveLength(2);
  }, 60_000);
});
