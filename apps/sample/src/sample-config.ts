import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import {
  readSampleInstitutions,
  type SampleInstitutionEntry,
  type SampleLoginService,
} from './institutions/sample-institutions';

export { tokenServicesFrom } from './institutions/sample-institutions';

// One `host:port` seed: a name or IPv4 address, or an IPv6 address in brackets.
const SEED = String.raw`\s*(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}\s*`;
// 32 bytes as 64 hex characters, or as base64 / base64url (43 characters and an optional pad).
const STORE_KEY = /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43}=?)$/;

/** The sample app's environment (see `.env.example`). */
export class SampleEnvironment {
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 3000 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /**
   * Several FIs: a JSON array of `{id, fiId, baseUrl, consumerKey, consumerSecret, tokenServices?,
   * loginService?}`, the first the default; instead of the four single-FI variables below.
   */
  @IsOptional()
  @IsString()
  CANDESCENT_INSTITUTIONS?: string;

  /** Unset (and no CANDESCENT_INSTITUTIONS): the embedded sandbox is started with its two demo FIs. */
  @IsOptional()
  @IsString()
  CANDESCENT_BASE_URL?: string;

  @IsOptional()
  @IsString()
  CANDESCENT_CONSUMER_KEY?: string;

  @IsOptional()
  @IsString()
  CANDESCENT_CONSUMER_SECRET?: string;

  @IsOptional()
  @IsString()
  CANDESCENT_FIID?: string;

  /** With CANDESCENT_INSTITUTIONS: what an institution without `tokenServices` or `loginService` uses. */
  @IsOptional()
  @IsIn(['v1', 'v2', 'both'])
  CANDESCENT_LOGIN_SERVICE: SampleLoginService = 'v2';

  @IsOptional()
  @IsString()
  CANDESCENT_APP_NAME?: string;

  @IsOptional()
  @IsString()
  CANDESCENT_APP_VERSION?: string;

  @IsOptional()
  @IsString()
  CANDESCENT_OFFERING_ID?: string;

  /** Space- or comma-separated V2 scopes. */
  @IsOptional()
  @IsString()
  CANDESCENT_SCOPES?: string;

  @IsOptional()
  @IsString()
  REDIS_URL?: string;

  /** Redis behind Sentinel: comma-separated `host:port` of the Sentinels, with REDIS_SENTINEL_NAME; not with REDIS_URL. */
  @IsOptional()
  @Matches(/^\s*[^\s,]+:\d{1,5}\s*(,\s*[^\s,]+:\d{1,5}\s*)*$/, {
    message: 'REDIS_SENTINELS must be comma-separated host:port pairs, e.g. 127.0.0.1:26379,127.0.0.1:26380',
  })
  REDIS_SENTINELS?: string;

  /** The master group name the Sentinels monitor (`sentinel monitor <name> ...`). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'REDIS_SENTINEL_NAME must be the master group name of sentinel.conf (letters, digits, . _ -)',
  })
  REDIS_SENTINEL_NAME?: string;

  /** Seeds of a Redis Cluster, `host:port` comma-separated; instead of REDIS_URL. */
  @IsOptional()
  @IsString()
  @Matches(new RegExp(`^${SEED}(?:,${SEED})*$`), {
    message: 'expected comma-separated host:port seeds of a Redis Cluster, e.g. 10.0.0.5:7000,10.0.0.6:7000',
  })
  REDIS_CLUSTER_NODES?: string;

  /** One key, or a comma-separated list newest first (key rotation). */
  @IsOptional()
  @IsString()
  CANDESCENT_STORE_KEY?: string;

  /** Required as `X-Api-Key` by the institution-token routes; unset: open on the embedded sandbox only. */
  @IsOptional()
  @IsString()
  SAMPLE_BACKOFFICE_KEY?: string;

  /** Express `trust proxy`: set it (e.g. `1` or `loopback`) behind a load balancer so `req.ip` is the client's. */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @IsOptional()
  @IsIn(['bearer', 'cookie'])
  SESSION_TRANSPORT: 'bearer' | 'cookie' = 'bearer';

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 10 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(10_000)
  LOGIN_RATE_LIMIT = 10;

  /** `1` or `true`: the OpenTelemetry SDK exports the module's spans and metrics (see telemetry/). */
  @IsOptional()
  @Transform(({ value }) => value === '1' || value === 'true' || value === true)
  OTEL_ENABLED = false;

  /** With OTEL_ENABLED: an OTLP/HTTP collector (e.g. http://127.0.0.1:4318); unset: Prometheus at /metrics. */
  @IsOptional()
  @IsString()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** With OTEL_ENABLED and no OTLP endpoint: the port of `/metrics`, on 127.0.0.1 and apart from PORT (0: any free one). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 9464 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 9464;

