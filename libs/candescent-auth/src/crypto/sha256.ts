import { createHash } from 'node:crypto';

/** SHA-256 of a UTF-8 string, as base64url: what the store keeps instead of a secret, and short stable ids. */
export function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
