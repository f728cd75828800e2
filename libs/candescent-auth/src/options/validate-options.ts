import { isIP } from 'node:net';
import { type CandescentHttpOptions, HTTP_OPTIONS_EXPECTED, httpOptionsValid } from '../http/candescent-http.options';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { MAX_STORE_KEYS, ValueCipher } from '../store/value-cipher';
import { REDIS_CONNECTION_FIELDS, REDIS_SECURITY_FIELDS, redisSecurityProblems } from '../store/redis-access';
import { TLS_EXPECTED } from '../store/redis-tls';
import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentRedisClient } from '../store/redis-client.interface';
import { CandescentAuthOptionsDto, CandescentInstitutionOptionsDto } from './candescent-auth.options';
import { redactWhenPrinted } from '../logging/redacted-when-printed';
import {
  CANDESCENT_AUTH_DEFAULTS as DEFAULTS,
  type ResolvedCandescentAuthOptions,
  type ResolvedCandescentInstitution,
  resolveInstitution,
  resolveOptions,
} from './candescent-auth.defaults';

type Problem = { field: string; expected: string };

/** The TLS fields' words under `prefix` (`redis.tls`, `redis.sentinelTls`). */
function tlsExpected(prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(TLS_EXPECTED).map(([field, expected]) => [
      field === 'tls' ? prefix : `${prefix}.${field}`,
      expected,
    ]),
  );
}

