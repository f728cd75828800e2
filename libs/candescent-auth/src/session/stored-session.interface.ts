import type { CandescentTokenSet } from '../token/token-set.interface';

/** A session as the store keeps it (under the hash of its handle, never the handle). */
export interface StoredSession {
  v: 1;
  tokens: CandescentTokenSet;
  /** SHA-256 of the CSRF token (cookie transport only). */
  csrfHash?: string;
  createdAt: number;
  lastSeenAt: number;
  absoluteExpiresAt: number;
}

/** What login gives the client. Tokens stay on the server. */
export interface CandescentLoginResult {
  /** The opaque session handle (also set as the cookie with the cookie transport). */
  sessionToken: string;
  /** When the session ends if unused (it slides with use, up to `absoluteExpiresAt`). */
  expiresAt: number;
  absoluteExpiresAt: number;
  /** Send it back in the CSRF header on state-changing requests (cookie transport only). */
  csrfToken?: string;
  customer: CandescentTokenSet['customer'];
}

/** A session the guard accepted. */
export interface AuthenticatedSession {
  id: string;
  session: StoredSession;
  /** When the session ends if unused from now on. */
  expiresAt: number;
}
