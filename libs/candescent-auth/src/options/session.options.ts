import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

// Each `@default` here repeats CANDESCENT_AUTH_DEFAULTS (candescent-auth.defaults.ts); a test keeps them equal.

/** Customer sessions kept on the server (the client only holds an opaque handle). */
export class CandescentSessionOptionsDto {
  /**
   * How the client presents the handle: `Authorization: Bearer <handle>`, or an HttpOnly,
   * Secure, SameSite cookie (state-changing requests then also need the CSRF header).
   * @default 'bearer'
   */
  @IsOptional()
  @IsIn(['bearer', 'cookie'])
  transport?: 'bearer' | 'cookie';

  /**
   * Cookie name with the cookie transport. The `__Host-` prefix makes browsers refuse the cookie
   * from a sibling subdomain or without Secure and Path=/, so another site cannot plant a session.
   * @default '__Host-candescent_session'
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  cookieName?: string;

  /**
   * `SameSite` attribute of the cookie.
   * @default 'strict'
   */
  @IsOptional()
  @IsIn(['strict', 'lax'])
  cookieSameSite?: 'strict' | 'lax';

  /**
   * Header that must carry the session's CSRF token on state-changing requests (cookie transport).
   * @default 'x-csrf-token'
   */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/)
  csrfHeaderName?: string;

  /**
   * A session unused this long ends (sliding expiry).
   * @default 900000 (15 minutes)
   */
  @IsOptional()
  @IsInt()
  @Min(10_000)
  @Max(86_400_000)
  idleTimeoutMs?: number;

  /**
   * A session ends this long after login, however active.
   * @default 43200000 (12 hours)
   */
  @IsOptional()
  @IsInt()
  @Min(10_000)
  @Max(30 * 86_400_000)
  absoluteTimeoutMs?: number;

  /**
   * Most sessions one account holds at once. A login beyond it ends the account's oldest session
   * and revokes its tokens, so logging in over and over cannot crowd other customers' sessions
   * out of a bounded store. An account is the FI id and the customer Candescent names (V1
   * `di_ficustomer`), or else the login id as compared by `loginIdMatching`.
   * @default 10
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000)
  maxSessionsPerAccount?: number;

  /**
   * How login ids are compared to tell accounts apart when Candescent names no customer id (a
   * V2-only login): `'exact'` (as typed, trimmed) or `'case-insensitive'` (Unicode NFKC, then
   * lower case). Choose `'case-insensitive'` only for an FI whose login ids are: where `ALICE`
   * and `alice` are two customers, it would let one end the other's sessions.
   * @default 'exact'
   */
  @IsOptional()
  @IsIn(['exact', 'case-insensitive'])
  loginIdMatching?: 'exact' | 'case-insensitive';
}
