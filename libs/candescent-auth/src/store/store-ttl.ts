import { CandescentInvalidRequestError } from '../errors/candescent-auth.error';

/**
 * Whole milliseconds for an entry's time to live, or `undefined` when the entry would already be
 * expired (so the caller deletes instead of writing). Redis `PX` only takes positive integers,
 * so both stores round the same way and behave alike.
 */
export function entryTtlMs(ttlMs: number): number | undefined {
  if (!Number.isFinite(ttlMs)) {
    throw new CandescentInvalidRequestError(
      `Store ttlMs must be a finite number of milliseconds; got ${String(ttlMs)}`,
    );
  }
  return ttlMs > 0 ? Math.ceil(ttlMs) : undefined;
}

/** Whole milliseconds for a lock lease; a lease that is already over makes no sense, so it throws. */
export function leaseTtlMs(ttlMs: number): number {
  const lease = Number.isFinite(ttlMs) && ttlMs > 0 ? Math.ceil(ttlMs) : undefined;
  if (lease === undefined) {
    throw new CandescentInvalidRequestError(
      `Lock ttlMs must be a positive number of milliseconds; got ${String(ttlMs)}`,
    );
  }
  return lease;
}
