import { randomUUID } from 'node:crypto';
import { DEFAULT_SANDBOX_CREDENTIALS, DEMO_CUSTOMERS } from '@candescent/sandbox';

/** The app credentials the sandbox accepts. */
export const CREDENTIALS = DEFAULT_SANDBOX_CREDENTIALS;

/** The customer every guarded-route app logs in as. */
export const CUSTOMER = DEMO_CUSTOMERS[0];

/**
 * Customers the backend's sandbox adds for the heap scenario: with the module's cap on sessions
 * per account, 10,000 sessions must spread over enough accounts to all stay open.
 */
export const HEAP_CUSTOMERS = Array.from({ length: 20 }, (_, i) => ({
  username: `heap-customer-${i}`,
  password: `Heap-Customer-${i}-2026!`,
}));

/**
 * Customers of the login-throughput scenario, each logged in at most a few times, as in a
 * morning login storm: many customers once each, not one customer over and over (which would
 * measure the per-account cap ending sessions instead).
 */
export const STORM_CUSTOMERS = Array.from({ length: 2_000 }, (_, i) => ({
  username: `storm-customer-${i}`,
  password: `Storm-Customer-${i}-2026!`,
}));

/** The cap on sessions per account the heap scenario configures (the module's largest allowed). */
export const HEAP_SESSIONS_PER_ACCOUNT = 1_000;

/** The V2 token path, as documented. */
export const V2_TOKEN_PATH = '/oauth2/v1/token';

/** The headers Candescent's V2 token service wants, with a fresh `transactionId` per request. */
export function v2TokenHeaders(): Record<string, string> {
  const basic = Buffer.from(`${CREDENTIALS.consumerKey}:${CREDENTIALS.consumerSecret}`).toString('base64');
  return {
    Authorization: `Basic ${basic}`,
    transactionId: randomUUID(),
    institutionId: CREDENTIALS.fiId,
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
}
