import { randomBytes } from 'node:crypto';
import { sha256Base64Url } from '../crypto/sha256';

const PREFIX = 'cds_';
/** 32 random bytes: 256 bits, as the design requires at least. */
const HANDLE_BYTES = 32;
const HANDLE = /^cds_[A-Za-z0-9_-]{43}$/;

/** A new opaque session handle, `cds_` + 256 random bits in base64url. */
export function newSessionHandle(): string {
  return PREFIX + randomBytes(HANDLE_BYTES).toString('base64url');
}

/** Whether a string has the exact shape of a handle (checked before any store lookup). */
export function isSessionHandle(value: unknown): value is string {
  return typeof value === 'string' && HANDLE.test(value);
}

/** What the store keeps instead of the handle: a stolen store dump yields no usable handle. */
export function hashHandle(handle: string): string {
  return sha256Base64Url(handle);
}

/** A new CSRF token for a cookie session. */
export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}
