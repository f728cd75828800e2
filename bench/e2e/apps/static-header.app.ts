import { randomUUID } from 'node:crypto';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { STATIC_BEARER } from '../upstream.constants';
import { type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { outgoingController } from './outgoing.controller';

/**
 * The transaction id every Candescent call carries, fresh per call: the least any client sends,
 * set by a synchronous interceptor (axios then skips the promise chain).
 */
@Injectable()
class TransactionIdInterceptor implements OnModuleInit {
  constructor(private readonly http: HttpService) {}

  onModuleInit(): void {
    this.http.axiosRef.interceptors.request.use(
      (config) => {
        config.headers.set('transactionId', randomUUID());
        return config;
      },
      undefined,
      { synchronous: true },
    );
  }
}

/** The floor: an axios instance that sends one fixed bearer header and a transaction id. No token logic at all. */
export const createApp: BenchAppFactory = async (config) => {
  @Module({
    imports: [
      HttpModule.register({ baseURL: config.gatewayUrl, headers: { Authorization: `Bearer ${STATIC_BEARER}` } }),
    ],
    providers: [TransactionIdInterceptor],
    controllers: [outgoingController(HttpService)],
  })
  class StaticHeaderModule {}
  return { app: await NestFactory.create(StaticHeaderModule, QUIET_LOGGER) };
};
