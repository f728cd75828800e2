import { isIP } from 'node:net';
import { REDIS_CONNECTION_FIELDS, REDIS_SECURITY_FIELDS, redisSecurityProblems } from '../store/redis-access';
import { ValueCipher } from '../store/value-cipher';
import type { MergedCandescentAuthOptions } from './candescent-auth.defaults';
import { CandescentInstitutionOptionsDto } from './institution-fields';
import { CandescentAuthModuleOptionsDto } from './module.options';
import { expectedOf, isPlainObject } from './option.decorator';

/**
 * The rules between options (each option's own rules are its declaration's class-validator
 * decorators). They read the options with the defaults merged in.
 */

export type Problem = { field: string; expected: string };
export type Validity = (...fields: string[]) => boolean;

/** The declared words of an option, by its path (`session.absoluteTimeoutMs`). */
export const expected = (field: string): string => expectedOf(CandescentAuthModuleOptionsDto, field) ?? 'a valid value';

const IDENTIFYING_FIELDS = ['baseUrl', 'consumerKey', 'consumerSecret', 'fiId'] as const;

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function checkBaseUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopback(url.hostname);
}

/** Checks across fields, each skipped when a field it reads already failed on its own. */
export function crossFieldProblems(options: MergedCandescentAuthOptions, invalid: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const valid = (...fields: string[]) =>
    fields.every((f) => !invalid.has(f) && ![...invalid].some((bad) => bad.startsWith(`${f}.`)));
  if (options.institutions === undefined) problems.push(...institutionProblems(options, '', valid));
  else problems.push(...institutionListProblems(options, valid));
  if (valid('requestDeadlineMs', 'requestTimeoutMs') && options.requestDeadlineMs < options.requestTimeoutMs) {
    problems.push({ field: 'requestDeadlineMs', expected: expected('requestDeadlineMs') });
  }
  const { session } = options;
  if (valid('session') && isPlainObject(session) && session.absoluteTimeoutMs < session.idleTimeoutMs) {
    problems.push({ field: 'session.absoluteTimeoutMs', expected: expected('session.absoluteTimeoutMs') });
  }
  if (valid('redis') && isPlainObject(options.redis)) problems.push(...storeKeyProblems(options.redis));
  // Read under its old name on purpose: this check is what keeps the deprecated option honest.
  const breaker: { failureThreshold?: number; minimumCalls?: number } = options.circuitBreaker;
  if (
    valid('circuitBreaker') &&
    isPlainObject(breaker) &&
    breaker.failureThreshold !== undefined &&
    breaker.failureThreshold !== breaker.minimumCalls
  ) {
    problems.push({
      field: 'circuitBreaker.failureThreshold',
      expected: 'left out when minimumCalls is set (it is the deprecated name of minimumCalls)',
    });
  }
  if (valid('legacyPathPattern') && !isRegExp(options.legacyPathPattern)) {
    problems.push({ field: 'legacyPathPattern', expected: expected('legacyPathPattern') });
  }
  return problems;
}

/** One institution's own cross-field rules, at the top (`prefix` '') or in an entry (`institutions[0].`). */
export function institutionProblems(
  institution: { baseUrl?: string; tokenServices?: readonly string[]; institutionTokenService?: string },
  prefix: string,
  valid: Validity,
): Problem[] {
  const problems: Problem[] = [];
  if (valid(`${prefix}baseUrl`) && !checkBaseUrl(institution.baseUrl ?? ''))
    problems.push({ field: `${prefix}baseUrl`, expected: expected('baseUrl') });
  if (
    valid(`${prefix}tokenServices`, `${prefix}institutionTokenService`) &&
    institution.institutionTokenService &&
    !institution.tokenServices?.includes(institution.institutionTokenService)
  ) {
    problems.push({ field: `${prefix}institutionTokenService`, expected: expected('institutionTokenService') });
  }
  return problems;
}

