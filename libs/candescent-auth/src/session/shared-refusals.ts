import { LRUCache } from 'lru-cache';
import { sha256Base64Url } from '../crypto/sha256';
import { CandescentLogger } from '../logging/candescent-logger';
import type { CandescentToken } from '../token/candescent-token.interface';
import type { SessionRecords } from './session-records';
import type { StoredRefusal, StoredSession } from './stored-session.interface';

/** Sessions whose pending replacement this instance knows of, at most. */
const MAX_PENDING = 10_000;

/**
 * The customer-token refusal cooldown, kept in the stored session so every instance applies it
 * alike: when Candescent refuses a session's V2 access token it is renewed, and a replacement
 * refused too before Candescent ever accepted it, within `cooldownMs` of the refusal that
 * brought it, is kept (the call is refused, not the token). N instances thus spend one refresh
 * rotation per cooldown, not N. The record holds a hash of the replacement, never the token.
 */
export class SharedRefusals {
  private readonly logger = new CandescentLogger('CandescentSessionService');
  /**
   * Per session, the replacement a read of the session found pending (not yet accepted, within
   * the cooldown), and until when. Only a call accepted with that token writes to the store.
   */
  private readonly pending = new LRUCache<string, { replacement: string; until: number }>({ max: MAX_PENDING });

  constructor(
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  /** Whether a refusal of `accessToken` is to be ignored: the recent replacement, never accepted. */
  holds(refusal: StoredRefusal | undefined, accessToken: string): boolean {
    if (refusal?.replacement === undefined || refusal.accepted || this.now() - refusal.at >= this.cooldownMs) {
      return false;
    }
    return refusal.replacement === fingerprint(accessToken);
  }

  /** The record of a refusal at `at` answered by `replacement`: kept as such only when issued after it. */
  record(at: number, replacement: CandescentToken | undefined): StoredRefusal {
    return {
      at,
      replacement: replacement && replacement.issuedAt >= at ? fingerprint(replacement.accessToken) : undefined,
      accepted: false,
    };
  }

  /** Notes whether a session just read has a pending replacement (called for every read). */
  observe(id: string, session: StoredSession): void {
    const refusal = session.refusal;
    const until = (refusal?.at ?? 0) + this.cooldownMs;
    if (refusal?.replacement !== undefined && !refusal.accepted && this.now() < until) {
      this.pending.set(id, { replacement: refusal.replacement, until });
    } else if (this.pending.size > 0) {
      this.pending.delete(id);
    }
  }

  /**
   * Candescent accepted `accessToken` for session `id`. A map lookup unless this is the pending
   * replacement: then its record is marked accepted in the store, once, in the background.
   */
  accepted(records: SessionRecords, id: string, accessToken: string): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    if (this.now() >= pending.until) {
      this.pending.delete(id);
      return;
    }
    const replacement = fingerprint(accessToken);
    if (pending.replacement !== replacement) return;
    this.pending.delete(id);
    this.markAccepted(records, id, replacement).catch((error: unknown) => {
      this.logger.warn(
        'Recording that Candescent accepted a renewed customer token failed; a refusal of it may go unrenewed until the refusal cooldown ends.',
        error,
      );
    });
  }

  private async markAccepted(records: SessionRecords, id: string, replacement: string): Promise<void> {
    const read = await records.readForUpdate(id);
    if (!read) return;
    await records.update(id, read, (latest) => {
      const refusal = latest.refusal;
      // Accepted elsewhere already, or replaced since: nothing to record.
      if (refusal?.replacement !== replacement || refusal.accepted) return undefined;
      return { ...latest, refusal: { ...refusal, accepted: true } };
    });
  }
}

/** What the store keeps of a replacement token: its hash. */
function fingerprint(accessToken: string): string {
  return sha256Base64Url(accessToken);
}
