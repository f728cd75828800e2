import { Type } from 'class-transformer';
import {
  IsInt,
  Max,
  Min,
  ArrayMaxSize,
  ArrayMinSize,
  ArrayNotEmpty,
  IsArray,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import type { CandescentRedisClusterNode } from '../store/redis-client.interface';
import { parseNode } from '../store/redis-cluster-nodes';
import { type CandescentRedisTlsOptions, isServerName, pemCertificates, pemPrivateKey } from '../store/redis-tls';
import { type CandescentSentinelAddress, IsSentinelAddress } from '../store/sentinel-address';
import { MAX_STORE_KEYS } from '../store/value-cipher';

// Each `@default` here repeats CANDESCENT_AUTH_DEFAULTS (candescent-auth.defaults.ts); a test keeps them equal.

/** A password: no control characters (they would end the line of a careless client or log). */
const CREDENTIAL = /^\P{Cc}{1,512}$/u;
/** An ACL user name: printable, without spaces. */
const ACL_USER = /^[!-~]{1,128}$/;

/**
 * TLS to Redis. Certificates are always verified (against `ca`, or else the CAs Node trusts);
 * `{}` is TLS with Node's trusted CAs, as a managed Redis with a public certificate needs.
 */
export class CandescentRedisTlsOptionsDto implements CandescentRedisTlsOptions {
  /**
   * PEM certificate(s) of a private CA that signed the server's certificate (string or Buffer;
   * several may be concatenated). Without it, Node's trusted CAs.
   */
  @IsOptional()
  @ValidateBy({ name: 'isPemCertificates', validator: { validate: (value) => pemCertificates(value) !== undefined } })
  ca?: string | Buffer;

  /** PEM client certificate for a server that checks clients (`tls-auth-clients yes`), with `key`. */
  @IsOptional()
  @ValidateBy({ name: 'isPemCertificates', validator: { validate: (value) => pemCertificates(value) !== undefined } })
  cert?: string | Buffer;

  /** Unencrypted PEM private key of `cert`, with `cert`. Never printed or logged. */
  @IsOptional()
  @ValidateBy({ name: 'isPemPrivateKey', validator: { validate: (value) => pemPrivateKey(value) !== undefined } })
  key?: string | Buffer;

  /**
   * The DNS name the server's certificate must carry (also sent as SNI) when it is not the host
   * connected to: Cluster nodes and a Sentinel's master are reached by the address they announce.
   * Without it, the host connected to.
   */
  @IsOptional()
  @ValidateBy({ name: 'isServerName', validator: { validate: isServerName } })
  servername?: string;
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
 * exactly one of `encryptionKey` and `encryptionKeys`. For a managed Redis, `username`,
 * `password` and `tls` (and the Sentinels' own `sentinelPassword` and `sentinelTls`) apply to
 * the connections the module makes.
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

  /**
   * ACL user of the Redis server(s) (`ACL SETUSER` / `user` directive), with `password`: a URL's
   * server, the Sentinels' master, every Cluster node. Or in the URL (`rediss://user:pass@host`).
   */
  @IsOptional()
  @IsString()
  @Matches(ACL_USER)
  username?: string;

  /**
   * Password of the Redis server(s): `requirepass`, or `username`'s. Or in the URL, but not in
   * both. Never printed or logged.
   */
  @IsOptional()
  @IsString()
  @Matches(CREDENTIAL)
  password?: string;

  /**
   * TLS to the Redis server(s) (a URL's server, the Sentinels' master, every Cluster node); with
   * `url`, a `rediss://` URL (which alone means TLS with Node's trusted CAs).
   */
  @IsOptional()
  @ValidateNested()
  @Type(() => CandescentRedisTlsOptionsDto)
  tls?: CandescentRedisTlsOptionsDto;

  /** ACL user of the Sentinels themselves, with `sentinelPassword`; only with `sentinels`. */
  @IsOptional()
  @IsString()
  @Matches(ACL_USER)
  sentinelUsername?: string;

  /** Password of the Sentinels themselves (their `requirepass`); only with `sentinels`. Never printed or logged. */
  @IsOptional()
  @IsString()
  @Matches(CREDENTIAL)
  sentinelPassword?: string;

  /** TLS to the Sentinels (their `tls-port`); only with `sentinels`. */
  @IsOptional()
  @ValidateNested()
  @Type(() => CandescentRedisTlsOptionsDto)
  sentinelTls?: CandescentRedisTlsOptionsDto;

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

  /**
   * How long a store call that meets a Redis failover (a Sentinel or Cluster promotion, a
   * refused or reset connection, `CLUSTERDOWN`, `TRYAGAIN`, `MOVED`/`ASK`, `READONLY`) keeps
   * retrying, with backoff, before the request gets 503 `STORE_UNAVAILABLE`. Per request: a
   * guarded request pauses at most this long in all. A Redis that has failed for longer without
   * one success counts as down, and calls fail at once until it answers. Institution tokens never
   * wait: each instance fetches its own meanwhile. 0 turns the wait off.
   * @default 15000
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  failoverDeadlineMs?: number;
}
