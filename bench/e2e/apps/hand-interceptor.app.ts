import { randomUUID } from 'node:crypto';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import axios from 'axios';
import { type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { V2_TOKEN_PATH, v2TokenHeaders } from './candescent-credentials';
import { outgoingController } from './outgoing.controller';

/** Renew this long before expiry, as most hand-written caches do. */
const RENEW_BEFORE_MS = 60_000;

/**
 * What a Nest team writes by hand: an axios request interceptor on the app's HttpService with
 * the token cached in a field, one token request in flight at a time.
 */
@Injectable()
class CachedTokenInterceptor implements OnModuleInit {
  private token?: { value: string; expiresAt: number };
  private inFlight?: Promise<string>;
  private readonly tokenClient = axios.create();

  constructor(private readonly http: HttpService) {}

  onModuleInit(): void {
    this.http.axiosRef.interceptors.request.use(async (config) => {
      config.headers.set('Authorization', `Bearer ${await this.accessToken()}`);
      config.headers.set('transactionId', randomUUID());
      return config;
    });
  }

  private accessToken(): Promise<string> | string {
    if (this.token && this.token.expiresAt - RENEW_BEFORE_MS > Date.now()) return this.token.value;
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchToken(): Promise<string> {
    const baseURL = this.http.axiosRef.defaults.baseURL;
    const { data } = await this.tokenClient.post<{ access_token: string; expires_in: string | number }>(
      V2_TOKEN_PATH,
      'grant_type=client_credentials',
      { baseURL, headers: v2TokenHeaders() },
    );
    this.token = { value: data.access_token, expiresAt: Date.now() + Number(data.expires_in) * 1000 };
    return data.access_token;
  }
}

export const createApp: BenchAppFactory = async (config) => {
  @Module({
    imports: [HttpModule.register({ baseURL: config.gatewayUrl })],
    providers: [CachedTokenInterceptor],
    controllers: [outgoingController(HttpService)],
  })
  class HandInterceptorModule {}
  return { app: await NestFactory.create(HandInterceptorModule, QUIET_LOGGER) };
};
