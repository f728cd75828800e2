import { createHmac } from 'node:crypto';
import { CandescentUnavailableError } from '../errors/candescent-auth.error';
import type { CandescentStore } from '../store/candescent-store.interface';
import { sessionKeys } from '../store/session-keys';
import { waitForLock } from '../store/store-lock';

/** An entry of a list written by earlier versions, which kept each session's listing time. */
interface PreviousEntry {
  id: string;
  createdAt: number;
}

/** How long one login waits for another login of the same account to finish its bookkeeping. */
const ACCOUNT_LOCK_MS = 5_000;
const LOCK_POLL_MS = 10;

/** How login ids are compared when Candescent names no customer id (see `session.loginIdMatching`). */
export type LoginIdMatching = 'exact' | 'case-insensitive';

/**
 * The account a session belongs to, keyed with the consumer secret, because the result names a
 * store key: a plain hash of a login id could be recomputed from a list of usernames by anyone
 * who can list the keys. The customer is who Candescent says it is when it says so (V1
 * `di_ficustomer`); otherwise the login id as typed (trimmed), folded only when the FI's login
 * ids are known to be case-insensitive: on an FI where `ALICE` and `alice` are two customers,
 * folding would let one end the other's sessions.
 */
export function accountOf(
  secret: string,
  customer: { fiId: string; loginId: string; fiCustomerId?: string; institution?: string },
  matching: LoginIdMatching,
): string {
  const loginId = customer.loginId.trim();
  const who =
    customer.fiCustomerId !== undefined
      ? ['customer', customer.fiCustomerId]
      : ['login', matching === 'case-insensitive' ? loginId.normalize('NFKC').toLowerCase() : loginId];
  return (
    createHmac('sha256', secret)
      // The same login id at two institutions is two accounts (the one FI of top-level options has no name).
      .update(
        JSON.stringify([customer.fiId, ...(customer.institution === undefined ? [] : [customer.institution]), ...who]),
      )
      .digest('base64url')
  );
}

/**
 * The open sessions of each account, so one account cannot hold more than `max` of them: the
 * list is changed under a short store lock (one login of an account at a time, across
 * instances), and the oldest sessions beyond the cap are handed back to be ended.
 *
 * Stored as a JSON array of session ids, oldest first. The lock puts the logins of an account in
 * one order, so the position says which is oldest and no time needs storing (the list is held as
 * long as its sessions are, some 45 bytes per session instead of 75).
 */
export class AccountSessions {
  constructor(
    private readonly store: CandescentStore,
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  /**
   * The last change of each account's list made in this process, so that logins of one account
   * here wait for each other in turn instead of polling the store lock (10 ms a try) against
   * each other. The store lock still orders them with other instances.
   */
  private readonly local = new Map<string, Promise<unknown>>();

  /**
   * Lists a new session of `account` and returns the sessions it displaces, oldest first.
   * `areOpen` says which listed sessions still exist (in one store call); ended ones leave the list.
   */
  add(account: string, id: string, areOpen: (ids: readonly string[]) => Promise<boolean[]>): Promise<string[]> {
    const previous = this.local.get(account);
    const change = previous
      ? previous.then(
          () => this.change(account, id, areOpen),
          () => this.change(account, id, areOpen),
        )
      : this.change(account, id, areOpen);
    this.local.set(account, change);
    const settled = (): void => {
      if (this.local.get(account) === change) this.local.delete(account);
    };
    change.then(settled, settled);
    return change;
  }

  private async change(
    account: string,
    id: string,
    areOpen: (ids: readonly string[]) => Promise<boolean[]>,
  ): Promise<string[]> {
    const lockKey = sessionKeys.accountLock(account);
    const fence = await this.lock(lockKey);
    try {
      const key = sessionKeys.account(account);
      const raw = await this.store.get(key);
      const appended = appendedBelowCap(raw, id, this.max);
      if (appended !== undefined) {
        await this.store.set(key, appended, this.ttlMs);
        return [];
      }
      const listed = parse(raw);
      // Below the cap no session is displaced whichever listed ones are still open, so they are
      // checked (and ended ones dropped) only once the list is full: a login of an account with
      // hundreds of sessions does not read each of them.
      const open = listed.length < this.max ? listed.map(() => true) : await areOpen(listed);
      const kept = [...listed.filter((_, i) => open[i]), id];
      const displaced = kept.splice(0, Math.max(0, kept.length - this.max));
      await this.store.set(key, JSON.stringify(kept), this.ttlMs);
      return displaced;
    } finally {
      await this.store.releaseLock(lockKey, fence).catch(() => undefined);
    }
  }

  private async lock(lockKey: string): Promise<string> {
    // A holder that died frees the lease after ACCOUNT_LOCK_MS, so waiting that long suffices.
    const fence = await waitForLock(this.store, lockKey, {
      leaseMs: ACCOUNT_LOCK_MS,
      waitMs: ACCOUNT_LOCK_MS,
      now: Date.now,
      pollMs: LOCK_POLL_MS,
    });
    if (fence !== undefined) return fence;
    throw new CandescentUnavailableError('Too many logins to this account at once; try again shortly.', {
      errorType: 'SYSTEM_ERROR',
      errorCode: 'SESSION_LOCKED',
    });
  }
}

/**
 * The stored list with `id` added, written straight from its text, when that text is a list as
 * this version writes it (ids as long as `id`, checked at both ends) holding fewer than `max`:
 * below the cap nobody is displaced and nothing is read, so the new list is the old one and `id`,
 * and a login does not parse and write out hundreds of ids. Undefined when that does not hold:
 * the caller then parses the list.
 */
export function appendedBelowCap(raw: string | undefined, id: string, max: number): string | undefined {
  const quoted = JSON.stringify(id);
  // An id that needs escaping (never a session id) is left to the parser.
  if (quoted.length !== id.length + 2 || max < 1) return undefined;
  if (raw === undefined) return `[${quoted}]`;
  // `[`, then each id quoted and followed by a comma, the last one by `]`.
  const entries = (raw.length - 1) / (quoted.length + 1);
  if (!Number.isInteger(entries) || entries < 1 || entries >= max) return undefined;
  const lastQuote = raw.length - 2;
  const firstQuoteOfLast = lastQuote - id.length - 1;
  if (
    raw[0] !== '[' ||
    raw[1] !== '"' ||
    raw[raw.length - 1] !== ']' ||
    raw[lastQuote] !== '"' ||
    raw[firstQuoteOfLast] !== '"' ||
    (entries > 1 && raw[firstQuoteOfLast - 1] !== ',')
  )
    return undefined;
  return `${raw.slice(0, -1)},${quoted}]`;
}

/** The listed ids, oldest first; a list of an earlier version is ordered by its entries' times. */
function parse(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const previous = value
    .filter(
      (e): e is PreviousEntry =>
        typeof (e as PreviousEntry).id === 'string' && typeof (e as PreviousEntry).createdAt === 'number',
    )
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((entry) => entry.id);
  return [...previous, ...value.filter((e): e is string => typeof e === 'string')];
}
