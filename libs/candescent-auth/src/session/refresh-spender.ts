import { sha256Base64Url } from '../crypto/sha256';
import { CandescentSessionExpiredError, CandescentSessionRejectedError } from '../errors/candescent-auth.error';
import type { CandescentStore } from '../store/candescent-store.interface';
import { sessionKeys } from '../store/session-keys';
import type { CandescentClock } from '../token/candescent-clock';
import type { CandescentTokenService } from '../token/candescent-token.service';
import type { CandescentTokenSet } from '../token/token-set.interface';
import type { SessionRecords } from './session-records';
import type { StoredSession } from './stored-session.interface';

/** How often a renewal waiting for another instance's spend of the same refresh token looks at the session. */
const SPEND_POLL_MS = 50;

/** What a {@link RefreshSpender} works with. */
export interface RefreshSpenderDeps {
  readonly store: CandescentStore;
  readonly records: SessionRecords;
  readonly tokens: CandescentTokenService;
  readonly clock: CandescentClock;
  /**
   * How long a spend marker is held, and how long a renewal waits for another one's: the renewal
   * lease (the refresh request, its deadline included, plus a margin).
   */
  readonly leaseMs: number;
  /** True once the module is shutting down: waiting renewals give up instead of polling. */
  readonly stopped: () => boolean;
  /** Ends a session whose refresh token Candescent no longer accepts. */
  readonly expire: (id: string, session: StoredSession) => Promise<void>;
}

/**
 * Spends a session's refresh token at most once across instances. A refresh token is single-use
 * (Candescent rotates it), so two instances renewing the same session must not both send it: the
 * second would be refused and end the session. The session's renewal lock orders renewals; the
 * spend marker covers the case the lock cannot, an instance whose lease ran out while its refresh
 * was still in flight.
 */
export class RefreshSpender {
  constructor(private readonly deps: RefreshSpenderDeps) {}

  /**
   * New tokens, or (adopted) those another instance stored after spending the refresh token first.
   * The refresh token is spent under a marker of its own: a renewal that finds the marker taken
   * (an instance whose lease ran out while its refresh was in flight) waits for that result.
   */
  async refreshOrEnd(
    id: string,
    session: StoredSession,
    tokens: CandescentTokenSet,
  ): Promise<{ tokens: CandescentTokenSet; adopted?: true }> {
    const spending = await this.spendMarker(id, tokens);
    if ('adopted' in spending) return { tokens: spending.adopted, adopted: true };
    try {
      // Kept after a success: until the result is stored (and a while after), a late renewal of
      // the same refresh token waits for it instead of spending it again.
      return { tokens: await this.deps.tokens.refresh(tokens) };
    } catch (error: unknown) {
      // Not spent (or spent and lost, which nobody can undo): the next renewal may try it.
      if (spending.release) await spending.release();
      if (error instanceof CandescentSessionExpiredError) {
        // Another instance may have rotated the refresh token first: adopt its result.
        const latest = await this.deps.records.read(id);
        // Gone meanwhile (logout revoked the token we were spending): keep that ending's reason.
        if (!latest) throw new CandescentSessionRejectedError(await this.deps.records.endReason(id));
        if (latest.tokens.v2?.refreshToken !== tokens.v2?.refreshToken) return { tokens: latest.tokens, adopted: true };
        await this.deps.expire(id, session);
        throw new CandescentSessionRejectedError('expired');
      }
      throw error;
    }
  }

  /**
   * Takes the marker of the refresh token about to be spent. While another renewal holds it, waits
   * (polling the session) for that renewal's result, and adopts it once stored; takes the marker
   * when that renewal gave up or its marker ran out.
   */
  private async spendMarker(
    id: string,
    tokens: CandescentTokenSet,
  ): Promise<{ adopted: CandescentTokenSet } | { release?: () => Promise<void> }> {
    const spent = tokens.v2?.refreshToken;
    if (spent === undefined) return {};
    const marker = sessionKeys.spending(id, sha256Base64Url(spent).slice(0, 22));
    const { leaseMs, store, clock } = this.deps;
    const giveUpAt = clock.now() + leaseMs;
    for (let waited = false; ; waited = true) {
      if (waited) {
        const latest = await this.deps.records.read(id);
        if (!latest) throw new CandescentSessionRejectedError(await this.deps.records.endReason(id));
        if (latest.tokens.v2?.refreshToken !== spent) return { adopted: latest.tokens };
      }
      const fence = await store.acquireLock(marker, leaseMs);
      if (fence !== undefined) return { release: () => store.releaseLock(marker, fence).catch(() => undefined) };
      if (this.deps.stopped() || clock.now() >= giveUpAt) return {};
      await new Promise((resolve) => setTimeout(resolve, SPEND_POLL_MS).unref());
    }
  }
}
