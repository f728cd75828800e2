import { randomUUID } from 'node:crypto';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type * as Oauth2ClientModule from '@badgateway/oauth2-client' with { 'resolution-mode': 'import' };
import { type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { CREDENTIALS, V2_TOKEN_PATH, v2TokenHeaders } from './candescent-credentials';
import { outgoingController } from './outgoing.controller';

/**
 * `import()` that TypeScript's CommonJS output keeps as a real dynamic import: compiled
 * `import()` would become `require()`, which cannot load an ESM-only package.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/**
 * `@badgateway/oauth2-client`: `OAuth2Client.clientCredentials()` supplies tokens to an
 * `OAuth2Fetch`, whose `getToken()` caches and renews them (its README's set-up); an axios
 * request interceptor puts that token on the app's HttpService calls. Candescent's extra
 * headers go in through the client's `fetch` option.
 */
class BadgatewayTokenInterceptor implements OnModuleInit {
  constructor(
    private readonly http: HttpService,
    private readonly oauth2: typeof Oauth2ClientModule,
  ) {}

  onModuleInit(): void {
    const { OAuth2Client, OAuth2Fetch } = this.oauth2;
    const candescentFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      const extra = v2TokenHeaders();
      headers.set('transactionId', extra.transactionId);
      headers.set('institutionId', extra.institutionId);
      return fetch(input, { ...init, headers });
    };
    const client = new OAuth2Client({
      server: this.http.axiosRef.defaults.baseURL,
      clientId: CREDENTIALS.consumerKey,
      clientSecret: CREDENTIALS.consumerSecret,
      tokenEndpoint: V2_TOKEN_PATH,
      fetch: candescentFetch,
    });
    const tokens = new OAuth2Fetch({ client, getNewToken: () => client.clientCredentials() });
    this.http.axiosRef.interceptors.request.use(async (config) => {
      config.headers.set('Authorization', `Bearer ${(await tokens.getToken()).accessToken}`);
      config.headers.set('transactionId', randomUUID());
      return config;
    });
  }
}

export const createApp: BenchAppFactory = async (config) => {
  const oauth2 = (await importEsm('@badgateway/oauth2-client')) as typeof Oauth2ClientModule;
  @Module({
    imports: [HttpModule.register({ baseURL: config.gatewayUrl })],
    providers: [
      {
        provide: BadgatewayTokenInterceptor,
        useFactory: (http: HttpService) => new BadgatewayTokenInterceptor(http, oauth2),
        inject: [HttpService],
      },
    ],
    controllers: [outgoingController(HttpService)],
  })
  class BadgatewayModule {}
  return { app: await NestFactory.create(BadgatewayModule, QUIET_LOGGER) };
};
