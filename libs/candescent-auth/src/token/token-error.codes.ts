import {
  type CandescentAuthError,
  type CandescentErrorDetails,
  CandescentForbiddenError,
  CandescentInvalidCredentialsError,
  CandescentProtocolError,
  CandescentRateLimitedError,
  CandescentSessionExpiredError,
  CandescentUnavailableError,
} from '../errors/candescent-auth.error';
import type { CandescentService } from './candescent-service';

/**
 * The tables behind the token-error classifier. Candescent overloads its codes (V1 `90001`
 * means bad login at 401, app not enabled at 403 and quota at 500), so each rule combines
 * HTTP status, code and message; see the error tables in the Candescent API notes.
 */

/** How messages name the two token services. */
export const SERVICE_LABEL: Readonly<Record<CandescentService, string>> = { v1: 'V1', v2: 'V2' };

/** What went wrong, before it becomes an error class; each kind has its own message. */
export type UpstreamErrorKind =
  | 'invalid-credentials'
  | 'malformed-credentials'
  | 'session-expired'
  | 'forbidden-client'
  | 'forbidden-gateway'
  | 'forbidden'
  | 'access-blocked'
  | 'rate-limited'
  | 'unavailable'
  | 'bad-request'
  | 'unexpected-status';

type ErrorClass = new (message: string, details?: CandescentErrorDetails) => CandescentAuthError;

/** The module error class of each kind. */
export const ERROR_CLASS_OF_KIND: Readonly<Record<UpstreamErrorKind, ErrorClass>> = {
  'invalid-credentials': CandescentInvalidCredentialsError,
  'malformed-credentials': CandescentInvalidCredentialsError,
  'session-expired': CandescentSessionExpiredError,
  'forbidden-client': CandescentForbiddenError,
  'forbidden-gateway': CandescentForbiddenError,
  forbidden: CandescentForbiddenError,
  'access-blocked': CandescentForbiddenError,
  'rate-limited': CandescentRateLimitedError,
  unavailable: CandescentUnavailableError,
  'bad-request': CandescentProtocolError,
  'unexpected-status': CandescentProtocolError,
};

/** Kinds caused by the customer; they get `USER_ERROR` when the body names no error type. */
export const USER_ERROR_KINDS: ReadonlySet<UpstreamErrorKind> = new Set<UpstreamErrorKind>([
  'invalid-credentials',
  'malformed-credentials',
  'session-expired',
]);

/** V1 codes that mean quota (90001, 91000) or spike arrest (92000) when the status is 500. */
export const V1_RATE_LIMIT_CODES_AT_500: ReadonlySet<string> = new Set(['90001', '91000', '92000']);

/** V2 codes that mean quota or spike arrest at 500 (CMN_90003 on one docs page). */
export const V2_RATE_LIMIT_CODES_AT_500: ReadonlySet<string> = new Set(['CMN_90001', 'CMN_90002', 'CMN_90003']);

/** Rate limiting named in a message, whatever the code. */
export const RATE_LIMIT_MESSAGE = /quota|spike/i;

/** 401 on the password grant with these codes: the customer's credentials were wrong. */
export const INVALID_LOGIN_CODES_AT_401: ReadonlySet<string> = new Set(['CMN_90004', 'CMN_90015']);

/** V1 says it in words only (its code 90001 is shared with "di_fiid not authorized"). */
export const INVALID_LOGIN_MESSAGE = /login credentials are not valid|invalid user credentials/i;

/** A 401 about the app or the FI rather than the customer. */
export const CLIENT_PROBLEM_MESSAGE = /di_fiid|di_ficustomer|client|institution/i;

/** 400 on the password grant with these codes: the username or password was malformed. */
export const MALFORMED_LOGIN_CODES_AT_400: ReadonlySet<string> = new Set(['CMN_90012', 'CMN_90016']);

/** V1 `Form param 'username' invalid` and V2 `username/password invalid`. */
export const LOGIN_FIELD_MESSAGE = /\b(?:username|password)\b/i;

/** V2 "invalid token or user": on the refresh grant the session is gone. */
export const REFRESH_REJECTED_CODES: ReadonlySet<string> = new Set(['CMN_90013']);

/** Refresh-token trouble named in words (V1 form-param errors, expired tokens). */
export const REFRESH_REJECTED_MESSAGE = /refresh[_ ]?token|invalid token|token (?:is )?(?:invalid|expired)|expired/i;

/** V2 400 CMN_90009; V1 says "Access blocked" at 403. */
export const ACCESS_BLOCKED_CODES: ReadonlySet<string> = new Set(['CMN_90009']);
export const ACCESS_BLOCKED_MESSAGE = /access blocked/i;

