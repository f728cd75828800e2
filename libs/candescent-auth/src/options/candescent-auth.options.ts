import type { CandescentRedisClient } from '../store/redis-client.interface';
import type { CandescentHttpOptions } from '../http/candescent-http.options';
import type { CandescentStore } from '../store/candescent-store.interface';
import type { CandescentLoginRequest } from '../session/candescent-session-cookies.service';
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { CandescentService } from '../errors/candescent-auth.error';
import { CandescentCircuitBreakerOptionsDto, CandescentRetryOptionsDto } from './resilience.options';
import { InstitutionFields } from './institution-fields';
import { CandescentRedisOptionsDto } from './redis.options';
import { CandescentSessionOptionsDto } from './session.options';

const PATH = /^\/[A-Za-z0-9._~\-/]*$/;

/**
 * One financial institution of a module that serves several (`institutions`), or of
 * `CandescentInstitutions.add()`: what identifies the FI and the app's registration with it.
 */
export class CandescentInstitutionOptionsDto {
  /** The app's own name for the institution (`'cu-north'`): what logins, sessions and calls name. */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
  id!: string;

  /** The FI's Candescent gateway URL; https unless the host is loopback. Institutions may share one. */
  @InstitutionFields.baseUrl()
  baseUrl!: string;

  /** The app's consumer key at this FI. */
  @InstitutionFields.consumerKey()
  consumerKey!: string;

  /** The app's consumer secret at this FI. Never logged, never part of an error. */
  @InstitutionFields.consumerSecret()
  consumerSecret!: string;

  /** The FI id, as a string: leading zeros matter (`00016`). */
  @InstitutionFields.fiId()
  fiId!: string;

  /** The token services the app uses at this FI. @default the module's `tokenServices` */
  @InstitutionFields.tokenServices()
  tokenServices?: CandescentService[];

  /** The service that issues this FI's institution token. @default the module's rule */
  @InstitutionFields.institutionTokenService()
  institutionTokenService?: CandescentService;

  /** V2 scopes at this FI. @default the module's `scopes` */
  @InstitutionFields.scopes()
  scopes?: string[];
}

/**
 * Options of `CandescentAuthModule`. Validated once at start-up; an invalid set stops the
 * application with one `CandescentConfigurationError` listing every bad field.
 *
 * Defaults are written once, in `CANDESCENT_AUTH_DEFAULTS` (candescent-auth.defaults.ts); the
 * `@default` tags here and in the nested options' classes repeat them, and a test keeps them equal.
 */
export class CandescentAuthOptionsDto {
  /**
   * The FI's Candescent gateway URL, e.g. `https://api.candescent.com` or
   * `https://api.candescent.com/digitalbanking`. https is required unless the host is loopback.
   * Required unless `institutions` is given.
   */
  @InstitutionFields.baseUrl()
  baseUrl?: string;

  /** The app's consumer key (also called client id or shared key). Required unless `institutions` is given. */
  @InstitutionFields.consumerKey()
  consumerKey?: string;

  /** The app's consumer secret. Never logged, never part of an error. Required unless `institutions` is given. */
  @InstitutionFields.consumerSecret()
  consumerSecret?: string;

  /**
   * The financial institution id, as a string: leading zeros matter (`00016`). Required unless
   * `institutions` is given.
   */
  @InstitutionFields.fiId()
  fiId?: string;

  /**
   * The token services the app uses. With both, customer login obtains a V1 and a V2 token set
   * in one step and outgoing calls pick the token by path. With `institutions`, what each entry
   * uses unless it says otherwise.
   * @default ['v2']
   */
  @InstitutionFields.tokenServices()
  tokenServices?: CandescentService[];

