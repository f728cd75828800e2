import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ModulesContainer } from '@nestjs/core';
import { CandescentAuthModule, CandescentSessionService } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { createTokenModule, type OpenedModule } from '../support/module';
import { describeRedis, type RedisServerHandle, startRedisServer } from '../support/redis-server';
import { findLeaks, type Haystack, safeStringify, type Secret } from '../support/resilience-testing';
import { basicAuth, startSandbox } from '../support/sandbox';

/**
 * An app that prints one of the module's injectables while debugging (console.log, a logger,
 * JSON.stringify) must not print a secret with it: with Redis configured (password in the URL,
 * an encryption key), a cached institution token and a logged-in customer, every provider of
 * the module is printed every way and searched for each secret by value.
 */
describeRedis('printing the module injectables', () => {
  const alice = DEMO_CUSTOMERS[0];
  const redisPassword = `redis-${randomBytes(12).toString('hex')}`;
  const storeKey = randomBytes(32).toString('base64');
  let sandbox: CandescentSandbox;
  let redis: RedisServerHandle;
  let module: OpenedModule;

  beforeAll(async () => {
    sandbox = await startSandbox();
    redis = await startRedisServer({ password: redisPassword });
    module = await createTokenModule(sandbox, { redis: { url: redis.url, encryptionKey: storeKey } });
  });

  afterAll(async () => {
    await module.close();
    await redis.stop();
    await sandbox.stop();
  });

  it('shows no consumer secret, Basic header, store key, Redis password, token or handle', async () => {
    const institution = await module.tokens.getInstitutionToken();
    const login = await module.moduleRef
      .get(CandescentSessionService)
      .login({ username: alice.username, password: alice.password });
    const customer = await sessionTokens(login.sessionToken);
    const { consumerKey, consumerSecret } = sandbox.credentials;

    const modules = [...module.moduleRef.get(ModulesContainer).values()].filter(
      (entry) => entry.metatype === CandescentAuthModule,
    );
    const providers = [...modules[0].providers.values()].filter(
      (wrapper) => typeof wrapper.instance === 'object' && wrapper.instance !== null,
    );
    expect(providers.length).toBeGreaterThan(10);
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
