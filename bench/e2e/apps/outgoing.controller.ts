import type { HttpService } from '@nestjs/axios';
import { Controller, Get, Inject, type InjectionToken, type Type } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { UPSTREAM_PATH } from '../upstream.constants';

/**
 * `GET /outgoing`: calls the upstream through the given HttpService and returns its body. The
 * same controller for every outgoing-GET contender, so only the token logic differs.
 */
export function outgoingController(httpToken: InjectionToken): Type {
  @Controller()
  class OutgoingController {
    constructor(@Inject(httpToken) private readonly http: HttpService) {}

    @Get('outgoing')
    async outgoing(): Promise<unknown> {
      return (await firstValueFrom(this.http.get(UPSTREAM_PATH))).data;
    }
  }
  return OutgoingController;
}
