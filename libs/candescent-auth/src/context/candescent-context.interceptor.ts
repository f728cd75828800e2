import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable } from 'rxjs';
import { REQUIRE_CUSTOMER_TOKEN } from './customer-token.decorator';
import { CandescentContext, type CandescentRequestContext, type CandescentSessionRef, clientIpFrom, traceIdFrom } from './request-context';

/** Where the guard leaves the session on the framework's request object. */
export const SESSION_ON_REQUEST = Symbol('candescentSession');

interface IncomingRequest {
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
  [SESSION_ON_REQUEST]?: CandescentSessionRef;
}

/**
 * Runs each HTTP handler inside its own request context (AsyncLocalStorage): trace id, client
 * IP as the framework resolved it, and the session the guard loaded. Outgoing Candescent calls
 * made while handling the request read it, so concurrent customers never mix.
 */
@Injectable()
export class CandescentContextInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const request = execution.switchToHttp().getRequest<IncomingRequest>();
    const context: CandescentRequestContext = {
      traceId: traceIdFrom(request),
      clientIp: clientIpFrom(request.ip),
      session: request[SESSION_ON_REQUEST],
      requireCustomerToken: this.reflector.getAllAndOverride<boolean | undefined>(REQUIRE_CUSTOMER_TOKEN, [
        execution.getHandler(),
        execution.getClass(),
      ]),
    };
    return new Observable((subscriber) => CandescentContext.run(context, () => next.handle().subscribe(subscriber)));
  }
}
