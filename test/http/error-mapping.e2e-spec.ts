import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpException,
  type INestApplication,
  Module,
  Query,
  UseGuards,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { firstValueFrom } from 'rxjs';
import { CandescentAuthGuard, CandescentAuthModule, CandescentHttpService } from '@candescent/auth';
import type { CandescentSandbox, SandboxFault } from '@candescent/auth/testing';
import { sandboxOptions, startSandbox } from '../support/sandbox';

/**
 * Errors of the module are HttpExceptions with Nest's body shape, and errors of outgoing
 * Candescent calls become module errors with a status the app's client can act on. Over
 * Express and Fastify, with the module's filter, without it, and with the app's own catch-all
 * filter.
 */

const ACCOUNTS = '/db-accounts/v1/accounts';

@Controller()
class CallsController {
  constructor(private readonly http: CandescentHttpService) {}

  @Get('institution-accounts')
  async accounts(@Query('loginId') loginId?: string, @Query('timeout') timeout?: string) {
    const params = loginId ? { loginId } : {};
    const { data } = await firstValueFrom(
      this.http.get<unknown>(ACCOUNTS, { params, timeout: timeout ? Number(timeout) : undefined }),
    );
    return data;
  }

  @Get('guarded')
  @UseGuards(CandescentAuthGuard)
  guarded() {
    return { ok: true };
  }
}

/** An app's own catch-all filter: answers every error its own way. */
@Catch()
class AppCatchAllFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const status = error instanceof HttpException ? error.getStatus() : 500;
    const inner = error instanceof HttpException ? error.getResponse() : undefined;
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { handledBy: 'app', status, inner }, status);
  }
}

type Variant = 'module filter' | 'no filter' | 'app catch-all';

function appModule(sandbox: CandescentSandbox, variant: Variant) {
  @Module({
    imports: [
      CandescentAuthModule.forRoot({
        ...sandboxOptions(sandbox),
        retry: { maxAttempts: 1 },
        errorFilter: variant === 'module filter',
      }),
    ],
    controllers: [CallsController],
    providers: variant === 'app catch-all' ? [{ provide: APP_FILTER, useClass: AppCatchAllFilter }] : [],
  })
  class AppModule {}
  return AppModule;
}

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

describe.each(['express', 'fastify'] as const)('error mapping on %s', (adapter) => {
  let sandbox: CandescentSandbox;
  const apps = new Map<Variant, { app: INestApplication; url: string }>();

  beforeAll(async () => {
    sandbox = await startSandbox();
    for (const variant of ['module filter', 'no filter', 'app catch-all'] as const) {
      const app = await NestFactory.create(
        appModule(sandbox, variant),
        adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: false },
      );
      await app.listen(0, '127.0.0.1');
      apps.set(variant, { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') });
    }
  });

  afterAll(async () => {
    for (const { app } of apps.values()) await app.close();
    await sandbox.stop();
  });

  afterEach(() => {
    sandbox.clearFaults();
  });

  async function get(variant: Variant, path: string): Promise<Answer> {
    const response = await fetch(`${apps.get(variant)!.url}${path}`);
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  const raw = (status: number, body: unknown, headers?: Record<string, string>): SandboxFault => ({
    route: 'v2-accounts',
    kind: 'raw',
    status,
    contentType: 'application/json',
    body: JSON.stringify(body),
    headers,
  });

  it.each<[string, SandboxFault | undefined, string, number, Record<string, unknown>]>([
    [
      'a 400 for a missing loginId keeps its status and names the code',
      undefined,
      '',
      400,
      { errorCode: 'CMN_90010', error: 'Bad Request' },
    ],
    [
      'a 403 stays forbidden',
      raw(403, { code: 'CMN_90006', message: 'not authorized to access this resource' }),
      '?loginId=alice',
      403,
      { errorCode: 'CMN_90006', error: 'Forbidden' },
    ],
    [
      'a 404 stays not found',
      raw(404, { code: 'CMN_90404', message: 'no such account' }),
      '?loginId=alice',
      404,
      { errorCode: 'CMN_90404', error: 'Not Found' },
    ],
    [
      'a 409 keeps its status',
      raw(409, { code: 'CMN_90409', message: 'duplicate' }),
      '?loginId=alice',
      409,
      { errorCode: 'CMN_90409', error: 'Conflict' },
    ],
    [
      'a quota 500 becomes 429',
      raw(500, { code: 'CMN_90001', message: 'Quota limit violation' }, { 'retry-after': '7' }),
      '?loginId=alice',
      429,
      { errorCode: 'CMN_90001', error: 'Too Many Requests' },
    ],
    [
      'a plain 500 becomes 502',
      raw(500, { code: 'CMN_90000', message: 'internal server error' }),
      '?loginId=alice',
      502,
      { errorCode: 'CMN_90000', error: 'Bad Gateway' },
    ],
    [
      'a 502 stays 502',
      raw(502, '<html>bad gateway</html>'),
      '?loginId=alice',
      502,
      { errorCode: 'UPSTREAM_502', error: 'Bad Gateway' },
    ],
    [
      'a 503 stays 503',
      raw(503, { code: 'CMN_90503', message: 'maintenance' }),
      '?loginId=alice',
      503,
      { error: 'Service Unavailable' },
    ],
    [
      'a timeout becomes 504',
      { route: 'v2-accounts', kind: 'latency', ms: 1_500 },
      '?loginId=alice&timeout=300',
      504,
      { errorCode: 'TIMEOUT', error: 'Gateway Timeout' },
    ],
  ])('%s', async (_name, fault, query, status, expected) => {
    // Fetch the institution token first, so a fault meant for the banking call cannot hit it.
    await get('module filter', '/institution-accounts?loginId=alice');
    if (fault) sandbox.injectFault({ ...fault, times: 1 });
    const answer = await get('module filter', `/institution-accounts${query}`);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ statusCode: status, ...expected });
    expect(typeof answer.body.message).toBe('string');
    expect(answer.body.traceId).toEqual(expect.any(String));
    if (status === 429) expect(answer.retryAfter).toBe('7');
  });

  it('without the module filter, Nest answers module errors with the same status and body (no Retry-After)', async () => {
    await get('no filter', '/institution-accounts?loginId=alice');
    sandbox.injectFault(raw(500, { code: 'CMN_90001', message: 'Quota limit violation' }, { 'retry-after': '7' }));
    const answer = await get('no filter', '/institution-accounts?loginId=alice');
    expect(answer.status).toBe(429);
    expect(answer.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', errorCode: 'CMN_90001' });
    expect(answer.retryAfter).toBeNull();
    expect(await get('no filter', '/guarded')).toMatchObject({
      status: 401,
      body: { statusCode: 401, error: 'Unauthorized', errorCode: 'SESSION_MISSING' },
    });
  });

  it("the app's own catch-all filter gets module errors, with their status", async () => {
    const missing = await get('app catch-all', '/guarded');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      handledBy: 'app',
      status: 401,
      inner: { statusCode: 401, errorCode: 'SESSION_MISSING', error: 'Unauthorized' },
    });
    const rejected = await get('app catch-all', '/institution-accounts');
    expect(rejected.body).toMatchObject({ handledBy: 'app', status: 400, inner: { errorCode: 'CMN_90010' } });
  });
});
