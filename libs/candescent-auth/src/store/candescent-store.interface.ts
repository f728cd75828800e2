import { Inject } from '@nestjs/common';

/**
 * Where the module keeps sessions (and shared token state). Values are opaque strings (JSON
 * made by the module); implementations may encrypt them. Every method may reject with a
 * `CandescentUnavailableError` when the backing service is down.
 *
 * The contract for your own implementation (pass it as the `store` option):
 * - Keys are short strings the module builds; values are opaque and must come back exactly as
 *   written. Never log them: they hold tokens (encrypt them at rest, as `RedisStore` does).
 * - `ttlMs` is a lifetime from the moment of the write: after it the key reads as absent. A
 *   value may disappear earlier (eviction), which the module treats as a logout.
 * - `acquireLock` is an atomic set-if-absent with an expiry, and each acquisition returns a value
 *   no other acquisition returns (the fence). `replaceIfLocked` and `releaseLock` compare that
 *   fence and act in one atomic step (in Redis: one Lua script), so a writer whose lease expired
 *   can never overwrite a newer value. With several instances, all of them must see one store.
 * - `replaceIfUnchanged` (optional, recommended with several instances) is a compare-and-set on
 *   the whole value, in one atomic step. Renewed customer tokens are written with it, so the
 *   write holds only while the session still carries the refresh token that was spent: an
 *   instance whose lease ran out during a long stall then stores its tokens when nobody else
 *   changed the session, and takes the stored ones when another instance did. Without it the
 *   module writes under the lock alone (`replaceIfLocked`), and tokens renewed by a lease that
 *   ran out serve one request and are not stored.
 */
export interface CandescentStore {
  /**
   * Optional: true when every instance of the app sees this same store (Redis, a database).
   * Institution tokens are then shared too: a cold fleet makes one token request, not one per
   * instance. Leave it out (or false) for a store of one process.
   */
  readonly sharedBetweenInstances?: boolean;
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /**
   * Optional: several values at once, in the order of `keys` (undefined for each absent one).
   * A guarded request reads four records of its session; a store that can fetch them in one
   * round trip (Redis `MGET`) should. Without it the module calls `get` once per key.
   */
  getMany?(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** Stores a value that expires after `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes a value; absent keys are fine. */
  delete(key: string): Promise<void>;
  /**
   * Takes a lease lock for `ttlMs`. Resolves to a fencing value (unique per acquisition) when
   * taken, undefined when someone else holds it.
   */
  acquireLock(key: string, ttlMs: number): Promise<string | undefined>;
  /**
   * Replaces an existing value, only while the lock `lockKey` is still held by `fence`: a writer
   * whose lease ran out, or a session deleted meanwhile (logout), is not overwritten.
   * @returns whether the value was written
   */
  replaceIfLocked(key: string, value: string, ttlMs: number, lockKey: string, fence: string): Promise<boolean>;
  /**
   * Optional. Replaces the value of `key` only if it is still exactly `expected` (what `get`
   * returned), comparing and writing in one atomic step: in Redis one Lua script on the stored
   * bytes, in memory one synchronous step. An absent or expired key is not written.
   * @returns whether the value was written
   */
  replaceIfUnchanged?(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock only if `fence` still owns it (a lease that expired is not released twice). */
  releaseLock(key: string, fence: string): Promise<void>;
  /**
   * Optional: registers a listener for values the store dropped before their ttl (to stay within
   * a bound), so the module can revoke the tokens of a session that was pushed out.
   */
  onEvicted?(listener: (key: string, value: string) => void): void;
  /**
   * Optional: resolves when the backing service answers, rejects when it does not (within the
   * store's own timeout). The health indicator's `store` detail uses it; without it the
   * indicator reads a key instead.
   */
  ping?(): Promise<void>;
  /** Closes connections; called on module destroy. */
  close?(): Promise<void>;
}

/** Injection token of the store (`CANDESCENT_STORE`); prefer `@InjectCandescentStore()`. */
export const CANDESCENT_STORE = Symbol('CANDESCENT_STORE');

/** Injects the module's store (the one from the `store` option, Redis, or process memory). */
export const InjectCandescentStore = (): ParameterDecorator & PropertyDecorator => Inject(CANDESCENT_STORE);

/** Several values of `store` at once: its `getMany` when it has one, else one `get` per key. */
export function getMany(store: CandescentStore, keys: readonly string[]): Promise<Array<string | undefined>> {
  return store.getMany ? store.getMany(keys) : Promise.all(keys.map((key) => store.get(key)));
}
