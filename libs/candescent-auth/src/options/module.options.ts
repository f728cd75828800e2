/*
 * The declaration of the module's options: each option is declared once, as a property of an
 * options class here or in institution-fields.ts, session.options.ts, resilience.options.ts,
 * redis.options.ts. Its
 * property type is its type, its TSDoc what the options reference says it does, its
 * class-validator decorators what it must be, and `@Option({ ... })` (or `@Nested` for a group)
 * its default (or `optional: true` / `required`) and the words of the start-up error.
 * Validation, the merged defaults, the public interfaces (candescent-auth.options.ts) and
 * docs/options.md are all derived from it.
 *
 * Adding an option:
 *   1. Add the property to its options class: TSDoc, class-validator decorators, and
 *      `@Option({ default: ... | optional: true, expected: '...' })`.
 *   2. `npm run options:update` (rewrites candescent-auth.options.ts and docs/options.md).
 *   3. Read it where it is used (`ResolvedCandescentAuthOptions` carries it), and test what it does;
 *      options.declaration.spec.ts checks it has a marker, words and docs.
 * A rule between options goes in option-problems.ts.
 */
import { type CandescentHttpOptions, HTTP_OPTIONS_EXPECTED, httpOptionsValid } from '../http/candescent-http.options';
import type { CandescentLoginRequest } from '../session/candescent-session-cookies.service';
import type { CandescentStore } from '../store/candescent-store.interface';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { CandescentService } from '../errors/candescent-auth.error';
import { CandescentCircuitBreakerOptionsDto, CandescentRetryOptionsDto } from './resilience.options';
import { CandescentInstitutionOptionsDto, InstitutionFields, institutionService } from './institution-fields';
import { hasMethods, Nested, Option } from './option.decorator';
import { CandescentRedisOptionsDto, REDIS_EXPECTED } from './redis.options';
import { CandescentSessionOptionsDto } from './session.options';

const PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const USER_AGENT_PART = 'letters, digits, dot, underscore or dash';

/**
 * Options of `CandescentAuthModule.forRoot()` / the factory of `forRootAsync()`: one FI
 * (`baseUrl`, `consumerKey`, `consumerSecret`, `fiId`) or several (`institutions`). Validated
 * once at start-up; an invalid set stops the application with one `CandescentConfigurationError`
 * listing every bad field.
 */
