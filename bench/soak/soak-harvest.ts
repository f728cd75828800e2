import type { CandescentSandbox } from '@candescent/sandbox';
import type { SoakCustomer, WorkerStats } from './soak-messages';

type HarvestTotals = Pick<
  WorkerStats,
  'tokenRequests' | 'byGrant' | 'faultsTaken' | 'protocolProblems' | 'wrongCustomerAtSandbox'
>;

/**
 * Reads the sandbox's records once a second and forgets them, so a long soak keeps them out of
 * the heap it measures. The sandbox answers a request without a fault in the tick it records it,
 * so every such record already has its final status when read.
 */
export class SandboxHarvest {
  private sums: HarvestTotals = empty();
  /** Faults taken since start, never reset: the injector compares it with what it injected. */
  private takenEver = 0;
  private injectedEver = 0;
  private readonly customerOfLogin: Map<string, string>;

  constructor(
    private readonly sandbox: CandescentSandbox,
    customers: readonly SoakCustomer[],
  ) {
    this.customerOfLogin = new Map(customers.map((c) => [c.username, c.fiCustomerId]));
  }

  collect(): void {
    const counters = this.sandbox.counters();
    const requests = this.sandbox.requests();
    const calls = this.sandbox.accountsCalls();
    this.sandbox.resetCounters();
    this.sums.tokenRequests += counters.tokenRequests;
    for (const [grant, n] of Object.entries(counters.byGrant))
      this.sums.byGrant[grant] = (this.sums.byGrant[grant] ?? 0) + n;
    for (const request of requests) {
      if (request.fault) {
        this.sums.faultsTaken[request.fault] = (this.sums.faultsTaken[request.fault] ?? 0) + 1;
        this.takenEver += 1;
      } else if (request.status >= 400) {
        const key = `${request.route} ${request.status}${request.form.grant_type ? ` (${request.form.grant_type})` : ''}`;
        this.sums.protocolProblems[key] = (this.sums.protocolProblems[key] ?? 0) + 1;
      }
    }
    for (const call of calls) {
      if (call.returnedFiCustomerId === undefined) continue;
      const owner =
        call.tokenFiCustomerId ?? (call.loginId === undefined ? undefined : this.customerOfLogin.get(call.loginId));
      if (owner !== call.returnedFiCustomerId) this.sums.wrongCustomerAtSandbox += 1;
    }
  }

  /** Counts an injected fault, for `pendingFaults`. */
  injected(): void {
    this.injectedEver += 1;
  }

  /** Injected faults no request has taken yet (reads the records first). */
  pendingFaults(): number {
    this.collect();
    return this.injectedEver - this.takenEver;
  }

  resetTotals(): void {
    this.sums = empty();
  }

  totals(): HarvestTotals {
    return structuredClone(this.sums);
  }
}

function empty(): HarvestTotals {
  return { tokenRequests: 0, byGrant: {}, faultsTaken: {}, protocolProblems: {}, wrongCustomerAtSandbox: 0 };
}
