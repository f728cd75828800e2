import calculateSlot from 'cluster-key-slot';

/**
 * Redis Cluster hash tags. A cluster puts each key in one of 16,384 slots by the CRC16 of its
 * hash tag (the text between the first `{` and the next `}`, when not empty) or of the whole
 * key, and refuses a script or command that touches keys of different slots (CROSSSLOT). The
 * store's prefix holds no brace, so the tag of a Redis key is the tag of the module's key.
 */

/** Whether `key` has a hash tag as Redis reads one: a `{`, later a `}`, and something between. */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open === -1) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}

/**
 * The key as the store names it in Redis: a key that carries its own tag keeps it (a session's
 * records share one, see session-keys.ts); any other key becomes its own tag, so its value and
 * its lock (the same key under `data:` and `lock:`) always share a slot.
 */
export function slotTagged(key: string): string {
  return hasHashTag(key) ? key : `{${key}}`;
}

/** Positions of `keys` grouped by their Redis Cluster hash slot. */
export function bySlot(keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = calculateSlot(key);
    const group = groups.get(slot);
    if (group) group.push(i);
    else groups.set(slot, [i]);
  });
  return [...groups.values()];
}
