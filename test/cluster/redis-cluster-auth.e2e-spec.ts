import { randomBytes } from 'node:crypto';
import {
  CANDESCENT_STORE,
  type CandescentRedisOptions,
  CandescentSessionService,
  type CandescentStore,
  CandescentUnavailableError,
} from '@candescent/auth';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { LogCapture, renderings } from '../support/logs';
import { createTokenModule, type OpenedModule } from '../support/module';
import { describeRedisCluster, type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster';
import { makeTlsMaterial, TLS_SERVER_NAME, type TlsMaterial } from '../support/redis-tls';
import { findLeaks, type Haystack, type Secret } from '../support/resilience-testing';
import { startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const APP_USER = 'candescent-app';
const CUSTOMERS = 12;

/**
 * The module on a Redis Cluster that requires a password, over TLS (the cluster bus too) with
 * client certificates and a certificate naming the service, as the app's ACL user: the module
 * reaches every node through its own options, sessions spread over the masters, a wrong password
 * fails closed, and no password or private key reaches a log line or an error.
 */
describeRedisCluster('a password-protected TLS Redis Cluster', () => {
  const adminPassword = `admin-${randomBytes(12).toString('hex')}`;
  const appPassword = `app-${randomBytes(12).toString('hex')}`;
  const encryptionKey = randomBytes(32).toString('base64');
  const logs = new LogCapture();
  const opened: OpenedModule[] = [];
  const errors: unknown[] = [];
  let material: TlsMaterial;
  let sandbox: CandescentSandbox;
  let cluster: RedisClusterHandle;

  beforeAll(async () => {
    material = await makeTlsMaterial();
    sandbox = await startSandbox();
    cluster = await startRedisCluster({
      password: adminPassword,
      users: [`${APP_USER} on >${appPassword} ~candescent:* +@all`],
      tls: { certFile: material.server.certFile, keyFile: material.server.keyFile, caFile: material.caFile },
    });
  }, 60_000);

  afterAll(async () => {
    for (const module of opened) await module.close();
    await cluster.stop();
    await sandbox.stop();
    await material.remove();
  });

  async function open(password: string): Promise<OpenedModule> {
    const redis: CandescentRedisOptions = {
      cluster: { nodes: cluster.nodes.slice(0, 2) },
      username: APP_USER,
      password,
      tls: { ca: material.ca, cert: material.client.cert, key: material.client.key, servername: TLS_SERVER_NAME },
      encryptionKey,
    };
    const module = await createTokenModule(sandbox, { redis }, { logs });
    opened.push(module);
    return module;
  }

  it('keeps sessions on every master as the ACL user, over TLS', async () => {
    const module = await open(appPassword);
    const sessions = module.moduleRef.get(CandescentSessionService);
    for (let i = 0; i < CUSTOMERS; i++) {
      const customer = sandbox.addCustomer({ username: `cluster-tls-${i}`, password: `Cluster-Tls-${i}-Pw!` });
      const { sessionToken } = await sessions.login({ username: customer.username, password: customer.password });
      expect((await sessions.authenticate(sessionToken)).session.tokens.customer.loginId).toBe(customer.username);
    }
    // Sessions went to more than one master, each reached as the app's user (the nodes learned
    // from the seeds too: only two were given).
    const masters = await cluster.masters();
    const holding: number[] = [];
    for (const port of masters) {
      if ((await cluster.cli(port, '--scan', '--pattern', 'candescent:*')).trim() !== '') holding.push(port);
      expect(await cluster.cli(port, 'client', 'list')).toContain(` user=${APP_USER} `);
    }
    expect(holding.length).toBeGreaterThan(1);
  }, 30_000);

  it('fails closed with a wrong password, and logs why', async () => {
    const before = logs.entries.length;
    const module = await open(`${appPassword}-wrong`);
    const failure: unknown = await module.moduleRef
      .get<CandescentStore>(CANDESCENT_STORE)
      .get('probe')
      .catch((error: unknown) => error);
    errors.push(failure);
    expect(failure).toBeInstanceOf(CandescentUnavailableError);
    await waitFor(
      () => logs.entries.slice(before).some((entry) => /WRONGPASS/.test(entry.line)),
      5_000,
      // A Cluster's own error only says no node answered: the node's reason is logged with it.
      'the refused password in the log',
    );
    await module.close();
  });

  it('never shows a password or the private key in a log line or an error', () => {
    const pemBody = material.client.key.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    const secrets: Secret[] = [
      { label: 'app password', value: appPassword },
      { label: 'admin password', value: adminPassword },
      { label: 'store key', value: encryptionKey },
      { label: 'client private key (PEM)', value: material.client.key.trim() },
      { label: 'client private key (body)', value: pemBody.slice(0, 40) },
    ];
    const haystacks: Haystack[] = [
      ...logs.texts().map((text, i) => ({ where: `log line #${i}`, text })),
      ...errors.flatMap((error) => renderings(error).map((text) => ({ where: 'store error', text }))),
    ];
    expect(logs.texts().length).toBeGreaterThan(0);
    expect(findLeaks(secrets, haystacks)).toEqual([]);
  });
});
