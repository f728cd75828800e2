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
