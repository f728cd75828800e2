import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CandescentAuthModule, CandescentTokenService } from '@candescent/auth';
import type { CandescentSandbox } from '@candescent/sandbox';
import type { Contender, ContenderFactory } from './contender';

/**
 * `CandescentTokenService` as an app gets it: the module with its default options in a plain
 * Nest application context (no testing module), pointed at the sandbox.
 */
class OursContender implements Contender {
  readonly name = 'ours';
  private app?: INestApplicationContext;
  private tokens?: CandescentTokenService;

  async setup(sandbox: CandescentSandbox): Promise<void> {
    this.app = await NestFactory.createApplicationContext(
      CandescentAuthModule.forRoot({ baseUrl: sandbox.url, ...sandbox.credentials }),
      // Start-up lines would break the table; a failed background renewal must still show.
      { logger: ['error', 'warn'] },
    );
    this.tokens = this.app.get(CandescentTokenService);
  }

  async getToken(): Promise<string> {
    return (await this.tokens!.getInstitutionToken()).accessToken;
  }

  async teardown(): Promise<void> {
    await this.app?.close();
  }
}

export const ours: ContenderFactory = { name: 'ours', create: () => new OursContender() };
