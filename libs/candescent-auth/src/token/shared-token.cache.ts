import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import type { CandescentStore } from '../store/candescent-store.interface';
import { withStoreWait } from '../store/redis-failover';
import { leaseAcross, waitForLock } from '../store/store-lock';
import { CandescentLogger } from '../logging/candescent-logger';
import type { CandescentToken } from './candescent-token.interface';
import { isUsable, refreshAt } from './refresh-schedule';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

const MAX_REFUSED = 100;
/** How long the store is left alone after it failed, before the next call tries it again. */
const STORE_RETRY_MS = 5_000;

/**
 * Institution tokens shared by every instance through the store (Redis): one token request per
 * key across instances. The instance that takes the store lock re-reads the store first, so a
 * token another instance just stored is adopted instead of fetched again. The store is a help,
 * not a dependency: when it fails, the instance fetches on its own, leaves the store alone for a
 * few seconds at a time, and says so once per outage (and once when the store is back). For
 * the same reason it never waits out a Redis failover: institution calls go on with a token this
 * instance fetches alone (one per key, in-process single-flight), not a pause.
 */
@RedactedWhenPrinted()
export class SharedTokenCache {
  private readonly logger = new CandescentLogger('CandescentTokenService');
  /** Tokens Candescent refused lately: never adopted from the store, even before their delete lands. */
  private readonly refused = new Set<string>();
  /** Set while the store is failing: when to try it again. */
  private storeRetryAt?: number;

  constructor(
    private readonly store: CandescentStore,
    private readonly options: ResolvedCandescentAuthOptions,
    private readonly now: () => number,
  ) {}

  /** A token for `key`: a fresh one from the store, or `fetch()` run by one instance at a time. */
  obtain(key: string, fetch: () => Promise<CandescentToken>): Promise<CandescentToken> {
    return withStoreWait(0, () => this.obtainShared(key, fetch));
  }

  private async obtainShared(key: string, fetch: () => Promise<CandescentToken>): Promise<CandescentToken> {
    if (!this.storeWorthTrying()) return fetch();
    try {
      const stored = await this.readFresh(key);
      this.storeAnswered();
      if (stored) return stored;
      const fence = await this.lockOrAdopt(key);
      if (typeof fence !== 'string') return fence ?? (await fetch());
      try {
        const adopted = await this.readFresh(key);
        if (adopted) return adopted;
        const token = await fetch();
        await this.write(key, token).catch((error: unknown) => {
          if (isStoreFailure(error)) this.storeFailed(error);
          else this.logger.warn('Storing the institution token for other instances failed.', error);
        });
        return token;
      } finally {
        await this.store.releaseLock(`token:${key}`, fence).catch(() => undefined);
      }
    } catch (error: unknown) {
      if (!isStoreFailure(error)) throw error;
      this.storeFailed(error);
      return fetch();
    }
  }

  /** Whether to use the store now: always while it works, every few seconds while it fails. */
  private storeWorthTrying(): boolean {
    return this.storeRetryAt === undefined || this.now() >= this.storeRetryAt;
  }

  private storeFailed(error: unknown): void {
    if (this.storeRetryAt === undefined) {
      // Once per outage: a log line per call would bury everything else while Redis is away.
      this.logger.warn(
        'The shared token store is unavailable; this instance fetches and caches institution tokens on its own until it is back.',
        error,
      );
    }
    this.storeRetryAt = this.now() + STORE_RETRY_MS;
  }

  private storeAnswered(): void {
    if (this.storeRetryAt === undefined) return;
    this.storeRetryAt = undefined;
    this.logger.log('The shared token store is back; institution tokens are shared across instances again.');
  }

  /** Forgets a token everywhere (Candescent refused it). */
  async drop(key: string, accessToken: string): Promise<void> {
    this.refused.add(accessToken);
    if (this.refused.size > MAX_REFUSED) this.refused.delete(this.refused.values().next().value ?? accessToken);
    // While the store fails, the token it may hold is refused locally above; it expires there on its own.
    if (!this.storeWorthTrying()) return;
    await withStoreWait(0, async () => {
      const stored = await this.read(key).catch(() => undefined);
      if (stored?.accessToken === accessToken) await this.store.delete(`token:${key}`).catch(() => undefined);
    });
  }

  /** Takes the lock (returns its fence), or returns a token another instance stored meanwhile; undefined: waited long enough, fetch anyway. */
  private async lockOrAdopt(key: string): Promise<string | CandescentToken | undefined> {
    let adopted: CandescentToken | undefined;
    const fence = await waitForLock(this.store, `token:${key}`, {
      leaseMs: leaseAcross(this.options.requestDeadlineMs),
      waitMs: this.options.requestDeadlineMs,
      now: this.now,
      // The holder stored its token: adopt it rather than wait for the lock.
      stop: async () => (adopted = await this.readFresh(key)) !== undefined,
    });
    return fence ?? adopted;
  }

  /** The stored token when it is usable and not yet inside its earliest refresh window. */
  private async readFresh(key: string): Promise<CandescentToken | undefined> {
    const token = await this.read(key);
    const now = this.now();
    if (!token || this.refused.has(token.accessToken)) return undefined;
    return isUsable(token, now) && now < refreshAt(token, this.options, () => 0) ? token : undefined;
  }

  private async read(key: string): Promise<CandescentToken | undefined> {
    const raw = await this.store.get(`token:${key}`);
    if (raw === undefined) return undefined;
    try {
      const token = JSON.parse(raw) as Partial<CandescentToken>;
      return typeof token.accessToken === 'string' && typeof token.expiresAt === 'number'
        ? (token as CandescentToken)
        : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(key: string, token: CandescentToken): Promise<void> {
    const ttl = token.expiresAt - this.now();
    if (ttl > 0) await this.store.set(`token:${key}`, JSON.stringify(token), ttl);
  }
}

/** Store errors are the module's Unavailable errors with a store code; anything else is the token request's. */
function isStoreFailure(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { errorCode?: unknown }).errorCode === 'STORE_UNAVAILABLE'
  );
}
