import { inspect } from 'node:util';
import { redact } from '../logging/redact';

/** Which Candescent token service an error came from. */
export type CandescentService = 'v1' | 'v2';

/** The fields every module error may carry besides its message. */
export interface CandescentErrorDetails {
  /** HTTP status Candescent answered with, when there was an answer. */
  upstreamStatus?: number;
  /** Candescent's error type (`USER_ERROR`, `SYSTEM_ERROR`, `APP_ERROR`) or the module's own. */
  errorType?: string;
  /** Candescent's error code (`90001`, `CMN_90004`, ...) or the module's own. */
  errorCode?: string;
  /** The `di_tid` / `transactionId` of the request that failed. */
  traceId?: string;
  /** The token service the request went to. */
  service?: CandescentService;
  /** Seconds to wait before trying again, when the upstream said so. */
  retryAfterSeconds?: number;
  /** Low-level code of a network failure (`ECONNRESET`, `ECONNREFUSED`, ...). */
  networkCode?: string;
}

/** The stable JSON form of a module error, also used as the HTTP response body. */
export interface CandescentErrorBody {
  statusCode: number;
  error: string;
  errorType?: string;
  errorCode?: string;
  message: string;
  traceId?: string;
  retryAfterSeconds?: number;
}

/**
 * Root of every error the module throws. Messages are redacted when the error is built, and
 * `toJSON` / `util.inspect` show only the fields below: no cause, no request config, no secret.
 */
export abstract class CandescentAuthError extends Error implements CandescentErrorDetails {
  /** HTTP status this error maps to when it reaches a client of the app. */
  abstract readonly status: number;
  readonly upstreamStatus?: number;
  readonly errorType?: string;
  readonly errorCode?: string;
  readonly traceId?: string;
  readonly service?: CandescentService;
  readonly retryAfterSeconds?: number;
  readonly networkCode?: string;

  constructor(message: string, details: CandescentErrorDetails = {}) {
    super(redact(message));
    this.name = new.target.name;
    const clean = (value?: string) => (value === undefined ? undefined : redact(value));
    this.upstreamStatus = details.upstreamStatus;
    this.errorType = clean(details.errorType);
    this.errorCode = clean(details.errorCode);
    this.traceId = clean(details.traceId);
    this.service = details.service;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.networkCode = clean(details.networkCode);
  }

  /**
   * Same as `status`. Nest's default exception handling answers any error that has
   * `statusCode` and `message` with that status, so an app-wide catch-all filter that falls
   * back to it still sends 401/403/429/502/503/504 rather than 500.
   */
  get statusCode(): number {
    return this.status;
  }

  /** The stable, secret-free body sent to clients and written to logs. */
  toJSON(): CandescentErrorBody & { name: string; upstreamStatus?: number; service?: string } {
    return {
      name: this.name,
      statusCode: this.status,
      error: this.name,
      errorType: this.errorType,
      errorCode: this.errorCode,
      message: this.message,
      traceId: this.traceId,
      retryAfterSeconds: this.retryAfterSeconds,
      upstreamStatus: this.upstreamStatus,
      service: this.service,
    };
  }

  [inspect.custom](): string {
    return `${this.name}: ${this.message} ${inspect(this.toJSON(), { breakLength: Infinity })}`;
  }
}

/** The module options are invalid; start-up stops. */
export class CandescentConfigurationError extends CandescentAuthError {
  readonly status = 500;
  constructor(
    message: string,
    /** One entry per bad option: the field path and what was expected. */
    readonly problems: ReadonlyArray<{ field: string; expected: string }> = [],
    /** A more precise code than `INVALID_OPTIONS`, and the trace id, for a problem found at run time. */
    details: Pick<CandescentErrorDetails, 'errorCode' | 'traceId'> = {},
  ) {
    super(message, { errorType: 'CONFIGURATION_ERROR', errorCode: 'INVALID_OPTIONS', ...details });
  }
}

/** The customer's username or password was rejected, or was malformed before sending. */
export class CandescentInvalidCredentialsError extends CandescentAuthError {
  readonly status = 401;
}

/** Candescent refused this app, FI or resource (403, or a 401 about the client, not the user). */
export class CandescentForbiddenError extends CandescentAuthError {
  readonly status = 403;
}

/** Candescent is rate limiting (quota or spike arrest; it answers 500 for both, or 429). */
export class CandescentRateLimitedError extends CandescentAuthError {
  readonly status = 429;
}

/** Candescent could not be reached or answered with a server error. */
export class CandescentUnavailableError extends CandescentAuthError {
  readonly status = 503;
}

/** Candescent did not answer in time. */
export class CandescentTimeoutError extends CandescentAuthError {
  readonly status = 504;
}

/** Candescent answered something the documented contract does not allow. */
export class CandescentProtocolError extends CandescentAuthError {
  readonly status = 502;
}

/** A refresh token was rejected or expired: the customer has to log in again. */
export class CandescentSessionExpiredError extends CandescentAuthError {
  readonly status = 401;
}

/** A request to Candescent could not be given a token, so it was not sent (fail closed). */
export class CandescentTokenUnavailableError extends CandescentAuthError {
  readonly status = 401;
}

/** Input given to the module (login body, header value, option) is malformed; nothing was sent. */
export class CandescentInvalidRequestError extends CandescentAuthError {
  readonly status = 400;
}

/** Why a session handle was refused. */
export type SessionRejection = 'missing' | 'invalid' | 'expired' | 'revoked';

/**
 * A request to a guarded route came without a usable session. `invalid` covers both malformed
 * and unknown handles, so the answer never tells whether a handle existed.
 */
export class CandescentSessionRejectedError extends CandescentAuthError {
  readonly status = 401;
  constructor(
    /** Why the session was refused. */
    readonly reason: SessionRejection,
    traceId?: string,
  ) {
    super(SESSION_MESSAGES[reason], { errorType: 'USER_ERROR', errorCode: `SESSION_${reason.toUpperCase()}`, traceId });
  }
}

const SESSION_MESSAGES: Record<SessionRejection, string> = {
  missing: 'No session: log in and send the session token (Authorization: Bearer <token>, or the session cookie).',
  invalid: 'The session token is not valid; log in again.',
  expired: 'The session has expired; log in again.',
  revoked: 'The session has ended (logged out); log in again.',
};
