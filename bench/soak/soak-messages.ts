/** A customer the load generator logs in as, with the account ids that are theirs. */
export interface SoakCustomer {
  username: string;
  password: string;
  fiCustomerId: string;
  accountIds: string[];
}

/** Parent to worker. */
export type ToWorker =
  | { type: 'start'; faultsPerSecond: number; faultMode: 'spaced' | 'queued' }
  | { type: 'outage'; down: boolean }
  | { type: 'stop' };

/** What the worker saw at the sandbox and in the app's process. */
export interface WorkerStats {
  heapStartBytes: number;
  heapEndBytes: number;
  tokenRequests: number;
  byGrant: Record<string, number>;
  faultsInjected: number;
  /** Spaced mode: total time faults were held back because another was still waiting (ms). */
  faultsHeldBackMs: number;
  faultsTaken: Record<string, number>;
  /** Requests the sandbox refused (4xx) that carried no injected fault, by `route status`. */
  protocolProblems: Record<string, number>;
  /** Accounts calls where the data returned was not the token owner's (or not the loginId's). */
  wrongCustomerAtSandbox: number;
  /** Circuit states of the V2 breaker with the time (ms since start) each began. */
  circuit: Array<{ at: number; state: string }>;
}

/** Worker to parent. */
export type FromWorker =
  | { type: 'ready'; url: string; customers: SoakCustomer[] }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'error'; message: string };
