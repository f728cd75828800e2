import type { CandescentLoginContext } from '../token/candescent-token.service';
import type { CandescentTokenSet } from '../token/token-set.interface';

/** Per-login context of {@link CandescentSessionService.login}. */
export interface CandescentSessionLoginContext extends CandescentLoginContext {
  /**
   * Session tokens the client presented with the login request (bearer header or session
   * cookie; see `presentedSessionTokens()`). Those sessions end and their tokens are revoked, so
   * logging in again from the same client never leaves the previous session alive.
   */
  presentedSessionTokens?: readonly string[];
  /**
   * The login request's trace id (`loginContext()` sets it), so the login's log lines and
   * errors carry the id its answer shows. Used when the login runs outside a request context.
   */
  traceId?: string;
}

/** A session as the store keeps it (under the hash of its handle, never the handle). */
export interface StoredSession {
  v: 1;
  tokens: CandescentTokenSet;
  /** SHA-256 of the CSRF token (cookie transport only). */
  csrfHash?: string;
  createdAt: number;
  lastSeenAt: number;
  absoluteExpiresAt: number;
  /**
   * Revision, one more at each renewal; a value older than the latest recorded one is refused.
   * Absent on a session never renewed (it reads as 0).
   */
  rev?: number;
  /**
   * Keyed hash of the FI id and login id. Only written by earlier versions (and ignored): the
   * per-account cap derives it from `tokens.customer` at login.
   */
  account?: string;
  /** The last time Candescent refused the session's V2 access token, shared by every instance. */
  refusal?: StoredRefusal;
}

/**
 * A refusal of a session's V2 access token and what replaced it. A replacement refused before
 * Candescent ever accepted it, within `tokenRefusalCooldownMs` of `at`, is kept.
 */
export interface StoredRefusal {
  /** When the refused token was replaced (module clock, ms since epoch). */
  at: number;
  /** SHA-256 (base64url) of the replacement access token; never the token itself. */
  replacement?: string;
  /** Whether Candescent has accepted the replacement since. */
  accepted: boolean;
}

/** What login gives the client. Tokens stay on the server. */
export interface CandescentLoginResult {
  /** The opaque session handle (also set as the cookie with the cookie transport). */
  sessionToken: string;
  /** When the session ends if unused (it slides with use, up to `absoluteExpiresAt`). */
  expiresAt: number;
  /** When the session ends however it is used (ms since the epoch). */
  absoluteExpiresAt: number;
  /** Send it back in the CSRF header on state-changing requests (cookie transport only). */
  csrfToken?: string;
  /** Who logged in. */
  customer: CandescentTokenSet['customer'];
}

/** A session the guard accepted. */
export interface AuthenticatedSession {
  id: string;
  session: StoredSession;
  /** When the session ends if unused from now on. */
  expiresAt: number;
}
