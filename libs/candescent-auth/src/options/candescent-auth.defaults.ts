import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentHttpOptions } from '../http/candescent-http.options';
import type { CandescentRedisClient, CandescentRedisClusterOptions } from '../store/redis-client.interface';
import type { CandescentRedisTlsOptions } from '../store/redis-tls';
import { type CandescentSentinelAddress, toSentinelAddress } from '../store/sentinel-address';
import type { CandescentService } from '../errors/candescent-auth.error';
import type {
  CandescentAuthModuleOptions,
  CandescentInstitutionOptions,
  CandescentRetryOptions,
  CandescentSessionOptions,
} from './candescent-auth.options';
import type { CircuitBreakerSettings } from '../resilience/circuit-breaker';
import { redactWhenPrinted } from '../logging/redacted-when-printed';

/** A default for every option that has one, at any depth; nothing else (no typos: `satisfies` checks). */
type OptionDefaults<T> = {
  [K in keyof T]?: NonNullable<T[K]> extends readonly unknown[]
    ? NonNullable<T[K]>
    : NonNullable<T[K]> extends object
      ? OptionDefaults<NonNullable<T[K]>>
      : NonNullable<T[K]>;
};

/**
 * Every option's default, the one place it is written: `resolveOptions` merges these, and a
 * test checks each `@default` in the options' TSDoc and each default in the README's options
 * table against them. Defaults computed from other options (`institutionTokenService`, the
 * circuit breaker's deprecated `failureThreshold`) are in `resolveOptions`.
 *
 * Adding an option: the property (validation, TSDoc, `@default`) in its options class, its
 * default here, what it must be in validate-options' `EXPECTED`, and its README row;
 * candescent-auth.defaults.spec.ts names whichever of them is missing or disagrees.
 */
export const CANDESCENT_AUTH_DEFAULTS = {
  tokenServices: ['v2'],
  v1TokenPath: '/v1/oauth/token',
  v2TokenPath: '/oauth2/v1/token',
  v2RevokePath: '/oauth2/v1/revoke',
  appName: 'CandescentNestAuth',
  appVersion: '1.0',
  scopes: [],
  requestTimeoutMs: 10_000,
  requestDeadlineMs: 30_000,
  tokenRefreshWindowMs: 60_000,
  tokenRefreshFraction: 0.2,
  tokenRefreshJitter: 0.1,
  maxExpiresInSeconds: 2_678_400,
  tokenRefusalCooldownMs: 10_000,
  invalidClientCacheMs: 5_000,
  // Legacy V1 APIs live under `/v1/...` or have a `/fis/{fiid}/` segment.
  legacyPathPattern: '^/v1/|/fis/[^/]+/',
  retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 },
  circuitBreaker: {
    failureRateThreshold: 50,
    minimumCalls: 10,
    slidingWindowMs: 60_000,
    resetTimeoutMs: 30_000,
    halfOpenProbes: 3,
  },
  session: {
    transport: 'bearer',
    cookieName: '__Host-candescent_session',
    cookieSameSite: 'strict',
    csrfHeaderName: 'x-csrf-token',
    idleTimeoutMs: 900_000,
    absoluteTimeoutMs: 43_200_000,
    maxSessionsPerAccount: 10,
    loginIdMatching: 'exact',
  },
  redis: { keyPrefix: 'candescent:' },
} satisfies OptionDefaults<CandescentAuthModuleOptions>;

type Defaults = typeof CANDESCENT_AUTH_DEFAULTS;
/** Options read as they are after the merge (the others are turned into something else first). */
type PlainDefaulted = Exclude<
  keyof Defaults,
  'appName' | 'appVersion' | 'legacyPathPattern' | 'retry' | 'circuitBreaker' | 'session' | 'redis'
>;

/**
 * `defaults` with each value `given` defines put over it; keys `defaults` lacks are left out.
 * Lists are copied, so nothing the module holds shares an array with the defaults or the app.
 */
