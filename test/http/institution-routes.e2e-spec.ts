import { ArgumentsHost, Catch, Controller, Get, UseGuards } from '@nestjs/common';
import { BaseExceptionFilter, NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { CandescentAuthGuard, CandescentAuthModule } from '@candescent/auth';
import { type CandescentSandbox, DEMO_CUSTOMERS } from '@candescent/auth/testing';
import { type RunningSample, sampleEnvFor, startSample } from '../support/app-testing';
import { sandboxOptions, startSandbox } from '../support/sandbox';

const [alice] = DEMO_CUSTOMERS;

/**
 * Institution-token calls name the customer in the query, so the sample keeps them for
 * back-office callers: open on the embedded sandbox only, else behind SAMPLE_BACKOFFICE_KEY.
 */
describe('institution routes of the sample app', () => {
  let sandbox: CandescentSandbox;
  const running: RunningSample[] = [];
  const path = `/institution/accounts?loginId=${alice.username}`;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()));
    await sandbox.stop();
  });

  async function sample(env: Record<string, string>): Promise<RunningSample> {
    const started = await startSample({ ...sampleEnvFor(sandbox), ...env }, { external: sandbox });
    running.push(started);
    return started;
  }

  it('are closed against a real environment until a back-office key is set', async () => {
    const { client } = await sample({});
    const reply = await client.get(path);
    expect(reply.status).toBe(403);
    // The fix (SAMPLE_BACKOFFICE_KEY) is the operator's: it goes to the log, not to the caller.
    expect(reply.text).toContain('Institution routes are closed.');
    expect(reply.text).not.toContain('SAMPLE_BACKOFFICE_KEY');
    expect(sandbox.accountsCalls()).toHaveLength(0);
  });

  it('with a key, answer only callers that send it', async () => {
    const { client } = await sample({ SAMPLE_BACKOFFICE_KEY: 'back-office-key-Jq81' });
    expect((await client.get(path)).status).toBe(401);
    expect((await client.get(path, undefined, { 'x-api-key': 'wrong-key' })).status).toBe(401);
    const ok = await client.get(path, undefined, { 'x-api-key': 'back-office-key-Jq81' });
    expect(ok.status).toBe(200);
    expect(ok.json<{ service: string; accounts: { accounts: unknown[] } }>().accounts.accounts).toHaveLength(
      alice.accounts.length,
    );
  });
});

@Catch()
class CatchEverything extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    super.catch(exception, host);
  }
}

@Controller('guarded')
@UseGuards(CandescentAuthGuard)
class GuardedController {
  @Get()
  hello(): string {
    return 'hello';
  }
}

describe('module errors behind an app-wide catch-all filter', () => {
  it('keep their status instead of turning into a 500', async () => {
    const sandbox = await startSandbox();
    @Module({ imports: [CandescentAuthModule.forRoot(sandboxOptions(sandbox))], controllers: [GuardedController] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false });
    app.useGlobalFilters(new CatchEverything(app.getHttpAdapter()));
    await app.listen(0, '127.0.0.1');
    try {
      const response = await fetch(`${await app.getUrl()}/guarded`);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ statusCode: 401 });
    } finally {
      await app.close();
      await sandbox.stop();
    }
  });
});
