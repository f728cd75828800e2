import { randomBytes } from 'node:crypto';
import type { CandescentSandbox } from '@candescent/auth/testing';
import { sandboxOptions, startSandbox } from '../support/sandbox';

const silent = { log: () => undefined, error: () => undefined, warn: () => undefined };

/** What `require` throws for a package that is not installed. */
function notInstalled(name: string): never {
  throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
}

/**
 * `ioredis` is an optional peer and `@opentelemetry/api` a peer that pnpm or
 * `--legacy-peer-deps` may leave out: the module must load and work without them, and ask for
 * ioredis only when Redis is configured. GraphQL support reads resolver contexts as plain
 * arguments, so `@nestjs/graphql` and `graphql` are not needed either. Each case loads a fresh
 * copy of the module (and Nest) in which these packages are missing.
 */
describe('@candescent/auth without its optional peers installed', () => {
  let sandbox: CandescentSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  async function withoutPeers<T>(
    run: (modules: {
      auth: typeof import('@candescent/auth');
      testing: typeof import('@nestjs/testing');
    }) => Promise<T>,
  ): Promise<T> {
    let result: T | undefined;
    await jest.isolateModulesAsync(async () => {
      jest.doMock('ioredis', () => notInstalled('ioredis'));
      jest.doMock('@opentelemetry/api', () => notInstalled('@opentelemetry/api'));
      jest.doMock('@nestjs/graphql', () => notInstalled('@nestjs/graphql'));
      jest.doMock('graphql', () => notInstalled('graphql'));
      const auth = await import('@candescent/auth');
      const testing = await import('@nestjs/testing');
      result = await run({ auth, testing });
    });
    return result as T;
  }

  it('boots on the in-memory store and gets a token, with metrics dropped', async () => {
    const before = sandbox.counters().v2Token;
    const token = await withoutPeers(async ({ auth, testing }) => {
      const moduleRef = await testing.Test.createTestingModule({
        imports: [auth.CandescentAuthModule.forRoot(sandboxOptions(sandbox))],
      })
        .setLogger(silent)
        .compile();
      try {
        await moduleRef.init();
        return await moduleRef.get(auth.CandescentTokenService).getInstitutionToken();
      } finally {
        await moduleRef.close();
      }
    });
    expect(token.service).toBe('v2');
    expect(sandbox.counters().v2Token).toBe(before + 1);
  });

  it('with Redis configured, stops start-up with an error that says to install ioredis', async () => {
    const failure = await withoutPeers(async ({ auth, testing }) => {
      const redis = { url: 'redis://127.0.0.1:1', encryptionKey: randomBytes(32).toString('base64') };
      const error: unknown = await testing.Test.createTestingModule({
        imports: [auth.CandescentAuthModule.forRoot(sandboxOptions(sandbox, { redis }))],
      })
        .setLogger(silent)
        .compile()
        .then((moduleRef) => moduleRef.init())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      return { error, isConfigurationError: error instanceof auth.CandescentConfigurationError };
    });
    expect(failure.isConfigurationError).toBe(true);
    expect((failure.error as Error).message).toMatch(
      /needs the `ioredis` package, which is not installed.*npm install ioredis \(version 5 or 6\)/,
    );
  });
});
