import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { CandescentStoreIntegrityError } from './store-integrity.error';
import { STORE_KEY_EXPECTED, ValueCipher } from './value-cipher';

const keyBytes = randomBytes(32);
const base64Key = keyBytes.toString('base64');
const cipher = ValueCipher.fromKey(base64Key);
const AAD = 'candescent:data:session:abc';
const PLAIN = JSON.stringify({ accessToken: 'at-plaintext-123', customer: 'ünïcode ✓' });

function flipChar(text: string, index: number): string {
  const c = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + c + text.slice(index + 1);
}

describe('ValueCipher', () => {
  it('round-trips text, including empty and non-ASCII', () => {
    expect(cipher.decrypt(cipher.encrypt(PLAIN, AAD), AAD)).toBe(PLAIN);
    expect(cipher.decrypt(cipher.encrypt('', AAD), AAD)).toBe('');
  });

  it('produces the compact v2 format, naming its key by an 8-character id, and never contains the plaintext', () => {
    const payload = cipher.encrypt(PLAIN, AAD);
    expect(payload).toMatch(/^v2\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(payload.split('.')[1]).toBe(cipher.keyIds[0]);
    expect(payload).not.toContain('at-plaintext-123');
  });

  it('uses a fresh IV for every encryption', () => {
    const payloads = Array.from({ length: 50 }, () => cipher.encrypt(PLAIN, AAD));
    const ivs = new Set(payloads.map((p) => p.split('.')[2]));
    expect(ivs.size).toBe(50);
    expect(new Set(payloads).size).toBe(50);
  });

  it.each([
    ['ciphertext', 4],
    ['tag', 3],
    ['iv', 2],
  ])('rejects a payload whose %s was altered', (_part, index) => {
    const parts = cipher.encrypt(PLAIN, AAD).split('.');
    parts[index] = flipChar(parts[index], 0);
    expect(() => cipher.decrypt(parts.join('.'), AAD)).toThrow(CandescentStoreIntegrityError);
  });

  it.each(['', 'v1.a.b', 'v2.aaaa.bbbb.cccc', 'v2.!!.??.**.--', 'v1.AAAA.AAAA.AAAA', 'v3.AAAAAAAA.AAAA.AAAA.AAAA'])(
    'rejects the malformed payload %j',
    (payload) => {
      expect(() => cipher.decrypt(payload, AAD)).toThrow(CandescentStoreIntegrityError);
    },
  );

  it('rejects a payload made with another key, without echoing it', () => {
    const payload = ValueCipher.fromKey(randomBytes(32).toString('base64')).encrypt(PLAIN, AAD);
    let caught: unknown;
    try {
      cipher.decrypt(payload, AAD);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CandescentStoreIntegrityError);
    const message = (caught as Error).message;
    expect(message).toMatch(/key that is not configured/);
    expect(message).toContain(cipher.keyIds[0]);
    expect(message).not.toContain(payload);
    expect(message).not.toContain('at-plaintext-123');
  });

  it('rejects a value moved to another key (the aad binds it)', () => {
    const payload = cipher.encrypt(PLAIN, AAD);
    expect(() => cipher.decrypt(payload, 'candescent:data:session:other')).toThrow(CandescentStoreIntegrityError);
  });

  it('accepts the same key as hex, base64, unpadded base64url and with a trailing newline', () => {
    const payload = cipher.encrypt(PLAIN, AAD);
    for (const text of [
      keyBytes.toString('hex'),
      keyBytes.toString('hex').toUpperCase(),
      keyBytes.toString('base64url'),
      `${base64Key}\n`,
    ]) {
      expect(ValueCipher.fromKey(text).decrypt(payload, AAD)).toBe(PLAIN);
    }
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['too short base64', randomBytes(16).toString('base64')],
    ['too long base64', randomBytes(48).toString('base64')],
    ['63 hex characters', randomBytes(32).toString('hex').slice(1)],
    ['non-hex 64 characters', 'z'.repeat(64)],
    ['a passphrase', 'correct horse battery staple is my key!!!!'],
  ])('rejects a bad key (%s) with a clear message that does not echo it', (_label, key) => {
    let caught: unknown;
    try {
      ValueCipher.fromKey(key);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CandescentConfigurationError);
    const error = caught as CandescentConfigurationError;
    expect(error.message).toContain(STORE_KEY_EXPECTED);
    expect(error.message).toContain('openssl rand -base64 32');
    if (key.trim() !== '') expect(error.message).not.toContain(key.trim());
    expect(error.problems).toEqual([expect.objectContaining({ field: 'CANDESCENT_STORE_KEY' })]);
  });

  it('rejects raw key bytes of the wrong length', () => {
    expect(() => new ValueCipher(randomBytes(31))).toThrow(CandescentConfigurationError);
  });

  it('does not show the key when inspected', () => {
    const hex = keyBytes.toString('hex');
    expect(JSON.stringify(cipher)).not.toContain(hex);
    expect(inspect(cipher, { depth: 5 })).not.toContain(hex);
  });

  describe('with several keys (rotation)', () => {
    const older = randomBytes(32).toString('base64');
    const newer = randomBytes(32).toString('hex');

    it('writes with the newest key and reads values of every listed key', () => {
      const underOld = ValueCipher.fromKey(older).encrypt(PLAIN, AAD);
      const rotated = ValueCipher.fromKeys([newer, older]);
      expect(rotated.decrypt(underOld, AAD)).toBe(PLAIN);
      const rewritten = rotated.encrypt(PLAIN, AAD);
      expect(rewritten.split('.')[1]).toBe(ValueCipher.fromKey(newer).keyIds[0]);
      // After the old key is dropped, only the rewritten value still reads.
      const newestOnly = ValueCipher.fromKeys([newer]);
      expect(newestOnly.decrypt(rewritten, AAD)).toBe(PLAIN);
      expect(() => newestOnly.decrypt(underOld, AAD)).toThrow(/key that is not configured/);
    });

    it('refuses a payload whose key id was swapped for another listed key', () => {
      const rotated = ValueCipher.fromKeys([newer, older]);
      const parts = rotated.encrypt(PLAIN, AAD).split('.');
      parts[1] = rotated.keyIds[1];
      expect(() => rotated.decrypt(parts.join('.'), AAD)).toThrow(CandescentStoreIntegrityError);
    });

    it('names the position of a bad key without echoing any key', () => {
      const bad = 'not-a-key-at-all';
      let caught: unknown;
      try {
        ValueCipher.fromKeys([newer, older, bad]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CandescentConfigurationError);
      const message = (caught as Error).message;
      expect(message).toContain('the key at position 2 (0 is the newest)');
      expect(message).toContain('32 bytes as base64 or 64 hex characters');
      for (const key of [newer, older, bad]) expect(message).not.toContain(key);
    });

    it('refuses the same key twice, even written differently, naming both positions', () => {
      const asHex = Buffer.from(older, 'base64').toString('hex');
      expect(() => ValueCipher.fromKeys([newer, older, asHex])).toThrow(/positions 1 and 2 hold the same key/);
    });

    it('refuses an empty list and an overlong one', () => {
      expect(() => ValueCipher.fromKeys([])).toThrow(/got no key/);
      const many = Array.from({ length: 11 }, () => randomBytes(32).toString('base64'));
      expect(() => ValueCipher.fromKeys(many)).toThrow(/at most 10/);
    });

    it('gives every key a distinct id that is not part of the key', () => {
      const rotated = ValueCipher.fromKeys([newer, older]);
      const [first, second] = rotated.keyIds;
      expect(first).not.toBe(second);
      expect(newer).not.toContain(first);
      expect(Buffer.from(older, 'base64').toString('base64url')).not.toContain(second);
    });
  });
});