  /**
   * Several financial institutions served by this one module, the first being the default (what
   * a call or login that names none uses). Each has its own gateway, app credentials, FI id,
   * token services and scopes; everything else (store, sessions, resilience, context, cookies)
   * is module-wide. Give either this list or `baseUrl`, `consumerKey`, `consumerSecret` and
   * `fiId` (one institution, named `'default'`). `CandescentInstitutions` changes the list at
   * run time.
   */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => CandescentInstitutionOptionsDto)
  institutions?: CandescentInstitutionOptionsDto[];

  /**
   * The service that issues the institution (client_credentials) token.
   * @default 'v2' when enabled, else 'v1'
   */
  @InstitutionFields.institutionTokenService()
  institutionTokenService?: CandescentService;

  /**
   * Path of the V1 token endpoint below `baseUrl`.
   * @default '/v1/oauth/token'
   */
  @IsOptional()
  @IsString()
  @Matches(PATH)
  v1TokenPath?: string;

  /**
   * Path of the V2 token endpoint below `baseUrl`.
   * @default '/oauth2/v1/token'
   */
  @IsOptional()
  @IsString()
  @Matches(PATH)
  v2TokenPath?: string;

  /**
   * Path of the V2 revocation endpoint below `baseUrl`.
   * @default '/oauth2/v1/revoke'
   */
  @IsOptional()
  @IsString()
  @Matches(PATH)
  v2RevokePath?: string;

  /**
   * First part of the user-agent, `{appName}/{appVersion}[/{deviceId}]`.
   * @default 'CandescentNestAuth'
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  appName?: string;

  /**
   * Second part of the user-agent.
   * @default '1.0'
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,32}$/)
  appVersion?: string;

  /** Optional device id, third part of the user-agent. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  deviceId?: string;

  /** Sent as `offering_id` (V1) when set; Candescent derives it from the app otherwise. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/)
  offeringId?: string;

  /**
   * V2 scopes to request, e.g. `['accounts:read']`. Empty means every scope the app has.
   * @default []
   */
  @InstitutionFields.scopes()
  scopes?: string[];

  /**
   * Timeout of one attempt of a token request (all attempts together are bounded by
   * `requestDeadlineMs`), and the axios `timeout` of every call through `CandescentHttpService`
   * (banking calls; a call's own `timeout` replaces it).
   * @default 10000
   */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  requestTimeoutMs?: number;

  /**
   * Overall deadline of one token request, retries included.
   * @default 30000
   */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(600_000)
  requestDeadlineMs?: number;

  /**
   * Tokens are renewed this long before they expire at most...
   * @default 60000
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  tokenRefreshWindowMs?: number;

  /**
   * ...and at most this fraction of their lifetime before, so a 60 s token is not renewed
   * every second.
   * @default 0.2
   */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(0.9)
  tokenRefreshFraction?: number;

  /**
   * Random share of the refresh window taken off per token, so that instances do not all
   * renew at the same instant.
   * @default 0.1
   */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  tokenRefreshJitter?: number;

  /**
   * Lifetime assumed when a success response has no usable `expires_in`. Unset: such a
   * response is a protocol error (a token is never treated as everlasting).
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  defaultExpiresInSeconds?: number;

  /**
   * Longer lifetimes are clamped to this.
   * @default 2678400 (31 days)
   */
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(31_536_000)
  maxExpiresInSeconds?: number;

  /**
   * After a refused token (institution or customer) was replaced, a replacement that is refused
   * too before it ever worked is not replaced again for this long (the call is refused, not the
   * token). A customer token's refusal is recorded with its session in the store, so it holds
   * for every instance; an institution token's is kept per instance.
   * @default 10000
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600_000)
  tokenRefusalCooldownMs?: number;

  /** Retries of token requests. */
  @IsOptional()
  @ValidateNested()
  @Type(() => CandescentRetryOptionsDto)
  retry?: CandescentRetryOptionsDto;

  /** The circuit breaker of each token service. */
  @IsOptional()
  @ValidateNested()
  @Type(() => CandescentCircuitBreakerOptionsDto)
  circuitBreaker?: CandescentCircuitBreakerOptionsDto;

  /**
   * How long a rejection of the app's own credentials is remembered, so that a wrong secret
   * does not send a token request per caller.
   * @default 5000
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600_000)
  invalidClientCacheMs?: number;

  /**
   * With both token services configured: outgoing paths (below `baseUrl`) matching this regular
   * expression use the V1 token and headers, all others V2.
   * @default '^/v1/|/fis/[^/]+/'
   */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  legacyPathPattern?: string;

  /** Customer sessions. */
  @IsOptional()
  @ValidateNested()
  @Type(() => CandescentSessionOptionsDto)
  session?: CandescentSessionOptionsDto;

  /** Keep sessions in Redis instead of process memory (needed with more than one instance). */
  @IsOptional()
  @ValidateNested()
  @Type(() => CandescentRedisOptionsDto)
  redis?: CandescentRedisOptionsDto;
}

