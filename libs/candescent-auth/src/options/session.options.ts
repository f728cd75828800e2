import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
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
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import type { CandescentRedisClusterNode } from '../store/redis-client.interface';
import { parseNode } from '../store/redis-cluster-nodes';
import { type CandescentSentinelAddress, IsSentinelAddress } from '../store/sentinel-address';
import { MAX_STORE_KEYS } from '../store/value-cipher';

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

/** A Redis Cluster the module connects to through ioredis's `Cluster`. */
export class CandescentRedisClusterOptionsDto {
  /**
   * Seed nodes, `{ host, port }` or `'host:port'`: a few reachable members are enough, the
   * client learns the rest of the cluster from them.
   */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @ValidateBy(
    { name: 'isClusterNode', validator: { validate: (node) => parseNode(node) !== undefined } },
    { each: true },
  )
  nodes!: CandescentRedisClusterNode[];
}

/**
 * Redis for sessions shared by several instances; values are encrypted with AES-256-GCM. Give
 * exactly one of `url` (the module connects, and quits on shutdown), `sentinels` with `name`
 * (the same, through Redis Sentinel), `cluster` (the same, for a Redis Cluster) or `client` (an
 * ioredis `Redis` or `Cluster` your app owns and closes; see `CandescentRedisOptions`), and
 * exactly one of `encryptionKey` and `encryptionKeys`.
 */
export class CandescentRedisOptionsDto {
  /** `redis://` or `rediss://` URL of a standalone Redis. */
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

  /** Seed nodes of a Redis Cluster; keys carry hash tags, so no command ever spans two slots. */
  @IsOptional()
  @ValidateNested()
  @Type(() => CandescentRedisClusterOptionsDto)
  cluster?: CandescentRedisClusterOptionsDto;

  /** 32 bytes as base64 or 64 hex characters (`openssl rand -base64 32`). Or `encryptionKeys`. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(128)
  encryptionKey?: string;

  /**
   * Several keys, for rotation, newest first: values are written with the first and read with
   * any of them, so adding a new key in front logs nobody out. Each value names its key by a
   * short id (never the key). Drop an old key once every value has been rewritten (see the
   * README's rotation steps). Instead of `encryptionKey`.
   */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STORE_KEYS)
  @IsString({ each: true })
  @MinLength(32, { each: true })
  @MaxLength(128, { each: true })
  encryptionKeys?: string[];

  /**
   * Prefix of every key.
   * @default 'candescent:'
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]{0,64}$/)
  keyPrefix?: string;
}
