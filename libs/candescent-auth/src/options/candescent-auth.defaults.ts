import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentRedisClient, CandescentRedisClusterOptions } from '../store/redis-client.interface';
import type { CandescentService } from '../errors/candescent-auth.error';
import { DEFAULT_LEGACY_PATH_PATTERN } from '../http/service-for-path';
import type { CandescentAuthModuleOptions } from './candescent-auth.options';
import type { CircuitBreakerSettings } from '../resilience/circuit-breaker';

/** The options with every default filled in; what the rest of the module reads. */
export interface ResolvedCandescentAuthOptions {
  baseUrl: string;
  /** `baseUrl`'s origin, the only origin that ever receives Candescent credentials. */
  origin: string;
  consumerKey: string;
  consumerSecret: string;
  fiId: string;
  tokenServices: CandescentService[];
  institutionTokenService: CandescentService;
  v1TokenPath: string;
  v2TokenPath: string;
  v2RevokePath: string;
  userAgent: string;
  offeringId?: string;
  scopes: string[];
  requestTimeoutMs: number;
  requestDeadlineMs: number;
  tokenRefreshWindowMs: number;
  tokenRefreshFraction: number;
  tokenRefreshJitter: number;
  defaultExpiresInSeconds?: number;
  maxExpiresInSeconds: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  circuitBreaker: CircuitBreakerSettings;
  invalidClientCacheMs: number;
  tokenRefusalCooldownMs: number;
  legacyPathPattern: RegExp;
  session: {
    transport: 'bearer' | 'cookie';
    cookieName: string;
    cookieSameSite: 'strict' | 'lax';
    csrfHeaderName: string;
    idleTimeoutMs: number;
    absoluteTimeoutMs: number;
    maxSessionsPerAccount: number;
  };
  redis?: {
    url?: string;
    client?: CandescentRedisClient;
    cluster?: CandescentRedisClusterOptions;
    /** Exactly one of `encryptionKey` and `encryptionKeys` (newest first) is set. */
    encryptionKey?: string;
    encryptionKeys?: string[];
    keyPrefix: string;
  };
  /** The app's own store, when given. */
  store?: CandescentStore;
}

/** Merges defaults into validated options, once, at start-up. */
export function resolveOptions(
  options: CandescentAuthModuleOptions,
  /** What the app owns and hands over as it is (never copied or validated field by field). */
  owned: { store?: CandescentStore; redisClient?: CandescentRedisClient } = {},
): ResolvedCandescentAuthOptions {
  const tokenServices = options.tokenServices ?? ['v2'];
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const userAgent = [options.appName ?? 'CandescentNestAuth', options.appVersion ?? '1.0', options.deviceId]
    .filter((part): part is string => part !== undefined)
    .join('/');
  return {
    baseUrl,
    origin: new URL(baseUrl).origin,
    consumerKey: options.consumerKey,
    consumerSecret: options.consumerSecret,
    fiId: options.fiId,
    tokenServices,
    institutionTokenService: options.institutionTokenService ?? (tokenServices.includes('v2') ? 'v2' : 'v1'),
    v1TokenPath: options.v1TokenPath ?? '/v1/oauth/token',
    v2TokenPath: options.v2TokenPath ?? '/oauth2/v1/token',
    v2RevokePath: options.v2RevokePath ?? '/oauth2/v1/revoke',
    userAgent,
    offeringId: options.offeringId,
    scopes: options.scopes ?? [],
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    requestDeadlineMs: options.requestDeadlineMs ?? 30_000,
    tokenRefreshWindowMs: options.tokenRefreshWindowMs ?? 60_000,
    tokenRefreshFraction: options.tokenRefreshFraction ?? 0.2,
    tokenRefreshJitter: options.tokenRefreshJitter ?? 0.1,
    defaultExpiresInSeconds: options.defaultExpiresInSeconds,
    maxExpiresInSeconds: options.maxExpiresInSeconds ?? 2_678_400,
    retry: {
      maxAttempts: options.retry?.maxAttempts ?? 3,
      baseDelayMs: options.retry?.baseDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
    },
    circuitBreaker: {
      failureRateThreshold: options.circuitBreaker?.failureRateThreshold ?? 50,
      // The deprecated failureThreshold keeps working as the minimum (see its TSDoc).
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- reading the old name is the migration
      minimumCalls: options.circuitBreaker?.minimumCalls ?? options.circuitBreaker?.failureThreshold ?? 10,
      slidingWindowMs: options.circuitBreaker?.slidingWindowMs ?? 60_000,
      resetTimeoutMs: options.circuitBreaker?.resetTimeoutMs ?? 30_000,
      halfOpenProbes: options.circuitBreaker?.halfOpenProbes ?? 3,
    },
    invalidClientCacheMs: options.invalidClientCacheMs ?? 5_000,
    tokenRefusalCooldownMs: options.tokenRefusalCooldownMs ?? 10_000,
    legacyPathPattern: new RegExp(options.legacyPathPattern ?? DEFAULT_LEGACY_PATH_PATTERN),
    session: {
      transport: options.session?.transport ?? 'bearer',
      cookieName: options.session?.cookieName ?? '__Host-candescent_session',
      cookieSameSite: options.session?.cookieSameSite ?? 'strict',
      csrfHeaderName: options.session?.csrfHeaderName ?? 'x-csrf-token',
      idleTimeoutMs: options.session?.idleTimeoutMs ?? 900_000,
      absoluteTimeoutMs: options.session?.absoluteTimeoutMs ?? 43_200_000,
      maxSessionsPerAccount: options.session?.maxSessionsPerAccount ?? 10,
    },
    store: owned.store ?? options.store,
    redis: options.redis && {
      url: options.redis.url,
      client: owned.redisClient ?? options.redis.client,
      cluster: options.redis.cluster,
      encryptionKey: options.redis.encryptionKey,
      encryptionKeys: options.redis.encryptionKeys,
      keyPrefix: options.redis.keyPrefix ?? 'candescent:',
    },
  };
}