/** Plain-object form of an options class: what callers write (an object literal, not an instance). */
type Plain<T> = {
  [K in keyof T]: T[K] extends (infer U)[] ? U[] : T[K] extends object | undefined ? Plain<T[K]> : T[K];
};

/** Redis for sessions shared by several instances. */
export type CandescentRedisOptions = Plain<CandescentRedisOptionsDto> & {
  /**
   * An ioredis client (`Redis` or `Cluster`) your app owns, instead of `url`, `sentinels` or
   * `cluster`: the module uses it and never quits it. A client configured for Sentinel
   * (`new Redis({ sentinels, name })`) follows a failover too. Exactly one of `url`,
   * `sentinels`, `cluster` and `client`.
   */
  client?: CandescentRedisClient;
};

/**
 * Options of `CandescentAuthModule.forRoot()` / the factory of `forRootAsync()`.
 * One FI (`baseUrl`, `consumerKey`, `consumerSecret`, `fiId`) or several (`institutions`).
 */
export type CandescentAuthModuleOptions = Omit<Plain<CandescentAuthOptionsDto>, 'redis'> & {
  /** Keep sessions in Redis instead of process memory (needed with more than one instance). */
  redis?: CandescentRedisOptions;
  /**
   * A store of your own for sessions and shared token state (see `CandescentStore` for what it
   * must guarantee), instead of the in-memory store or `redis`. Your app owns it: the module
   * does not close it.
   * @default an in-memory store, or Redis when `redis` is set
   */
  store?: CandescentStore;
  /**
   * Which institution (its id) a login request is for, read from the request as your app
   * sends it: a body field, a header, the host, a route parameter. `CandescentSessionCookies.loginContext()`
   * asks it when the login names no institution itself; undefined means the default (the first).
   * An id the module does not serve is refused with 400 `UNKNOWN_INSTITUTION`.
   * @example (request) => request.body?.institution ?? request.headers['x-institution']
   */
  loginInstitution?: (request: CandescentLoginRequest) => string | undefined;
  /**
   * Connection settings of the module's axios instances, for token requests and calls through
   * `CandescentHttpService` alike: `httpsAgent` (mutual TLS, a private CA, keep-alive),
   * `httpAgent`, `proxy` (see `CandescentHttpOptions`).
   * @default Node's global agents; axios's proxy handling (HTTP_PROXY / HTTPS_PROXY / NO_PROXY)
   */
  http?: CandescentHttpOptions;
};
/** One institution of a module that serves several (see `institutions`). */
export type CandescentInstitutionOptions = Plain<CandescentInstitutionOptionsDto>;
/** Retries of token requests. */
export type CandescentRetryOptions = Plain<CandescentRetryOptionsDto>;
/** The circuit breaker of each token service. */
export type CandescentCircuitBreakerOptions = Plain<CandescentCircuitBreakerOptionsDto>;
/** Customer sessions. */
export type CandescentSessionOptions = Plain<CandescentSessionOptionsDto>;
