import type { CandescentStore } from '../../libs/candescent-auth/src/store/candescent-store.interface';

/** The methods every store has; the optional ones are not forwarded unless a subclass adds them. */
export type RequiredStoreMethod = 'get' | 'set' | 'delete' | 'acquireLock' | 'replaceIfLocked' | 'releaseLock';

/**
 * A store that hands the required methods to another one, for tests that watch or disturb what
 * the module does with its store. The optional methods (`getMany`, `replaceIfUnchanged`, ...)
 * are left out on purpose: the module then takes the paths every store supports, and a test
 * that wants one of them adds it in its subclass.
 */
export class DelegatingStore implements CandescentStore {
  constructor(readonly inner: CandescentStore) {}

  /** The store that answers `method`; a subclass may send some methods elsewhere. */
  protected target(_method: RequiredStoreMethod): CandescentStore {
    return this.inner;
  }

  get(key: string): Promise<string | undefined> {
    return this.target('get').get(key);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.target('set').set(key, value, ttlMs);
  }

  delete(key: string): Promise<void> {
    return this.target('delete').delete(key);
  }

  acquireLock(key: string, ttlMs: number): Promise<string | undefined> {
    return this.target('acquireLock').acquireLock(key, ttlMs);
  }

  replaceIfLocked(key: string, value: string, ttlMs: number, lockKey: string, fence: string): Promise<boolean> {
    return this.target('replaceIfLocked').replaceIfLocked(key, value, ttlMs, lockKey, fence);
  }

  releaseLock(key: string, fence: string): Promise<void> {
    return this.target('releaseLock').releaseLock(key, fence);
  }
}
