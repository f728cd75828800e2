/** The emulated endpoints, as fault filters and records name them. */
export type SandboxRoute = 'v1-token' | 'v2-token' | 'v2-revoke' | 'v1-accounts' | 'v2-accounts';

/** Requests seen per route since start (or the last `resetCounters()`), faulted ones included. */
export interface SandboxCounters {
  /** V1 token requests. */
  v1Token: number;
  /** V2 token requests. */
  v2Token: number;
  /** V2 revocations. */
  v2Revoke: number;
  /** V1 accounts calls. */
  v1Accounts: number;
  /** V2 accounts calls. */
  v2Accounts: number;
  /** Token requests per form `grant_type` as sent (both services together). */
  byGrant: Record<string, number>;
  /** `v1Token + v2Token`. */
  tokenRequests: number;
}

/** One request as the sandbox received it, with the status it answered. */
export interface RecordedRequest {
  /** The endpoint it was routed to (`'unknown'`: none). */
  route: SandboxRoute | 'unknown';
  /** The HTTP method. */
  method: string;
  /** The path, without the query. */
  path: string;
  /** The query parameters. */
  query: Record<string, string>;
  /** Lower-case names, raw values (Authorization included: this is a test double). */
  headers: Record<string, string>;
  /** Parsed form body; empty unless the body was form-urlencoded. */
  form: Record<string, string>;
  /** Status sent; `0` while pending or when the connection was dropped without an answer. */
  status: number;
  /** Arrival time from the sandbox clock (ms). */
  at: number;
  /** Kind of the injected fault this request took, if any (so a soak can tell caused from injected errors). */
  fault?: string;
  /** Which FI each part of the request belongs to, for isolation checks (see `isolationViolations()`). */
  institutions: RecordedInstitutions;
}

/**
 * The FIs one request named or carried credentials of, worked out when it arrived. Only FI ids
 * and a hash: no token, key or secret. A field is absent when the request had no such part.
 */
export interface RecordedInstitutions {
  /** The `di_fiid` header on V1 routes, `institutionId` on V2 routes (either on unknown paths); empty counts as absent. */
  headerFiId?: string;
  /** V1 accounts: the `{di_fiid}` path segment. */
  pathFiId?: string;
  /** FIs of the app whose consumer key `Authorization: Basic` carried; `[]` for a key no app has. */
  consumerKeyFiIds?: string[];
  /** FIs of every app whose consumer secret `Authorization: Basic` carried; `[]` for a secret no app has. */
  consumerSecretFiIds?: string[];
  /**
   * FI the presented token was issued for: the Bearer token, the V2 token route's `refresh_token`
   * or the revoke route's `token`. Absent when no token was presented or this sandbox never issued it.
   */
  tokenFiId?: string;
  /** SHA-256 (hex) of the presented token, to tell tokens apart (or find one issued elsewhere) without the token. */
  tokenSha256?: string;
}

/** A recorded request whose parts belong to different FIs; no header, form or token values. */
export interface IsolationViolation {
  /** Position in `requests()`. */
  index: number;
  /** The endpoint it was routed to (`'unknown'`: none). */
  route: SandboxRoute | 'unknown';
  /** The HTTP method. */
  method: string;
  /** The path, without the query. */
  path: string;
  /** Status sent (a crossed request is usually refused, and still a violation: it was sent). */
  status: number;
  /** Arrival time from the sandbox clock (ms). */
  at: number;
  /** Which FI each part of the request belongs to. */
  institutions: RecordedInstitutions;
  /** Every disagreement found, e.g. `token of FI 00042 sent with header FI 00043`. */
  reasons: string[];
}

/**
 * One call that reached an accounts handler, so tests can prove which customer's token was used
 * to read which customer's data.
 */
export interface AccountsCall {
  /** Which accounts endpoint: V1 or V2. */
  service: 'v1' | 'v2';
  /** The status the endpoint answered. */
  status: number;
  /** Bearer token as presented (empty when none). */
  accessToken: string;
  /** Grant that issued the token, when the token is known. */
  tokenGrant?: string;
  /** Customer the token belongs to (absent for institution tokens). */
  tokenFiCustomerId?: string;
  /** V1: the `di_ficustomer` path segment. */
  requestedFiCustomerId?: string;
  /** V2: the `loginId` query parameter. */
  loginId?: string;
  /** V2: the `hostUserId` query parameter. */
  hostUserId?: string;
  /** Customer whose accounts were returned, when any were. */
  returnedFiCustomerId?: string;
}
