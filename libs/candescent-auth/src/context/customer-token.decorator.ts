import { type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { CandescentSessionRejectedError } from '../errors/candescent-auth.error';
import { incomingRequest } from './incoming-request';
import { CandescentContext, traceIdFrom } from './request-context';

/**
 * Marks the request's context; a guard because guards run inside the context and before the
 * handler. Without a context there is nowhere to keep the mark, and outgoing calls would fall
 * back to the institution token: such a request carries no session handle (the module opens a
 * context for every request that does), so it is refused as one without a session.
 */
@Injectable()
export class CandescentCustomerTokenGuard implements CanActivate {
  canActivate(execution: ExecutionContext): boolean {
    const context = CandescentContext.current();
    if (!context) {
      const request = incomingRequest(execution);
      throw new CandescentSessionRejectedError('missing', request ? traceIdFrom(request) : undefined);
    }
    context.requireCustomerToken = true;
    return true;
  }
}

/**
 * Outgoing Candescent calls made by this route (or controller) must carry a customer token:
 * without a customer session they fail instead of falling back to the institution token, and a
 * request that carries no session handle at all is refused with 401 before the handler runs.
 */
export const RequireCustomerToken = (): MethodDecorator & ClassDecorator => UseGuards(CandescentCustomerTokenGuard);
