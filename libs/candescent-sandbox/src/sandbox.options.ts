import { DEMO_CUSTOMERS } from './demo-customers';
import type { SandboxCustomer } from './sandbox-customer.interface';

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

/** What a client needs to talk to one FI of the sandbox: the app's consumer key and secret and the FI id. */
export interface SandboxCredentials {
  /** The app's consumer key. */
  consumerKey: string;
  /** The app's consumer secret. */
  consumerSecret: string;
  /** The FI id. */
  fiId: string;
}

/** A customer given with its institution; `fiId` may be left out, and must match the institution when given. */
export type SandboxInstitutionCustomer = Omit<SandboxCustomer, 'fiId'> & { fiId?: string };

/**
 * One financial institution the sandbox serves, with the consumer credentials of the app enabled
 * for it. Institutions that share a consumer key are one app enabled for several FIs (and must
 * then share the secret too); with different keys, neither app can get or use the other's tokens.
 */
export interface SandboxInstitution {
  /** The FI id (`di_fiid` / `institutionId`); leading zeros matter. */
  fiId: string;
  /** Consumer key of the app enabled for this FI; must not contain ":". */
  consumerKey: string;
  /** Consumer secret of that app. */
  consumerSecret: string;
  /** Customers who can log in at this FI. @default [] */
  customers?: ReadonlyArray<SandboxInstitutionCustomer>;
}

/** How the sandbox listens and which app, FIs, lifetimes and scopes it emulates. */
export interface SandboxOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** `0` picks a free port. @default 0 */
  port?: number;
  /**
   * The FIs served, each with its own consumer credentials and customers (see `DEMO_INSTITUTIONS`).
   * Replaces `consumerKey`, `consumerSecret`, `fiIds` and `seedDemoCustomers`, which must then be
   * left out. The first institution is `credentials`.
   * @default one institution from the four single-app options below
   */
  institutions?: ReadonlyArray<SandboxInstitution>;
  /** Single-app form: the key of the one app, enabled for every FI of `fiIds`. @default DEFAULT_SANDBOX_CREDENTIALS.consumerKey */
  consumerKey?: string;
  /** Single-app form. @default DEFAULT_SANDBOX_CREDENTIALS.consumerSecret */
  consumerSecret?: string;
  /**
   * Single-app form: FIs the app is enabled for; any other `di_fiid` / `institutionId` gets 401.
   * @default ['00042']
   */
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
  /** Single-app form: seed `DEMO_CUSTOMERS` (all of FI 00042) at construction. @default true */
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
  /** At least one; FI ids distinct; one secret per consumer key. */
  institutions: SandboxCredentials[];
  /** Customers to seed, each with its FI id filled in. */
  customers: SandboxCustomer[];
  clientCredentialsEnabled: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  allowedScopes: string[];
  v1ErrorInfo: 'single' | 'many';
  now: () => number;
}

/** Options `configure()` may change while the sandbox runs. */
export type SandboxSettingsPatch = Partial<
  Pick<SandboxOptions, 'accessTokenTtlSeconds' | 'refreshTokenTtlSeconds' | 'clientCredentialsEnabled' | 'v1ErrorInfo'>
>;

const SINGLE_APP_OPTIONS = ['consumerKey', 'consumerSecret', 'fiIds', 'seedDemoCustomers'] as const;

/** Applies defaults once and rejects values that would make the emulator lie. */
export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const { institutions, customers } =
    options.institutions === undefined ? singleApp(options) : severalInstitutions(options);
  const resolved: ResolvedSandboxOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    institutions,
    customers,
    clientCredentialsEnabled: options.clientCredentialsEnabled ?? true,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1799,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 2591999,
    allowedScopes: [...(options.allowedScopes ?? ['accounts:read', 'transactions:read', 'alerts:read'])],
    v1ErrorInfo: options.v1ErrorInfo ?? 'many',
    now: options.now ?? Date.now,
  };
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

type Served = Pick<ResolvedSandboxOptions, 'institutions' | 'customers'>;

