import { strict as assert } from 'node:assert';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Module } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost, NestFactory } from '@nestjs/core';
import { CandescentAuthModule } from '@candescent/auth';
import { CandescentSandbox } from '@candescent/auth/testing';
import { AccountsController } from './accounts.controller.js';

/** The app's own catch-all filter, registered as APP_FILTER: it answers every error its own way. */
@Catch()
class AppCatchAllFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const status = error instanceof HttpException ? error.getStatus() : 500;
    const body = error instanceof HttpException ? error.getResponse() : undefined;
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { handledBy: 'app', status, body }, status);
  }
}

/**
 * With the module's filter turned off, the app's own catch-all filter gets the module's errors,
 * which are HttpExceptions with their status: a request without a session is its 401.
 */
export async function appFilterSeesModuleErrors(): Promise<void> {
  const sandbox = new CandescentSandbox();
  const baseUrl = await sandbox.start();
  @Module({
    imports: [CandescentAuthModule.forRoot({ baseUrl, ...sandbox.credentials, errorFilter: false })],
    controllers: [AccountsController],
    providers: [{ provide: APP_FILTER, useClass: AppCatchAllFilter }],
  })
  class FilteredApp {}
  const app = await NestFactory.create(FilteredApp, { logger: ['error'] });
  try {
    await app.listen(0, '127.0.0.1');
    const answer = await fetch(`${await app.getUrl()}/accounts`);
    const body = (await answer.json()) as { handledBy?: string; status?: number; body?: { errorCode?: string } };
    assert.equal(answer.status, 401, `GET /accounts without a session answered ${answer.status}`);
    assert.equal(body.handledBy, 'app', "the app's own filter did not answer");
    assert.equal(body.body?.errorCode, 'SESSION_MISSING');
    console.log("app's own catch-all APP_FILTER gets module errors with their status: ok");
  } finally {
    await app.close();
    await sandbox.stop();
  }
}
