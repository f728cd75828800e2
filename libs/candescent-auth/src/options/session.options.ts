import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { type CandescentSentinelAddress, IsSentinelAddress } from '../store/sentinel-address';

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
   * Most sessions one account (FI id and login id, case-insensitive) holds at once. A login
   * beyond it ends the account's oldest session and revokes its tokens, so logging in over and
   * over cannot crowd other customers' sessions out of a bounded store.
   * @default 10
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000)
  maxSessionsPerAccount?: number;
}

/**
 * Redis for sessions shared by several instances; values are encrypted with AES-256-GCM. Give
 * exactly one of `url` (the module connects, and quits on shutdown), `sentinels` with `name`
 * (the same, through Redis Sentinel) or `client` (an ioredis client your app owns and closes;
 * see `CandescentRedisOptions`).
 */
export class CandescentRedisOptionsDto {
  /** `redis://` or `rediss://` URL. */
  @IsOptional()
  @IsString()
  @Matches(/^rediss?:\/\/\S+$/)
  url?: string;

  /**
   * Redis Sentinels to ask for the master of `name`, each `'host:port'` or `{ host, port }`,
   * instead of `url`. When the master fails and the Sentinels promote a replica, the module
   * reconnects to the new master by itself; meanwhile session calls answer 503.
   */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(32)
  @IsSentinelAddress({ each: true })
  sentinels?: (string | CandescentSentinelAddress)[];

  /** The Sentinel master group name (`sentinel monitor <name> ...`): with `sentinels`, and only with them. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  name?: string;

  /** 32 bytes as base64 or 64 hex characters (`openssl rand -base64 32`). */
  @IsString()
  @MinLength(32)
  @MaxLength(128)
  encryptionKey!: string;

  /**
   * Prefix of every key.
   * @default 'candescent:'
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]{0,64}$/)
  keyPrefix?: string;
}
