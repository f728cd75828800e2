import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { incomingRequest } from '../context/incoming-request';
import { SESSION_ON_REQUEST } from '../context/request-context';
import { CandescentSessionRejectedError } from '../errors/candescent-auth.error';
import { institutionOf } from '../token/candescent-token.service';
import type { CandescentCustomerIdentity } from '../token/token-set.interface';

/** The customer behind the current session, as route handlers see it. */
export interface CandescentCustomerView extends CandescentCustomerIdentity {
  /** The institution (its id in the module's options) the customer logged in at. */
  institution: string;
  /** The session id (hash of the handle), for correlation; not the handle. */
  sessionId: string;
}

/**
 * The current customer (`fiId`, `loginId`, `fiCustomerId` = `di_ficustomer`, `memberNumber`)
 * on a route or GraphQL resolver guarded by `CandescentAuthGuard`. Pass a key to get one field.
 */
export const CandescentCustomer = createParamDecorator(
  (field: keyof CandescentCustomerView | undefined, execution: ExecutionContext) => {
    const request = incomingRequest(execution);
    const session = request?.[SESSION_ON_REQUEST];
    // Reaching here without a session means the route is not guarded: fail closed.
    if (!session) throw new CandescentSessionRejectedError('missing');
    const view: CandescentCustomerView = {
      ...session.tokens.customer,
      institution: institutionOf(session.tokens),
      sessionId: session.id,
    };
    return field ? view[field] : view;
  },
);
