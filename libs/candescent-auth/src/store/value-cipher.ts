import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { CandescentStoreIntegrityError } from './store-integrity.error';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
// 96-bit IVs are the size GCM is specified for; random ones are safe far beyond our volumes.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one optional pad; standard and URL-safe alphabets.
const BASE64_KEY = /^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/;
const BASE64URL_PART = /^[A-Za-z0-9_-]*$/;

/** What a valid `CANDESCENT_STORE_KEY` looks like, as said in every key error. */
export const STORE_KEY_EXPECTED =
  'CANDESCENT_STORE_KEY must be 32 bytes as base64 or 64 hex characters; generate one with `openssl rand -base64 32`';

/**
 * Authenticated encryption of stored values with AES-256-GCM. Each value gets a fresh random IV,
 * and the caller's `aad` (the store key) is bound to the ciphertext, so a value copied to another
 * key does not decrypt. Payloads are compact strings: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export class ValueCipher {
  private readonly key: KeyObject;

  /** @param key exactly 32 raw key bytes; prefer {@link ValueCipher.fromKey} for configured keys. */
  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw keyError(`got ${key.length} bytes`);
    }
    // A KeyObject keeps the raw bytes out of `util.inspect` and accidental serialisation.
    this.key = createSecretKey(Buffer.from(key));
  }

  /**
   * Builds a cipher from a configured key: 64 hex characters, or base64 / base64url of 32 bytes
   * (surrounding whitespace, such as a trailing newline from a secrets file, is ignored).
   * @throws CandescentConfigurationError saying what is expected; the key is never echoed.
   */
  static fromKey(key: string): ValueCipher {
    if (typeof key !== 'string' || key.trim() === '') {
      throw keyError('got an empty value');
    }
    const text = key.trim();
    let bytes: Buffer | undefined;
    if (HEX_KEY.test(text)) bytes = Buffer.from(text, 'hex');
    else if (BASE64_KEY.test(text))
      bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
    if (bytes?.length !== KEY_BYTES) {
      throw keyError(`the value given has ${text.length} characters and is neither`);
    }
    try {
      return new ValueCipher(bytes);
    } finally {
      bytes.fill(0);
    }
  }

  /** Encrypts `plain`, binding it to `aad`; every call uses a new IV. */
  encrypt(plain: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
  }

  /**
   * Decrypts a payload made by {@link encrypt} with the same key and `aad`.
   * @throws CandescentStoreIntegrityError when the payload is malformed, altered, bound to another
   *   `aad` or made with another key. The message never contains the payload.
   */
  decrypt(payload: string, aad: string): string {
    const parts = payload.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((p) => BASE64URL_PART.test(p))) {
      throw new CandescentStoreIntegrityError(
        `A stored value is not in the ${VERSION} encrypted format; it was not written by this module or was altered`,
      );
    }
    const [, ivText, tagText, bodyText] = parts as [string, string, string, string];
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new CandescentStoreIntegrityError(
        `A stored value has a ${iv.length}-byte IV and a ${tag.length}-byte tag; expected ${IV_BYTES} and ${TAG_BYTES}`,
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // OpenSSL says only "unable to authenticate data"; say what it means for an operator.
      throw new CandescentStoreIntegrityError(
        'A stored value failed authentication: it was altered, moved to another key, or written with another CANDESCENT_STORE_KEY',
      );
    }
  }
}

function keyError(what: string): CandescentConfigurationError {
  const expected = 'base64 of 32 bytes, or 64 hex characters';
  return new CandescentConfigurationError(`${STORE_KEY_EXPECTED} (${what})`, [
    { field: 'CANDESCENT_STORE_KEY', expected },
  ]);
}
