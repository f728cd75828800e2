/** Consumer key and secret the sandbox accepts unless told otherwise, and its demo FI. */
export const DEFAULT_SANDBOX_CREDENTIALS: {
  consumerKey: string;
  consumerSecret: string;
  fiId: '00042';
} = Object.freeze({
  consumerKey: 'sandbox-consumer-key',
  consumerSecret: 'sandbox-consumer-secret',
  fiId: '00042' as const,
});

/** How the sandbox listens and which app, FIs, lifetimes and scopes it emulates. */
export interface SandboxOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** `0` picks a free port. @default 0 */
  port?: number;
  /** @default DEFAULT_SANDBOX_CREDENTIALS.consumerKey */
  consumerKey?: string;
  /** @default DEFAULT_SANDBOX_CREDENTIALS.consumerSecret */
  consumerSecret?: string;
  /** FIs the app is enabled for; any other `di_fiid` / `institutionId` gets 401. @default ['00042'] */
  fiIds?: string[];
  /**
   * Whether the app may use the client_credentials grant. When false, V1 answers 403 90001 and
   * V2 answers 403 CMN_90006.
   * @default true
   */
  clientCredentialsEnabled?: boolean;
  /** `expires_in` of every access token, in seconds. @default 1799 */
  accessTokenTtlSeconds?: number;
  /** `refresh_token_expires_in` of every refresh token, in seconds. @default 2591999 */
  refreshTokenTtlSeconds?: number;
  /**
   * Scopes the V2 app has; requesting any other gives 400 CMN_90011.
   * @default ['accounts:read', 'transactions:read', 'alerts:read']
   */
  allowedScopes?: string[];
  /** Seed `DEMO_CUSTOMERS` at construction. @default true */
  seedDemoCustomers?: boolean;
  /** Old specs show one `<errorInfo>`, new ones repeat it; clients must read both. @default 'many' */
  v1ErrorInfo?: 'single' | 'many';
  /** Clock (ms) for token expiry and request timestamps; inject one to test expiry. @default Date.now */
  now?: () => number;
}

/** Options with every default applied; the mutable ones can change through `configure()`. */
export interface ResolvedSandboxOptions {
  host: string;
  port: number;
  consumerKey: string;
  consumerSecret: string;
  fiIds: string[];
  clientCredentialsEnabled: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  allowedScopes: string[];
  seedDemoCustomers: boolean;
  v1ErrorInfo: 'single' | 'many';
  now: () => number;
}

/** Options `configure()` may change while the sandbox runs. */
export type SandboxSettingsPatch = Partial<
  Pick<SandboxOptions, 'accessTokenTtlSeconds' | 'refreshTokenTtlSeconds' | 'clientCredentialsEnabled' | 'v1ErrorInfo'>
>;

/** Applies defaults once and rejects values that would make the emulator lie. */
export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const resolved: ResolvedSandboxOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    consumerKey: options.consumerKey ?? DEFAULT_SANDBOX_CREDENTIALS.consumerKey,
    consumerSecret: options.consumerSecret ?? DEFAULT_SANDBOX_CREDENTIALS.consumerSecret,
    fiIds: [...(options.fiIds ?? [DEFAULT_SANDBOX_CREDENTIALS.fiId])],
    clientCredentialsEnabled: options.clientCredentialsEnabled ?? true,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1799,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 2591999,
    allowedScopes: [...(options.allowedScopes ?? ['accounts:read', 'transactions:read', 'alerts:read'])],
    seedDemoCustomers: options.seedDemoCustomers ?? true,
    v1ErrorInfo: options.v1ErrorInfo ?? 'many',
    now: options.now ?? Date.now,
  };
  if (resolved.fiIds.length === 0) {
    throw new Error('CandescentSandbox: fiIds must name at least one FI the app is enabled for');
  }
  if (resolved.consumerKey.includes(':')) {
    // Basic auth splits at the first colon, so such a key could never authenticate.
    throw new Error('CandescentSandbox: consumerKey must not contain ":"');
  }
  applySandboxSettings(resolved, {
    accessTokenTtlSeconds: resolved.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: resolved.refreshTokenTtlSeconds,
  });
  return resolved;
}

/** Validates and applies a `configure()` patch in place. */
export function applySandboxSettings(target: ResolvedSandboxOptions, patch: SandboxSettingsPatch): void {
  for (const key of ['accessTokenTtlSeconds', 'refreshTokenTtlSeconds'] as const) {
    const value = patch[key];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new Error(`CandescentSandbox: ${key} must be a positive whole number of seconds, got ${String(value)}`);
    }
  }
  if (patch.accessTokenTtlSeconds !== undefined) target.accessTokenTtlSeconds = patch.accessTokenTtlSeconds;
  if (patch.refreshTokenTtlSeconds !== undefined) target.refreshTokenTtlSeconds = patch.refreshTokenTtlSeconds;
  if (patch.clientCredentialsEnabled !== undefined) target.clientCredentialsEnabled = patch.clientCredentialsEnabled;
  if (patch.v1ErrorInfo !== undefined) target.v1ErrorInfo = patch.v1ErrorInfo;
}
