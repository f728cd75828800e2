import { tlsProblems } from './redis-tls';
import type { RedisStoreOptions } from './redis-store.options';

/**
 * The ways to reach Redis; the `redis` option (and `RedisStore`) takes exactly one of them.
 * A new way is one more name here, its field, and its branch in `RedisConnection`.
 */
export const REDIS_CONNECTION_FIELDS = ['url', 'sentinels', 'cluster', 'client'] as const;

/** Credentials and TLS of the connections the module makes; an app's own `client` carries its own. */
export const REDIS_SECURITY_FIELDS = [
  'username',
  'password',
  'tls',
  'sentinelUsername',
  'sentinelPassword',
  'sentinelTls',
] as const;

/**
 * Where the connection goes (exactly one of a URL, Sentinels with a master name, a Cluster, or
 * the app's client) and how it signs in: those fields of `RedisStoreOptions`, documented there.
 */
export type RedisConnectionTarget = Pick<
  RedisStoreOptions,
  (typeof REDIS_CONNECTION_FIELDS)[number] | (typeof REDIS_SECURITY_FIELDS)[number] | 'name'
>;

type Problem = { field: string; expected: string };

/** A URL's user and password as ioredis reads them (it takes both from the URL when either is there). */
export function urlCredentials(url: string): { username: string; password: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parsed.username || parsed.password ? { username: parsed.username, password: parsed.password } : undefined;
}

/**
 * Credentials and TLS that fit the way Redis is reached; names only, never values. Fields that
 * are there are assumed to have the right type (the options' validation, or TypeScript for
 * `RedisStore`); the TLS material is parsed, and a client key checked against its certificate.
 */
export function redisSecurityProblems(target: RedisConnectionTarget): Problem[] {
  const problems: Problem[] = [];
  const given = (field: (typeof REDIS_SECURITY_FIELDS)[number]) => target[field] !== undefined;
  if (target.client !== undefined) {
    for (const field of REDIS_SECURITY_FIELDS.filter(given)) {
      problems.push({
        field: `redis.${field}`,
        expected: 'left out with client (your client carries its own settings)',
      });
    }
    return problems;
  }
  if (target.url !== undefined) {
    if (urlCredentials(target.url) !== undefined) {
      for (const field of (['username', 'password'] as const).filter(given)) {
        problems.push({
          field: `redis.${field}`,
          expected: 'left out when the URL carries credentials (give them in the URL or in username and password)',
        });
      }
    }
    if (given('tls') && !/^rediss:\/\//i.test(target.url)) {
      problems.push({ field: 'redis.tls', expected: "given with a 'rediss://' URL ('redis://' is plain TCP)" });
    }
  }
  if (given('username') && !given('password')) {
    problems.push({ field: 'redis.password', expected: "the ACL user's password, given with username" });
  }
  if (target.sentinels === undefined) {
    for (const field of (['sentinelUsername', 'sentinelPassword', 'sentinelTls'] as const).filter(given)) {
      problems.push({ field: `redis.${field}`, expected: 'given with sentinels, and only with them' });
    }
  } else if (given('sentinelUsername') && !given('sentinelPassword')) {
    problems.push({
      field: 'redis.sentinelPassword',
      expected: "the Sentinels' password, given with sentinelUsername",
    });
  }
  if (target.tls !== undefined) problems.push(...tlsProblems(target.tls, 'redis.tls'));
  if (target.sentinelTls !== undefined) problems.push(...tlsProblems(target.sentinelTls, 'redis.sentinelTls'));
  return problems;
}
