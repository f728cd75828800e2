import { STATUS_CODES } from 'node:http';
import { inspect } from 'node:util';
import { HttpException } from '@nestjs/common';
import { redact } from '../logging/redact';
import type { CandescentService } from '../token/candescent-service';

// Re-exported so the public index, which exports this file, keeps offering it.
export type { CandescentService };

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
  /** The HTTP status to answer with, where the class allows more than one (upstream client errors). */
  httpStatus?: number;
}

/**
 * The JSON body of a module error as clients receive it: Nest's shape (`statusCode`, `message`,
 * `error` as the HTTP reason phrase) plus the Candescent fields.
 */
export interface CandescentErrorBody {
  /** The HTTP status, as in the response. */
  statusCode: number;
  /** The HTTP reason phrase (`Unauthorized`, `Bad Gateway`, ...), as in Nest's own exceptions. */
  error: string;
  /** Candescent's error type or the module's own (`USER_ERROR`, `SYSTEM_ERROR`, `CONFIGURATION_ERROR`, ...). */
  errorType?: string;
  /** The stable code to match on (`SESSION_EXPIRED`, `CMN_90001`, ...); messages may change. */
  errorCode?: string;
  /** A sentence for the end user (for errors from Candescent calls a fixed one per class). */
  message: string;
  /** The trace id of the request, as in the logs. */
  traceId?: string;
}

/**
 * What a GraphQL client receives of a module error, in `errors[].extensions`: the same facts
 * as the HTTP body and the `Retry-After` header, nothing more.
 */
export interface CandescentGraphqlErrorExtensions {
  /**
   * The error code (`SESSION_MISSING`, `CSRF_REJECTED`, Candescent's `CMN_90001`, ...), or,
   * for an error without one, the name of its status (`SERVICE_UNAVAILABLE`).
   */
  code: string;
  /** The HTTP status a REST route answers this error with (401, 403, 429, 503, ...). */
  status: number;
  /** Candescent's error type (`USER_ERROR`, `SYSTEM_ERROR`, ...) or the module's own. */
  errorType?: string;
  /** Seconds to wait before trying again (429 and 503), when known. */
  retryAfterSeconds?: number;
  /** The request's trace id, as in the HTTP body. */
  traceId?: string;
}

/**
 * Root of every error the module throws: an `HttpException`, so Nest's default handling, an
 * app's own exception filters and `getStatus()` / `getResponse()` all work as with Nest's own
 * exceptions. Messages are redacted when the error is built, and `toJSON` / `util.inspect`
 * show only the fields below: no cause, no request config, no secret.
 */
export abstract class CandescentAuthError extends HttpException implements CandescentErrorDetails {
  /** The HTTP status of this class of error; each subclass sets its own. */
  static readonly httpStatus: number = 500;
  /**
   * What the client body says instead of `message` when the error comes from a call to
   * Candescent (`service` is set): Candescent's own texts and advice meant for operators stay
   * in `message`, `toJSON()` and the logs, and the end user reads a fixed sentence per class.
   * The `errorCode` is in the body either way.
   */
  static readonly clientMessage: string = 'The request could not be completed; try again later.';
  /** HTTP status Candescent answered with, when there was an answer. */
  readonly upstreamStatus?: number;
  /** Candescent's error type (`USER_ERROR`, `SYSTEM_ERROR`, `APP_ERROR`) or the module's own. */
  readonly errorType?: string;
  /** Candescent's error code (`90001`, `CMN_90004`, ...) or the module's own (`SESSION_EXPIRED`, ...). */
  readonly errorCode?: string;
  /** The `di_tid` / `transactionId` of the request that failed. */
  readonly traceId?: string;
  /** The Candescent service the failed request went to. */
  readonly service?: CandescentService;
  /** Seconds to wait before trying again, when the upstream said so. */
  readonly retryAfterSeconds?: number;
  /** Low-level code of a network failure (`ECONNRESET`, `ECONNREFUSED`, ...). */
  readonly networkCode?: string;

