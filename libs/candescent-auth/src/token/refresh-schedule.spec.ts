import { createHash } from 'node:crypto';
import { refreshAt, shareOfHash } from './refresh-schedule';

const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('shareOfHash', () => {
  it('gives the same share for the same hash, in [0, 1)', () => {
    const hash = hashOf('session-1');
    expect(shareOfHash(hash)).toBe(shareOfHash(hash));
    expect(shareOfHash('AAAA')).toBe(0);
    expect(shareOfHash('____')).toBeLessThan(1);
    expect(shareOfHash('____')).toBeGreaterThan(0.99);
  });

  it('spreads the hashes of different sessions over the whole range', () => {
    const shares = Array.from({ length: 1_000 }, (_, i) => shareOfHash(hashOf(`session-${i}`)));
    const quarters = [0, 0, 0, 0];
    for (const share of shares) quarters[Math.floor(share * 4)]++;
    // About 250 each (fixed inputs, so the counts never change between runs).
    for (const count of quarters) expect(count).toBeGreaterThan(200);
  });

  it('moves a renewal point by that share of the jitter', () => {
    const token = {
      service: 'v2',
      grant: 'password',
      accessToken: 'a',
      tokenType: 'Bearer',
      issuedAt: 0,
      expiresAt: 1_800_000,
    } as const;
    const options = { tokenRefreshWindowMs: 60_000, tokenRefreshFraction: 0.2, tokenRefreshJitter: 0.5 };
    expect(refreshAt(token, options, () => shareOfHash('AAAA'))).toBe(1_740_000);
    expect(refreshAt(token, options, () => 0.5)).toBe(1_755_000);
  });
});