function withDefaults<D extends object, G extends { [K in keyof D]?: unknown }>(
  defaults: D,
  given: G | undefined,
): { [K in keyof D]-?: K extends keyof G ? Exclude<G[K], undefined> | D[K] : D[K] } {
  const merged: Record<string, unknown> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const value: unknown = (given as Record<string, unknown> | undefined)?.[key] ?? fallback;
    merged[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return merged as { [K in keyof D]-?: K extends keyof G ? Exclude<G[K], undefined> | D[K] : D[K] };
}

/** One institution with every default filled in. */
export interface ResolvedCandescentInstitution {
  /** The app's name for it; `'default'` for options that name one FI at the top. */
  id: string;
  baseUrl: string;
  /** `baseUrl`'s origin, the only origin that ever receives this institution's credentials. */
  origin: string;
  consumerKey: string;
  consumerSecret: string;
  fiId: string;
  tokenServices: CandescentService[];
  institutionTokenService: CandescentService;
  scopes: string[];
}

/** The id of the institution that options naming one FI at the top describe. */
export const DEFAULT_INSTITUTION_ID = 'default';

/**
 * The options with every default filled in; what the rest of the module reads. The institution
 * fields at the top (`baseUrl`, `fiId`, ...) are the default institution's; `institutions` has
 * them all, the default first.
 */
export interface ResolvedCandescentAuthOptions
  extends Required<Pick<CandescentAuthModuleOptions, PlainDefaulted>>, Omit<ResolvedCandescentInstitution, 'id'> {
  /** Every institution, the default (what a call or login that names none uses) first. */
  institutions: ResolvedCandescentInstitution[];
  /** What an institution that names no token services or scopes of its own uses. */
  institutionDefaults: { tokenServices: CandescentService[]; scopes: string[] };
  userAgent: string;
  offeringId?: string;
  defaultExpiresInSeconds?: number;
  retry: Required<CandescentRetryOptions>;
  circuitBreaker: CircuitBreakerSettings;
  legacyPathPattern: RegExp;
  session: Required<CandescentSessionOptions>;
  redis?: {
    url?: string;
    client?: CandescentRedisClient;
    sentinels?: CandescentSentinelAddress[];
    name?: string;
    cluster?: CandescentRedisClusterOptions;
    username?: string;
    password?: string;
    tls?: CandescentRedisTlsOptions;
    sentinelUsername?: string;
    sentinelPassword?: string;
    sentinelTls?: CandescentRedisTlsOptions;
    /** Exactly one of `encryptionKey` and `encryptionKeys` (newest first) is set. */
    encryptionKey?: string;
    encryptionKeys?: string[];
    keyPrefix: string;
  };
  /** The app's own store, when given. */
  store?: CandescentStore;
  /** Which institution a login request is for, when the app said how. */
  loginInstitution?: CandescentAuthModuleOptions['loginInstitution'];
  /** The app's connection settings for the module's axios instances. */
  http?: CandescentHttpOptions;
}

/** Merges the defaults into validated options, once, at start-up. */
export function resolveOptions(
  options: CandescentAuthModuleOptions,
  /** What the app owns and hands over as it is (never copied or validated field by field). */
  owned: {
    store?: CandescentStore;
    redisClient?: CandescentRedisClient;
    loginInstitution?: CandescentAuthModuleOptions['loginInstitution'];
    http?: CandescentHttpOptions;
  } = {},
): ResolvedCandescentAuthOptions {
  const { retry, circuitBreaker, session, redis, ...topLevel } = CANDESCENT_AUTH_DEFAULTS;
  const { appName, appVersion, legacyPathPattern, ...plain } = withDefaults(topLevel, options);
  const institutions = (options.institutions ?? [{ ...options, id: DEFAULT_INSTITUTION_ID }]).map((institution) =>
    resolveInstitution(institution as CandescentInstitutionOptions, plain),
  );
  const [first] = institutions as [ResolvedCandescentInstitution];
  return {
    ...plain,
    ...institutionFields(first),
    institutions,
    institutionDefaults: { tokenServices: [...plain.tokenServices], scopes: [...plain.scopes] },
    userAgent: [appName, appVersion, options.deviceId].filter((part) => part !== undefined).join('/'),
    offeringId: options.offeringId,
    defaultExpiresInSeconds: options.defaultExpiresInSeconds,
    retry: withDefaults(retry, options.retry),
    circuitBreaker: {
      ...withDefaults(circuitBreaker, options.circuitBreaker),
      // The deprecated failureThreshold keeps working as the minimum (see its TSDoc).
      minimumCalls:
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- reading the old name is the migration
        options.circuitBreaker?.minimumCalls ?? options.circuitBreaker?.failureThreshold ?? circuitBreaker.minimumCalls,
    },
    legacyPathPattern: new RegExp(legacyPathPattern),
    session: withDefaults(session, options.session),
    store: owned.store ?? options.store,
    loginInstitution: owned.loginInstitution ?? options.loginInstitution,
    http: owned.http ?? options.http,
    redis: options.redis && {
      url: options.redis.url,
      client: owned.redisClient ?? options.redis.client,
      sentinels: options.redis.sentinels?.map(toSentinelAddress),
      name: options.redis.name,
      cluster: options.redis.cluster,
      username: options.redis.username,
      password: options.redis.password,
      tls: options.redis.tls && { ...options.redis.tls },
      sentinelUsername: options.redis.sentinelUsername,
      sentinelPassword: options.redis.sentinelPassword,
      sentinelTls: options.redis.sentinelTls && { ...options.redis.sentinelTls },
      encryptionKey: options.redis.encryptionKey,
      encryptionKeys: options.redis.encryptionKeys,
      keyPrefix: options.redis.keyPrefix ?? redis.keyPrefix,
    },
  };
}

/**
 * One institution with the module's defaults filled in (`tokenServices`, `scopes` and the
 * institution-token rule come from the module when the entry has none).
 */
export function resolveInstitution(
  institution: CandescentInstitutionOptions,
  moduleWide: { tokenServices: CandescentService[]; scopes: string[] },
): ResolvedCandescentInstitution {
  const baseUrl = institution.baseUrl.replace(/\/+$/, '');
  const tokenServices = [...(institution.tokenServices ?? moduleWide.tokenServices)];
  const shown = { id: institution.id, baseUrl, fiId: institution.fiId };
  // Printed (a log line, a debugger), it shows who it is, never the consumer secret.
  return redactWhenPrinted(
    {
      id: institution.id,
      baseUrl,
      origin: new URL(baseUrl).origin,
      consumerKey: institution.consumerKey,
      consumerSecret: institution.consumerSecret,
      fiId: institution.fiId,
      tokenServices,
      institutionTokenService: institution.institutionTokenService ?? (tokenServices.includes('v2') ? 'v2' : 'v1'),
      scopes: [...(institution.scopes ?? moduleWide.scopes)],
    },
    'CandescentInstitution',
    shown,
  );
}

/**
 * The module's options as one institution sees them: the module-wide settings with that
 * institution's gateway, credentials, FI id, services and scopes. What each institution's token
 * clients, caches and breakers are built from.
 */
export function optionsForInstitution(
  options: ResolvedCandescentAuthOptions,
  institution: ResolvedCandescentInstitution,
): ResolvedCandescentAuthOptions {
  return { ...options, ...institutionFields(institution) };
}

/** An institution's settings as the top-level options name them (everything but its id). */
function institutionFields(institution: ResolvedCandescentInstitution) {
  const { baseUrl, origin, consumerKey, consumerSecret, fiId, tokenServices, institutionTokenService, scopes } =
    institution;
  return { baseUrl, origin, consumerKey, consumerSecret, fiId, tokenServices, institutionTokenService, scopes };
}
