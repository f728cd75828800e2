import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { Option } from './option.decorator';

// Options declared as module.options.ts describes (its first comment says how to add one).

/** Customer sessions kept on the server (the client only holds an opaque handle). */
export class CandescentSessionOptionsDto {
  /**
   * How the client presents the handle: `Authorization: Bearer <handle>`, or an HttpOnly,
   * Secure, SameSite cookie (state-changing requests then also need the CSRF header).
   */
  @Option({ default: 'bearer', expected: "'bearer' or 'cookie'" })
  @IsIn(['bearer', 'cookie'])
  transport?: 'bearer' | 'cookie';

  /**
   * Cookie name with the cookie transport. The `__Host-` prefix makes browsers refuse the cookie
   * from a sibling subdomain or without Secure and Path=/, so another site cannot plant a session.
   */
  @Option({ default: '__Host-candescent_session', expected: 'letters, digits, underscore or dash, 1-64 characters' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  cookieName?: string;

  /** `SameSite` attribute of the cookie. */
  @Option({ default: 'strict', expected: "'strict' or 'lax'" })
  @IsIn(['strict', 'lax'])
  cookieSameSite?: 'strict' | 'lax';

  /** Header that must carry the session's CSRF token on state-changing requests (cookie transport). */
  @Option({ default: 'x-csrf-token', expected: 'a lower-case header name, 1-64 characters' })
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/)
  csrfHeaderName?: string;

  /** A session unused this long ends (sliding expiry). */
  @Option({ default: 900_000, expected: 'a whole number of milliseconds from 10000 to 86400000' })
  @IsInt()
  @Min(10_000)
  @Max(86_400_000)
  idleTimeoutMs?: number;

  /** A session ends this long after login, however active. */
  @Option({
    default: 43_200_000,
    expected: 'a whole number of milliseconds from 10000 to 2592000000, not below session.idleTimeoutMs',
  })
  @IsInt()
  @Min(10_000)
  @Max(30 * 86_400_000)
  absoluteTimeoutMs?: number;

  /**
   * Most sessions one account holds at once. A login beyond it ends the account's oldest session
   * and revokes its tokens, so logging in over and over cannot crowd other customers' sessions
   * out of a bounded store. An account is the FI id and the customer Candescent names (V1
   * `di_ficustomer`), or else the login id as compared by `loginIdMatching`.
   */
  @Option({ default: 10, expected: 'a whole number from 1 to 1000' })
  @IsInt()
  @Min(1)
  @Max(1_000)
  maxSessionsPerAccount?: number;

  /**
   * How login ids are compared to tell accounts apart when Candescent names no customer id (a
   * V2-only login): `'exact'` (as typed, trimmed) or `'case-insensitive'` (Unicode NFKC, then
   * lower case). Choose `'case-insensitive'` only for an FI whose login ids are: where `ALICE`
   * and `alice` are two customers, it would let one end the other's sessions.
   */
  @Option({ default: 'exact', expected: "'exact' or 'case-insensitive'" })
  @IsIn(['exact', 'case-insensitive'])
  loginIdMatching?: 'exact' | 'case-insensitive';
}