  /** Login attempts per minute per username (as typed, trimmed), whatever the client IP. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 5 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(10_000)
  LOGIN_USERNAME_RATE_LIMIT = 5;
}

/** Reads and checks the environment; every problem is listed in one error. */
export function readSampleEnvironment(env: Record<string, string | undefined>): SampleEnvironment {
  // Every declared field is an own property of an instance (ES2022 class fields), optional ones too.
  const known = Object.keys(new SampleEnvironment());
  const picked: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  const config = plainToInstance(SampleEnvironment, picked, { exposeDefaultValues: true });
  const errors = validateSync(config, { validationError: { target: false, value: false } });
  const lines = errors.map((e) => `  - ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
  lines.push(...redisProblems(config).map((problem) => `  - ${problem}`));
  lines.push(...institutionsProblems(config).map((problem) => `  - ${problem}`));
  if (config.OTEL_ENABLED && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT)
    lines.push(`  - METRICS_PORT: metrics have a port of their own; choose one other than PORT (${config.PORT})`);
  if (lines.length > 0) {
    throw new Error(`Invalid sample app environment:\n${lines.join('\n')}`);
  }
  return config;
}

/** The Redis variables together: one way to reach Redis, and keys that can work. Keys are never echoed. */
function redisProblems(config: SampleEnvironment): string[] {
  const problems: string[] = [];
  if ((config.REDIS_SENTINELS === undefined) !== (config.REDIS_SENTINEL_NAME === undefined))
    problems.push('REDIS_SENTINEL_NAME: set REDIS_SENTINELS and REDIS_SENTINEL_NAME together, or neither');
  const ways = (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter(
    (name) => config[name] !== undefined,
  );
  if (ways.length > 1) problems.push(`${ways.join(', ')}: set one of them, not ${ways.length}`);
  if (ways.length === 0) return problems;
  const keys = storeKeysFrom(config.CANDESCENT_STORE_KEY);
  if (keys.length === 0) {
    problems.push(
      `CANDESCENT_STORE_KEY: required with ${ways[0]}; 32 bytes as base64 or 64 hex characters (openssl rand -base64 32), or a comma-separated list of such keys, newest first`,
    );
  }
  keys.forEach((key, index) => {
    if (STORE_KEY.test(key)) return;
    const which = keys.length === 1 ? 'the key' : `key ${index + 1} of ${keys.length} (the first is the newest)`;
    problems.push(
      `CANDESCENT_STORE_KEY: ${which} is not 32 bytes as base64 or 64 hex characters; generate one with openssl rand -base64 32`,
    );
  });
  return problems;
}

const SINGLE_FI = [
  'CANDESCENT_BASE_URL',
  'CANDESCENT_CONSUMER_KEY',
  'CANDESCENT_CONSUMER_SECRET',
  'CANDESCENT_FIID',
] as const;

/** `CANDESCENT_INSTITUTIONS` well formed, and not together with the single-FI variables. */
function institutionsProblems(config: SampleEnvironment): string[] {
  if (config.CANDESCENT_INSTITUTIONS === undefined) return [];
  const problems = readSampleInstitutions(config.CANDESCENT_INSTITUTIONS).problems;
  const alsoSet = SINGLE_FI.filter((name) => config[name] !== undefined);
  if (alsoSet.length > 0) {
    problems.push(
      `CANDESCENT_INSTITUTIONS: set it or ${alsoSet.join(', ')}, not both; each institution has its own gateway, credentials and FI id`,
    );
  }
  return problems;
}

/**
 * The institutions of `CANDESCENT_INSTITUTIONS`, the first the default; undefined when it is unset
 * (one FI from the single-FI variables).
 */
export function sampleInstitutionsFrom(value: string | undefined): SampleInstitutionEntry[] | undefined {
  if (value === undefined) return undefined;
  const { institutions, problems } = readSampleInstitutions(value);
  if (problems.length > 0) throw new Error(`Invalid sample app environment:\n  - ${problems.join('\n  - ')}`);
  return institutions;
}

/** `CANDESCENT_STORE_KEY` as a list: one key, or several comma-separated, newest first. */
export function storeKeysFrom(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
}

/** `REDIS_CLUSTER_NODES` as the seed list the module takes. */
export function clusterSeedsFrom(value: string | undefined): string[] | undefined {
  const seeds = value
    ?.split(',')
    .map((seed) => seed.trim())
    .filter(Boolean);
  return seeds && seeds.length > 0 ? seeds : undefined;
}

/** Scopes from the environment, split on spaces or commas. */
export function scopesFrom(value: string | undefined): string[] | undefined {
  const scopes = value?.split(/[\s,]+/).filter(Boolean);
  return scopes && scopes.length > 0 ? scopes : undefined;
}