export class CandescentAuthModuleOptionsDto {
  /**
   * Several financial institutions served by this one module, the first being the default (what
   * a call or login that names none uses). Each has its own gateway, app credentials, FI id,
   * token services and scopes; everything else (store, sessions, resilience, context, cookies)
   * is module-wide. Give either this list or `baseUrl`, `consumerKey`, `consumerSecret` and
   * `fiId` (one institution, named `'default'`). `CandescentInstitutions` changes the list at
   * run time.
   */
  @Nested(() => CandescentInstitutionOptionsDto, {
    each: true,
    optional: true,
    expected:
      'a list of 1 to 10000 institutions { id, baseUrl, consumerKey, consumerSecret, fiId, tokenServices?, institutionTokenService?, scopes? }',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  institutions?: CandescentInstitutionOptionsDto[];

  /**
   * Which institution (its id) a login request is for, read from the request as your app
   * sends it: a body field, a header, the host, a route parameter. `CandescentSessionCookies.loginContext()`
   * asks it when the login names no institution itself; undefined means the default (the first).
   * An id the module does not serve is refused with 400 `UNKNOWN_INSTITUTION`.
   * @example (request) => request.body?.institution ?? request.headers['x-institution']
   */
  @Option({
    optional: true,
    owned: (value) => typeof value === 'function',
    expected: 'a function (request) => institution id or undefined',
  })
  loginInstitution?: (request: CandescentLoginRequest) => string | undefined;

  /**
   * Connection settings of the module's axios instances, for token requests and calls through
   * `CandescentHttpService` alike: `httpsAgent` (mutual TLS, a private CA, keep-alive),
   * `httpAgent`, `proxy` (see `CandescentHttpOptions`). Your app owns the agents: the
   * module does not destroy them. Without it: Node's global agents, and axios's own proxy
   * handling (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`).
   */
  @Option({ optional: true, owned: httpOptionsValid, expected: HTTP_OPTIONS_EXPECTED })
  http?: CandescentHttpOptions;

  /**
   * The FI's Candescent gateway URL, e.g. `https://api.candescent.com` or
   * `https://api.candescent.com/digitalbanking`. https is required unless the host is loopback.
   */
  @Option({ required: 'unless `institutions` is given' })
  @InstitutionFields.baseUrl()
  baseUrl?: string;

  /** The app's consumer key (also called client id or shared key). */
  @Option({ required: 'unless `institutions` is given' })
  @InstitutionFields.consumerKey()
  consumerKey?: string;

  /** The app's consumer secret. Never logged, never part of an error. */
  @Option({ required: 'unless `institutions` is given' })
  @InstitutionFields.consumerSecret()
  consumerSecret?: string;

  /** The financial institution id, as a string: leading zeros matter (`00016`). */
  @Option({ required: 'unless `institutions` is given' })
  @InstitutionFields.fiId()
  fiId?: string;

  /**
   * The token services the app uses. With both, customer login obtains a V1 and a V2 token set
   * in one step and outgoing calls pick the token by path. With `institutions`, what each entry
   * uses unless it says otherwise.
   */
  @Option({ default: ['v2'] })
  @InstitutionFields.tokenServices()
  tokenServices?: CandescentService[];

  /** The service that issues the institution (client_credentials) token. */
  @Option({ default: institutionService, defaultText: "`'v2'` when enabled, else `'v1'`" })
  @InstitutionFields.institutionTokenService()
  institutionTokenService?: CandescentService;

  /** Path of the V1 token endpoint below `baseUrl`. */
  @Option({ default: '/v1/oauth/token', expected: "a path starting with '/' (e.g. '/v1/oauth/token')" })
  @IsString()
  @Matches(PATH)
  v1TokenPath?: string;

  /** Path of the V2 token endpoint below `baseUrl`. */
  @Option({ default: '/oauth2/v1/token', expected: "a path starting with '/' (e.g. '/oauth2/v1/token')" })
  @IsString()
  @Matches(PATH)
  v2TokenPath?: string;

  /** Path of the V2 revocation endpoint below `baseUrl`. */
  @Option({ default: '/oauth2/v1/revoke', expected: "a path starting with '/' (e.g. '/oauth2/v1/revoke')" })
  @IsString()
  @Matches(PATH)
  v2RevokePath?: string;

  /** First part of the user-agent, `{appName}/{appVersion}[/{deviceId}]`. */
  @Option({ default: 'CandescentNestAuth', expected: `${USER_AGENT_PART}, 1-64 characters` })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  appName?: string;

  /** Second part of the user-agent. */
  @Option({ default: '1.0', expected: `${USER_AGENT_PART}, 1-32 characters` })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,32}$/)
  appVersion?: string;

  /** Optional device id, third part of the user-agent. */
  @Option({ optional: true, expected: `${USER_AGENT_PART}, 1-64 characters` })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  deviceId?: string;

