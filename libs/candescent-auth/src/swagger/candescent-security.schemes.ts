import type { DocumentBuilder } from '@nestjs/swagger';
import { CANDESCENT_AUTH_DEFAULTS } from '../options/candescent-auth.defaults';

/** Name of the bearer security scheme (`Authorization: Bearer <sessionToken>`). */
export const CANDESCENT_BEARER_SCHEME = 'candescentSession';
/** Name of the cookie security scheme (the HttpOnly session cookie). */
export const CANDESCENT_COOKIE_SCHEME = 'candescentCookie';
/** Name of the CSRF header scheme that goes with the cookie on state-changing requests. */
export const CANDESCENT_CSRF_SCHEME = 'candescentCsrf';

/** The session settings the security schemes describe (the module's `session` options). */
export interface CandescentSecuritySchemeOptions {
  /** @default '__Host-candescent_session' */
  cookieName?: string;
  /** @default 'x-csrf-token' */
  csrfHeaderName?: string;
}

/**
 * Adds the module's security schemes to a document: the bearer session token, the session
 * cookie, and the CSRF header that cookie sessions need on POST, PUT, PATCH and DELETE.
 * Routes refer to them through `@ApiCandescentAuth()`.
 */
export function addCandescentSecuritySchemes(
  builder: DocumentBuilder,
  options: CandescentSecuritySchemeOptions = {},
): DocumentBuilder {
  const cookieName = options.cookieName ?? CANDESCENT_AUTH_DEFAULTS.session.cookieName;
  const csrfHeaderName = options.csrfHeaderName ?? CANDESCENT_AUTH_DEFAULTS.session.csrfHeaderName;
  return builder
    .addSecurity(CANDESCENT_BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: 'The opaque session token from POST /auth/login (bearer transport).',
    })
    .addSecurity(CANDESCENT_COOKIE_SCHEME, {
      type: 'apiKey',
      in: 'cookie',
      name: cookieName,
      description: 'The HttpOnly session cookie set by login (cookie transport).',
    })
    .addSecurity(CANDESCENT_CSRF_SCHEME, {
      type: 'apiKey',
      in: 'header',
      name: csrfHeaderName,
      description: 'The csrfToken from the login answer; cookie sessions send it on every POST, PUT, PATCH and DELETE.',
    });
}
