import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { CandescentStoreIntegrityError } from './store-integrity.error';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
// 96-bit IVs are the size GCM is specified for; random ones are safe far beyond our volumes.
const IV_BYTES = 12;
const TAG_BYTES = 16;
// v2 names the key that made the value; v1 (one key, no id) is no longer written or read.
const VERSION = 'v2';
// 6 bytes of an HMAC keyed with the key: enough to tell a handful of keys apart, useless to guess one.
const KEY_ID_BYTES = 6;
/** Most keys one list may hold: the newest and the older ones still being phased out. */
export const MAX_STORE_KEYS = 10;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one optional pad; standard and URL-safe alphabets.
const BASE64_KEY = /^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/;
const BASE64URL_PART = /^[A-Za-z0-9_-]*$/;

/** What a valid `CANDESCENT_STORE_KEY` looks like, as said in every key error. */
export const STORE_KEY_EXPECTED =
  'CANDESCENT_STORE_KEY must be 32 bytes as base64 or 64 hex characters; generate one with `openssl rand -base64 32`';

interface CipherKey {
  id: string;
  key: KeyObject;
}

/**
 * Authenticated encryption of stored values with AES-256-GCM. Each value gets a fresh random IV,
 * and the caller's `aad` (the store key) is bound to the ciphertext, so a value copied to another
 * key does not decrypt. Payloads are compact strings: `v2.<keyId>.<iv>.<tag>.<ciphertext>`
 * (base64url). With several keys (rotation) values are written with the first (newest) and read
 * with whichever key made them, found by the key id: a short HMAC of the key, never the key.
 */
export class ValueCipher {
  private readonly keys: readonly CipherKey[];

  /**
   * @param keys exactly 32 raw key bytes, or a list of them, newest first; prefer
   *   {@link ValueCipher.fromKey} / {@link ValueCipher.fromKeys} for configured keys.
   */
  constructor(keys: Buffer | readonly Buffer[]) {
    const list = Buffer.isBuffer(keys) ? [keys] : keys;
    if (list.length === 0 || list.length > MAX_STORE_KEYS) {
      throw listError(`got ${list.length} keys; give 1 to ${MAX_STORE_KEYS}, newest first`);
    }
    this.keys = list.map((bytes, position) => {
      if (bytes.length !== KEY_BYTES) throw keyError(`got ${bytes.length} bytes`, positionOf(position, list.length));
      // A KeyObject keeps the raw bytes out of `util.inspect` and accidental serialisation.
      return { id: keyIdOf(bytes), key: createSecretKey(Buffer.from(bytes)) };
    });
    this.keys.forEach((entry, position) => {
      const first = this.keys.findIndex((other) => other.id === entry.id);
      if (first !== position) {
        throw listError(
          `positions ${first} and ${position} hold the same key; remove the repeat (keys are listed newest first)`,
        );
      }
    });
  }

  /**
   * Builds a cipher from a configured key: 64 hex characters, or base64 / base64url of 32 bytes
   * (surrounding whitespace, such as a trailing newline from a secrets file, is ignored).
   * @throws CandescentConfigurationError saying what is expected; the key is never echoed.
   */
  static fromKey(key: string): ValueCipher {
    return ValueCipher.fromKeys([key]);
  }

  /**
   * Builds a cipher from configured keys, newest first: values are written with the first and
   * read with any of them.
   * @throws CandescentConfigurationError naming the position of a bad or repeated key (0 is the
   *   newest) and what is expected; keys are never echoed.
   */
  static fromKeys(given: readonly string[]): ValueCipher {
    // Configuration may come from untyped sources: anything but an array counts as no key.
    const keys: readonly string[] = Array.isArray(given) ? given : [];
    if (keys.length === 0) throw listError('got no key; give the newest key first');
    if (keys.length > MAX_STORE_KEYS) throw listError(`got ${keys.length} keys; keep at most ${MAX_STORE_KEYS}`);
    const decoded = keys.map((key, position) => decodeKey(key, positionOf(position, keys.length)));
    try {
      return new ValueCipher(decoded);
    } finally {
      for (const bytes of decoded) bytes.fill(0);
    }
  }

  /** The id of each key, newest first: safe to log, and what each payload names. */
  get keyIds(): string[] {
    return this.keys.map((entry) => entry.id);
  }

  /** Encrypts `plain` with the newest key, binding it to `aad`; every call uses a new IV. */
  encrypt(plain: string, aad: string): string {
    const [{ id, key }] = this.keys as [CipherKey];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(boundData(id, aad));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, id, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
  }

  /**
   * Decrypts a payload made by {@link encrypt} with any of the keys and the same `aad`.
   * @throws CandescentStoreIntegrityError when the payload is malformed, altered, bound to another
   *   `aad` or made with a key not in the list. The message never contains the payload.
   */
  decrypt(payload: string, aad: string): string {
    const parts = payload.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION || !parts.slice(1).every((p) => BASE64URL_PART.test(p))) {
      throw new CandescentStoreIntegrityError(
        `A stored value is not in the ${VERSION} encrypted format; it was not written by this version of the module or was altered`,
      );
    }
    const [, id, ivText, tagText, bodyText] = parts as [string, string, string, string, string];
    const entry = this.keys.find((candidate) => candidate.id === id);
    if (!entry) {
      throw new CandescentStoreIntegrityError(
        `A stored value was written with a key that is not configured (key id ${id.slice(0, 16)}; configured: ${this.keyIds.join(', ')}): ` +
          'its key was removed from CANDESCENT_STORE_KEY before the value was rewritten, or another app wrote it',
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new CandescentStoreIntegrityError(
        `A stored value has a ${iv.length}-byte IV and a ${tag.length}-byte tag; expected ${IV_BYTES} and ${TAG_BYTES}`,
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, entry.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(boundData(id, aad));
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

/** The format and key id are authenticated too, so a payload cannot be relabelled. */
function boundData(id: string, aad: string): Buffer {
  return Buffer.from(`${VERSION}.${id}\n${aad}`, 'utf8');
}

function keyIdOf(bytes: Buffer): string {
  return createHmac('sha256', bytes)
    .update('candescent store key id')
    .digest()
    .subarray(0, KEY_ID_BYTES)
    .toString('base64url');
}

function decodeKey(key: string, where: string): Buffer {
  if (typeof key !== 'string' || key.trim() === '') throw keyError('got an empty value', where);
  const text = key.trim();
  let bytes: Buffer | undefined;
  if (HEX_KEY.test(text)) bytes = Buffer.from(text, 'hex');
  else if (BASE64_KEY.test(text))
    bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  if (bytes?.length !== KEY_BYTES) {
    throw keyError(`the value given has ${text.length} characters and is neither`, where);
  }
  return bytes;
}

/** `''` for a single key, `the key at position 1 (0 is the newest)` in a list. */
function positionOf(position: number, count: number): string {
  return count === 1 ? '' : `the key at position ${position} (0 is the newest)`;
}

function keyError(what: string, where: string): CandescentConfigurationError {
  const expected = 'base64 of 32 bytes, or 64 hex characters';
  return new CandescentConfigurationError(`${STORE_KEY_EXPECTED} (${where ? `${where}: ` : ''}${what})`, [
    { field: 'CANDESCENT_STORE_KEY', expected },
  ]);
}

function listError(what: string): CandescentConfigurationError {
  return new CandescentConfigurationError(`CANDESCENT_STORE_KEY lists its keys newest first: ${what}`, [
    { field: 'CANDESCENT_STORE_KEY', expected: `1 to ${MAX_STORE_KEYS} distinct keys, newest first` },
  ]);
}