/** `institutions` instead of the top-level FI, every entry valid on its own, each id once. */
function institutionListProblems(options: MergedCandescentAuthOptions, valid: Validity): Problem[] {
  const problems: Problem[] = IDENTIFYING_FIELDS.filter((field) => options[field] !== undefined).map((field) => ({
    field,
    expected: 'left out when institutions is given (each institution has its own)',
  }));
  const seen = new Set<string>();
  (options.institutions ?? []).forEach((institution, index) => {
    const prefix = `institutions[${index}].`;
    if (!(institution instanceof CandescentInstitutionOptionsDto)) return;
    problems.push(...institutionProblems(institution, prefix, valid));
    if (valid(`${prefix}id`) && seen.has(institution.id))
      problems.push({ field: `${prefix}id`, expected: `${expected('institutions.id')}, not used by an earlier entry` });
    seen.add(institution.id);
  });
  return problems;
}

/** The app's own store and Redis client are not given together with what they replace. */
export function ownedObjectProblems(store: unknown, redis: unknown, client: unknown): Problem[] {
  const problems: Problem[] = [];
  if (store !== undefined && redis !== undefined) problems.push({ field: 'store', expected: expected('store') });
  if (isPlainObject(redis)) problems.push(...redisSourceProblems({ ...redis, client }));
  return problems;
}

/** Exactly one way to reach Redis; `name` with `sentinels` and only with them. */
function redisSourceProblems(redis: Record<string, unknown>): Problem[] {
  const given = REDIS_CONNECTION_FIELDS.filter((source) => redis[source] !== undefined);
  const problems: Problem[] = [];
  if (given.length !== 1) {
    // Names only, never values: a URL may carry a password.
    const which = given.length === 0 ? 'none was given' : `${given.join(' and ')} were given; keep one`;
    problems.push({ field: 'redis', expected: `exactly one of ${REDIS_CONNECTION_FIELDS.join(', ')} (${which})` });
  }
  if ((redis.sentinels === undefined) !== (redis.name === undefined))
    problems.push({ field: 'redis.name', expected: expected('redis.name') });
  return problems;
}

/**
 * Credentials and TLS that fit the way Redis is reached, checked once each field is valid on
 * its own (and the connection fields are): a TLS key that belongs to its certificate, no password
 * both in the URL and beside it, the Sentinels' settings only with Sentinels.
 */
export function redisSecurityFieldProblems(redis: Record<string, unknown>, invalid: ReadonlySet<string>): Problem[] {
  const checked = ['redis', 'redis.url', 'redis.sentinels', ...REDIS_SECURITY_FIELDS.map((field) => `redis.${field}`)];
  if ([...invalid].some((bad) => checked.some((field) => bad === field || bad.startsWith(`${field}.`)))) return [];
  return redisSecurityProblems(redis);
}

/** Exactly one of the key forms, every key well-formed, no key twice; positions count from 0, the newest. */
function storeKeyProblems(redis: { encryptionKey?: string; encryptionKeys?: string[] }): Problem[] {
  const { encryptionKey, encryptionKeys } = redis;
  if ((encryptionKey === undefined) === (encryptionKeys === undefined)) {
    return [
      {
        field: 'redis.encryptionKey',
        expected: 'exactly one of encryptionKey (one key) and encryptionKeys (a list, newest first)',
      },
    ];
  }
  if (encryptionKey !== undefined) {
    return isStoreKey(encryptionKey)
      ? []
      : [{ field: 'redis.encryptionKey', expected: expected('redis.encryptionKey') }];
  }
  const keys = encryptionKeys ?? [];
  const problems: Problem[] = keys.flatMap((key, position) =>
    isStoreKey(key)
      ? []
      : [
          {
            field: `redis.encryptionKeys[${position}]`,
            expected: `${expected('redis.encryptionKey')}; position 0 is the newest key`,
          },
        ],
  );
  if (problems.length > 0) return problems;
  try {
    ValueCipher.fromKeys(keys);
  } catch (error: unknown) {
    // Only a repeated key is left to find here; its message names positions, never keys.
    const repeat = /positions \d+ and \d+/.exec((error as Error).message)?.[0] ?? 'two positions';
    problems.push({ field: 'redis.encryptionKeys', expected: `distinct keys (${repeat} hold the same key)` });
  }
  return problems;
}

function isStoreKey(key: string): boolean {
  try {
    ValueCipher.fromKey(key);
    return true;
  } catch {
    return false;
  }
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
