import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { REDIS_CONNECTION_FIELDS, REDIS_SECURITY_FIELDS } from '../store/redis-access';
import type {
  CandescentRedisClient,
  CandescentRedisClusterNode,
  CandescentRedisClusterOptions,
} from '../store/redis-client.interface';
import { parseNode } from '../store/redis-cluster-nodes';
import {
  type CandescentRedisTlsOptions,
  isServerName,
  pemCertificates,
  pemPrivateKey,
  TLS_EXPECTED,
} from '../store/redis-tls';
import { type CandescentSentinelAddress, IsSentinelAddress } from '../store/sentinel-address';
import { MAX_STORE_KEYS } from '../store/value-cipher';
import { hasMethods, Nested, Option } from './option.decorator';

// Options declared as module.options.ts describes (its first comment says how to add one).

/** What `redis` must be as a whole. */
export const REDIS_EXPECTED = `an object { ${REDIS_CONNECTION_FIELDS.join(' or ')}, encryptionKey or encryptionKeys, keyPrefix, failoverDeadlineMs, ${REDIS_SECURITY_FIELDS.join(', ')} } with exactly one of ${REDIS_CONNECTION_FIELDS.join(', ')}`;
const PASSWORD_EXPECTED = 'a non-empty string of at most 512 characters without control characters';

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
  @Option({ optional: true, expected: TLS_EXPECTED.ca })
  @ValidateBy({ name: 'isPemCertificates', validator: { validate: (value) => pemCertificates(value) !== undefined } })
  ca?: string | Buffer;

  /** PEM client certificate for a server that checks clients (`tls-auth-clients yes`), with `key`. */
  @Option({ optional: true, expected: TLS_EXPECTED.cert })
  @ValidateBy({ name: 'isPemCertificates', validator: { validate: (value) => pemCertificates(value) !== undefined } })
  cert?: string | Buffer;

  /** Unencrypted PEM private key of `cert`, with `cert`. Never printed or logged. */
  @Option({ optional: true, expected: TLS_EXPECTED.key })
  @ValidateBy({ name: 'isPemPrivateKey', validator: { validate: (value) => pemPrivateKey(value) !== undefined } })
  key?: string | Buffer;

  /**
   * The DNS name the server's certificate must carry (also sent as SNI) when it is not the host
   * connected to: Cluster nodes and a Sentinel's master are reached by the address they announce.
   * Without it, the host connected to.
   */
  @Option({ optional: true, expected: TLS_EXPECTED.servername })
  @ValidateBy({ name: 'isServerName', validator: { validate: isServerName } })
  servername?: string;
}

/** A Redis Cluster the module connects to through ioredis's `Cluster`. */
export class CandescentRedisClusterOptionsDto implements CandescentRedisClusterOptions {
  /**
   * Seed nodes, `{ host, port }` or `'host:port'`: a few reachable members are enough, the
   * client learns the rest of the cluster from them.
   */
  @Option({
    required: true,
    expected: "a list of 1 to 64 seed nodes, each { host, port } or 'host:port' with a port from 1 to 65535",
  })
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
  @Option({ optional: true, expected: "a 'redis://' or 'rediss://' URL" })
  @IsString()
  @Matches(/^rediss?:\/\/\S+$/)
  url?: string;

  /**
   * An ioredis client (`Redis` or `Cluster`) your app owns, instead of `url`, `sentinels` or
   * `cluster`: the module uses it and never quits it. A client configured for Sentinel
   * (`new Redis({ sentinels, name })`) follows a failover too.
   */
  @Option({
    optional: true,
    owned: (value) => hasMethods(value, ['get', 'set', 'del', 'eval', 'on']),
    expected: 'an ioredis client or Cluster (get, set, del, eval, on and status)',
  })
  client?: CandescentRedisClient;