  constructor(message: string, details: CandescentErrorDetails = {}) {
    const clean = (value?: string) => (value === undefined ? undefined : redact(value));
    const statusCode = details.httpStatus ?? new.target.httpStatus;
    const body: CandescentErrorBody = {
      statusCode,
      message: redact(message),
      error: STATUS_CODES[statusCode] ?? 'Error',
      errorType: clean(details.errorType),
      errorCode: clean(details.errorCode),
      traceId: clean(details.traceId),
    };
    super(body, statusCode);
    // `message` was taken from the body above; only the body clients receive changes.
    if (details.service !== undefined) body.message = new.target.clientMessage;
    this.upstreamStatus = details.upstreamStatus;
    this.errorType = body.errorType;
    this.errorCode = body.errorCode;
    this.traceId = body.traceId;
    this.service = details.service;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.networkCode = clean(details.networkCode);
  }

  /**
   * Same as `getStatus()`. Kept for code that reads `statusCode` from any error, as Nest's
   * default handling and many app filters do.
   */
  get statusCode(): number {
    return this.getStatus();
  }

  /**
   * The error as GraphQL clients see it (`errors[].extensions`). graphql-js copies it from any
   * error a resolver throws, so even a field resolver outside the module's filter reports the
   * status and retry delay; the filter adds the request's trace id.
   */
  get extensions(): CandescentGraphqlErrorExtensions {
    const { errorCode, error, errorType, traceId } = this.getResponse();
    const retryAfterSeconds = this.retryAfterSeconds;
    return {
      code: errorCode ?? error.toUpperCase().replace(/[^A-Z0-9]+/g, '_'),
      status: this.getStatus(),
      ...(errorType === undefined ? {} : { errorType }),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      ...(traceId === undefined ? {} : { traceId }),
    };
  }

  /** The body sent to clients (the same object as `getResponse()`). */
  override getResponse(): CandescentErrorBody {
    return super.getResponse() as CandescentErrorBody;
  }

  /** The secret-free form written to logs and `JSON.stringify`: the body, the class name and the upstream details. */
  toJSON(): CandescentErrorBody & {
    name: string;
    retryAfterSeconds?: number;
    upstreamStatus?: number;
    service?: string;
  } {
    return {
      name: this.name,
      ...this.getResponse(),
      message: this.message,
      retryAfterSeconds: this.retryAfterSeconds,
      upstreamStatus: this.upstreamStatus,
      service: this.service,
    };
  }

