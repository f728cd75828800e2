import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CandescentErrorBodySchema } from './candescent-error-body.schema';
import {
  CANDESCENT_BEARER_SCHEME,
  CANDESCENT_COOKIE_SCHEME,
  CANDESCENT_CSRF_SCHEME,
} from './candescent-security.schemes';

/** What `@ApiCandescentAuth()` documents. */
export interface ApiCandescentAuthOptions {
  /**
   * The session transports the route accepts; each becomes one alternative security requirement.
   * @default ['bearer', 'cookie']
   */
  transports?: readonly ('bearer' | 'cookie')[];
  /**
   * Whether a cookie session must also send the CSRF header: true for POST, PUT, PATCH and
   * DELETE routes (the guard checks it there only).
   * @default false
   */
  stateChanging?: boolean;
}

/**
 * Documents a route (or every route of a controller) guarded by `CandescentAuthGuard`: the
 * session security requirement, and the 401 and 403 answers with the error body schema.
 * Needs `addCandescentSecuritySchemes()` on the document builder.
 */
export function ApiCandescentAuth(options: ApiCandescentAuthOptions = {}): ClassDecorator & MethodDecorator {
  const transports = options.transports ?? ['bearer', 'cookie'];
  const requirements = transports.map((transport) =>
    transport === 'bearer'
      ? ApiSecurity(CANDESCENT_BEARER_SCHEME)
      : ApiSecurity(
          options.stateChanging
            ? { [CANDESCENT_COOKIE_SCHEME]: [], [CANDESCENT_CSRF_SCHEME]: [] }
            : CANDESCENT_COOKIE_SCHEME,
        ),
  );
  return applyDecorators(
    ApiExtraModels(CandescentErrorBodySchema),
    ...requirements,
    ApiUnauthorizedResponse({
      description:
        'No usable session (`errorCode` SESSION_MISSING, SESSION_INVALID, SESSION_EXPIRED or SESSION_REVOKED), or the Candescent tokens can no longer be renewed: log in again.',
      type: CandescentErrorBodySchema,
    }),
    ApiForbiddenResponse({
      description: options.stateChanging
        ? 'Candescent refused the call, or a cookie session sent no valid CSRF token (`CSRF_REJECTED`).'
        : 'Candescent refused the app, the FI or the resource.',
      type: CandescentErrorBodySchema,
    }),
  );
}
