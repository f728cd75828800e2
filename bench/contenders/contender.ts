import type { CandescentSandbox } from '@candescent/sandbox';

/**
 * One way of getting an institution (client_credentials) token for downstream calls. Each
 * scenario run builds a new instance, so no cache survives from one run into the next.
 */
export interface Contender {
  readonly name: string;
  /** Wires the contender to the sandbox. Must not request a token: the scenarios count every one. */
  setup(sandbox: CandescentSandbox): Promise<void>;
  /** The access token to put in `Authorization: Bearer` of the next downstream call. */
  getToken(): Promise<string>;
  teardown(): Promise<void>;
}

/** A named way to build a fresh contender. */
export interface ContenderFactory {
  readonly name: string;
  create(): Contender;
}

/** The Candescent V2 client_credentials headers, with a fresh `transactionId` as the API requires per request. */
export function v2TokenHeaders(sandbox: CandescentSandbox, transactionId: string): Record<string, string> {
  const { consumerKey, consumerSecret, fiId } = sandbox.credentials;
  return {
    Authorization: `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`,
    transactionId,
    institutionId: fiId,
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
}

/** The V2 token path, as documented. */
export const V2_TOKEN_PATH = '/oauth2/v1/token';

/** Reads `access_token` from a parsed V2 answer, refusing anything that is not a string. */
export function accessTokenOf(body: unknown): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).access_token : undefined;
  if (typeof value !== 'string') throw new Error('token response has no access_token string');
  return value;
}

/** Reads `expires_in` (a string in the current spec, a number in the old one) as seconds. */
export function expiresInOf(body: unknown): number {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).expires_in : undefined;
  const seconds = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('token response has no usable expires_in');
  return seconds;
}