/** Today's form: one app (one key and secret) enabled for every FI of `fiIds`. */
function singleApp(options: SandboxOptions): Served {
  const consumerKey = options.consumerKey ?? DEFAULT_SANDBOX_CREDENTIALS.consumerKey;
  const consumerSecret = options.consumerSecret ?? DEFAULT_SANDBOX_CREDENTIALS.consumerSecret;
  const fiIds = [...new Set(options.fiIds ?? [DEFAULT_SANDBOX_CREDENTIALS.fiId])];
  if (fiIds.length === 0) {
    throw new Error('CandescentSandbox: fiIds must name at least one FI the app is enabled for');
  }
  if (consumerKey.includes(':')) {
    // Basic auth splits at the first colon, so such a key could never authenticate.
    throw new Error('CandescentSandbox: consumerKey must not contain ":"');
  }
  return {
    institutions: fiIds.map((fiId) => ({ consumerKey, consumerSecret, fiId })),
    customers: (options.seedDemoCustomers ?? true) ? DEMO_CUSTOMERS.map((customer) => ({ ...customer })) : [],
  };
}

/**
 * `institutions`: every problem is listed in one error, naming the entry and field, never a
 * key or secret value (an FI id is no secret).
 */
function severalInstitutions(options: SandboxOptions): Served {
  const given = SINGLE_APP_OPTIONS.filter((name) => options[name] !== undefined);
  if (given.length > 0) {
    throw new Error(
      `CandescentSandbox: institutions cannot be combined with ${given.join(', ')}; give each institution ` +
        'its own consumerKey, consumerSecret and customers (e.g. customers: DEMO_CUSTOMERS) instead',
    );
  }
  const list = options.institutions ?? [];
  const problems: string[] = [];
  if (list.length === 0) problems.push('institutions must list at least one institution');
  const secretOfKey = new Map<string, { secret: string; index: number }>();
  const seenFiIds = new Map<string, number>();
  const institutions: SandboxCredentials[] = [];
  const customers: SandboxCustomer[] = [];
  list.forEach((institution, index) => {
    const at = `institutions[${index}]`;
    const { fiId, consumerKey, consumerSecret } = institution;
    if (!isNonEmptyString(fiId)) problems.push(`${at}.fiId must be a non-empty string such as '00042'`);
    else if (seenFiIds.has(fiId)) {
      problems.push(
        `${at}.fiId ${fiId} is already institutions[${String(seenFiIds.get(fiId))}]; FI ids must be distinct`,
      );
    } else seenFiIds.set(fiId, index);
    if (!isNonEmptyString(consumerKey)) problems.push(`${at}.consumerKey must be a non-empty string`);
    // Basic auth splits at the first colon, so such a key could never authenticate.
    else if (consumerKey.includes(':')) problems.push(`${at}.consumerKey must not contain ":"`);
    if (!isNonEmptyString(consumerSecret)) problems.push(`${at}.consumerSecret must be a non-empty string`);
    if (isNonEmptyString(consumerKey) && isNonEmptyString(consumerSecret)) {
      const first = secretOfKey.get(consumerKey);
      if (first === undefined) secretOfKey.set(consumerKey, { secret: consumerSecret, index });
      else if (first.secret !== consumerSecret) {
        problems.push(
          `${at} shares its consumerKey with institutions[${String(first.index)}] but not its consumerSecret; ` +
            'one key is one app with one secret: give the institutions distinct keys or the same secret',
        );
      }
    }
    const given: ReadonlyArray<SandboxInstitutionCustomer> = institution.customers ?? [];
    given.forEach((customer, position) => {
      if (customer.fiId !== undefined && customer.fiId !== fiId) {
        problems.push(`${at}.customers[${position}] says fiId ${customer.fiId}; leave it out or make it ${fiId}`);
      }
      customers.push({ ...customer, fiId, accounts: customer.accounts.map((account) => ({ ...account })) });
    });
    institutions.push({ fiId, consumerKey, consumerSecret });
  });
  if (problems.length > 0) {
    throw new Error(`CandescentSandbox: invalid institutions:\n  - ${problems.join('\n  - ')}`);
  }
  return { institutions, customers };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
