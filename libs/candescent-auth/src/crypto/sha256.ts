import { hash } from 'node:crypto';

/**
 * SHA-256 of a UTF-8 string, as base64url: what the store keeps instead of a secret, and short
 * stable ids. The one-shot `crypto.hash` (Node 20.12+), not `createHash`: the guard hashes the
 * session handle on every request, and building a Hash object costs three times the digest.
 */
export function sha256Base64Url(value: string): string {
  return hash('sha256', value, 'base64url');
}
