import type { CandescentStore } from './candescent-store.interface';

/** A store's synchronous read of several keys, and the `getMany` it stands in for. */
interface NowReader {
  readonly read: (keys: readonly string[]) => Array<string | undefined>;
  readonly getMany: CandescentStore['getMany'];
}

const readers = new WeakMap<object, NowReader>();

/**
 * Registers a store that holds its values in this process (the memory store): a guarded request
 * reads its session without a promise, and the guard can answer Nest at once instead of through
 * three more microtask turns. Internal: not part of the store contract.
 */
export function registerReadNow(store: CandescentStore, reader: NowReader): void {
  readers.set(store, reader);
}

/**
 * The values of `keys` read synchronously, exactly as the store's `getMany` would resolve them,
 * or undefined when the store cannot (Redis, an app's own store, or a subclass that replaced
 * `getMany`: its reads must keep going through it).
 */
export function readNow(store: CandescentStore, keys: readonly string[]): Array<string | undefined> | undefined {
  const reader = readers.get(store);
  return reader !== undefined && store.getMany === reader.getMany ? reader.read(keys) : undefined;
}
