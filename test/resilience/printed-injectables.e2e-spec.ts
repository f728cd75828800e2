import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ModulesContainer } from '@nestjs/core';
import { CandescentAuthModule, CandescentSessionService } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { describeRedisTls, makeTlsMaterial, TLS_SERVER_NAME, type TlsMaterial } from '../support/redis-tls';
import { findLeaks, type Haystack, safeStringify, type Secret } from '../support/resilience-testing';
import { basicAuth, startSandbox } from '../support/sandbox';

/**
 * An app that prints one of the module's injectables while debugging (console.log, a logger,
 * JSON.stringify) must not print a secret with it: with Redis configured (password in the URL,
 * an encryption key; on a second module an ACL user's password and a TLS client key), a cached
 * institution token and a logged-in customer, every provider of the module is printed every way
 * and searched for each secret by value.
 */
describeRedisTls('printing the module injectables', () => {
  const alice = DEMO_CUSTOMERS[0];
  const redisPassword = `redis-${randomBytes(12).toString('hex')}`;
  const storeKey = randomBytes(32).toString('base64');
  let sandbox: CandescentSandbox;
  let redis: RedisServerHandle;
  const aclPassword = `acl-${randomBytes(12).toString('hex')}`;
  let module: OpenedModule;
  let material: TlsMaterial;
  let tlsRedis: RedisServerHandle;
  /** The same module on a TLS-only Redis, signing in as an ACL user with a client certificate. */
  let tlsModule: OpenedModule;

  beforeAll(async () => {
    sandbox = await startSandbox();
    redis = await startRedisServer({ password: redisPassword });
    module = await createTokenModule(sandbox, { redis: { url: redis.url, encryptionKey: storeKey } });
    material = await makeTlsMaterial();
    tlsRedis = await startRedisServer({
      tls: { certFile: material.server.certFile, keyFile: material.server.keyFile, caFile: material.caFile },
      users: [`candescent-app on >${aclPassword} ~* +@all`],
    });
    tlsModule = await createTokenModule(sandbox, {
      redis: {
        url: `rediss://127.0.0.1:${tlsRedis.port}`,
        username: 'candescent-app',
        password: aclPassword,
        tls: { ca: material.ca, cert: material.client.cert, key: material.client.key, servername: TLS_SERVER_NAME },
        encryptionKey: storeKey,
      },
    });
  });

  afterAll(async () => {
    await module.close();
    await tlsModule.close();
    await redis.stop();
    await tlsRedis.stop();
    await sandbox.stop();
    await material.remove();
  });

  it('shows no consumer secret, Basic header, store key, Redis password or private key, token or handle', async () => {
    const institution = await module.tokens.getInstitutionToken();
    const login = await module.moduleRef
      .get(CandescentSessionService)
      .login({ username: alice.username, password: alice.password });
    const customer = await sessionTokens(login.sessionToken);
    // The TLS module has used its connection too.
    await tlsModule.moduleRef
      .get(CandescentSessionService)
      .login({ username: alice.username, password: alice.password });
    const { consumerKey, consumerSecret } = sandbox.credentials;

    const providers = [module, tlsModule].flatMap((opened) => {
      const modules = [...opened.moduleRef.get(ModulesContainer).values()].filter(
        (entry) => entry.metatype === CandescentAuthModule,
      );
      return [...modules[0].providers.values()].filter(
        (wrapper) => typeof wrapper.instance === 'object' && wrapper.instance !== null,
      );
    });
    expect(providers.length).toBeGreaterThan(20);
    const haystacks: Haystack[] = providers.flatMap((wrapper) => {
      const instance: unknown = wrapper.instance;
      const name = String(wrapper.name);
      return [
        { where: `util.inspect of ${name}`, text: inspect(instance, { depth: 8, showHidden: true, getters: true }) },
        { where: `console-style inspect of ${name}`, text: inspect(instance) },
        { where: `JSON.stringify of ${name}`, text: safeStringify(instance) },
      ];
    });
    // The printed forms still say what the object is.
    expect(haystacks.find((haystack) => haystack.where === 'util.inspect of CandescentTokenService')?.text).toMatch(
      /^CandescentTokenService/,
    );

    const secrets: Secret[] = [
      { label: 'consumer secret', value: consumerSecret },
      { label: 'Basic header', value: basicAuth(consumerKey, consumerSecret).slice('Basic '.length) },
      { label: 'store key', value: storeKey },
      { label: 'Redis password', value: redisPassword },
      { label: 'Redis ACL password', value: aclPassword },
      { label: 'Redis client private key', value: material.client.key.trim() },
      {
        label: 'Redis client private key (body)',
        value: material.client.key
          .replace(/-----[A-Z ]+-----/g, '')
          .replace(/\s+/g, '')
          .slice(0, 40),
      },
      { label: 'institution token', value: institution.accessToken },
      { label: 'customer access token', value: customer.accessToken },
      { label: 'customer refresh token', value: customer.refreshToken },
      { label: 'session handle', value: login.sessionToken },
    ];
    for (const secret of secrets) expect(secret.value.length).toBeGreaterThanOrEqual(6);
    expect(findLeaks(secrets, haystacks)).toEqual([]);
  });

  async function sessionTokens(handle: string): Promise<{ accessToken: string; refreshToken: string }> {
    const session = await module.moduleRef.get(CandescentSessionService).authenticate(handle);
    const v2 = session.session.tokens.v2;
    if (!v2?.refreshToken) throw new Error('expected a V2 token set with a refresh token');
    return { accessToken: v2.accessToken, refreshToken: v2.refreshToken };
  }
});
