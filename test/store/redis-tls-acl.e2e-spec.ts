import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import Redis from 'ioredis';
import {
  CANDESCENT_STORE,
  type CandescentRedisOptions,
  CandescentSessionService,
  type CandescentStore,
  CandescentUnavailableError,
} from '@candescent/auth';
import type { CandescentSandbox, SandboxCustomer } from '@candescent/auth/testing';
import { LogCapture, renderings } from '../support/logs';
import { createTokenModule, type OpenedModule } from '../support/module';
import { type RedisServerHandle, type RedisTlsFiles, startRedisServer } from '../support/redis-server';
import { type SentinelTopology, startSentinelTopology } from '../support/redis-sentinel';
import { describeRedisTls, makeTlsMaterial, TLS_SERVER_NAME, type TlsMaterial } from '../support/redis-tls';
import { findLeaks, type Haystack, safeStringify, type Secret } from '../support/resilience-testing';
import { startSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const APP_USER = 'candescent-app';
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

/**
 * A managed Redis as cloud providers run it: TLS only (`--tls-port`, `--port 0`), a private CA,
 * client certificates required, a certificate that names the service rather than the address,
 * and an ACL user for the app. The module connects through its own options (no app-built
 * client), on a single node and behind Sentinels that have a password and TLS of their own;
 * every way of getting it wrong fails closed, and no password or private key reaches a log
 * line, an error or a printed injectable.
 */
describeRedisTls('Redis over TLS with an ACL user', () => {
  const adminPassword = secret('admin');
  const appPassword = secret('app');
  const sentinelPassword = secret('sentinel');
  const encryptionKey = randomBytes(32).toString('base64');
  const logs = new LogCapture();
  const opened: OpenedModule[] = [];
  const errors: Array<{ where: string; error: unknown }> = [];
  let material: TlsMaterial;
  let files: RedisTlsFiles;
  let sandbox: CandescentSandbox;
  let server: RedisServerHandle;
  let topology: SentinelTopology | undefined;
  let customerCount = 0;

  /** The app's user may touch only the module's keys: a connection as anyone else would show. */
  const appUser = () => `${APP_USER} on >${appPassword} ~candescent:* +@all`;
  const appTls = () => ({ ca: material.ca, cert: material.client.cert, key: material.client.key });

  beforeAll(async () => {
    material = await makeTlsMaterial();
    files = { certFile: material.server.certFile, keyFile: material.server.keyFile, caFile: material.caFile };
    sandbox = await startSandbox();
    server = await startRedisServer({ tls: files, password: adminPassword, users: [appUser()] });
  }, 30_000);

  afterAll(async () => {
    for (const module of opened) await module.close();
    await server.stop();
    await topology?.stop();
    await sandbox.stop();
    await material.remove();
  });

  async function open(redis: Omit<CandescentRedisOptions, 'encryptionKey'>): Promise<OpenedModule> {
    const module = await createTokenModule(sandbox, { redis: { ...redis, encryptionKey } }, { logs });
    opened.push(module);
    return module;
  }

  /** A customer logs in and the session is read back: what needs the store to work both ways. */
  async function loginThrough(module: OpenedModule): Promise<void> {
    const customer: SandboxCustomer = sandbox.addCustomer({
      username: `tls-customer-${++customerCount}`,
      password: secret('Customer-1!'),
    });
    const sessions = module.moduleRef.get(CandescentSessionService);
    const { sessionToken } = await sessions.login({ username: customer.username, password: customer.password });
    const authenticated = await sessions.authenticate(sessionToken);
    expect(authenticated.session.tokens.customer.loginId).toBe(customer.username);
  }

  /** A connection of the test's own, as the server's admin (default user), over TLS. */
  async function admin<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis({
      host: '127.0.0.1',
      port,
      password: adminPassword,
      tls: { ...appTls(), servername: TLS_SERVER_NAME },
      lazyConnect: true,
    });
    try {
      await client.connect();
      return await run(client);
    } finally {
      client.disconnect();
    }
  }

  /** The warning the connection logged when it failed, after log entry `before`. */
  async function connectionFailureSince(before: number): Promise<string> {
    const find = () =>
      logs.entries
        .slice(before)
        .map((entry) => entry.line)
        .find((line) => line.includes('Redis store connection failed'));
    await waitFor(() => find() !== undefined, 5_000, 'the connection failure in the log');
    return find() ?? '';
  }

  const appConnections = (port: number) =>
    admin(port, async (client) => String(await client.client('LIST')))
      .then((list) => list.split('\n').filter((line) => line.includes(` user=${APP_USER} `)))
      .catch(() => []);

  it.each<[string, () => Omit<CandescentRedisOptions, 'encryptionKey'>]>([
    [
      'credentials as options',
      () => ({ url: `rediss://127.0.0.1:${server.port}`, username: APP_USER, password: appPassword }),
    ],
    [
      'credentials in the URL',
      () => ({ url: `rediss://${APP_USER}:${encodeURIComponent(appPassword)}@127.0.0.1:${server.port}` }),
    ],
  ])('keeps sessions on a TLS-only single node as the ACL user (%s)', async (_label, target) => {
    const module = await open({ ...target(), tls: { ...appTls(), servername: TLS_SERVER_NAME } });
    await loginThrough(module);
    // The values are on that server, and the module's connection is the app's ACL user.
    expect(await admin(server.port, (client) => client.keys('candescent:*'))).not.toHaveLength(0);
    expect((await appConnections(server.port)).length).toBeGreaterThan(0);
    // Closed, so the next case's connection is counted alone.
    await module.close();
    await waitFor(async () => (await appConnections(server.port)).length === 0, 5_000, 'the connection closed');
  });

  it.each<[string, () => Omit<CandescentRedisOptions, 'encryptionKey'>, RegExp]>([
    [
      'a wrong password',
      () => ({
        url: `rediss://127.0.0.1:${server.port}`,
        username: APP_USER,
        password: `${appPassword}-wrong`,
        tls: { ...appTls(), servername: TLS_SERVER_NAME },
      }),
      /WRONGPASS/,
    ],
    [
      'a CA that did not sign the server certificate',
      () => ({
        url: `rediss://127.0.0.1:${server.port}`,
        username: APP_USER,
        password: appPassword,
        tls: { ...appTls(), ca: material.strangerCa, servername: TLS_SERVER_NAME },
      }),
      /certificate/i,
    ],
    [
      'no servername (the certificate does not name 127.0.0.1)',
      () => ({
        url: `rediss://127.0.0.1:${server.port}`,
        username: APP_USER,
        password: appPassword,
        tls: appTls(),
      }),
      /altnames|certificate/i,
    ],
    [
      'a client certificate of another CA',
      () => ({
        url: `rediss://127.0.0.1:${server.port}`,
        username: APP_USER,
        password: appPassword,
        tls: { ca: material.ca, cert: material.stranger.cert, key: material.stranger.key, servername: TLS_SERVER_NAME },
      }),
      // With TLS 1.3 the server checks the client certificate after the handshake: its alert may
      // arrive before the reset, or not.
      /unknown ca|ECONNRESET/i,
    ],
  ])('fails closed with %s, and logs why', async (label, redis, reason) => {
    const before = logs.entries.length;
    const module = await open(redis());
    const store = module.moduleRef.get<CandescentStore>(CANDESCENT_STORE);
    const failure: unknown = await store.get('probe').then(
      () => undefined,
      (error: unknown) => error,
    );
    errors.push({ where: label, error: failure });
    expect(failure).toBeInstanceOf(CandescentUnavailableError);
    expect(await connectionFailureSince(before)).toMatch(reason);
    await module.close();
  });

  it('follows the master behind password-protected TLS Sentinels, through a failover', async () => {
    topology = await startSentinelTopology({
      tls: files,
      password: adminPassword,
      users: [appUser()],
      sentinelPassword,
    });
    const module = await open({
      sentinels: topology.sentinels,
      name: topology.name,
      username: APP_USER,
      password: appPassword,
      tls: { ...appTls(), servername: TLS_SERVER_NAME },
      sentinelPassword,
      sentinelTls: { ...appTls(), servername: TLS_SERVER_NAME },
    });
    await loginThrough(module);
    const formerMaster = await topology.masterPort();
    expect((await appConnections(formerMaster)).length).toBeGreaterThan(0);

    await topology.master.kill();
    const promoted = await topology.waitForPromotion(formerMaster);
    expect(promoted).toBe(topology.replica.port);
    // The module asks the Sentinels again (signing in, over TLS) and reaches the new master.
    await waitFor(
      () =>
        loginThrough(module).then(
          () => true,
          () => false,
        ),
      15_000,
      'a login through the promoted master',
    );
    expect((await appConnections(promoted)).length).toBeGreaterThan(0);
  }, 60_000);

  it('refuses Sentinels with the wrong Sentinel password, and logs why', async () => {
    if (!topology) throw new Error('the Sentinel test runs first');
    const before = logs.entries.length;
    const module = await open({
      sentinels: topology.sentinels,
      name: topology.name,
      username: APP_USER,
      password: appPassword,
      tls: { ...appTls(), servername: TLS_SERVER_NAME },
      sentinelPassword: `${sentinelPassword}-wrong`,
      sentinelTls: { ...appTls(), servername: TLS_SERVER_NAME },
    });
    const failure: unknown = await module.moduleRef
      .get<CandescentStore>(CANDESCENT_STORE)
      .get('probe')
      .catch((error: unknown) => error);
    errors.push({ where: 'wrong Sentinel password', error: failure });
    expect(failure).toBeInstanceOf(CandescentUnavailableError);
    expect(await connectionFailureSince(before)).toMatch(/sentinels are unreachable.*WRONGPASS/i);
    await module.close();
  });

  it('never shows a password or a private key in a log line, an error or a printed injectable', () => {
    const pemBody = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    const secrets: Secret[] = [
      { label: 'app password', value: appPassword },
      { label: 'app password (URL-encoded)', value: encodeURIComponent(appPassword) },
      { label: 'admin password', value: adminPassword },
      { label: 'Sentinel password', value: sentinelPassword },
      { label: 'store key', value: encryptionKey },
      { label: 'client private key (PEM)', value: material.client.key.trim() },
      { label: 'client private key (body)', value: pemBody(material.client.key).slice(0, 40) },
      { label: 'stranger private key (body)', value: pemBody(material.stranger.key).slice(0, 40) },
    ];
    // Every provider printed: test/resilience/printed-injectables.e2e-spec.ts; here the stores that made these connections.
    const printed: Haystack[] = opened.flatMap((module, index) => {
      const store: unknown = module.moduleRef.get(CANDESCENT_STORE);
      return [
        { where: `inspect of store #${index}`, text: inspect(store, { depth: 8, showHidden: true }) },
        { where: `JSON of store #${index}`, text: safeStringify(store) },
      ];
    });
    const haystacks: Haystack[] = [
      ...logs.texts().map((text, i) => ({ where: `log line #${i}`, text })),
      ...errors.flatMap(({ where, error }) => renderings(error).map((text) => ({ where: `error (${where})`, text }))),
      ...printed,
    ];
    // Failures were logged, and with their reasons: the search covers real driver messages.
    // Five refusals, and the failover's moment without a master.
    expect(logs.linesAt('warn').filter((line) => line.includes('Redis store connection failed'))).toHaveLength(6);
    expect(errors).toHaveLength(5);
    expect(findLeaks(secrets, haystacks)).toEqual([]);
  });
});
