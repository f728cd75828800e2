import { HttpModule, HttpService } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { STATIC_BEARER } from '../upstream.constants';
import { type BenchAppFactory, QUIET_LOGGER } from './bench-app';
import { outgoingController } from './outgoing.controller';

/** The floor: an axios instance that sends one fixed bearer header. No token logic at all. */
export const createApp: BenchAppFactory = async (config) => {
  @Module({
    imports: [
      HttpModule.register({ baseURL: config.gatewayUrl, headers: { Authorization: `Bearer ${STATIC_BEARER}` } }),
    ],
    controllers: [outgoingController(HttpService)],
  })
  class StaticHeaderModule {}
  return { app: await NestFactory.create(StaticHeaderModule, QUIET_LOGGER) };
};
