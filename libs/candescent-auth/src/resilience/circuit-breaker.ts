import { CandescentUnavailableError } from '../errors/candescent-auth.error';
import type { CandescentService } from '../token/candescent-service';
import { CandescentMetrics } from '../metrics/candescent-metrics';
import { OutcomeWindow } from './outcome-window';

/** Where a breaker stands. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** What a breaker is built from (the resolved `circuitBreaker` options). */
export interface CircuitBreakerSettings {
  /** Share of failed operations in the window, in percent, at which the circuit opens. */
  failureRateThreshold: number;
  /** Operations the window must hold before its failure rate counts. */
  minimumCalls: number;
  /** Length of the sliding window. */
  slidingWindowMs: number;
  /** How long the circuit stays open before probes are let through. */
  resetTimeoutMs: number;
  /** Operations let through at once while half-open. */
  halfOpenProbes: number;
}

/** What an operation learned about the service: it failed, it worked, or it says nothing. */
export type OperationVerdict = 'failure' | 'success' | 'ignored';

/**
 * Admission of one operation. Its outcome is reported through `settle` exactly once; outcomes of
 * operations admitted before the last state change are dropped, so a slow call that started
 * while the circuit was closed cannot close or reopen it later.
 */
export interface BreakerPermit {
  readonly probe: boolean;
  settle(verdict: OperationVerdict): void;
}

/**
 * One breaker per token service, judged on whole token operations (after their retries), the
 * model of Resilience4j and Polly v8: it opens when, over the last `slidingWindowMs`, at least
 * `minimumCalls` operations ended and at least `failureRateThreshold` percent of them failed.
 * Open, it fails fast with a 503 that says when to come back. After `resetTimeoutMs` it lets up
 * to `halfOpenProbes` operations through: the first that succeeds closes the circuit, and when
 * that many have failed it opens again.
 *
 * Counting attempts, or consecutive failures across every caller, let a short burst of refusals
 * that the retries were absorbing open the circuit for everyone; counting operations over a
 * window with a minimum volume means it opens only when callers really are failing.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private generation = 0;
  private openedAt = 0;
  private probesStarted = 0;
  private probesFailed = 0;
  private readonly window: OutcomeWindow;

  constructor(
    private readonly service: CandescentService,
    private readonly settings: CircuitBreakerSettings,
    private readonly now: () => number,
    /** The institution whose token service this breaker guards, for metrics. */
    private readonly institution: string,
  ) {
    this.window = new OutcomeWindow(settings.slidingWindowMs, now);
  }

  /** Current state, for health checks and metrics. */
  get status(): CircuitState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.settings.resetTimeoutMs) return 'half-open';
    return this.state;
  }

  /** Lets an operation through, or throws a typed 503 (`CIRCUIT_OPEN`) with `retryAfterSeconds`. */
  admit(): BreakerPermit {
    if (this.state === 'open') {
      const waited = this.now() - this.openedAt;
      if (waited < this.settings.resetTimeoutMs) throw this.openError(this.settings.resetTimeoutMs - waited);
      this.transition('half-open');
    }
    if (this.state === 'half-open') {
      // Probes of this round are all out: the others wait for their verdict, about a call's time.
      if (this.probesStarted >= this.settings.halfOpenProbes) throw this.openError(1_000);
      this.probesStarted += 1;
      return this.permit(true);
    }
    return this.permit(false);
  }

  /** Whether calls are being refused right now (an admitted operation stops retrying then). */
  get refusing(): boolean {
    return this.state === 'open' && this.now() - this.openedAt < this.settings.resetTimeoutMs;
  }

  private permit(probe: boolean): BreakerPermit {
    const generation = this.generation;
    let settled = false;
    return {
      probe,
      settle: (verdict) => {
        if (settled) return;
        settled = true;
        if (generation === this.generation) this.record(verdict, probe);
      },
    };
  }

  private record(verdict: OperationVerdict, probe: boolean): void {
    if (probe) {
      if (verdict === 'success') this.transition('closed');
      else if (verdict === 'failure') {
        this.probesFailed += 1;
        if (this.probesFailed >= this.settings.halfOpenProbes) this.transition('open');
      }
      // A probe that says nothing (rate limited) hands its place to the next caller.
      else this.probesStarted -= 1;
      return;
    }
    if (verdict === 'ignored') return;
    this.window.record(verdict === 'success');
    if (verdict === 'failure') {
      const { calls, failures } = this.window.totals();
      if (calls >= this.settings.minimumCalls && failures * 100 >= this.settings.failureRateThreshold * calls) {
        this.transition('open');
      }
    }
  }

  private transition(next: CircuitState): void {
    if (this.state !== next) CandescentMetrics.circuit(this.service, next, this.institution);
    this.state = next;
    this.generation += 1;
    this.probesStarted = 0;
    this.probesFailed = 0;
    if (next === 'open') this.openedAt = this.now();
    if (next === 'closed') this.window.clear();
  }

  private openError(remainingMs: number): CandescentUnavailableError {
    const retryAfterSeconds = Math.max(1, Math.ceil(remainingMs / 1000));
    return new CandescentUnavailableError(
      `Candescent ${this.service.toUpperCase()} token service is failing; token requests are paused for up to ${retryAfterSeconds} s (circuit open). Cached tokens stay in use; retry after that.`,
      { service: this.service, errorType: 'SYSTEM_ERROR', errorCode: 'CIRCUIT_OPEN', retryAfterSeconds },
    );
  }
}
