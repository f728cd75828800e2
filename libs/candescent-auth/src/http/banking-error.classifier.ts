import type { AxiosResponse } from 'axios';
import {
  type CandescentAuthError,
  CandescentBadGatewayError,
  CandescentForbiddenError,
  CandescentNotFoundError,
  CandescentRateLimitedError,
  CandescentRequestRejectedError,
  CandescentTimeoutError,
  CandescentUnavailableError,
} from '../errors/candescent-auth.error';
import type { CandescentService } from '../token/candescent-service';
import {
  isRateLimited,
  MAX_UPSTREAM_TEXT,
  parseRetryAfter,
  readDetails,
  upstreamText,
} from '../token/token-error.classifier';

type ErrorClass = new (
  message: string,
  details: ConstructorParameters<typeof CandescentRequestRejectedError>[1],
) => CandescentAuthError;

interface Mapping {
  ErrorClass: ErrorClass;
  what: string;
  advice: string;
  /** Keep Candescent's own status (client errors other than 403 and 404). */
  keepStatus?: boolean;
}

/** What each kind of answer to a banking call means for the app's client, and what to do. */
function mappingOf(status: number, rateLimited: boolean): Mapping {
  if (rateLimited)
    return {
      ErrorClass: CandescentRateLimitedError,
      what: 'is rate limiting this app',
      advice: 'Slow down and retry later.',
    };
  if (status === 403)
    return {
      ErrorClass: CandescentForbiddenError,
      what: 'refused this call (403)',
      advice: 'The app or customer may not use this resource.',
    };
  if (status === 404)
    return {
      ErrorClass: CandescentNotFoundError,
      what: 'found no such resource (404)',
      advice: 'Check the identifiers in the request.',
    };
  if (status === 503)
    return { ErrorClass: CandescentUnavailableError, what: 'is unavailable (503)', advice: 'Retry later.' };
  if (status === 504)
    return { ErrorClass: CandescentTimeoutError, what: 'timed out upstream (504)', advice: 'Retry later.' };
  if (status >= 500)
    return {
      ErrorClass: CandescentBadGatewayError,
      what: `failed with a server error (${status})`,
      advice: 'Retry later; contact Candescent if it persists.',
    };
  if (status >= 400)
    return {
      ErrorClass: CandescentRequestRejectedError,
      what: `rejected the request (${status})`,
      advice: 'Correct the request before sending it again.',
      keepStatus: true,
    };
  return {
    ErrorClass: CandescentBadGatewayError,
    what: `answered with an unexpected status (${status})`,
    advice: 'Contact Candescent if it persists.',
  };
}

/**
 * Turns Candescent's error answer to a banking call (made through the module's interceptor)
 * into a module error with a status the app's client can act on: client errors keep their
 * meaning and Candescent's error code, rate limiting (429, or the gateway's quota and spike
 * codes at 500) becomes 429, 503 and 504 keep theirs, other server errors become 502. The
 * message quotes Candescent's code and message with credential-shaped text removed. Never
 * throws.
 */
export function classifyBankingError(
  response: Pick<AxiosResponse, 'status' | 'headers' | 'data'>,
  ctx: { service: CandescentService; traceId?: string; now: number },
): CandescentAuthError {
  const body = typeof response.data === 'string' ? response.data : safeJson(response.data);
  const header = (response.headers as Record<string, unknown>)['content-type'];
  const contentType = typeof header === 'string' ? header : undefined;
  const details = readDetails({ status: response.status, headers: { 'content-type': contentType }, body });
  const { ErrorClass, what, advice, keepStatus } = mappingOf(response.status, isRateLimited(response.status, details));
  const errorCode = upstreamText(details.errorCode, 64, false) ?? `UPSTREAM_${response.status}`;
  const said = [details.errorCode && errorCode, upstreamText(details.message, MAX_UPSTREAM_TEXT)]
    .filter(Boolean)
    .join(' ');
  const retryAfter = (response.headers as Record<string, unknown>)['retry-after'];
  return new ErrorClass(`Candescent ${what}${said ? `: ${said}` : ''}. ${advice}`, {
    upstreamStatus: response.status,
    errorType: upstreamText(details.errorType, 32, false) ?? (response.status < 500 ? 'USER_ERROR' : 'SYSTEM_ERROR'),
    errorCode,
    traceId: ctx.traceId,
    service: ctx.service,
    retryAfterSeconds: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, ctx.now),
    httpStatus: keepStatus ? response.status : undefined,
  });
}

function safeJson(data: unknown): string {
  try {
    return data === undefined ? '' : JSON.stringify(data);
  } catch {
    return '';
  }
}
