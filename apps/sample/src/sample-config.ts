import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

/** The sample app's environment (see `.env.example`). */
export class SampleEnvironment {
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 3000 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** Unset: the embedded sandbox is started and its URL and credentials are used. */
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

  @IsOptional()
  @IsIn(['v1', 'v2', 'both'])
  CANDESCENT_LOGIN_SERVICE: 'v1' | 'v2' | 'both' = 'v2';

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

  /** Login attempts per minute per username (case-insensitive), whatever the client IP. */
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
  lines.push(...redisChoiceProblems(config).map((problem) => `  - ${problem}`));
  if (lines.length > 0) throw new Error(`Invalid sample app environment:\n${lines.join('\n')}`);
  return config;
}

/** One way to reach Redis at most, and a Sentinel group name exactly when there are Sentinels. */
function redisChoiceProblems(config: SampleEnvironment): string[] {
  const problems: string[] = [];
  if ((config.REDIS_SENTINELS === undefined) !== (config.REDIS_SENTINEL_NAME === undefined))
    problems.push('REDIS_SENTINEL_NAME: set REDIS_SENTINELS and REDIS_SENTINEL_NAME together, or neither');
  if (config.REDIS_SENTINELS !== undefined && config.REDIS_URL !== undefined)
    problems.push('REDIS_URL: set REDIS_URL (one Redis server) or REDIS_SENTINELS (Redis behind Sentinel), not both');
  return problems;
}

/** Scopes from the environment, split on spaces or commas. */
export function scopesFrom(value: string | undefined): string[] | undefined {
  const scopes = value?.split(/[\s,]+/).filter(Boolean);
  return scopes && scopes.length > 0 ? scopes : undefined;
}

/** The module's `tokenServices` from `CANDESCENT_LOGIN_SERVICE`. */
export function tokenServicesFrom(
  login: SampleEnvironment['CANDESCENT_LOGIN_SERVICE'] | undefined,
): Array<'v1' | 'v2'> {
  return login === 'both' ? ['v1', 'v2'] : [login ?? 'v2'];
}
