import { LRUCache } from 'lru-cache';

/** The last refusal under one key, and the token that replaced the refused one. */
interface Refusal {
  at: number;
  replacement?: string;
  accepted: boolean;
}

/**
 * When Candescent refuses a token, the caller renews it. A replacement that is refused too before
 * Candescent ever accepted it, within `cooldownMs` of the refusal that brought it, is kept: the
 * call is refused, not the token, and renewing again would cost a token request per call.
 * Used per institution-token key, in process memory; a customer session keeps its record in the
 * store instead (session/shared-refusals.ts), so every instance applies it alike.
 */
export class RefusalCooldown {
  /** Made at the first refusal: lru-cache allocates for its whole bound up front, per institution. */
  #refusals?: LRUCache<string, Refusal>;

  constructor(
    private readonly cooldownMs: number,
    private readonly now: () => number,
    private readonly maxKeys: number,
  ) {}

  private get refusals(): LRUCache<string, Refusal> {
    return (this.#refusals ??= new LRUCache<string, Refusal>({ max: this.maxKeys }));
  }

  /** Whether a refusal of `accessToken` is to be ignored: it is the recent, never-accepted replacement. */
  holds(key: string, accessToken: string): boolean {
    const last = this.refusals.get(key);
    return last?.replacement === accessToken && !last.accepted && this.now() - last.at < this.cooldownMs;
  }

  /** Candescent refused the token under `key`; the caller is about to replace it. */
  refused(key: string): void {
    this.refusals.set(key, { at: this.now(), accepted: false });
  }

  /** The token that replaced the refused one: the first issued after the refusal. */
  replacedBy(key: string, token: { accessToken: string; issuedAt: number }): void {
    const last = this.refusals.get(key);
    if (last && last.replacement === undefined && token.issuedAt >= last.at) last.replacement = token.accessToken;
  }

  /** Candescent accepted `accessToken`: a later refusal of it is worth a renewal. */
  accepted(key: string, accessToken: string): void {
    const last = this.refusals.get(key);
    if (last?.replacement === accessToken) last.accepted = true;
  }
}
