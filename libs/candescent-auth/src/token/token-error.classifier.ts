import { REDACTED, redact } from '../logging/redact';
import type { CandescentTokenGrant } from './candescent-token.interface';
import { parseResponseBody } from './response-body.parser';
import type { TokenHttpResponse } from './token-response.parser';
import { CandescentAuthError, CandescentProtocolError } from '../errors/candescent-auth.error';
import type { CandescentService } from './candescent-service';
import {
  ACCESS_BLOCKED_CODES,
  ACCESS_BLOCKED_MESSAGE,
  CLIENT_PROBLEM_MESSAGE,
  CREDENTIAL_IN_TEXT,
  ERROR_CLASS_OF_KIND,
  GATEWAY_CLIENT_FAULT,
  GATEWAY_RATE_FAULT,
  HTTP_DATE,
  INVALID_LOGIN_CODES_AT_401,
  INVALID_LOGIN_MESSAGE,
  KIND_TEXT,
  LOGIN_FIELD_MESSAGE,
  MALFORMED_LOGIN_CODES_AT_400,
  RATE_LIMIT_MESSAGE,
  REFRESH_REJECTED_CODES,
  REFRESH_REJECTED_MESSAGE,
  SERVICE_LABEL,
  type UpstreamErrorKind,
  USER_ERROR_KINDS,
  V1_RATE_LIMIT_CODES_AT_500,
  V2_RATE_LIMIT_CODES_AT_500,
} from './token-error.codes';
import { isRecord } from '../util/is-record';

/** Longest Retry-After honoured: a longer wait is more likely a mistake than a plan. */
export const MAX_RETRY_AFTER_SECONDS = 3600;
export const MAX_UPSTREAM_TEXT = 200;

