import { copyInstitutions, findIsolationViolations } from './sandbox-isolation';
import type {
  AccountsCall,
  IsolationViolation,
  RecordedRequest,
  SandboxCounters,
  SandboxRoute,
} from './sandbox-records.interface';

type RouteCounterKey = 'v1Token' | 'v2Token' | 'v2Revoke' | 'v1Accounts' | 'v2Accounts';

const COUNTER_KEYS: Record<SandboxRoute, RouteCounterKey> = {
  'v1-token': 'v1Token',
  'v2-token': 'v2Token',
  'v2-revoke': 'v2Revoke',
  'v1-accounts': 'v1Accounts',
  'v2-accounts': 'v2Accounts',
};

/** Counters, recorded requests and accounts calls, for tests and benchmarks. */
export class SandboxRecorder {
  private counts = emptyCounts();
  private byGrant = new Map<string, number>();
  private recorded: RecordedRequest[] = [];
  private calls: AccountsCall[] = [];

  /** Stores the request (its status is filled in when answered) and counts it. */
  record(request: RecordedRequest): void {
    this.recorded.push(request);
    if (request.route === 'unknown') return;
    this.counts[COUNTER_KEYS[request.route]] += 1;
    const grant = request.form.grant_type;
    if ((request.route === 'v1-token' || request.route === 'v2-token') && grant) {
      this.byGrant.set(grant, (this.byGrant.get(grant) ?? 0) + 1);
    }
  }

  recordAccountsCall(call: AccountsCall): void {
    this.calls.push({ ...call });
  }

  counters(): SandboxCounters {
    return {
      ...this.counts,
      byGrant: Object.fromEntries(this.byGrant),
      tokenRequests: this.counts.v1Token + this.counts.v2Token,
    };
  }

  requests(): RecordedRequest[] {
    return this.recorded.map((request) => ({
      ...request,
      query: { ...request.query },
      headers: { ...request.headers },
      form: { ...request.form },
      institutions: copyInstitutions(request.institutions),
    }));
  }

  isolationViolations(): IsolationViolation[] {
    return findIsolationViolations(this.recorded);
  }

  accountsCalls(): AccountsCall[] {
    return this.calls.map((call) => ({ ...call }));
  }

  reset(): void {
    this.counts = emptyCounts();
    this.byGrant = new Map();
    this.recorded = [];
    this.calls = [];
  }
}

function emptyCounts(): Record<RouteCounterKey, number> {
  return { v1Token: 0, v2Token: 0, v2Revoke: 0, v1Accounts: 0, v2Accounts: 0 };
}