  /**
   * One line for logs and consoles (Nest's start-up error handler prints errors with it): the
   * name, the message once, then the facts that are known, without the HTTP body's status.
   */
  [inspect.custom](): string {
    const facts = {
      errorType: this.errorType,
      errorCode: this.errorCode,
      traceId: this.traceId,
      service: this.service,
      upstreamStatus: this.upstreamStatus,
      retryAfterSeconds: this.retryAfterSeconds,
      networkCode: this.networkCode,
    };
    const known = Object.entries(facts)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key} ${String(value)}`);
    return known.length === 0 ? `${this.name}: ${this.message}` : `${this.name}: ${this.message} (${known.join(', ')})`;
  }
}

/** What a client is told of a configuration error: the explanation describes the server, so it goes to the log. */
const CONFIGURATION_ERROR_CLIENT_MESSAGE =
  'The server cannot handle this request because of its own configuration. Its operators can find the cause in the server log under this trace id.';

/**
 * The module options are invalid (start-up stops), or a request met a configuration problem at
 * run time. `message` explains it for operators and logs; the body sent to clients
 * (`getResponse()`) says only that the server is misconfigured, with the code and trace id.
 */
export class CandescentConfigurationError extends CandescentAuthError {
  /** The HTTP status of this class: 500. */
  static override readonly httpStatus = 500;
  constructor(
    message: string,
    /** One entry per bad option: the field path and what was expected. */
    readonly problems: ReadonlyArray<{ field: string; expected: string }> = [],
    /** A more precise code than `INVALID_OPTIONS`, and the trace id, for a problem found at run time. */
    details: Pick<CandescentErrorDetails, 'errorCode' | 'traceId'> = {},
  ) {
    super(message, { errorType: 'CONFIGURATION_ERROR', errorCode: 'INVALID_OPTIONS', ...details });
    // `message` was taken from the body above; only the body clients receive changes.
    this.getResponse().message = CONFIGURATION_ERROR_CLIENT_MESSAGE;
  }
}

/** The customer's username or password was rejected, or was malformed before sending. */
export class CandescentInvalidCredentialsError extends CandescentAuthError {
  /** The HTTP status of this class: 401. */
  static override readonly httpStatus = 401;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'The username or password is not correct.';
}

/** Candescent refused this app, FI or resource (403, or a 401 about the client, not the user). */
export class CandescentForbiddenError extends CandescentAuthError {
  /** The HTTP status of this class: 403. */
  static override readonly httpStatus = 403;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'This request is not allowed.';
}

/** Candescent is rate limiting (quota or spike arrest; it answers 500 for both, or 429). */
export class CandescentRateLimitedError extends CandescentAuthError {
  /** The HTTP status of this class: 429. */
  static override readonly httpStatus = 429;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'Too many requests to the banking service right now; try again shortly.';
}

/** Candescent could not be reached or answered with a server error. */
export class CandescentUnavailableError extends CandescentAuthError {
  /** The HTTP status of this class: 503. */
  static override readonly httpStatus = 503;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'The banking service is unavailable right now; try again shortly.';
}

/** Candescent did not answer in time. */
export class CandescentTimeoutError extends CandescentAuthError {
  /** The HTTP status of this class: 504. */
  static override readonly httpStatus = 504;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'The banking service did not answer in time; try again shortly.';
}

/** Candescent answered something the documented contract does not allow. */
export class CandescentProtocolError extends CandescentAuthError {
  /** The HTTP status of this class: 502. */
  static override readonly httpStatus = 502;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage =
    'The banking service gave an answer that could not be used; try again later.';
}

/** A refresh token was rejected or expired: the customer has to log in again. */
export class CandescentSessionExpiredError extends CandescentAuthError {
  /** The HTTP status of this class: 401. */
  static override readonly httpStatus = 401;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'Your session has expired; log in again.';
}

/** A request to Candescent could not be given a token, so it was not sent (fail closed). */
export class CandescentTokenUnavailableError extends CandescentAuthError {
  /** The HTTP status of this class: 401. */
  static override readonly httpStatus = 401;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'This request could not be authorized; log in again.';
}

/** Candescent answered a banking call with 404: the resource does not exist (or is not the customer's). */
export class CandescentNotFoundError extends CandescentAuthError {
  /** The HTTP status of this class: 404. */
  static override readonly httpStatus = 404;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'Not found.';
}

/**
 * Candescent rejected a banking call as invalid (400, 409, 422 and other client errors): the
 * status is Candescent's own, and `errorCode` its code (`CMN_90010`, ...).
 */
export class CandescentRequestRejectedError extends CandescentAuthError {
  /** The HTTP status of this class: 400. */
  static override readonly httpStatus = 400;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'The banking service refused this request as invalid.';
}

/** Candescent answered a banking call with a server error (other than 503, 504 and rate limiting). */
export class CandescentBadGatewayError extends CandescentAuthError {
  /** The HTTP status of this class: 502. */
  static override readonly httpStatus = 502;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'The banking service could not handle this request; try again later.';
}

/** Input given to the module (login body, header value, option) is malformed; nothing was sent. */
export class CandescentInvalidRequestError extends CandescentAuthError {
  /** The HTTP status of this class: 400. */
  static override readonly httpStatus = 400;
  /** What the end user reads when the error comes from a call to Candescent. */
  static override readonly clientMessage = 'The request is not valid.';
}

/** Why a session handle was refused. */
export type CandescentSessionRejection = 'missing' | 'invalid' | 'expired' | 'revoked' | 'removed';

/**
 * A request to a guarded route came without a usable session. `invalid` covers both malformed
 * and unknown handles, so the answer never tells whether a handle existed.
 */
export class CandescentSessionRejectedError extends CandescentAuthError {
  /** The HTTP status of this class: 401. */
  static override readonly httpStatus = 401;
  constructor(
    /** Why the session was refused. */
    readonly reason: CandescentSessionRejection,
    traceId?: string,
  ) {
    super(SESSION_MESSAGES[reason], { errorType: 'USER_ERROR', errorCode: `SESSION_${reason.toUpperCase()}`, traceId });
  }
}

const SESSION_MESSAGES: Record<CandescentSessionRejection, string> = {
  missing: 'No session: log in and send the session token (Authorization: Bearer <token>, or the session cookie).',
  invalid: 'The session token is not valid; log in again.',
  expired: 'The session has expired; log in again.',
  revoked: 'The session has ended (logged out); log in again.',
  removed: 'The institution of this session is no longer served by this app; the session has ended.',
};