/** What each option must be, in the words the start-up error uses. Values are never shown. */
export const EXPECTED: Record<string, string> = {
  baseUrl: 'the FI gateway URL, https (http only for a loopback host), without credentials, query or fragment',
  consumerKey:
    "a non-empty string of printable characters without spaces or ':' (at most 512; Basic auth splits on the first ':')",
  consumerSecret: 'a non-empty string of printable characters without spaces (at most 512)',
  fiId: "the FI id as a string of 1-20 letters or digits, leading zeros kept (e.g. '00042')",
  institutions:
    'a list of 1 to 10000 institutions { id, baseUrl, consumerKey, consumerSecret, fiId, tokenServices?, institutionTokenService?, scopes? }',
  'institutions.id':
    "the institution's name in the app: 1-64 letters, digits, dot, underscore or dash, starting with a letter or digit",
  tokenServices: "a non-empty list of distinct services out of 'v1' and 'v2'",
  institutionTokenService: "'v1' or 'v2', and one of tokenServices",
  v1TokenPath: "a path starting with '/' (e.g. '/v1/oauth/token')",
  v2TokenPath: "a path starting with '/' (e.g. '/oauth2/v1/token')",
  v2RevokePath: "a path starting with '/' (e.g. '/oauth2/v1/revoke')",
  appName: 'letters, digits, dot, underscore or dash, 1-64 characters',
  appVersion: 'letters, digits, dot, underscore or dash, 1-32 characters',
  deviceId: 'letters, digits, dot, underscore or dash, 1-64 characters',
  offeringId: 'letters, digits, dot, colon, underscore or dash, 1-128 characters',
  scopes: "a list of at most 50 scope names such as 'accounts:read'",
  requestTimeoutMs: 'a whole number of milliseconds from 100 to 120000',
  requestDeadlineMs: 'a whole number of milliseconds from 100 to 600000, not below requestTimeoutMs',
  tokenRefreshWindowMs: 'a whole number of milliseconds from 0 to 3600000',
  tokenRefreshFraction: 'a number from 0 to 0.9',
  tokenRefreshJitter: 'a number from 0 to 1',
  defaultExpiresInSeconds: 'a whole number of seconds from 1 to 86400',
  maxExpiresInSeconds: 'a whole number of seconds from 60 to 31536000',
  retry: 'an object { maxAttempts, baseDelayMs, maxDelayMs }',
  'retry.maxAttempts': 'a whole number from 1 to 10',
  'retry.baseDelayMs': 'a whole number of milliseconds from 0 to 60000',
  'retry.maxDelayMs': 'a whole number of milliseconds from 0 to 120000',
  circuitBreaker: 'an object { failureRateThreshold, minimumCalls, slidingWindowMs, resetTimeoutMs, halfOpenProbes }',
  'circuitBreaker.failureRateThreshold': 'a whole percentage from 1 to 100',
  'circuitBreaker.minimumCalls': 'a whole number from 1 to 10000',
  'circuitBreaker.slidingWindowMs': 'a whole number of milliseconds from 1000 to 3600000',
  'circuitBreaker.resetTimeoutMs': 'a whole number of milliseconds from 100 to 3600000',
  'circuitBreaker.halfOpenProbes': 'a whole number from 1 to 100',
  'circuitBreaker.failureThreshold': 'a whole number from 1 to 10000 (deprecated: use minimumCalls)',
  invalidClientCacheMs: 'a whole number of milliseconds from 0 to 600000',
  tokenRefusalCooldownMs: 'a whole number of milliseconds from 0 to 600000',
  legacyPathPattern: 'a valid regular expression (at most 512 characters)',
  session:
    'an object { transport, cookieName, cookieSameSite, csrfHeaderName, idleTimeoutMs, absoluteTimeoutMs, maxSessionsPerAccount, loginIdMatching }',
  'session.transport': "'bearer' or 'cookie'",
  'session.cookieName': 'letters, digits, underscore or dash, 1-64 characters',
  'session.cookieSameSite': "'strict' or 'lax'",
  'session.csrfHeaderName': 'a lower-case header name, 1-64 characters',
  'session.idleTimeoutMs': 'a whole number of milliseconds from 10000 to 86400000',
  'session.maxSessionsPerAccount': 'a whole number from 1 to 1000',
  'session.loginIdMatching': "'exact' or 'case-insensitive'",
  'session.absoluteTimeoutMs':
    'a whole number of milliseconds from 10000 to 2592000000, not below session.idleTimeoutMs',
  redis: `an object { ${REDIS_CONNECTION_FIELDS.join(' or ')}, encryptionKey or encryptionKeys, keyPrefix, ${REDIS_SECURITY_FIELDS.join(', ')} } with exactly one of ${REDIS_CONNECTION_FIELDS.join(', ')}`,
  'redis.username': 'an ACL user name of 1-128 printable characters without spaces, given with password',
  'redis.password': 'a non-empty string of at most 512 characters without control characters',
  'redis.sentinelUsername':
    'an ACL user name of 1-128 printable characters without spaces, given with sentinelPassword',
  'redis.sentinelPassword': 'a non-empty string of at most 512 characters without control characters',
  ...tlsExpected('redis.tls'),
  ...tlsExpected('redis.sentinelTls'),
  'redis.url': "a 'redis://' or 'rediss://' URL",
  'redis.client': 'an ioredis client or Cluster (get, set, del, eval, on and status)',
  'redis.sentinels': "a list of 1-32 Sentinel addresses, each 'host:port' or { host, port } (port 1-65535)",
  'redis.name':
    'the Sentinel master group name (1-64 letters, digits, dot, underscore or dash), given with sentinels and only with them',
  'redis.cluster': 'an object { nodes }',
  'redis.cluster.nodes': "a list of 1 to 64 seed nodes, each { host, port } or 'host:port' with a port from 1 to 65535",
  'redis.encryptionKeys': `a list of 1 to ${MAX_STORE_KEYS} keys, newest first, each 32 bytes as base64 or 64 hex characters`,
  loginInstitution: 'a function (request) => institution id or undefined',
  store:
    'an object with the CandescentStore methods (get, set, delete, acquireLock, replaceIfLocked, releaseLock), and no redis option beside it',
  'redis.encryptionKey': '32 bytes as base64 or 64 hex characters (openssl rand -base64 32)',
  'redis.keyPrefix': 'letters, digits, colon, underscore or dash, at most 64 characters',
};

