import { randomUUID } from 'node:crypto';
import { DEFAULT_SANDBOX_CREDENTIALS, DEMO_CUSTOMERS } from '@candescent/auth/testing';

/** The app credentials the sandbox accepts. */
export const CREDENTIALS = DEFAULT_SANDBOX_CREDENTIALS;

/** The customer every guarded-route app logs in as. */
export const CUSTOMER = DEMO_CUSTOMERS[0];

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
