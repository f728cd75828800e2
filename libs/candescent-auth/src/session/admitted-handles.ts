/** Handles remembered at most; the oldest goes first. */
const ADMITTED_MAX = 1_000;

/**
 * The store ids of the handles admitted lately, so a returning request skips the SHA-256 of its
 * handle (the largest single cost of a guarded request on the memory store). The id is a pure
 * function of the handle, so a remembered one is never stale: the store, read on every request,
 * still decides whether the session is open.
 *
 * Only handles the guard admitted are remembered (an unknown or malformed handle is hashed every
 * time and never kept), and a handle is forgotten as soon as a request with it is refused. The
 * handles live in this process only, never in the store, beside the decoded sessions (whose
 * Candescent tokens are worth more than a handle); a store dump still yields no usable handle.
 */
export class AdmittedHandles {
  private readonly ids = new Map<string, string>();

  constructor(private readonly max = ADMITTED_MAX) {}

  /** The store id of a handle admitted lately, or undefined. */
  known(handle: string): string | undefined {
    return this.ids.get(handle);
  }

  /** Remembers the id of a handle just admitted. */
  admitted(handle: string, id: string): void {
    if (this.ids.get(handle) === id) return;
    if (this.ids.size >= this.max) this.ids.delete(this.ids.keys().next().value as string);
    this.ids.set(handle, id);
  }

  /** Forgets a handle that was refused. */
  refused(handle: string): void {
    this.ids.delete(handle);
  }
}