/**
 * What a field must be: an `institutions` entry's fields read as the same fields at the top
 * (`institutions[2].fiId` as `fiId`), their id as `institutions.id`.
 */
function expectedOf(field: string): string {
  const inEntry = /^institutions\[\d+\]\.(.+)$/.exec(field)?.[1];
  if (inEntry === undefined) return EXPECTED[field] ?? 'a valid value';
  return EXPECTED[inEntry === 'id' ? 'institutions.id' : inEntry] ?? 'a valid value';
}

function flatten(errors: ValidationError[], prefix = ''): Problem[] {
  return errors.flatMap((error) => {
    // List entries read as `institutions[0]`, as an app would write the path.
    const field = /^\d+$/.test(error.property) ? `${prefix.slice(0, -1)}[${error.property}]` : prefix + error.property;
    const own = Object.keys(error.constraints ?? {});
    const problems: Problem[] = [];
    if (own.includes('whitelistValidation')) {
      problems.push({ field, expected: 'nothing: there is no such option; remove it or check its spelling' });
    } else if (own.length > 0) {
      problems.push({ field, expected: expectedOf(field) });
    }
    return problems.concat(flatten(error.children ?? [], `${field}.`));
  });
}

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
function crossFieldProblems(options: CandescentAuthOptionsDto, invalid: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const valid = (...fields: string[]) =>
    fields.every((f) => !invalid.has(f) && ![...invalid].some((bad) => bad.startsWith(`${f}.`)));
  if (options.institutions === undefined) problems.push(...institutionProblems(options, '', valid));
  else problems.push(...institutionListProblems(options, valid));
  if (
    valid('requestDeadlineMs', 'requestTimeoutMs') &&
    (options.requestDeadlineMs ?? DEFAULTS.requestDeadlineMs) < (options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs)
  ) {
    problems.push({ field: 'requestDeadlineMs', expected: EXPECTED.requestDeadlineMs });
  }
  const session = options.session;
  if (
    valid('session') &&
    session &&
    (session.absoluteTimeoutMs ?? DEFAULTS.session.absoluteTimeoutMs) <
      (session.idleTimeoutMs ?? DEFAULTS.session.idleTimeoutMs)
  ) {
    problems.push({ field: 'session.absoluteTimeoutMs', expected: EXPECTED['session.absoluteTimeoutMs'] });
  }
  if (valid('redis') && options.redis) problems.push(...storeKeyProblems(options.redis));
  // Read under its old name on purpose: this check is what keeps the deprecated option honest.
  const breaker: { failureThreshold?: number; minimumCalls?: number } | undefined = options.circuitBreaker;
  if (
    valid('circuitBreaker') &&
    breaker?.failureThreshold !== undefined &&
    breaker.minimumCalls !== undefined &&
    breaker.failureThreshold !== breaker.minimumCalls
  ) {
    problems.push({
      field: 'circuitBreaker.failureThreshold',
      expected: 'left out when minimumCalls is set (it is the deprecated name of minimumCalls)',
    });
  }
  if (valid('legacyPathPattern') && options.legacyPathPattern !== undefined && !isRegExp(options.legacyPathPattern)) {
    problems.push({ field: 'legacyPathPattern', expected: EXPECTED.legacyPathPattern });
  }
  return problems;
}

type Validity = (...fields: string[]) => boolean;
const IDENTIFYING_FIELDS = ['baseUrl', 'consumerKey', 'consumerSecret', 'fiId'] as const;

/** One institution's own cross-field rules, at the top (`prefix` '') or in an entry (`institutions[0].`). */
function institutionProblems(
  institution: Pick<CandescentAuthOptionsDto, 'baseUrl' | 'tokenServices' | 'institutionTokenService'>,
  prefix: string,
  valid: Validity,
  moduleServices: readonly string[] = DEFAULTS.tokenServices,
): Problem[] {
  const problems: Problem[] = [];
  if (valid(`${prefix}baseUrl`) && !checkBaseUrl(institution.baseUrl ?? ''))
    problems.push({ field: `${prefix}baseUrl`, expected: EXPECTED.baseUrl });
  const services: readonly string[] = institution.tokenServices ?? moduleServices;
  if (
    valid(`${prefix}tokenServices`, `${prefix}institutionTokenService`) &&
    institution.institutionTokenService &&
    !services.includes(institution.institutionTokenService)
  ) {
    problems.push({ field: `${prefix}institutionTokenService`, expected: EXPECTED.institutionTokenService });
  }
  return problems;
}

