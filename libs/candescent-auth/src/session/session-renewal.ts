import type { CandescentTokenSet } from '../token/token-set.interface';
import type { StoredRefusal, StoredSession } from './stored-session.interface';

/**
 * What a renewal writes, for `SessionRecords.update`: its tokens over the session it read. When
 * another instance changed the session meanwhile, they still count only while the session holds
 * the refresh token this renewal spent (they are then the live ones, so they go over the latest
 * session); otherwise that instance rotated first, its tokens stand and nothing is written.
 */
export function renewalOf(
  read: StoredSession,
  tokens: CandescentTokenSet,
  refusal: StoredRefusal | undefined,
): (latest: StoredSession) => StoredSession | undefined {
  const spent = read.tokens.v2?.refreshToken;
  return (latest) => {
    if (latest === read) return { ...read, tokens, refusal };
    if (latest.tokens.v2?.refreshToken !== spent) return undefined;
    return {
      ...latest,
      tokens: {
        ...latest.tokens,
        // A V1 token dropped by either write stays dropped; V1 tokens are never renewed.
        v1: latest.tokens.v1 && tokens.v1,
        v2: tokens.v2 === read.tokens.v2 ? latest.tokens.v2 : tokens.v2,
      },
      refusal: refusal === read.refusal ? latest.refusal : refusal,
    };
  };
}
