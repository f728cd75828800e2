import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import type { CandescentToken } from './candescent-token.interface';

/** A token becomes unusable this long before its expiry, so it does not expire in flight. */
function expiryMarginMs(token: CandescentToken): number {
  return Math.min(2_000, (token.expiresAt - token.issuedAt) * 0.05);
}

/** Whether the token can still be sent. */
export function isUsable(token: CandescentToken, now: number): boolean {
  return now < token.expiresAt - expiryMarginMs(token);
}

/**
 * When to start renewing a token: the window is the smaller of `tokenRefreshWindowMs` and
 * `tokenRefreshFraction` of the lifetime (a 60 s token is renewed 12 s early, not every second),
 * shortened by a random share of up to `tokenRefreshJitter` so instances spread out.
 */
export function refreshAt(
  token: CandescentToken,
  options: Pick<ResolvedCandescentAuthOptions, 'tokenRefreshWindowMs' | 'tokenRefreshFraction' | 'tokenRefreshJitter'>,
  random: () => number = Math.random,
): number {
  const lifetime = Math.max(0, token.expiresAt - token.issuedAt);
  const window = Math.min(options.tokenRefreshWindowMs, lifetime * options.tokenRefreshFraction);
  return token.expiresAt - window * (1 - options.tokenRefreshJitter * random());
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A share in [0, 1) read from the first four characters of a base64url hash (24 bits), for
 * {@link refreshAt}'s `random`: a session's renewal point then moves by its own share of
 * `tokenRefreshJitter`, the same on every instance and on every request (so whether a renewal is
 * due never flickers), while sessions opened in the same second renew at different moments.
 */
export function shareOfHash(hash: string): number {
  let bits = 0;
  for (let i = 0; i < 4; i++) bits = bits * 64 + Math.max(0, BASE64URL.indexOf(hash.charAt(i)));
  return bits / 2 ** 24;
}
