import { type AxiosError, isCancel } from 'axios';
import type { CandescentRequestContext } from '../context/request-context';
import {
  CandescentBadGatewayError,
  CandescentForbiddenError,
  CandescentProtocolError,
  CandescentUnavailableError,
} from '../errors/candescent-auth.error';
import type { CandescentService } from '../token/candescent-service';
import { classifyNetworkError } from '../token/network-error.classifier';
import { sanitizeAxiosError } from '../logging/sanitize-axios-error';
import { CandescentContext } from '../context/request-context';
import { classifyBankingError } from './banking-error.classifier';
import type { NotReplayable } from './replay-snapshot';

/** What the interceptor knows about a Candescent call when it fails. */
export interface FailedCall {
  service: CandescentService;
  /** The call carried a customer's token (not the institution token). */
  customer: boolean;
  /** A redirect took the call away from the Candescent origin. */
  leftOrigin: boolean;
}

/**
 * The error a failed Candescent call ends with: a module error with a status the app's client
 * can act on, or the axios error itself (printing redacted) for a caller's own abort or when the
 * call asked for `candescentRawErrors`.
 */
export function failedCall(error: AxiosError, call: FailedCall, now: number): unknown {
  sanitizeAxiosError(error);
  // The caller's own abort is not Candescent failing; axios's CanceledError says so best.
  if (error.config?.candescentRawErrors === true || isCancel(error)) return error;
  const traceId =
    CandescentContext.current()?.traceId ??
    String(error.config?.headers.get(call.service === 'v1' ? 'di_tid' : 'transactionId'));
  // No answer, or one cut off mid-body (axios keeps the 200 it had started to read).
  if (!error.response || error.response.status < 400)
    return classifyNetworkError(error, {
      service: call.service,
      traceId,
      subject: `Candescent ${call.service.toUpperCase()} API`,
    });
  if (call.leftOrigin) {
    return new CandescentBadGatewayError(
      `A server that a redirect from Candescent led to answered ${error.response.status}; the Candescent credentials were not sent there.`,
      {
        service: call.service,
        upstreamStatus: error.response.status,
        traceId,
        errorType: 'SYSTEM_ERROR',
        errorCode: 'REDIRECTED_ELSEWHERE',
      },
    );
  }
  return classifyBankingError(error.response, { service: call.service, traceId, now });
}

/** The replay with a new token was refused too: the call itself is not allowed. */
export function refusedAgain(error: AxiosError, call: FailedCall, context?: CandescentRequestContext) {
  sanitizeAxiosError(error);
  const details = {
    service: call.service,
    upstreamStatus: 401,
    traceId: context?.traceId,
    errorCode: 'TOKEN_REFUSED_AFTER_RENEWAL',
  };
  return call.customer
    ? new CandescentForbiddenError(
        'Candescent refused this call with a freshly renewed customer token (401); the customer may not be allowed this resource.',
        { ...details, errorType: 'USER_ERROR' },
      )
    : new CandescentProtocolError(
        "Candescent refused this call with a freshly issued institution token (401); check the app's access to this API.",
        { ...details, errorType: 'SYSTEM_ERROR' },
      );
}

/** The token was dropped (or renewed) but the request is not safe, or not possible, to send twice. */
export function notReplayed(
  error: AxiosError,
  call: FailedCall,
  why: NotReplayable,
  context?: CandescentRequestContext,
) {
  sanitizeAxiosError(error);
  const which = call.customer ? 'customer token was renewed' : 'institution token was dropped';
  const reason =
    why === 'stream-body'
      ? 'its body is a stream, which the first attempt has already read. Retry it with a new stream'
      : 'it is not idempotent. Retry it, or send an Idempotency-Key header to allow one automatic replay';
  return new CandescentUnavailableError(
    `Candescent refused the token (401); the ${which}, but the request was not replayed because ${reason}.`,
    {
      service: call.service,
      upstreamStatus: 401,
      traceId: context?.traceId,
      errorCode: 'TOKEN_REFUSED_NOT_REPLAYED',
      errorType: 'SYSTEM_ERROR',
    },
  );
}