/** What an error body said, in whichever documented shape it came. */
export interface UpstreamDetails {
  errorType?: string;
  errorCode?: string;
  message?: string;
  gatewayFault?: boolean;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** Reads V1 `<Status>` (XML or JSON), V2 `{code, message}` and Apigee fault bodies. */
export function readDetails(res: TokenHttpResponse): UpstreamDetails {
  let parsed: unknown;
  try {
    parsed = parseResponseBody(res.headers['content-type'], res.body);
  } catch {
    return {}; // A broken error body still has a status to go by.
  }
  if (!isRecord(parsed)) return {};
  if (isRecord(parsed.fault)) {
    const detail = isRecord(parsed.fault.detail) ? parsed.fault.detail : {};
    const message = textOf(parsed.fault.faultstring);
    return { gatewayFault: true, errorCode: textOf(detail.errorcode), message };
  }
  const status = isRecord(parsed.Status) ? parsed.Status : parsed;
  const infos: unknown = status.errorInfo;
  const info: unknown = Array.isArray(infos) ? infos[0] : infos;
  if (isRecord(info) || status.statusMessage !== undefined) {
    const first = isRecord(info) ? info : {};
    return {
      errorType: textOf(first.errorType),
      errorCode: textOf(first.errorCode),
      message: textOf(first.errorMessage) ?? textOf(status.statusMessage),
    };
  }
  // V2, or a plain OAuth 2.0 error body from a gateway policy.
  return {
    errorCode: textOf(parsed.code) ?? textOf(parsed.error),
    message: textOf(parsed.message) ?? textOf(parsed.error_description),
  };
}

/** Rate limiting in any of its documented forms: 429, quota or spike codes at 500, a gateway policy fault. */
export function isRateLimited(status: number, details: UpstreamDetails): boolean {
  const code = details.errorCode?.toUpperCase() ?? '';
  const message = details.message ?? '';
  if (status === 429) return true;
  if (details.gatewayFault && GATEWAY_RATE_FAULT.test(`${code} ${message}`)) return true;
  if (status < 500 || status > 599) return false;
  const quotaCode = status === 500 && (V1_RATE_LIMIT_CODES_AT_500.has(code) || V2_RATE_LIMIT_CODES_AT_500.has(code));
  return quotaCode || RATE_LIMIT_MESSAGE.test(message);
}

function kindOf(status: number, details: UpstreamDetails, grant?: CandescentTokenGrant): UpstreamErrorKind {
  const code = details.errorCode?.toUpperCase() ?? '';
  const message = details.message ?? '';
  if (isRateLimited(status, details)) return 'rate-limited';
  if (details.gatewayFault && status < 500 && GATEWAY_CLIENT_FAULT.test(`${code} ${message}`))
    return 'forbidden-gateway';
  if (status >= 500 && status <= 599) return 'unavailable';
  const refreshRejected =
    grant === 'refresh_token' && (REFRESH_REJECTED_CODES.has(code) || REFRESH_REJECTED_MESSAGE.test(message));
  if (status === 401) {
    // V1 uses 90001 both for a bad login and for an FI the app is not enabled for.
    const aboutClient = CLIENT_PROBLEM_MESSAGE.test(message);
    const badLogin = INVALID_LOGIN_CODES_AT_401.has(code) || INVALID_LOGIN_MESSAGE.test(message);
    if (grant === 'password' && badLogin && !aboutClient) return 'invalid-credentials';
    if (refreshRejected && !aboutClient) return 'session-expired';
    return 'forbidden-client';
  }
  if (status === 403) return ACCESS_BLOCKED_MESSAGE.test(message) ? 'access-blocked' : 'forbidden';
  if (status === 400) {
    if (ACCESS_BLOCKED_CODES.has(code) || ACCESS_BLOCKED_MESSAGE.test(message)) return 'access-blocked';
    const badInput = MALFORMED_LOGIN_CODES_AT_400.has(code) || LOGIN_FIELD_MESSAGE.test(message);
    if (grant === 'password' && badInput) return 'malformed-credentials';
    if (refreshRejected) return 'session-expired';
    return 'bad-request';
  }
  return 'unexpected-status';
}

/**
 * Upstream text for a message: one line, credential-shaped parts and long token-like runs
 * removed, then cut. Redacting before cutting matters: a cut secret no longer matches.
 */
export function upstreamText(
  value: string | undefined,
  max: number,
  freeText = true,
  sensitive: readonly string[] = [],
): string | undefined {
  if (value === undefined) return undefined;
  // The request's own credentials are scrubbed by value: an echoed password has no key to match.
  for (const secret of sensitive) {
    if (secret.length === 0) continue;
    for (const form of new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ v: secret }).toString().slice(2),
    ])) {
      value = value.split(form).join(REDACTED);
    }
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  let text = redact(value.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim());
  if (freeText) {
    // An echoed token has no key to match; a long run with a digit is treated as one.
    text = text
      .replace(CREDENTIAL_IN_TEXT, (_all, key: string) => `${key}: ${REDACTED}`)
      .replace(/[A-Za-z0-9._~+/=-]{24,}/g, (run) => (/\d/.test(run) ? REDACTED : run));
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Turns a token-service error answer (any status other than the success path) into the module
 * error that says what happened and what to do. Never throws.
 *
 * Reads every documented error shape: V1 `<Status>` XML (namespaced or prefixed, one or more
 * `errorInfo`) and its JSON form, V2 `{code, message}`, Apigee `fault` bodies; HTML, plain text
 * and empty bodies are classified by status alone. Rate limiting that Candescent reports as 500
 * becomes {@link CandescentRateLimitedError}.
 *
 * @param ctx.now clock for an HTTP-date Retry-After (ms since epoch). @default Date.now()
 */
export function classifyTokenError(
  res: TokenHttpResponse,
  ctx: {
    service: CandescentService;
    grant?: CandescentTokenGrant;
    traceId: string;
    now?: number;
    /** Values sent in this request that must never be echoed (password, refresh token). */
    sensitive?: readonly string[];
  },
): CandescentAuthError {
  try {
    const details = readDetails(res);
    const kind = kindOf(res.status, details, ctx.grant);
    const ErrorType = ERROR_CLASS_OF_KIND[kind];
    const retryAfterSeconds = parseRetryAfter(res.headers['retry-after'], ctx.now ?? Date.now());
    const errorCode = upstreamText(details.errorCode, 64, false, ctx.sensitive);
    const upstreamMessage = upstreamText(details.message, MAX_UPSTREAM_TEXT, true, ctx.sensitive);
    const said = [String(res.status), errorCode, upstreamMessage].filter(Boolean).join(' ');
    const wait = retryAfterSeconds === undefined ? '' : ` Candescent asked to wait ${retryAfterSeconds} seconds.`;
    const { what, advice } = KIND_TEXT[kind];
    const service = SERVICE_LABEL[ctx.service];
    const defaultType = USER_ERROR_KINDS.has(kind) ? 'USER_ERROR' : 'SYSTEM_ERROR';
    return new ErrorType(`Candescent ${service} token service ${what} (${said}). ${advice}${wait}`, {
      upstreamStatus: res.status,
      errorType: upstreamText(details.errorType, 32, false, ctx.sensitive) ?? defaultType,
      errorCode,
      traceId: ctx.traceId,
      service: ctx.service,
      retryAfterSeconds,
    });
  } catch {
    // Classification must not turn into a second failure (a hostile getter, an odd body).
    return new CandescentProtocolError(
      `Candescent ${SERVICE_LABEL[ctx.service]} token service answered ${res.status} with an error ` +
        'that could not be read. Retry later; contact Candescent if it persists.',
      { upstreamStatus: res.status, errorType: 'SYSTEM_ERROR', traceId: ctx.traceId, service: ctx.service },
    );
  }
}

/**
 * Reads a Retry-After header (delta-seconds or HTTP-date) as seconds from `now`, bounded to
 * [0, {@link MAX_RETRY_AFTER_SECONDS}]. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  if (!HTTP_DATE.test(text)) return undefined;
  // asctime carries no zone; HTTP dates are always GMT.
  const at = Date.parse(text.endsWith('GMT') ? text : `${text} GMT`);
  if (!Number.isFinite(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));
}