  /** Sent as `offering_id` (V1) when set; Candescent derives it from the app otherwise. */
  @Option({ optional: true, expected: 'letters, digits, dot, colon, underscore or dash, 1-128 characters' })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/)
  offeringId?: string;

  /** V2 scopes to request, e.g. `['accounts:read']`. Empty means every scope the app has. */
  @Option({ default: [] })
  @InstitutionFields.scopes()
  scopes?: string[];

  /** Timeout of one token request attempt. */
  @Option({ default: 10_000, expected: 'a whole number of milliseconds from 100 to 120000' })
  @IsInt()
  @Min(100)
  @Max(120_000)
  requestTimeoutMs?: number;

  /** Overall deadline of one token request, retries included. */
  @Option({
    default: 30_000,
    expected: 'a whole number of milliseconds from 100 to 600000, not below requestTimeoutMs',
  })
  @IsInt()
  @Min(100)
  @Max(600_000)
  requestDeadlineMs?: number;

  /** Tokens are renewed this long before they expire at most... */
  @Option({ default: 60_000, expected: 'a whole number of milliseconds from 0 to 3600000' })
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  tokenRefreshWindowMs?: number;

  /**
   * ...and at most this fraction of their lifetime before, so a 60 s token is not renewed
   * every second.
   */
  @Option({ default: 0.2, expected: 'a number from 0 to 0.9' })
  @IsNumber()
  @Min(0)
  @Max(0.9)
  tokenRefreshFraction?: number;

  /**
   * Random share of the refresh window taken off per token, so that instances do not all
   * renew at the same instant. A customer session's share comes from its id: the same on every
   * instance, different between sessions opened together.
   */
  @Option({ default: 0.1, expected: 'a number from 0 to 1' })
  @IsNumber()
  @Min(0)
  @Max(1)
  tokenRefreshJitter?: number;

  /**
   * Lifetime assumed when a success response has no usable `expires_in`. Unset: such a
   * response is a protocol error (a token is never treated as everlasting).
   */
  @Option({ optional: true, expected: 'a whole number of seconds from 1 to 86400' })
  @IsInt()
  @Min(1)
  @Max(86_400)
  defaultExpiresInSeconds?: number;

  /** Longer lifetimes are clamped to this (the default is 31 days). */
  @Option({ default: 2_678_400, expected: 'a whole number of seconds from 60 to 31536000' })
  @IsInt()
  @Min(60)
  @Max(31_536_000)
  maxExpiresInSeconds?: number;

  /**
   * After a refused token (institution or customer) was replaced, a replacement that is refused
   * too before it ever worked is not replaced again for this long (the call is refused, not the
   * token). A customer token's refusal is recorded with its session in the store, so it holds
   * for every instance; an institution token's is kept per instance.
   */
  @Option({ default: 10_000, expected: 'a whole number of milliseconds from 0 to 600000' })
  @IsInt()
  @Min(0)
  @Max(600_000)
  tokenRefusalCooldownMs?: number;

  /** Retries of token requests. */
  @Nested(() => CandescentRetryOptionsDto)
  retry?: CandescentRetryOptionsDto;

  /** The circuit breaker of each token service. */
  @Nested(() => CandescentCircuitBreakerOptionsDto)
  circuitBreaker?: CandescentCircuitBreakerOptionsDto;

  /**
   * How long a rejection of the app's own credentials is remembered, so that a wrong secret
   * does not send a token request per caller.
   */
  @Option({ default: 5_000, expected: 'a whole number of milliseconds from 0 to 600000' })
  @IsInt()
  @Min(0)
  @Max(600_000)
  invalidClientCacheMs?: number;

  /**
   * With both token services configured: outgoing paths (below `baseUrl`) matching this regular
   * expression use the V1 token and headers, all others V2. Legacy V1 APIs live under `/v1/...`
   * or have a `/fis/{fiid}/` segment.
   */
  @Option({ default: '^/v1/|/fis/[^/]+/', expected: 'a valid regular expression (at most 512 characters)' })
  @IsString()
  @MaxLength(512)
  legacyPathPattern?: string;

  /** Customer sessions. */
  @Nested(() => CandescentSessionOptionsDto)
  session?: CandescentSessionOptionsDto;

  /** Keep sessions in Redis instead of process memory (needed with more than one instance). */
  @Nested(() => CandescentRedisOptionsDto, { optional: true, expected: REDIS_EXPECTED })
  redis?: CandescentRedisOptionsDto;

  /**
   * A store of your own for sessions and shared token state (see `CandescentStore` for what it
   * must guarantee), instead of the in-memory store or `redis`. Your app owns it: the module
   * does not close it. Without it, an in-memory store, or Redis when `redis` is set.
   */
  @Option({
    optional: true,
    owned: (value) => hasMethods(value, ['get', 'set', 'delete', 'acquireLock', 'replaceIfLocked', 'releaseLock']),
    expected:
      'an object with the CandescentStore methods (get, set, delete, acquireLock, replaceIfLocked, releaseLock), and no redis option beside it',
  })
  store?: CandescentStore;
}