  /**
   * Redis Sentinels to ask for the master of `name`, each `'host:port'` or `{ host, port }`,
   * instead of `url`. When the master fails and the Sentinels promote a replica, the module
   * reconnects to the new master by itself; meanwhile session calls answer 503.
   */
  @Option({
    optional: true,
    expected: "a list of 1-32 Sentinel addresses, each 'host:port' or { host, port } (port 1-65535)",
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(32)
  @IsSentinelAddress({ each: true })
  sentinels?: (string | CandescentSentinelAddress)[];

  /** The Sentinel master group name (`sentinel monitor <name> ...`): with `sentinels`, and only with them. */
  @Option({
    optional: true,
    expected:
      'the Sentinel master group name (1-64 letters, digits, dot, underscore or dash), given with sentinels and only with them',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  name?: string;

  /** Seed nodes of a Redis Cluster; keys carry hash tags, so no command ever spans two slots. */
  @Nested(() => CandescentRedisClusterOptionsDto, { optional: true })
  cluster?: CandescentRedisClusterOptionsDto;

  /**
   * ACL user of the Redis server(s) (`ACL SETUSER` / `user` directive), with `password`: a URL's
   * server, the Sentinels' master, every Cluster node. Or in the URL (`rediss://user:pass@host`).
   */
  @Option({
    optional: true,
    expected: 'an ACL user name of 1-128 printable characters without spaces, given with password',
  })
  @IsString()
  @Matches(ACL_USER)
  username?: string;

  /**
   * Password of the Redis server(s): `requirepass`, or `username`'s. Or in the URL, but not in
   * both. Never printed or logged.
   */
  @Option({ optional: true, expected: PASSWORD_EXPECTED })
  @IsString()
  @Matches(CREDENTIAL)
  password?: string;

  /**
   * TLS to the Redis server(s) (a URL's server, the Sentinels' master, every Cluster node); with
   * `url`, a `rediss://` URL (which alone means TLS with Node's trusted CAs).
   */
  @Nested(() => CandescentRedisTlsOptionsDto, { optional: true, expected: TLS_EXPECTED.tls })
  tls?: CandescentRedisTlsOptionsDto;

  /** ACL user of the Sentinels themselves, with `sentinelPassword`; only with `sentinels`. */
  @Option({
    optional: true,
    expected: 'an ACL user name of 1-128 printable characters without spaces, given with sentinelPassword',
  })
  @IsString()
  @Matches(ACL_USER)
  sentinelUsername?: string;

  /** Password of the Sentinels themselves (their `requirepass`); only with `sentinels`. Never printed or logged. */
  @Option({ optional: true, expected: PASSWORD_EXPECTED })
  @IsString()
  @Matches(CREDENTIAL)
  sentinelPassword?: string;

  /** TLS to the Sentinels (their `tls-port`); only with `sentinels`. */
  @Nested(() => CandescentRedisTlsOptionsDto, { optional: true, expected: TLS_EXPECTED.tls })
  sentinelTls?: CandescentRedisTlsOptionsDto;

  /** 32 bytes as base64 or 64 hex characters (`openssl rand -base64 32`). Or `encryptionKeys`. */
  @Option({ optional: true, expected: '32 bytes as base64 or 64 hex characters (openssl rand -base64 32)' })
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
  @Option({
    optional: true,
    expected: `a list of 1 to ${MAX_STORE_KEYS} keys, newest first, each 32 bytes as base64 or 64 hex characters`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STORE_KEYS)
  @IsString({ each: true })
  @MinLength(32, { each: true })
  @MaxLength(128, { each: true })
  encryptionKeys?: string[];

  /**
   * Prefix of every key.
   */
  @Option({ default: 'candescent:', expected: 'letters, digits, colon, underscore or dash, at most 64 characters' })
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
   */
  @Option({ default: 15_000, expected: 'a whole number of milliseconds from 0 to 120000' })
  @IsInt()
  @Min(0)
  @Max(120_000)
  failoverDeadlineMs?: number;
}