/** Apigee faults about the app key or client (`oauth.v2.InvalidApiKey`, `invalid_client`, ...). */
export const GATEWAY_CLIENT_FAULT =
  /api ?key|invalid_?client|client_?identifier|not_?approved|not approved|developer_?status/i;

/** Apigee quota and spike-arrest policy faults. */
export const GATEWAY_RATE_FAULT = /quota|spike/i;

/** The message text of each kind: what happened, then what to do. */
export const KIND_TEXT: Readonly<Record<UpstreamErrorKind, { what: string; advice: string }>> = {
  'invalid-credentials': {
    what: 'rejected the customer credentials',
    advice: 'Check the username and password.',
  },
  'malformed-credentials': {
    what: 'rejected the customer username or password as malformed',
    advice: 'Check the username and password.',
  },
  'session-expired': {
    what: 'rejected the refresh token',
    advice: 'The customer session has ended; the customer has to log in again.',
  },
  'forbidden-client': {
    what: 'refused this app or financial institution',
    advice:
      'Check the consumer key and secret, the FI id (di_fiid / institutionId) ' +
      'and that the app is enabled for this FI.',
  },
  'forbidden-gateway': {
    what: 'rejected the app key at the API gateway',
    advice: 'Check the consumer key and secret and that the app is approved for this API product.',
  },
  forbidden: {
    what: 'refused access for this app',
    advice: 'Check with Candescent that the app is entitled to this grant, scope and resource.',
  },
  'access-blocked': {
    what: 'blocked access',
    advice: 'The app, FI or customer is blocked; contact Candescent support.',
  },
  'rate-limited': {
    what: 'is rate limiting this app (quota or spike arrest)',
    advice: 'Back off and retry later; do not retry immediately.',
  },
  unavailable: {
    what: 'answered with a server error',
    advice: 'Retry later with back-off; contact Candescent if it persists.',
  },
  'bad-request': {
    what: 'rejected the request as invalid',
    advice:
      'The request this module sent was wrong, not the customer input: ' +
      'check the FI id, the originating IP, the grant and the module options.',
  },
  'unexpected-status': {
    what: 'answered with an unexpected status',
    advice: 'Check that the configured base URL points at the Candescent API gateway.',
  },
};

/** Network failures that mean "no answer in time". */
export const TIMEOUT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Network failure groups with their message: what happened, then what to do. */
export const NETWORK_TEXT = {
  timeout: {
    what: 'did not answer in time',
    advice: 'Retry later; if it keeps happening check the network path and the configured timeout.',
  },
  refused: {
    what: 'refused the connection',
    advice: 'Check the base URL and port, and that the gateway is reachable from this host.',
  },
  dns: {
    what: 'host name could not be resolved',
    advice: 'Check the host of the base URL and the DNS of this host.',
  },
  reset: {
    what: 'closed the connection before answering',
    advice: 'Retry later; a proxy or TLS problem between here and Candescent can cause this.',
  },
  other: {
    what: 'could not be reached',
    advice: 'Check the base URL and the network; retry later.',
  },
} as const;

/** Node network codes of each group besides timeouts (everything else is `other`). */
export const NETWORK_CODE_GROUP: Readonly<Record<string, 'refused' | 'dns' | 'reset'>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
};

/** Messages of abort errors that were caused by a deadline rather than a caller. */
export const TIMEOUT_WORDING = /time ?out|timed out|deadline/i;
export const ABORT_ERROR_NAMES: ReadonlySet<string> = new Set(['AbortError', 'CanceledError']);
export const ABORT_ERROR_CODES: ReadonlySet<string> = new Set(['ERR_CANCELED', 'ABORT_ERR']);

/**
 * A credential word followed by a separator or a quoted value (`password: x`, `token "x"`):
 * free text can echo a credential in a shape the redactor's key=value patterns miss.
 */
export const CREDENTIAL_IN_TEXT = new RegExp(
  String.raw`\b(password|passwd|secret|access_token|refresh_token|token)` +
    String.raw`(?:\s*[:=]\s*(?:"[^"]*"|'[^']*'|\S+)|\s+(?:"[^"]*"|'[^']*'))`,
  'gi',
);

/** The three HTTP-date forms of RFC 9110: IMF-fixdate, RFC 850 and asctime. */
const HTTP_DATE_FORMS = [
  String.raw`[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT`,
  String.raw`[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT`,
  String.raw`[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}`,
];
export const HTTP_DATE = new RegExp(`^(?:${HTTP_DATE_FORMS.join('|')})$`);
