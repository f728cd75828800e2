import type { CandescentAuthModuleOptions } from '@candescent/auth';
import { CandescentSandbox, type SandboxOptions } from '@candescent/auth/testing';

/** Starts a sandbox on loopback (a free port unless one is given); the caller stops it. */
export async function startSandbox(options: SandboxOptions = {}): Promise<CandescentSandbox> {
  const sandbox = new CandescentSandbox({ host: '127.0.0.1', port: 0, ...options });
  await sandbox.start();
  return sandbox;
}

/** The module options that point at a running sandbox with its credentials. */
export function sandboxOptions(
  sandbox: CandescentSandbox,
  overrides: Partial<CandescentAuthModuleOptions> = {},
): CandescentAuthModuleOptions {
  return { baseUrl: sandbox.url, ...sandbox.credentials, ...overrides };
}

/** Canonical lowercase 8-4-4-4-12 UUID, as `di_tid` / `transactionId` must be. */
export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `Basic base64(key:secret)`, the value both token services expect. */
export function basicAuth(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

/**
 * Sends a V2 refresh grant straight to the sandbox, past any module, as another instance's
 * refresh would: it uses the refresh token up when the sandbox still honours it. Resolves to the
 * answer's status (200 when it was honoured).
 */
export async function refreshAtSandbox(sandbox: CandescentSandbox, refreshToken: string): Promise<number> {
  const response = await fetch(`${sandbox.url}/oauth2/v1/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(sandbox.credentials.consumerKey, sandbox.credentials.consumerSecret),
      transactionid: crypto.randomUUID(),
      institutionid: sandbox.credentials.fiId,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  await response.text();
  return response.status;
}