/** `institutions` instead of the top-level FI, every entry valid on its own, each id once. */
function institutionListProblems(options: CandescentAuthOptionsDto, valid: Validity): Problem[] {
  const problems: Problem[] = IDENTIFYING_FIELDS.filter((field) => options[field] !== undefined).map((field) => ({
    field,
    expected: 'left out when institutions is given (each institution has its own)',
  }));
  const seen = new Set<string>();
  (options.institutions ?? []).forEach((institution, index) => {
    const prefix = `institutions[${index}].`;
    if (!(institution instanceof CandescentInstitutionOptionsDto)) return;
    problems.push(...institutionProblems(institution, prefix, valid, options.tokenServices ?? DEFAULTS.tokenServices));
    if (valid(`${prefix}id`) && seen.has(institution.id))
      problems.push({ field: `${prefix}id`, expected: `${EXPECTED['institutions.id']}, not used by an earlier entry` });
    seen.add(institution.id);
  });
  return problems;
}

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const hasMethods = (value: unknown, names: readonly string[]) =>
  isObject(value) && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
const STORE_METHODS = ['get', 'set', 'delete', 'acquireLock', 'replaceIfLocked', 'releaseLock'] as const;
const REDIS_CLIENT_METHODS = ['get', 'set', 'del', 'eval', 'on'] as const;

/** The app's own store and Redis client: right shape, and not given together with what they replace. */
function ownedObjectProblems(store: unknown, redis: unknown, client: unknown): Problem[] {
  const problems: Problem[] = [];
  if (store !== undefined && (!hasMethods(store, STORE_METHODS) || redis !== undefined))
    problems.push({ field: 'store', expected: EXPECTED.store });
  if (client !== undefined && !hasMethods(client, REDIS_CLIENT_METHODS))
    problems.push({ field: 'redis.client', expected: EXPECTED['redis.client'] });
  if (isObject(redis)) problems.push(...redisSourceProblems({ ...redis, client }));
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
    problems.push({ field: 'redis.name', expected: EXPECTED['redis.name'] });
  return problems;
}

/**
 * Credentials and TLS that fit the way Redis is reached, checked once each field is valid on
 * its own (and the connection fields are): a TLS key that belongs to its certificate, no password
 * both in the URL and beside it, the Sentinels' settings only with Sentinels.
 */
