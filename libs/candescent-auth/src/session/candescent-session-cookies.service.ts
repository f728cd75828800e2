import { Injectable } from '@nestjs/common';
import { requestTraceId } from '../context/request-context';
import { CandescentForbiddenError } from '../errors/candescent-auth.error';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { InjectCandescentAuthOptions } from '../options/inject-options.decorator';
import { CandescentClock } from '../token/candescent-clock';
import type { CandescentLoginContext } from '../token/candescent-token.service';
import type { CandescentCustomerIdentity } from '../token/token-set.interface';
import { presentedSessionTokens } from './presented-session';
import { serializeSessionCookie } from './session-cookie';
import { appendSetCookie } from './set-cookie-header';
import type { CandescentLoginResult, CandescentSessionLoginContext } from './stored-session.interface';

/** The request headers a login handler passes on (Express's request and Fastify's both have them). */
export interface CandescentLoginRequest {
  /** The request headers (the session handle, `Sec-Fetch-Site`). */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body, where the framework put one (for `loginInstitution`). */
  body?: unknown;
  /** Route parameters, where the framework put them (for `loginInstitution`). */
  params?: unknown;
}

/** What a login route answers, whichever transport the module is configured with. */
export interface CandescentLoginResponse {
  /** The session handle, for `Authorization: Bearer <sessionToken>` (bearer transport only). */
  sessionToken?: string;
  /** Send it back in the CSRF header on POST, PUT, PATCH and DELETE (cookie transport only). */
  csrfToken?: string;
  /** When the session ends if unused (ISO 8601); it slides with use, up to the absolute limit. */
  expiresAt: string;
  /** Who logged in. */
  customer: CandescentCustomerIdentity;
}

/**
 * The HTTP side of login and logout for either session transport, so a controller never reads
 * the transport itself. With `session.transport: 'cookie'` it sets the session cookie at login
 * (HttpOnly, Secure, SameSite, Path=/, no Domain: what the `__Host-` prefix requires) and clears
 * it at logout, adding to any other `Set-Cookie` the app set; with `'bearer'` it sets no cookie.
 * The response is the Express response or the Fastify reply, from `@Res({ passthrough: true })`.
 *
 * Renewal never touches the cookie: it replaces the Candescent tokens on the server, not the
 * handle. The cookie lives until the session's absolute expiry; the idle timeout slides on the
 * server (a cookie of an idle-expired session is refused with `SESSION_EXPIRED`), so no
 * response has to re-send the cookie to keep an active session alive.
 */
@RedactedWhenPrinted()
@Injectable()
export class CandescentSessionCookies {
  /** @internal Made by Nest's injector. */
  constructor(
    @InjectCandescentAuthOptions() private readonly options: ResolvedCandescentAuthOptions,
    private readonly clock: CandescentClock,
  ) {}

  /**
   * The context to pass to `CandescentSessionService.login` for this request: `context` plus
   * the session tokens the client presented, so logging in again ends the session it had. With
   * the cookie transport a login marked `Sec-Fetch-Site: cross-site` is refused (403
   * `CSRF_REJECTED`): another site must not log a browser into an account of its choosing.
   */
  loginContext(request: CandescentLoginRequest, context: CandescentLoginContext = {}): CandescentSessionLoginContext {
    if (this.options.session.transport === 'cookie' && request.headers['sec-fetch-site'] === 'cross-site') {
      throw new CandescentForbiddenError('Cross-site login refused: log in from this site.', {
        errorType: 'USER_ERROR',
        errorCode: 'CSRF_REJECTED',
        traceId: requestTraceId(request),
      });
    }
    const institution = context.institution ?? this.options.loginInstitution?.(request);
    return {
      ...context,
      ...(institution === undefined ? {} : { institution }),
      presentedSessionTokens: presentedSessionTokens(request.headers, this.options),
      traceId: requestTraceId(request),
    };
  }

  /**
   * Sets the session cookie (cookie transport) and returns the body for the client: the handle
   * with the bearer transport; with the cookie transport only the CSRF token, never the handle
   * (a handle in the body would be readable by page scripts, which HttpOnly is there to stop).
   */
  loginResponse(response: unknown, result: CandescentLoginResult): CandescentLoginResponse {
    const expiresAt = new Date(result.expiresAt).toISOString();
    if (this.options.session.transport !== 'cookie')
      return { sessionToken: result.sessionToken, expiresAt, customer: result.customer };
    const now = this.clock.now();
    const maxAgeSeconds = Math.floor((result.absoluteExpiresAt - now) / 1000);
    appendSetCookie(response, serializeSessionCookie(result.sessionToken, this.attributes(maxAgeSeconds), now));
    return { csrfToken: result.csrfToken, expiresAt, customer: result.customer };
  }

  /** Clears the session cookie (cookie transport: `Max-Age=0`); with the bearer transport, nothing. */
  clear(response: unknown): void {
    if (this.options.session.transport !== 'cookie') return;
    appendSetCookie(response, serializeSessionCookie('', this.attributes(undefined), this.clock.now()));
  }

  private attributes(maxAgeSeconds: number | undefined) {
    return { name: this.options.session.cookieName, sameSite: this.options.session.cookieSameSite, maxAgeSeconds };
  }
}
