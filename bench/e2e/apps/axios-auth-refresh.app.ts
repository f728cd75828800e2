import { randomUUID } from 'node:crypto';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import axios from 'axios';
import { createAuthRefresh } from 'axios-auth-refresh';
import { type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { V2_TOKEN_PATH, v2TokenHeaders } from './candescent-credentials';
import { outgoingController } from './outgoing.controller';

/**
 * `axios-auth-refresh` configured as its README says: a request interceptor puts the stored
 * token on every call, and on a 401 `refreshAuthLogic` fetches a new token, stores it, sets it
 * on the failed request and the library retries it. No token is fetched before the first 401.
 */
@Injectable()
class AuthRefreshInstaller implements OnModuleInit {
  private token?: string;
  private readonly tokenClient = axios.create();

  constructor(private readonly http: HttpService) {}

  onModuleInit(): void {
    const instance = this.http.axiosRef;
    const refreshAuthLogic = async (failedRequest: { response: { config: { headers: Record<string, string> } } }) => {
      const { data } = await this.tokenClient.post<{ access_token: string }>(
        V2_TOKEN_PATH,
        'grant_type=client_credentials',
        {
          baseURL: instance.defaults.baseURL,
          headers: v2TokenHeaders(),
        },
      );
      this.token = data.access_token;
      failedRequest.response.config.headers.Authorization = `Bearer ${data.access_token}`;
    };
    createAuthRefresh(instance, refreshAuthLogic);
    instance.interceptors.request.use((request) => {
      request.headers.set('Authorization', `Bearer ${this.token ?? ''}`);
      request.headers.set('transactionId', randomUUID());
      return request;
    });
  }
}

export const createApp: BenchAppFactory = async (config) => {
  @Module({
    imports: [HttpModule.register({ baseURL: config.gatewayUrl })],
    providers: [AuthRefreshInstaller],
    controllers: [outgoingController(HttpService)],
  })
  class AxiosAuthRefreshModule {}
  return { app: await NestFactory.create(AxiosAuthRefreshModule, QUIET_LOGGER) };
};