function redisSecurityFieldProblems(redis: Record<string, unknown>, invalid: ReadonlySet<string>): Problem[] {
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
      : [{ field: 'redis.encryptionKey', expected: EXPECTED['redis.encryptionKey'] }];
  }
  const keys = encryptionKeys ?? [];
  const problems: Problem[] = keys.flatMap((key, position) =>
    isStoreKey(key)
      ? []
      : [
          {
            field: `redis.encryptionKeys[${position}]`,
            expected: `${EXPECTED['redis.encryptionKey']}; position 0 is the newest key`,
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

/**
 * Validates raw module options and merges the defaults. Throws one
 * `CandescentConfigurationError` that lists every bad field and what it must be; option values
 * are never part of the message, so a misplaced secret is not printed either.
 */
export function validateOptions(raw: unknown): ResolvedCandescentAuthOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CandescentConfigurationError(
      'Invalid CandescentAuthModule options: expected an object with baseUrl, consumerKey, consumerSecret and fiId.',
      [{ field: '(options)', expected: 'an object' }],
    );
  }
  // Objects the app owns (its store, its Redis client) are checked by shape and passed on as they
  // are: class-transformer would copy them into plain objects.
  const { store, redis, loginInstitution, http, ...rest } = raw as {
    store?: unknown;
    redis?: unknown;
    loginInstitution?: unknown;
    http?: unknown;
  };
  const { client, ...redisRest } = isObject(redis) ? (redis as { client?: unknown }) : { client: undefined };
  const options = plainToInstance(CandescentAuthOptionsDto, {
    ...rest,
    ...(redis === undefined ? {} : { redis: isObject(redis) ? redisRest : redis }),
  });
  const errors = validateSync(options, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  const problems = flatten(errors);
  const invalid = new Set(problems.map((p) => p.field));
  problems.push(...crossFieldProblems(options, invalid));
  problems.push(...ownedObjectProblems(store, redis, client));
  if (loginInstitution !== undefined && typeof loginInstitution !== 'function')
    problems.push({ field: 'loginInstitution', expected: EXPECTED.loginInstitution });
  if (!httpOptionsValid(http)) problems.push({ field: 'http', expected: HTTP_OPTIONS_EXPECTED });
  if (isObject(redis)) {
    const found = new Set(problems.map((p) => p.field));
    problems.push(...redisSecurityFieldProblems({ ...redis, client }, found));
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  - ${p.field}: expected ${p.expected}`);
    throw new CandescentConfigurationError(
      `Invalid CandescentAuthModule options (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${lines.join('\n')}`,
      problems,
    );
  }
  const resolved = resolveOptions(options, {
    store: store as CandescentStore | undefined,
    redisClient: client as CandescentRedisClient | undefined,
    loginInstitution: loginInstitution as ResolvedCandescentAuthOptions['loginInstitution'],
    http: http as CandescentHttpOptions | undefined,
  });
  const shown = { baseUrl: resolved.baseUrl, fiId: resolved.fiId, tokenServices: resolved.tokenServices };
  // The app's own object is a provider of the module too; printing it must not show the secret
  // either. Only non-enumerable printing hooks are added: its data is left as it is.
  if (Object.isExtensible(raw)) redactWhenPrinted(raw, 'CandescentAuthModuleOptions', shown);
  return redactWhenPrinted(resolved, 'CandescentAuthModuleOptions', shown);
}

/**
 * Validates one institution for `CandescentInstitutions` (`add`, `replace`) with the start-up
 * wording, and fills in the module's defaults. `idAllowed` says whether the id fits the change
 * (new for `add`, served for `replace`).
 */
export function validateInstitution(
  raw: unknown,
  options: ResolvedCandescentAuthOptions,
  idAllowed: (id: string) => boolean,
): ResolvedCandescentInstitution {
  const problems: Problem[] = [];
  const institution = plainToInstance(CandescentInstitutionOptionsDto, isObject(raw) ? raw : {});
  if (!isObject(raw)) problems.push({ field: '(institution)', expected: 'an object' });
  else {
    const errors = validateSync(institution, {
      whitelist: true,
      forbidNonWhitelisted: true,
      validationError: { target: false, value: false },
    });
    // Read as an entry of `institutions`, so each field has the words it has there.
    problems.push(
      ...flatten(errors).map((p) => ({
        field: p.field,
        expected:
          p.expected === 'a valid value' || p.field === 'id' ? expectedOf(`institutions[0].${p.field}`) : p.expected,
      })),
    );
    const invalid = new Set(problems.map((p) => p.field));
    const valid: Validity = (...fields) => fields.every((f) => !invalid.has(f));
    problems.push(...institutionProblems(institution, '', valid, options.institutionDefaults.tokenServices));
    if (valid('id') && !idAllowed(institution.id))
      problems.push({
        field: 'id',
        expected: `${EXPECTED['institutions.id']}: a new one to add, a served one to replace`,
      });
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  - ${p.field}: expected ${p.expected}`);
    throw new CandescentConfigurationError(
      `Invalid institution options (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${lines.join('\n')}`,
      problems,
    );
  }
  return resolveInstitution(institution, options.institutionDefaults);
}
