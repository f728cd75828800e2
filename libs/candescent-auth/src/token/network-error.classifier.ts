import {
  CandescentAuthError,
  CandescentTimeoutError,
  CandescentUnavailableError,
} from '../errors/candescent-auth.error';
import type { CandescentService } from './candescent-service';
import {
  ABORT_ERROR_CODES,
  ABORT_ERROR_NAMES,
  NETWORK_CODE_GROUP,
  NETWORK_TEXT,
  SERVICE_LABEL,
  TIMEOUT_NETWORK_CODES,
  TIMEOUT_WORDING,
} from './token-error.codes';
import { isRecord } from '../util/is-record';

/** The code, name and message of an error and its causes; never copied into a message. */
function* errorChain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth++) {
    yield current;
    const config = current.config;
    // axios turns an aborted signal into a bare CanceledError; the reason stays on the signal.
    const signal = isRecord(config) ? config.signal : undefined;
    if (isRecord(signal) && isRecord(signal.reason)) yield signal.reason;
    current = current.cause;
  }
}

/**
 * Turns a failure without an HTTP answer (axios or node network error, abort) into
 * {@link CandescentTimeoutError} or {@link CandescentUnavailableError} with `networkCode`. The
 * message holds only the code and a fixed sentence: no URL, header, config or body. Module
 * errors pass through unchanged. Never throws.
 */
export function classifyNetworkError(
  error: unknown,
  ctx: {
    service: CandescentService;
    traceId: string;
    /** What failed, as the message names it. @default 'Candescent V1/V2 token service' */
    subject?: string;
  },
): CandescentAuthError {
  if (error instanceof CandescentAuthError) return error;
  let code: string | undefined;
  let timeout = false;
  let hangUp = false;
  try {
    for (const link of errorChain(error)) {
      // Only code-shaped values count: anything else might be text from the request.
      const linkCode = typeof link.code === 'string' && /^[A-Z][A-Z0-9_]{1,39}$/.test(link.code) ? link.code : '';
      const name = typeof link.name === 'string' ? link.name : '';
      const message = typeof link.message === 'string' ? link.message : '';
      const aborted = ABORT_ERROR_NAMES.has(name) || ABORT_ERROR_CODES.has(linkCode);
      code ??= linkCode || undefined;
      timeout ||=
        TIMEOUT_NETWORK_CODES.has(linkCode) ||
        name === 'TimeoutError' ||
        ((linkCode === 'ECONNABORTED' || aborted) && TIMEOUT_WORDING.test(message));
      // axios reports a connection cut mid-body as ERR_BAD_RESPONSE "stream has been aborted".
      hangUp ||= /socket hang up/i.test(message) || (linkCode === 'ERR_BAD_RESPONSE' && /aborted/i.test(message));
    }
  } catch {
    // A throwing getter on a foreign error object: classify with what was read so far.
  }
  const networkCode =
    hangUp && code === 'ERR_BAD_RESPONSE'
      ? 'ECONNRESET'
      : (code ?? (timeout ? 'ETIMEDOUT' : hangUp ? 'ECONNRESET' : undefined));
  const group = timeout ? 'timeout' : hangUp ? 'reset' : (NETWORK_CODE_GROUP[networkCode ?? ''] ?? 'other');
  const { what, advice } = NETWORK_TEXT[group];
  const ErrorType = timeout ? CandescentTimeoutError : CandescentUnavailableError;
  const subject = ctx.subject ?? `Candescent ${SERVICE_LABEL[ctx.service]} token service`;
  return new ErrorType(`${subject} ${what} (${networkCode ?? 'network error'}). ${advice}`, {
    errorType: 'SYSTEM_ERROR',
    errorCode: timeout ? 'TIMEOUT' : 'NETWORK_ERROR',
    traceId: ctx.traceId,
    service: ctx.service,
    networkCode,
  });
}
