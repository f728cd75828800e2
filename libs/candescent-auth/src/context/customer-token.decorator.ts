import { type CanActivate, Injectable, UseGuards } from '@nestjs/common';
import { CandescentContext } from './request-context';

/** Marks the request's context; a guard because guards run inside the context and before the handler. */
@Injectable()
export class CandescentCustomerTokenGuard implements CanActivate {
  canActivate(): boolean {
    const context = CandescentContext.current();
    if (context) context.requireCustomerToken = true;
    return true;
  }
}

/**
 * Outgoing Candescent calls made by this route (or controller) must carry a customer token:
 * without a customer session they fail instead of falling back to the institution token.
 */
export const RequireCustomerToken = (): MethodDecorator & ClassDecorator => UseGuards(CandescentCustomerTokenGuard);
