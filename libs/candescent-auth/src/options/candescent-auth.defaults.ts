import type { CandescentHttpOptions } from '../http/candescent-http.options';
import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentRedisClient } from '../store/redis-client.interface';
import { type CandescentSentinelAddress, toSentinelAddress } from '../store/sentinel-address';
import type { CandescentService } from '../errors/candescent-auth.error';
import type {
  CandescentAuthModuleOptions,
  CandescentCircuitBreakerOptions,
  CandescentInstitutionOptions,
  CandescentRedisOptions,
  CandescentRetryOptions,
  CandescentSessionOptions,
  DefaultedOptions,
} from './candescent-auth.options';
import type { CircuitBreakerSettings } from '../resilience/circuit-breaker';
import { redactWhenPrinted } from '../logging/redacted-when-printed';
import { declaredDefaults } from './option.decorator';
import { CandescentAuthModuleOptionsDto } from './module.options';

/** `T` with each option that has a default set. */
type WithDefaults<N extends keyof DefaultedOptions, T> = Omit<T, DefaultedOptions[N]> &
  Required<Pick<T, DefaultedOptions[N] & keyof T>>;

/** The options as validated: every declared default merged in, at every depth. */
export type MergedCandescentAuthOptions = Omit<
  WithDefaults<'CandescentAuthModuleOptions', CandescentAuthModuleOptions>,
  'retry' | 'circuitBreaker' | 'session' | 'redis' | 'institutions'
> & {
  institutions?: WithDefaults<'CandescentInstitutionOptions', CandescentInstitutionOptions>[];
  retry: WithDefaults<'CandescentRetryOptions', CandescentRetryOptions>;
  circuitBreaker: WithDefaults<'CandescentCircuitBreakerOptions', CandescentCircuitBreakerOptions>;
  session: WithDefaults<'CandescentSessionOptions', CandescentSessionOptions>;
  redis?: WithDefaults<'CandescentRedisOptions', CandescentRedisOptions>;
};

/**
 * Every option's default, as the declaration (module.options.ts and the files beside it) gives
 * it: what options that set nothing become. For readers (the Swagger schemes, tests); the
 * module merges the defaults in `validateOptions`.
 */
export const CANDESCENT_AUTH_DEFAULTS = declaredDefaults(CandescentAuthModuleOptionsDto) as Readonly<
  Omit<MergedCandescentAuthOptions, 'redis'>
>;

/** Options the resolved options keep as they are (the others are turned into something else). */
type PlainOptions = Omit<
  CandescentAuthModuleOptions,
  | keyof ResolvedCandescentInstitution
  | 'institutions'
  | 'appName'
  | 'appVersion'
  | 'deviceId'
  | 'legacyPathPattern'
  | 'retry'
  | 'circuitBreaker'
  | 'session'
  | 'redis'
  | 'store'
  | 'loginInstitution'
> &
  Required<
    Pick<
      CandescentAuthModuleOptions,
      Exclude<
        DefaultedOptions['CandescentAuthModuleOptions'],
        | 'appName'
        | 'appVersion'
        | 'legacyPathPattern'
        | 'retry'
        | 'circuitBreaker'
        | 'session'
        | keyof ResolvedCandescentInstitution
      >
    >
  >;

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
export interface ResolvedCandescentAuthOptions extends PlainOptions, Omit<ResolvedCandescentInstitution, 'id'> {
  /** Every institution, the default (what a call or login that names none uses) first. */
  institutions: ResolvedCandescentInstitution[];
  /** The id of the institution the fields at the top describe (the default, or one institution's view). */
  institutionId: string;
  /** What an institution that names no token services or scopes of its own uses. */
  institutionDefaults: { tokenServices: CandescentService[]; scopes: string[] };
  userAgent: string;
  retry: Required<CandescentRetryOptions>;
  circuitBreaker: CircuitBreakerSettings;
  legacyPathPattern: RegExp;
  session: Required<CandescentSessionOptions>;
  /** Exactly one of `encryptionKey` and `encryptionKeys` (newest first) is set. */
  redis?: Omit<CandescentRedisOptions, 'sentinels' | 'keyPrefix' | 'failoverDeadlineMs'> & {
    sentinels?: CandescentSentinelAddress[];
    keyPrefix: string;
    failoverDeadlineMs: number;
  };
  /** The app's own store, when given. */
  store?: CandescentStore;
  /** Which institution a login request is for, when the app said how. */
  loginInstitution?: CandescentAuthModuleOptions['loginInstitution'];
  /** The app's connection settings for the module's axios instances. */
  http?: CandescentHttpOptions;
}

/** `value` without `keys`. */
function without<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Omit<T, K> {
  const names = new Set<PropertyKey>(keys);
  return Object.fromEntries(Object.entries(value).filter(([key]) => !names.has(key))) as Omit<T, K>;
}

/** Turns validated options, defaults merged in, into what the module reads; once, at start-up. */
export function resolveOptions(
  options: MergedCandescentAuthOptions,
  /** What the app owns and hands over as it is (never copied or validated field by field). */
  owned: {
    store?: CandescentStore;
    redisClient?: CandescentRedisClient;
    loginInstitution?: CandescentAuthModuleOptions['loginInstitution'];
    http?: CandescentHttpOptions;
  } = {},
): ResolvedCandescentAuthOptions {
  const { institutions: listed, appName, appVersion, deviceId, legacyPathPattern, retry, session, redis } = options;
  const plain = without(options, [
    ...(['institutions', 'appName', 'appVersion', 'deviceId', 'legacyPathPattern', 'retry', 'session'] as const),
    ...([
      'circuitBreaker',
      'redis',
      'store',
      'loginInstitution',
      'http',
      'baseUrl',
      'consumerKey',
      'consumerSecret',
    ] as const),
    'fiId',
  ]);
  const institutionDefaults = { tokenServices: [...options.tokenServices], scopes: [...options.scopes] };
  const institutions = (listed ?? [{ ...options, id: DEFAULT_INSTITUTION_ID }]).map((institution) =>
    resolveInstitution(institution as CandescentInstitutionOptions, institutionDefaults),
  );
  const [first] = institutions as [ResolvedCandescentInstitution];
  return {
    ...plain,
    ...institutionFields(first),
    institutions,
    institutionDefaults,
    userAgent: [appName, appVersion, deviceId].filter((part) => part !== undefined).join('/'),
    retry: { ...retry },
    // The deprecated failureThreshold was read into minimumCalls.
    circuitBreaker: without(options.circuitBreaker, ['failureThreshold']),
    legacyPathPattern: new RegExp(legacyPathPattern),
    session: { ...session },
    store: owned.store,
    loginInstitution: owned.loginInstitution,
    http: owned.http,
    redis: redis && {
      ...redis,
      client: owned.redisClient,
      sentinels: redis.sentinels?.map(toSentinelAddress),
      tls: redis.tls && { ...redis.tls },
      sentinelTls: redis.sentinelTls && { ...redis.sentinelTls },
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

/** An institution's settings as the top-level options name them (its id as `institutionId`). */
function institutionFields(institution: ResolvedCandescentInstitution) {
  const { id, baseUrl, origin, consumerKey, consumerSecret, fiId, tokenServices, institutionTokenService, scopes } =
    institution;
  const institutionId = id;
  return {
    institutionId,
    baseUrl,
    origin,
    consumerKey,
    consumerSecret,
    fiId,
    tokenServices,
    institutionTokenService,
    scopes,
  };
}
